#include "hanzo/hmm/daemon/changelog.hpp"

#include <algorithm>
#include <chrono>
#include <set>
#include <unordered_map>

#include "hanzo/hmm/daemon/tenant_record.hpp"
#include "hanzo/hmm/kafka/consumer.hpp"

namespace hanzo::hmm::daemon {

Result<RestoredChangelog> read_changelog(const kafka::Config& consumer_config, const std::string& topic,
                                         const std::vector<std::int32_t>& partitions,
                                         const std::function<bool()>& keep_going, std::chrono::milliseconds timeout) {
  RestoredChangelog out;
  if (partitions.empty()) return out;
  kafka::Config props = consumer_config;
  props.emplace_back("enable.partition.eof", "true");
  props.emplace_back("statistics.interval.ms", "0");
  if (std::none_of(props.begin(), props.end(), [](const auto& kv) { return kv.first == "group.id"; }))
    props.emplace_back("group.id", "hanzo-hmmd.restore");
  auto consumer = kafka::Consumer::create(props);
  if (!consumer) return std::move(consumer).error().within("changelog " + topic);
  // A missing partition would only ever answer errors: refuse it at once, by name.
  auto count = consumer->partition_count(topic, std::chrono::seconds(10));
  if (!count) return std::move(count).error();
  for (auto p : partitions)
    if (p < 0 || p >= *count)
      return make_error(Errc::invalid_value, "changelog " + topic,
                        "has " + std::to_string(*count) + " partitions, partition " + std::to_string(p) +
                            " is needed: give it at least as many partitions as the requests topic");
  std::vector<kafka::TopicPartitionOffset> assign;
  for (auto p : partitions) assign.push_back({topic, p, kafka::Consumer::kOffsetBeginning});
  if (auto ok = consumer->assign(assign); !ok) return std::move(ok).error();

  struct Newest {
    std::uint64_t sequence{0};
    std::vector<std::byte> bytes;
  };
  std::unordered_map<std::string, Newest> newest;
  std::set<std::int32_t> open(partitions.begin(), partitions.end());
  using Clock = std::chrono::steady_clock;
  auto last_progress = Clock::now();
  auto last_hook = Clock::now();
  std::optional<Error> last_error;
  while (!open.empty()) {
    const auto now = Clock::now();
    if (now - last_hook >= std::chrono::milliseconds(100)) {
      last_hook = now;
      if (keep_going && !keep_going()) {
        out.complete = false;
        break;
      }
    }
    if (now - last_progress > timeout)
      return make_error(Errc::io_error, "changelog " + topic,
                        "no progress for " + std::to_string(timeout.count()) + " ms with " +
                            std::to_string(open.size()) + " partitions left" +
                            (last_error ? ": " + last_error->to_string() : std::string()));
    auto m = consumer->poll(std::chrono::milliseconds(50));
    if (!m) {
      last_error = m.error();
      continue;
    }
    if (!*m) continue;
    last_progress = Clock::now();
    if ((*m)->end_of_partition) {
      open.erase((*m)->partition);
      continue;
    }
    const kafka::Message& msg = **m;
    ++out.records;
    out.bytes += msg.value.size();
    const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(msg.value.data()), msg.value.size());
    const auto head = TenantRecord::peek(bytes);
    if (!msg.key || msg.null_value || !head) {
      ++out.skipped;
      continue;
    }
    auto& slot = newest[*msg.key];
    // Ties keep the later record (same sequence only if written twice by a retry: same bytes).
    if (!slot.bytes.empty() && head->sequence < slot.sequence) continue;
    slot.sequence = head->sequence;
    slot.bytes.assign(bytes.begin(), bytes.end());
  }
  (void)consumer->close();
  out.states.reserve(newest.size());
  for (auto& [tenant, n] : newest) out.states.emplace_back(tenant, std::move(n.bytes));
  return out;
}

}  // namespace hanzo::hmm::daemon
