// Core benchmark: forward, Viterbi and one Baum-Welch iteration against GHMM on identical models
// and data, in the same run; plus multi-threaded speed-up and accuracy against a long double
// reference. Prints a Markdown table. Usage: hanzo-hmm-bench [--quick] [--sizes 4,16,64] [--reps R]
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "core/cases.hpp"
#include "ghmm_peer.h"

using namespace hanzo::hmm;

namespace {

struct CategoricalCase {
  std::size_t n{0}, m{16};
  std::vector<double> pi, a, b;
  CategoricalHmm<int> model;
  std::vector<CategoricalTable::encoded_sequence> long_seq, short_seqs;
};

CategoricalCase make_case(std::size_t n, const bench::Settings& s) {
  Rng rng(1000 + n);
  const std::size_t m = 16;
  auto init = bench::random_rows(1, n, rng)[0];
  auto trans = bench::random_rows(n, n, rng);
  auto emis = bench::random_rows(n, m, rng);
  std::vector<int> symbols(m);
  for (std::size_t k = 0; k < m; ++k) symbols[k] = static_cast<int>(k);
  auto model = make_categorical_hmm<int>(bench::state_names(n), symbols, init, trans, emis).value();
  CategoricalCase c{n, m, init, bench::flatten(trans), bench::flatten(emis), model, {}, {}};
  auto to_seq = [&](std::uint64_t seed, std::size_t len) {
    return model.encode(model.generate(len, seed).observations).value();
  };
  c.long_seq.push_back(to_seq(7, s.long_length));
  for (std::size_t i = 0; i < s.short_count; ++i) c.short_seqs.push_back(to_seq(100 + i, s.short_length));
  return c;
}

std::vector<std::vector<int>> as_int(const std::vector<CategoricalTable::encoded_sequence>& seqs) {
  std::vector<std::vector<int>> out;
  for (const auto& q : seqs) out.emplace_back(q.begin(), q.end());
  return out;
}

// Exact-reference log-likelihood and Viterbi score in 80-bit long double.
struct Reference {
  long double log_likelihood{0}, viterbi{0};
};
Reference reference(const CategoricalCase& c, const std::vector<std::uint32_t>& o) {
  const std::size_t n = c.n;
  std::vector<long double> al(n), nx(n), de(n), dn(n);
  Reference r;
  for (std::size_t t = 0; t < o.size(); ++t) {
    long double sum = 0, best = -INFINITY;
    for (std::size_t j = 0; j < n; ++j) {
      long double acc = 0, mx = -INFINITY;
      for (std::size_t i = 0; i < n; ++i) {
        acc += t == 0 ? 0 : al[i] * (long double)c.a[i * n + j];
        if (t > 0) mx = std::max(mx, de[i] + std::log((long double)c.a[i * n + j]));
      }
      if (t == 0) acc = c.pi[j], mx = std::log((long double)c.pi[j]);
      const long double e = c.b[j * c.m + o[t]];
      nx[j] = acc * e;
      dn[j] = mx + std::log(e);
      sum += nx[j];
      best = std::max(best, dn[j]);
    }
    for (std::size_t j = 0; j < n; ++j) al[j] = nx[j] / sum, de[j] = dn[j] - best;
    r.log_likelihood += std::log(sum);
    r.viterbi += best;
  }
  return r;
}

double work(const std::vector<CategoricalTable::encoded_sequence>& seqs, std::size_t n) {
  double t = 0;
  for (const auto& q : seqs) t += static_cast<double>(q.size());
  return t * static_cast<double>(n * n);
}

}  // namespace

int main(int argc, char** argv) {
  bench::Settings s;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) {
      s.reps = 1;
      s.long_length = 10000;
      s.short_count = 10;
      s.sizes = {4, 16};
    } else if (!std::strcmp(argv[i], "--sizes") && i + 1 < argc) {
      s.sizes.clear();
      for (std::string list = argv[++i]; !list.empty();) {
        const auto comma = list.find(',');
        s.sizes.push_back(std::stoul(list.substr(0, comma)));
        list = comma == std::string::npos ? "" : list.substr(comma + 1);
      }
    } else if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) {
      s.reps = std::stoul(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: %s [--quick] [--sizes 4,16,64] [--reps R]\n", argv[0]);
      return 2;
    }
  }
  ghmm_peer_set_quiet(1);
  std::printf("kernels: %s; median of up to %zu runs; single thread unless stated\n", detail::kernels().name, s.reps);
  std::vector<bench::Row> rows;
  std::vector<std::string> notes;

  for (std::size_t n : s.sizes) {
    auto c = make_case(n, s);
    ghmm_peer_discrete* peer = ghmm_peer_discrete_create((int)n, (int)c.m, c.pi.data(), c.a.data(), c.b.data());
    if (!peer) return std::fprintf(stderr, "GHMM rejected the model\n"), 1;
    const std::string long_name = "1×" + std::to_string(s.long_length);
    const std::string short_name = std::to_string(s.short_count) + "×" + std::to_string(s.short_length);
    const auto ints_long = as_int(c.long_seq), ints_short = as_int(c.short_seqs);

    for (int shape = 0; shape < 2; ++shape) {
      const auto& seqs = shape == 0 ? c.long_seq : c.short_seqs;
      const auto& ints = shape == 0 ? ints_long : ints_short;
      const std::string& data = shape == 0 ? long_name : short_name;
      const double w = work(seqs, n);
      volatile double sink = 0;

      bench::Row fwd{"forward", data, n, w};
      fwd.ours_ms = bench::median_ms(s, [&] { for (const auto& q : seqs) sink = sink + c.model.forward(q); });
      fwd.peer_ms = bench::median_ms(s, [&] {
        for (const auto& q : ints) { double ll; ghmm_peer_discrete_forward(peer, q.data(), (int)q.size(), &ll); sink = sink + ll; }
      });
      rows.push_back(fwd);

      bench::Row vit{"viterbi", data, n, w};
      vit.ours_ms = bench::median_ms(s, [&] { for (const auto& q : seqs) sink = sink + c.model.viterbi(q).log_probability; });
      std::vector<int> path(s.long_length);
      vit.peer_ms = bench::median_ms(s, [&] {
        for (const auto& q : ints) { double lp; ghmm_peer_discrete_viterbi(peer, q.data(), (int)q.size(), path.data(), &lp); sink = sink + lp; }
      });
      rows.push_back(vit);

      // One EM iteration from the same starting model each repetition. Both sides also
      // evaluate the updated model's likelihood (GHMM does so inside its step).
      bench::Row bw{"baum-welch iteration", data, n, w};
      FitOptions one;
      one.max_iterations = 1;
      one.tolerance = -INFINITY;
      CategoricalHmm<int> work_model = c.model;
      bw.ours_ms = bench::median_ms(s, [&] { work_model = c.model; }, [&] { (void)work_model.fit(seqs, one); });
      ghmm_peer_discrete* bw_peer = nullptr;
      std::vector<const int*> ptrs;
      std::vector<int> lens;
      for (const auto& q : ints) ptrs.push_back(q.data()), lens.push_back((int)q.size());
      bw.peer_ms = bench::median_ms(s,
          [&] { if (bw_peer) ghmm_peer_discrete_free(bw_peer);
                bw_peer = ghmm_peer_discrete_create((int)n, (int)c.m, c.pi.data(), c.a.data(), c.b.data()); },
          [&] { ghmm_peer_discrete_baum_welch_step(bw_peer, ptrs.data(), lens.data(), (int)ptrs.size()); });
      ghmm_peer_discrete_free(bw_peer);
      rows.push_back(bw);

      if (shape == 1) {  // both cores across the 100 sequences
        FitOptions two = one;
        two.threads = 2;
        const double f2 = bench::median_ms(s, [&] { for (double x : c.model.forward_many(seqs, 2)) sink = sink + x; });
        const double b2 = bench::median_ms(s, [&] { work_model = c.model; }, [&] { (void)work_model.fit(seqs, two); });
        char buf[200];
        std::snprintf(buf, sizeof buf, "N=%zu, %s: 2 threads vs 1 — forward %.2f×, Baum-Welch iteration %.2f×", n,
                      data.c_str(), fwd.ours_ms / f2, bw.ours_ms / b2);
        notes.emplace_back(buf);
      }
    }

    // Accuracy on the long sequence against the long double reference.
    const auto ref = reference(c, c.long_seq[0]);
    double peer_ll = 0, peer_vit = 0;
    std::vector<int> path(s.long_length);
    ghmm_peer_discrete_forward(peer, ints_long[0].data(), (int)s.long_length, &peer_ll);
    ghmm_peer_discrete_viterbi(peer, ints_long[0].data(), (int)s.long_length, path.data(), &peer_vit);
    auto rel = [](double x, long double r) { return (double)std::fabs(((long double)x - r) / r); };
    char buf[300];
    std::snprintf(buf, sizeof buf,
                  "N=%zu accuracy on %zu steps (relative error vs long double): log-likelihood hanzo %.1e, GHMM %.1e; "
                  "Viterbi score hanzo %.1e, GHMM %.1e",
                  n, s.long_length, rel(c.model.forward(c.long_seq[0]), ref.log_likelihood), rel(peer_ll, ref.log_likelihood),
                  rel(c.model.viterbi(c.long_seq[0]).log_probability, ref.viterbi), rel(peer_vit, ref.viterbi));
    notes.emplace_back(buf);
    ghmm_peer_discrete_free(peer);
  }

  bench::run_gaussian_cases(s, rows);
  bench::print_table(rows, "GHMM");
  std::printf("\n");
  for (const auto& note : notes) std::printf("- %s\n", note.c_str());
  return 0;
}
