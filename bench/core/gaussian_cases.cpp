// Diagonal Gaussian (D = 4) forward against GHMM's multivariate normal with diagonal covariance.
#include "core/cases.hpp"
#include "ghmm_peer.h"

using namespace hanzo::hmm;

namespace bench {

void run_gaussian_cases(const Settings& s, std::vector<Row>& rows) {
  const std::size_t d = 4;
  for (std::size_t n : s.sizes) {
    Rng rng(2000 + n);
    auto init = random_rows(1, n, rng)[0];
    auto trans = random_rows(n, n, rng);
    std::vector<std::vector<double>> means(n, std::vector<double>(d)), vars(n, std::vector<double>(d));
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t k = 0; k < d; ++k) means[i][k] = 4.0 * rng.uniform() - 2.0, vars[i][k] = 0.5 + rng.uniform();
    auto model = make_gaussian_hmm(state_names(n), init, trans, means, vars).value();
    const auto sample = model.generate(s.long_length, 9);
    const auto seq = model.encode(sample.observations).value();
    const auto flat_a = flatten(trans), flat_m = flatten(means), flat_v = flatten(vars);
    ghmm_peer_gauss* peer = ghmm_peer_gauss_create((int)n, (int)d, init.data(), flat_a.data(), flat_m.data(), flat_v.data());
    if (!peer) {
      std::fprintf(stderr, "GHMM rejected the Gaussian model N=%zu\n", n);
      continue;
    }
    volatile double sink = 0;
    Row r{"gaussian D=4 forward", "1×" + std::to_string(s.long_length), n,
          static_cast<double>(s.long_length) * static_cast<double>(n * n)};
    r.ours_ms = median_ms(s, [&] { sink = sink + model.forward(seq); });
    r.peer_ms = median_ms(s, [&] {
      double ll;
      ghmm_peer_gauss_forward(peer, seq.values.data(), (int)s.long_length, &ll);
      sink = sink + ll;
    });
    rows.push_back(r);
    ghmm_peer_gauss_free(peer);
  }
}

}  // namespace bench
