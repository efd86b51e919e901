// Recorded choices as a policy: decisions made outside this process, scored on the same stream.
#include "hanzo/hmm/sim/policy.hpp"

namespace hanzo::hmm::sim {

namespace {

class Replay final : public Policy {
 public:
  Replay(std::string name, std::vector<std::size_t> choices) : Policy(std::move(name)), choices_(std::move(choices)) {}
  Result<std::size_t> choose(const Step& s) override {
    if (s.request.t >= choices_.size())
      return make_error(Errc::invalid_value, name(), "no recorded choice for request " + std::to_string(s.request.t));
    return choices_[s.request.t];
  }

 private:
  std::vector<std::size_t> choices_;
};

}  // namespace

std::unique_ptr<Policy> make_replay(std::string name, std::vector<std::size_t> choices) {
  return std::make_unique<Replay>(std::move(name), std::move(choices));
}

}  // namespace hanzo::hmm::sim
