#include "shared_pools.hpp"

namespace hanzo::hmm::actors {

SharedPools::SharedPools(bool enabled, std::size_t models, std::string separator)
    : enabled_(enabled), models_(models), separator_(std::move(separator)) {}

std::string_view SharedPools::group_of(std::string_view tenant, std::string_view separator) noexcept {
  if (separator.empty()) return {};
  const auto at = tenant.rfind(separator);
  return at == std::string_view::npos ? tenant : tenant.substr(0, at);
}

SharedPools::Pool* SharedPools::of(std::string_view tenant) {
  if (!enabled_) return nullptr;
  std::string group(group_of(tenant, separator_));
  std::lock_guard lock(mutex_);
  auto it = pools_.find(group);
  if (it == pools_.end()) {
    if (pools_.size() >= kMaxPools) group.clear();  // the fleet-wide pool
    it = pools_.find(group);
    if (it == pools_.end()) it = pools_.emplace(std::move(group), std::make_unique<Pool>(models_)).first;
  }
  return it->second.get();
}

std::size_t SharedPools::size() const {
  std::lock_guard lock(mutex_);
  return pools_.size();
}

}  // namespace hanzo::hmm::actors
