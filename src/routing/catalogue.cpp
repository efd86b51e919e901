// The default catalogue and catalogue validation.
#include "hanzo/hmm/routing/catalogue.hpp"

#include <cmath>

#include "maths.hpp"

namespace hanzo::hmm::routing {

namespace {

Error bad(const std::string& where, const std::string& message) {
  return make_error(Errc::invalid_value, where, message);
}

ModelSpec model(std::string name, std::string provider, std::string cls, double memory_gb, double tps,
                double latency_ms, double quality, bool function_calling, bool vision, std::string region,
                double success_rate = 0.99, double latency_sigma = 0.35) {
  ModelSpec m;
  m.name = std::move(name);
  m.provider = std::move(provider);
  m.compute_class = std::move(cls);
  m.memory_gb = memory_gb;
  m.tokens_per_second = tps;
  m.latency_ms = latency_ms;
  m.latency_sigma = latency_sigma;
  m.quality = quality;
  m.success_rate = success_rate;
  m.capabilities = {function_calling, vision};
  m.region = std::move(region);
  return m;
}

}  // namespace

Catalogue default_catalogue() {
  Catalogue c;
  c.classes = {{"h100-80g", 80.0}, {"a100-80g", 80.0}, {"l40s-48g", 48.0}, {"l4-24g", 24.0}, {"cpu", 64.0}};
  // Figures are representative public ones (fp16/bf16 weights plus KV cache; per-request decode
  // speed; median latency of a ~256-token answer in a balanced market). Hosted entries carry
  // estimates of the footprint they would take on our classes.
  //                 name                   provider     class       GB     tok/s  ms    quality fc     vision region
  c.models = {model("llama-3.1-70b", "meta", "h100-80g", 150.0, 45.0, 900.0, 0.86, true, false, "us-east"),
              model("llama-3.1-8b", "meta", "l4-24g", 18.0, 60.0, 450.0, 0.70, true, false, "us-east"),
              model("mixtral-8x7b", "mistral", "a100-80g", 100.0, 55.0, 650.0, 0.76, true, false, "eu-west"),
              model("qwen2.5-72b", "alibaba", "a100-80g", 150.0, 38.0, 950.0, 0.87, true, false, "eu-west"),
              model("qwen2.5-7b", "alibaba", "l4-24g", 17.0, 65.0, 420.0, 0.72, true, false, "eu-west"),
              model("gemma-2-9b", "google", "l40s-48g", 20.0, 80.0, 380.0, 0.73, false, false, "us-east"),
              model("mistral-7b", "mistral", "l4-24g", 16.0, 70.0, 400.0, 0.64, true, false, "eu-west"),
              model("phi-3-mini", "microsoft", "cpu", 8.0, 12.0, 1800.0, 0.60, false, false, "us-east", 0.98, 0.45),
              model("llama-3.2-11b-vision", "meta", "l40s-48g", 26.0, 50.0, 600.0, 0.72, false, true, "us-east"),
              model("gpt-4o", "openai", "h100-80g", 400.0, 90.0, 700.0, 0.92, true, true, "us-east", 0.995),
              model("gpt-4o-mini", "openai", "a100-80g", 80.0, 110.0, 450.0, 0.82, true, true, "us-east", 0.995),
              model("claude-3.5-sonnet", "anthropic", "h100-80g", 400.0, 75.0, 850.0, 0.93, true, true, "us-east",
                    0.995)};
  return c;
}

std::optional<std::size_t> Catalogue::class_index(std::string_view id) const noexcept {
  for (std::size_t i = 0; i < classes.size(); ++i)
    if (classes[i].id == id) return i;
  return std::nullopt;
}

std::optional<std::size_t> Catalogue::model_index(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < models.size(); ++i)
    if (models[i].name == name) return i;
  return std::nullopt;
}

Result<void> Catalogue::validate() const {
  using detail::finite_positive;
  if (classes.empty()) return make_error(Errc::invalid_dimension, "classes", "must not be empty");
  if (models.empty()) return make_error(Errc::invalid_dimension, "models", "must not be empty");
  for (std::size_t i = 0; i < classes.size(); ++i) {
    const std::string at = "classes[" + std::to_string(i) + "]";
    if (classes[i].id.empty()) return bad(at + ".id", "must not be empty");
    if (!finite_positive(classes[i].memory_gb)) return bad(at + ".memory_gb", "must be finite and > 0");
    for (std::size_t j = 0; j < i; ++j)
      if (classes[j].id == classes[i].id)
        return make_error(Errc::duplicate_label, at + ".id", "duplicate of classes[" + std::to_string(j) + "]");
  }
  for (std::size_t i = 0; i < models.size(); ++i) {
    const ModelSpec& m = models[i];
    const std::string at = "models[" + std::to_string(i) + "]";
    if (m.name.empty()) return bad(at + ".name", "must not be empty");
    for (std::size_t j = 0; j < i; ++j)
      if (models[j].name == m.name)
        return make_error(Errc::duplicate_label, at + ".name", "duplicate of models[" + std::to_string(j) + "]");
    if (!class_index(m.compute_class)) return bad(at + ".compute_class", "unknown class '" + m.compute_class + "'");
    if (!finite_positive(m.memory_gb)) return bad(at + ".memory_gb", "must be finite and > 0");
    if (!finite_positive(m.tokens_per_second)) return bad(at + ".tokens_per_second", "must be finite and > 0");
    if (!finite_positive(m.latency_ms)) return bad(at + ".latency_ms", "must be finite and > 0");
    if (!finite_positive(m.latency_sigma) || m.latency_sigma > 3.0)
      return bad(at + ".latency_sigma", "must be in (0, 3]");
    if (!(m.quality >= 0.0 && m.quality <= 1.0)) return bad(at + ".quality", "must be in [0, 1]");
    if (!(m.success_rate > 0.0 && m.success_rate <= 1.0)) return bad(at + ".success_rate", "must be in (0, 1]");
  }
  return {};
}

}  // namespace hanzo::hmm::routing
