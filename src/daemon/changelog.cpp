#include "hanzo/hmm/daemon/changelog.hpp"

#include <algorithm>
#include <chrono>
#include <set>
#include <unordered_map>

#include "hanzo/hmm/daemon/tenant_record.hpp"
#include "hanzo/hmm/kafka/consumer.hpp"

namespace hanzo::hmm::daemon {

bool ChangelogMerger::add(const std::string& tenant, std::span<const std::byte> bytes) {
  auto record = TenantRecord::decode(bytes);
  if (!record) return false;
  auto& t = tenants_[tenant];
  const auto floor = committed_.find(record->partition);
  for (auto& a : record->answers)
    if (floor == committed_.end() || floor->second < 0 || a.offset < 0 || a.offset >= floor->second)
      t.answers.push_back(std::move(a));
  record->answers.clear();
  // Ties keep the later record (the same sequence twice is a retried produce: same bytes).
  if (!t.seen || record->sequence >= t.sequence) {
    t.seen = true;
    t.sequence = record->sequence;
    t.newest = std::move(*record);
  }
  return true;
}

std::vector<std::pair<std::string, std::vector<std::byte>>> ChangelogMerger::finish() {
  std::vector<std::pair<std::string, std::vector<std::byte>>> out;
  out.reserve(tenants_.size());
  for (auto& [tenant, t] : tenants_) {
    // One answer per request id: the last one read (a client reusing an id gets the newest).
    std::unordered_map<std::string, std::size_t> last;
    for (std::size_t i = 0; i < t.answers.size(); ++i) last[t.answers[i].request_id] = i;
    for (std::size_t i = 0; i < t.answers.size(); ++i)
      if (last[t.answers[i].request_id] == i) t.newest.answers.push_back(std::move(t.answers[i]));
    out.emplace_back(tenant, t.newest.encode());
  }
  tenants_.clear();
  return out;
}

Result<RestoredChangelog> read_changelog(const kafka::Config& consumer_config, const std::string& topic,
                                         const std::vector<std::int32_t>& partitions,
                                         std::map<std::int32_t, std::int64_t> committed,
                                         const std::function<bool()>& keep_going, std::chrono::milliseconds timeout) {
  RestoredChangelog out;
  if (partitions.empty()) return out;
  kafka::Config props = consumer_config;
  kafka::set_property(props, "enable.partition.eof", "true");
  kafka::set_property(props, "statistics.interval.ms", "0");
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

  ChangelogMerger merger(std::move(committed));
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
    if (!msg.key || msg.null_value || !merger.add(*msg.key, bytes)) ++out.skipped;
  }
  (void)consumer->close();
  out.states = merger.finish();
  return out;
}

}  // namespace hanzo::hmm::daemon
