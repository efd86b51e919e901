// hanzo-market-bench: throughput of the Hamiltonian market on one core, with the bare regime
// filter update measured in the same run as the baseline. Prints a Markdown table.
//   hanzo-market-bench [classes=16] [ticks=2000000]
#include <algorithm>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "hanzo/hmm/market/market.hpp"

using namespace hanzo::hmm::market;
using Clock = std::chrono::steady_clock;

namespace {

volatile double g_sink = 0.0;  // keeps results observable

MarketConfig config(std::size_t n) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  MarketConfig c;
  for (std::size_t i = 0; i < n; ++i) {
    const double supply = 100.0 * std::pow(100.0, u(rng)), price = 0.3 * std::pow(10.0, u(rng));
    c.classes.push_back({"c" + std::to_string(i), 0.6 + 0.8 * u(rng), supply, price * supply, 24.0});
  }
  return c;
}

// A balanced market with noise: every class trades ~half its supply per tick, net flows ±1%.
// The second half mirrors the first (inflows ↔ outflows) so replaying the cycle does not drift.
std::vector<Tick> ticks(const Market& m, std::size_t count, std::uint64_t seed, std::size_t shock_every) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<Tick> out(count);
  for (std::size_t k = 0; k < count / 2; ++k) {
    Tick& t = out[k];
    t.dt = 1.0;
    for (std::size_t i = 0; i < m.size(); ++i) {
      const double use = 0.5 * m.supply()[i], spend = m.prices()[i] * use;
      t.flows.push_back({i, use * (1 + 0.01 * u(rng)), use, spend * (1 + 0.01 * u(rng)), spend, 1.0});
    }
    Tick& mirror = out[k + count / 2];
    mirror = t;
    for (auto& f : mirror.flows) std::swap(f.supply_in, f.usage), std::swap(f.demand, f.value_out);
  }
  // Half a class's supply goes offline for one tick and comes back on the next.
  if (shock_every)
    for (std::size_t k = shock_every; k + 1 < count; k += shock_every) {
      out[k].flows[k % m.size()].shock = 0.5;
      out[k + 1].flows[k % m.size()].shock = 2.0;
    }
  return out;
}

// Wall time (steady_clock) and process CPU time (std::clock) per operation, medians of 5 runs.
// On a shared machine the CPU time is the steadier figure: it excludes time spent descheduled.
struct Timing {
  double wall_ns, cpu_ns;
};

template <class Fn>
Timing ns_per_op(std::size_t ops, Fn&& fn) {
  std::vector<double> wall, cpu;
  for (int r = 0; r < 5; ++r) {
    const auto start = Clock::now();
    const std::clock_t c0 = std::clock();
    fn();
    const std::clock_t c1 = std::clock();
    wall.push_back(std::chrono::duration<double, std::nano>(Clock::now() - start).count() / static_cast<double>(ops));
    cpu.push_back(static_cast<double>(c1 - c0) / CLOCKS_PER_SEC * 1e9 / static_cast<double>(ops));
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  return {wall[2], cpu[2]};
}

struct Row {
  std::string what;
  Timing t;
};

}  // namespace

int main(int argc, char** argv) {
  const std::size_t classes = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 16;
  const std::size_t n = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 2000000;
  auto created = Market::create(config(classes));
  if (!created) {
    std::fprintf(stderr, "%s\n", created.error().to_string().c_str());
    return 1;
  }
  const Market initial = std::move(*created);
  std::vector<Row> rows;

  // Baseline: one bare OnlineFilter update on the same regime model.
  {
    hanzo::hmm::OnlineFilter<hanzo::hmm::DiagonalGaussian> filter(initial.regime().model());
    std::vector<std::vector<double>> obs;
    std::mt19937_64 rng(1);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (int k = 0; k < 1024; ++k) obs.push_back({0.3 + 0.5 * u(rng), u(rng) - 0.5, 0.03 * u(rng)});
    rows.push_back({"bare OnlineFilter update (4 regimes, 3-d Gaussian)", ns_per_op(n, [&] {
                      for (std::size_t k = 0; k < n; ++k) g_sink = g_sink + filter.update(obs[k & 1023])->front();
                    })});
  }
  const Timing filter = rows.back().t;

  const auto run_ticks = [&](const char* what, std::size_t shock_every) {
    Market m = initial;
    const auto ts = ticks(m, 4096, 7, shock_every);
    for (const auto& t : ts) (void)m.tick(t);  // warm-up
    bool ok = true;
    rows.push_back({what, ns_per_op(n, [&] {
                      for (std::size_t k = 0; k < n; ++k) ok &= static_cast<bool>(m.tick(ts[k & 4095]));
                      g_sink = g_sink + m.snapshot().hamiltonian;
                    })});
    if (!ok) std::fprintf(stderr, "a tick failed\n");
  };
  run_ticks("tick, all classes flowing (incl. regime filter)", 0);
  run_ticks("tick, a class losing half its supply for one tick every 64", 64);
  {
    Market m = initial;
    const Tick quiet{1.0, {}};
    rows.push_back({"tick, no flows (restoring + regime only)", ns_per_op(n, [&] {
                      for (std::size_t k = 0; k < n; ++k) (void)m.tick(quiet);
                    })});
  }

  Market m = initial;
  std::vector<double> amounts(1024);
  std::mt19937_64 rng(3);
  for (auto& a : amounts) a = std::exp(std::uniform_real_distribution<double>(std::log(1e-4), std::log(0.1))(rng));
  const std::size_t q = n;
  rows.push_back({"quote (buy, pay credits)", ns_per_op(q, [&] {
                    for (std::size_t k = 0; k < q; ++k) {
                      const std::size_t c = k % classes;
                      g_sink = g_sink + m.quote(c, Side::buy, amounts[k & 1023] * m.credits()[c])->amount_out;
                    }
                  })});
  rows.push_back({"inverse quote (credits for given GPU-seconds)", ns_per_op(q, [&] {
                    for (std::size_t k = 0; k < q; ++k) {
                      const std::size_t c = k % classes;
                      g_sink = g_sink + m.quote_buy_supply(c, amounts[k & 1023] * m.supply()[c])->amount_in;
                    }
                  })});
  rows.push_back({"swap (buy, or sell back what was bought)", ns_per_op(q, [&] {
                    double bought = 0.0;
                    for (std::size_t k = 0; k < q; ++k) {
                      const std::size_t c = (k / 2) % classes;
                      if (k % 2 == 0)
                        bought = m.swap(c, Side::buy, amounts[(k / 2) & 1023] * m.credits()[c], 0.0)->amount_out;
                      else
                        g_sink = g_sink + m.swap(c, Side::sell, bought, 0.0)->amount_out;
                    }
                  })});

  std::printf("\nhanzo-market-bench: %zu classes, %zu operations per measurement, median of 5, one core\n\n",
              classes, n);
  std::printf("| operation | wall ns/op | wall ops/s | CPU ns/op | CPU ops/s | × filter update (CPU) |\n");
  std::printf("|---|---:|---:|---:|---:|---:|\n");
  for (const auto& r : rows)
    std::printf("| %s | %.1f | %.3g | %.1f | %.3g | %.2f |\n", r.what.c_str(), r.t.wall_ns, 1e9 / r.t.wall_ns,
                r.t.cpu_ns, 1e9 / r.t.cpu_ns, r.t.cpu_ns / filter.cpu_ns);
  std::printf("\n(sink %g)\n", static_cast<double>(g_sink));
  return 0;
}
