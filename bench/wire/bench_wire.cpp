// hanzo-wire-bench: the daemon's per-request codec work, single thread: decoding a load-generator
// request (its record key and value, as the tenant actor does) and encoding the decision the
// library makes for it (as the router does, into one reused buffer). Real inputs: the load
// generator's requests and the MarketMaker's decisions on them, default config. The decisions
// are 64, encoded in turn: a router encodes from one scratch decision, warm in its cache.
// Nanoseconds per call by this thread's CPU time (and the wall clock), medians over repetitions
// in which the two cases alternate. The last line is one JSON object.
// Usage: hanzo-wire-bench [--quick] [--reps R]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "hanzo/hmm/loadgen/generator.hpp"
#include "hanzo/hmm/mm/market_maker.hpp"
#include "hanzo/hmm/wire/decision.hpp"
#include "hanzo/hmm/wire/request.hpp"

namespace {

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "hanzo-wire-bench: %s\n", what.c_str());
  std::exit(1);
}

double thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

struct Runs {
  std::vector<double> cpu, wall;
  void add(double cpu_ns, double wall_ns) {
    cpu.push_back(cpu_ns);
    wall.push_back(wall_ns);
  }
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// One pass of fn(i) for i < n, recorded per call.
template <class Fn>
void pass(std::size_t n, Runs& runs, Fn&& fn) {
  const double c0 = thread_cpu_ns();
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < n; ++i) fn(i);
  const auto stop = std::chrono::steady_clock::now();
  runs.add((thread_cpu_ns() - c0) / static_cast<double>(n),
           std::chrono::duration<double, std::nano>(stop - start).count() / static_cast<double>(n));
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  int reps = 15;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) quick = true, reps = 3;
    else if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) reps = std::max(1, std::atoi(argv[++i]));
    else die(std::string("unknown argument ") + argv[i]);
  }
  const std::size_t n = quick ? 500 : 4000;

  hanzo::hmm::loadgen::GeneratorOptions go;
  go.run_id = "bench";
  go.tenants = 1000;
  auto gen = hanzo::hmm::loadgen::Generator::create(go);
  if (!gen) die(gen.error().to_string());
  auto mm = hanzo::hmm::mm::MarketMaker::create(hanzo::hmm::mm::default_config());
  if (!mm) die(mm.error().to_string());

  std::vector<hanzo::hmm::loadgen::Outgoing> requests;
  constexpr std::size_t kDecisions = 64;
  std::vector<hanzo::hmm::routing::Decision> decisions(kDecisions);
  double request_bytes = 0, decision_bytes = 0;
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    requests.push_back(gen->request_record(i));
    request_bytes += static_cast<double>(requests.back().value.size());
    const auto req = gen->request(i);
    auto& d = decisions[i % kDecisions];
    if (auto ok = mm->route_request_into(d, req.tenant, req.request); !ok) die(ok.error().to_string());
    if (i >= n - kDecisions) {
      hanzo::hmm::wire::encode_decision_into(out, d);
      decision_bytes += static_cast<double>(out.size());
    }
  }

  volatile std::size_t sink = 0;  // keeps the work alive
  Runs decode, encode;
  for (int r = 0; r < reps + 1; ++r) {  // the first repetition warms up and is dropped
    Runs d, e;
    pass(n, d, [&](std::size_t i) {
      auto m = hanzo::hmm::wire::decode_keyed_request(requests[i].key, requests[i].value);
      if (!m) die(m.error().to_string());
      sink = sink + m->request.observations.size();
    });
    pass(n, e, [&](std::size_t i) {
      hanzo::hmm::wire::encode_decision_into(out, decisions[i % kDecisions]);
      sink = sink + out.size();
    });
    if (r == 0) continue;
    decode.add(d.cpu[0], d.wall[0]);
    encode.add(e.cpu[0], e.wall[0]);
  }
  std::printf("decode request (%.0f B): %.0f ns CPU, %.0f ns wall per call\n", request_bytes / n,
              median(decode.cpu), median(decode.wall));
  std::printf("encode decision (%.0f B): %.0f ns CPU, %.0f ns wall per call\n", decision_bytes / kDecisions,
              median(encode.cpu), median(encode.wall));
  std::printf("{\"bench\":\"wire\",\"reps\":%d,\"calls\":%zu,\"request_bytes\":%.0f,\"decision_bytes\":%.0f,"
              "\"decode_request_ns\":%.0f,\"encode_decision_ns\":%.0f}\n",
              reps, n, request_bytes / n, decision_bytes / kDecisions, median(decode.cpu), median(encode.cpu));
}
