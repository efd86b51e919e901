// hanzo-mm-bench: the MarketMaker as a whole, single core, in-process, K=32 candidate models and
// 16 compute classes. Each figure comes with an in-run baseline (the layer underneath alone), so
// the facade's overhead is a ratio. Usage: hanzo-mm-bench [--quick]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "hanzo/hmm/mm/market_maker.hpp"
#include "hanzo/hmm/random.hpp"

using namespace hanzo::hmm;

namespace {

volatile double g_sink = 0.0;

template <class Fn>
double ns_per_call(std::size_t n, Fn&& fn, int reps) {
  for (std::size_t i = 0; i < n / 10 + 1; ++i) fn(i);
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) {
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < n; ++i) fn(i);
    t.push_back(std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count() /
                static_cast<double>(n));
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

// 16 classes (the five defaults and variants of them) and 32 models spread over them.
mm::MarketMakerConfig bench_config() {
  auto c = mm::default_config();
  Rng rng(11);
  for (std::size_t i = c.classes.size(); i < 16; ++i) {
    auto k = c.classes[i % 5];
    k.id += "-z" + std::to_string(i);
    k.credits *= 0.8 + 0.4 * rng.uniform();
    c.classes.push_back(k);
  }
  const std::size_t base = c.models.size();
  for (std::size_t i = base; i < 32; ++i) {
    auto m = c.models[i % base];
    m.name += "-v" + std::to_string(i);
    m.compute_class = c.classes[i % c.classes.size()].id;
    m.tokens_per_second *= 0.7 + 0.6 * rng.uniform();
    m.latency_ms *= 0.7 + 0.6 * rng.uniform();
    c.models.push_back(m);
  }
  return c;
}

routing::RoutingRequest request(std::size_t i) {
  routing::RoutingRequest r;
  r.request_id = "r" + std::to_string(i);
  r.input = "Summarise the quarterly GPU utilisation report in three bullet points.";
  r.preferences.max_latency_ms = 1500.0;
  r.preferences.quality_threshold = 0.7;
  r.observations = {0.1 * static_cast<double>(i % 7), -0.5, 0.0, 0.2};
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && !std::strcmp(argv[1], "--quick");
  const std::size_t n = quick ? 2000 : 50000;
  const int reps = quick ? 1 : 5;
  auto m = mm::MarketMaker::create(bench_config()).value();
  const std::size_t tenants = 1000;
  std::vector<std::string> names;
  for (std::size_t i = 0; i < tenants; ++i) names.push_back("tenant-" + std::to_string(i));
  std::vector<routing::RoutingRequest> reqs;
  for (std::size_t i = 0; i < 64; ++i) reqs.push_back(request(i));

  // Routing layer alone: the same requests against a prepared snapshot, no tenant state.
  const auto& router = m.router();
  const auto snapshot = router.prepare(mm::market_view(m.prices(), m.market())).value();
  routing::TenantOutcomes empty;
  routing::Decision out;
  const double bare_ns = ns_per_call(n, [&](std::size_t i) {
    const routing::TenantView view{names[i % tenants], {0.25, 0.25, 0.25, 0.25}, "", {}};
    (void)router.decide_into(out, reqs[i % reqs.size()], view, empty, snapshot);
    g_sink = g_sink + out.confidence;
  }, reps);
  // The facade: regime filter update, features, BitDelta habit scores, routing, decision window.
  routing::Decision decision;
  const double route_ns = ns_per_call(n, [&](std::size_t i) {
    (void)m.route_request_into(decision, names[i % tenants], reqs[i % reqs.size()]);
    g_sink = g_sink + decision.confidence;
  }, reps);
  // With feedback for every decision (outcome counts + adapter learning).
  const double route_fb_ns = ns_per_call(n, [&](std::size_t i) {
    const auto& name = names[i % tenants];
    auto r = reqs[i % reqs.size()];
    r.request_id = "f" + std::to_string(i);
    (void)m.route_request_into(decision, name, r);
    routing::Feedback fb{r.request_id, name, decision.model, 500.0, 60.0, 0.8, 1e-3, (i % 5) != 0};
    (void)m.feedback(name, fb);
  }, reps);

  // Ticks: 16 classes flowing; facade (market + router re-prepare) against the bare market.
  market::Tick tick;
  tick.dt = 1.0;
  for (std::size_t k = 0; k < 16; ++k) tick.flows.push_back({k, 10.0, 10.0, 8.0, 8.0, 1.0});  // balanced: the state stays put
  auto bare_market = market::Market::create(m.config().market_config()).value();
  const double market_ns = ns_per_call(n, [&](std::size_t) { (void)bare_market.tick(tick); }, reps);
  const double tick_ns = ns_per_call(n, [&](std::size_t) { (void)m.tick(tick); }, reps);
  const double quote_ns = ns_per_call(n, [&](std::size_t i) {
    auto q = m.market().quote(i % 16, market::Side::buy, 10.0 + static_cast<double>(i % 100));
    g_sink = g_sink + (q ? q->amount_out : 0.0);
  }, reps);

  const auto bytes = m.snapshot_tenant(names[0]).value();
  auto dormant = tenant::ActiveTenant(m.tenant_context()).to_dormant();
  std::printf("K=%zu models, %zu classes, %zu tenants; median of %d runs, single thread\n\n",
              m.router().catalogue().models.size(), m.config().classes.size(), tenants, reps);
  std::printf("| measure | value | baseline (same run) | ratio |\n|---|---:|---:|---:|\n");
  std::printf("| route_request | %.0f decisions/s (%.2f µs) | router alone %.0f/s | %.2f× |\n", 1e9 / route_ns,
              route_ns / 1e3, 1e9 / bare_ns, route_ns / bare_ns);
  std::printf("| route_request + feedback | %.0f pairs/s | router alone | %.2f× |\n", 1e9 / route_fb_ns,
              route_fb_ns / bare_ns);
  std::printf("| tick (16 classes) | %.0f ticks/s | market alone %.0f/s | %.2f× |\n",
              1e9 / tick_ns, 1e9 / market_ns, tick_ns / market_ns);
  std::printf("| quote | %.0f ns | — | — |\n", quote_ns);
  std::printf("| dormant tenant adapter (K=32, F=16) | %zu bytes | bound 256 | — |\n", dormant.adapter.memory_bytes());
  std::printf("| dormant tenant, adapter + filter | %zu bytes | — | — |\n", dormant.memory_bytes());
  std::printf("| tenant snapshot (adapter, filter, outcome counts) | %zu bytes | — | — |\n", bytes.size());
  return g_sink == 12345.678 ? 1 : 0;
}
