#include "hanzo/hmm/tenant/params.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "hanzo/hmm/tenant/regime.hpp"

namespace hanzo::hmm::tenant {

namespace {
Error key_error(Errc code, const char* key, std::string message) {
  return make_error(code, std::string("tenants.adapter.") + key, std::move(message));
}
}  // namespace

Result<void> AdapterParams::validate() const {
  // Both become floats in the update; a finite float step keeps every entry finite (no NaN).
  constexpr double kFloatMax = std::numeric_limits<float>::max();
  if (!(learning_rate >= 0.0 && learning_rate <= kFloatMax))
    return key_error(Errc::invalid_value, "learning_rate", "must be finite and >= 0 (0 freezes the adapters)");
  if (!(clip > 0.0 && clip <= kFloatMax)) return key_error(Errc::invalid_value, "clip", "must be finite and > 0");
  if (requantize_every < 1) return key_error(Errc::invalid_value, "requantize_every", "must be >= 1");
  return {};
}

// Signals are z-scores (0 = the tenant's usual level), order: request_rate, model_diversity,
// error_rate, cost_pressure. Crisis is the only regime with high error rate, and its variances
// are wide because crises look different from tenant to tenant; transition is centred on "usual"
// with variance 3 so it absorbs whatever fits no other regime well, rather than forcing a switch.
// The chain is sticky (a regime lasts ~10-20 requests); transition is short-lived and leads
// mostly to exploration or exploitation. A new tenant most likely explores.
RegimeParams::RegimeParams()
    : initial{0.40, 0.30, 0.05, 0.25},
      transitions{{0.90, 0.05, 0.01, 0.04},
                  {0.03, 0.94, 0.01, 0.02},
                  {0.02, 0.03, 0.90, 0.05},
                  {0.15, 0.15, 0.05, 0.65}},
      means{{0.5, 1.5, 0.0, 0.3},      // exploration: trying many models
            {0.0, -1.0, -0.5, -0.3},   // exploitation: settled on few, cheap and reliable
            {1.5, 0.5, 2.5, 2.0},      // crisis: failures, retries, overspend
            {0.0, 0.0, 0.0, 0.0}},     // transition
      variances{{1.0, 0.75, 0.75, 1.0},
                {0.5, 0.5, 0.5, 0.5},
                {2.0, 1.0, 1.5, 1.5},
                {3.0, 3.0, 3.0, 3.0}} {}

Result<void> RegimeParams::validate() const {
  auto m = make_regime_model(*this);
  if (!m) return std::move(m).error();
  return {};
}

Result<void> TenantParams::validate() const {
  if (feedback_window < 1 || feedback_window > kMaxFeedbackWindow)
    return make_error(Errc::invalid_value, "tenants.feedback_window",
                      "must be in [1, " + std::to_string(kMaxFeedbackWindow) + "], not " + std::to_string(feedback_window));
  if (auto ok = adapter.validate(); !ok) return ok;
  return regime.validate();
}

}  // namespace hanzo::hmm::tenant
