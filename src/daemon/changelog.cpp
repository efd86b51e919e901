#include "hanzo/hmm/daemon/changelog.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <optional>
#include <set>

#include "hanzo/hmm/crc32.hpp"
#include "hanzo/hmm/daemon/answer_log.hpp"
#include "hanzo/hmm/daemon/state_frame.hpp"
#include "hanzo/hmm/daemon/state_patch.hpp"
#include "hanzo/hmm/kafka/consumer.hpp"

namespace hanzo::hmm::daemon {

bool ChangelogMerger::add(std::string_view key, std::span<const std::byte> value, std::int64_t offset) {
  auto frame = StateFrame::decode(value);
  const std::string id(tenant_of_state_key(key));
  if (!frame) {
    // Not skipped quietly: a tenant whose record cannot be read would restore an older state
    // (or none). A newer full record of the tenant supersedes it.
    if (!id.empty() && tenants_[id].error.empty())
      tenants_[id].error = "record at offset " + std::to_string(offset) + " unreadable: " + frame.error().to_string();
    return false;
  }
  auto [it, fresh] = tenants_.try_emplace(id);
  Tenant& t = it->second;
  const auto seq = std::to_string(frame->sequence);
  if (frame->kind == StateFrame::Kind::full) {
    if (!fresh && frame->sequence < t.restored.sequence) return true;  // an older chain's
    if (crc32(frame->payload) != frame->crc) {
      t.error = "full record " + seq + " does not match its checksum";
      return true;
    }
    t.restored = {id, {frame->payload.begin(), frame->payload.end()}, frame->sequence, frame->partition, offset};
    t.chain = frame->sequence;
    t.error.clear();
    return true;
  }
  if (fresh || frame->chain != t.chain || frame->sequence > t.restored.sequence + 1) {
    // A stale delta of an older chain is expected on a compacted topic; a newer one means a
    // record in between is gone. The first gap is the one worth naming.
    if ((fresh || frame->sequence > t.restored.sequence) && t.error.empty())
      t.error = "delta record " + seq + " of chain " + std::to_string(frame->chain) + " follows " +
                (t.chain == 0 ? std::string("no full record") : "record " + std::to_string(t.restored.sequence));
    return true;
  }
  if (frame->sequence <= t.restored.sequence || !t.error.empty()) return true;  // a repeat; or already broken
  auto next = apply_patch(t.restored.state, frame->payload);
  if (!next || crc32(*next) != frame->crc) {
    t.error = "delta record " + seq + (next ? " does not match its checksum" : ": " + next.error().to_string());
    return true;
  }
  t.restored.state = std::move(*next);
  t.restored.sequence = frame->sequence;
  return true;
}

ChangelogMerger::Merged ChangelogMerger::finish() {
  Merged out;
  out.tenants.reserve(tenants_.size());
  for (auto& [id, t] : tenants_) {
    if (!t.error.empty())
      out.broken.push_back({id, t.error});
    else
      out.tenants.push_back(std::move(t.restored));
  }
  tenants_.clear();
  return out;
}

namespace {

using Clock = std::chrono::steady_clock;

// Reads each partition of `starts` from its offset to its end, calling `on_message` for each
// record; fills stats.lost where the broker no longer has a needed offset.
Result<void> read_to_end(const kafka::Config& consumer_config, const std::string& topic,
                         const std::map<std::int32_t, std::int64_t>& starts, const std::function<bool()>& keep_going,
                         std::chrono::milliseconds timeout, ReadStats& stats,
                         const std::function<bool(const kafka::Message&)>& on_message) {
  if (starts.empty()) return {};
  kafka::Config props = consumer_config;
  kafka::set_property(props, "enable.partition.eof", "true");
  kafka::set_property(props, "statistics.interval.ms", "0");
  kafka::set_property(props, "auto.offset.reset", "earliest");
  if (std::none_of(props.begin(), props.end(), [](const auto& kv) { return kv.first == "group.id"; }))
    props.emplace_back("group.id", "hanzo-hmmd.restore");
  auto consumer = kafka::Consumer::create(props);
  if (!consumer) return std::move(consumer).error().within(topic);
  // A missing partition would only ever answer errors: refuse it at once, by name.
  auto count = consumer->partition_count(topic, std::chrono::seconds(10));
  if (!count) return std::move(count).error();
  std::vector<kafka::TopicPartitionOffset> assign;
  for (const auto& [p, start] : starts) {
    if (p < 0 || p >= *count)
      return make_error(Errc::invalid_value, topic,
                        "has " + std::to_string(*count) + " partitions, partition " + std::to_string(p) + " is needed");
    if (start >= 0) {
      auto marks = consumer->watermarks(topic, p, std::chrono::seconds(10));
      if (!marks) return std::move(marks).error();
      if (marks->first > start)
        stats.lost.push_back(topic + " partition " + std::to_string(p) + ": offsets " + std::to_string(start) +
                             " to " + std::to_string(marks->first - 1) + " were deleted by the broker");
    }
    assign.push_back({topic, p, start >= 0 ? start : kafka::Consumer::kOffsetBeginning});
  }
  if (auto ok = consumer->assign(assign); !ok) return std::move(ok).error();
  std::set<std::int32_t> open;
  for (const auto& [p, start] : starts) open.insert(p);
  auto last_progress = Clock::now(), last_hook = Clock::now();
  std::optional<Error> last_error;
  while (!open.empty()) {
    const auto now = Clock::now();
    if (now - last_hook >= std::chrono::milliseconds(100)) {
      last_hook = now;
      if (keep_going && !keep_going()) {
        stats.complete = false;
        break;
      }
    }
    if (now - last_progress > timeout)
      return make_error(Errc::io_error, topic,
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
      stats.ends[(*m)->partition] = (*m)->offset;
      continue;
    }
    ++stats.records;
    stats.bytes += (*m)->value.size();
    if ((*m)->null_value || !on_message(**m)) ++stats.skipped;
  }
  (void)consumer->close();
  return {};
}

std::span<const std::byte> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

template <class T>
bool header_number(const kafka::Headers& h, std::string_view name, T& out) {
  auto v = kafka::find_header(h, name);
  if (!v) return false;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  return ec == std::errc{} && end == v->data() + v->size();
}

}  // namespace

Result<RestoredChangelog> read_changelog(const kafka::Config& consumer_config, const std::string& topic,
                                         const std::map<std::int32_t, std::int64_t>& starts,
                                         const std::function<bool()>& keep_going, std::chrono::milliseconds timeout) {
  RestoredChangelog out;
  ChangelogMerger merger;
  auto ok = read_to_end(consumer_config, topic, starts, keep_going, timeout, out.read, [&](const kafka::Message& m) {
    return m.key && merger.add(*m.key, bytes_of(m.value), m.offset);
  });
  if (!ok) return std::move(ok).error();
  auto merged = merger.finish();
  out.tenants = std::move(merged.tenants);
  out.broken = std::move(merged.broken);
  return out;
}

bool AnswerCollector::add(std::string_view tenant, const kafka::Headers& headers, std::string_view decision) {
  std::int32_t p = -1;
  std::int64_t offset = -1;
  if (!header_number(headers, kRequestPartitionHeader, p) || !header_number(headers, kRequestOffsetHeader, offset))
    return false;
  const auto floor = committed_.find(p);
  if (floor == committed_.end() || offset < floor->second) return true;  // not ours, or committed
  const auto model = kafka::find_header(headers, kRoutedModelHeader);
  answers_[std::string(tenant)].push_back({offset, model ? std::string(*model) : std::string(), std::string(decision)});
  auto [through, fresh] = through_.try_emplace(p, offset);
  if (!fresh) through->second = std::max(through->second, offset);
  return true;
}

std::vector<std::pair<std::string, std::vector<std::byte>>> restored_records(
    std::vector<RestoredTenant> tenants, std::unordered_map<std::string, std::vector<TenantRecord::Answer>> answers,
    std::vector<std::string>& errors) {
  std::vector<std::pair<std::string, std::vector<std::byte>>> out;
  out.reserve(tenants.size());
  for (const auto& t : tenants) {
    auto record = TenantRecord::decode(t.state);
    if (!record) {
      errors.push_back("tenant " + t.id + ": " + record.error().to_string());
      continue;
    }
    if (auto a = answers.find(t.id); a != answers.end()) {
      record->answers = std::move(a->second);
      answers.erase(a);
    }
    out.emplace_back(t.id, record->encode());
  }
  for (auto& [id, list] : answers) {
    TenantRecord record;
    record.answers = std::move(list);
    out.emplace_back(id, record.encode());
  }
  return out;
}

Result<RestoredAnswers> read_answers(const kafka::Config& consumer_config, const std::string& topic,
                                     const std::map<std::int32_t, std::int64_t>& starts,
                                     const std::map<std::int32_t, std::int64_t>& committed,
                                     const std::function<bool()>& keep_going, std::chrono::milliseconds timeout) {
  RestoredAnswers out;
  AnswerCollector collector(committed);
  auto ok = read_to_end(consumer_config, topic, starts, keep_going, timeout, out.read, [&](const kafka::Message& m) {
    return m.key && collector.add(*m.key, m.headers, m.value);
  });
  if (!ok) return std::move(ok).error();
  out.answers = collector.take();
  out.answered_through = collector.answered_through();
  return out;
}

}  // namespace hanzo::hmm::daemon
