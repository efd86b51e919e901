#include "receiver.hpp"

#include <thread>

#include "hanzo/hmm/wire/decision.hpp"

namespace hanzo::hmm::loadgen::detail {

using namespace std::chrono_literals;

std::optional<std::string_view> scan_string_field(std::string_view json, std::string_view key) noexcept {
  // Inside a JSON string every quote is escaped, so `"key":` cannot match within a value; the
  // first match is the top-level key as long as it precedes any nested object with that key.
  const auto at = json.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t p = at + key.size();
  if (p >= json.size() || json[p] != '"') return std::nullopt;  // null, or not a string
  const auto end = json.find('"', ++p);
  if (end == std::string_view::npos) return std::nullopt;
  const std::string_view value = json.substr(p, end - p);
  if (value.find('\\') != std::string_view::npos) return std::nullopt;
  return value;
}

void Shared::note_error(const std::string& what) {
  if (send_errors.fetch_add(1) == 0) {
    std::lock_guard lock(error_mu);
    first_error = what;
  }
}

Receiver::Receiver(const DriverOptions& options, const Generator& generator, Shared& shared,
                   kafka::Consumer consumer, kafka::Producer feedback)
    : options_(options),
      generator_(generator),
      shared_(shared),
      consumer_(std::move(consumer)),
      feedback_(std::move(feedback)),
      warmup_id_(warmup_request_id(generator.options().run_id)) {}

void Receiver::run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    auto m = consumer_.poll(20ms);
    if (!m)
      last_consumer_error = m.error().to_string();  // transient on a live cluster: keep polling
    else if (*m)
      handle(**m);
    if (!targets_ && shared_.assigned.load()) catch_up_target();
    feedback_.poll();
    if (shared_.started.load(std::memory_order_acquire)) progress(Clock::now());
  }
  (void)feedback_.flush(2s);
  (void)consumer_.close();
}

// The high watermarks at the join: decisions below them predate this run (or are early ones of
// it, harmless), and once read, new decisions are seen as they come.
void Receiver::catch_up_target() {
  targets_.emplace();
  auto lag = consumer_.lag(5s);
  if (lag)
    for (const auto& l : *lag)
      if (l.high > l.low && position_[l.partition] < l.high) (*targets_)[l.partition] = l.high;
  // Without watermarks there is nothing to wait for: start, at worst with old decisions ahead.
  if (targets_->empty()) shared_.caught_up.store(true);
}

void Receiver::handle(const kafka::Message& m) {
  position_[m.partition] = m.offset + 1;
  if (targets_ && !shared_.caught_up.load()) {
    if (auto t = targets_->find(m.partition); t != targets_->end() && m.offset + 1 >= t->second) targets_->erase(t);
    if (targets_->empty()) shared_.caught_up.store(true);
  }
  const Clock::time_point now = Clock::now();

  std::optional<wire::DecisionMessage> full;
  const auto decode = [&]() -> bool {
    if (full) return true;
    auto d = wire::decode_decision(m.value);
    if (!d) return false;
    full = std::move(*d);
    return true;
  };
  std::string request_id;
  if (auto id = scan_string_field(m.value, "\"request_id\":"))
    request_id = *id;
  else if (decode())
    request_id = full->decision.request_id;
  else {
    ++invalid;
    return;
  }
  if (request_id == warmup_id_) {
    shared_.warmed.store(true);
    return;
  }
  const auto index = generator_.parse_request_id(request_id);
  if (!index) {
    ++foreign;
    return;
  }
  std::optional<Clock::time_point> produced;
  bool earlier = false;
  {
    std::lock_guard lock(shared_.mu);
    if (auto it = shared_.outstanding.find(*index); it != shared_.outstanding.end()) {
      produced = it->second;
      shared_.outstanding.erase(it);
    } else {
      earlier = *index < shared_.next_index;
    }
  }
  if (!produced) {
    ++(earlier ? duplicates : foreign);  // an index never sent: an id that merely looks like ours
    return;
  }
  latency.record(std::chrono::duration_cast<std::chrono::nanoseconds>(now - *produced).count());
  shared_.decided.fetch_add(1, std::memory_order_release);
  last_decision = now;

  // Decode in full the first decision, one in 256, and whatever the fast scan cannot read.
  const bool first = decoded_++ == 0;
  if (first) sample_decision = m.value;
  if ((first || decoded_ % 256 == 0) && !decode()) ++invalid;
  routing::Decision shallow;
  shallow.request_id = request_id;
  if (auto status = scan_string_field(m.value, "\"status\":"))
    shallow.status = *status == "routed" ? routing::Status::routed : routing::Status::rejected;
  else if (decode())
    shallow.status = full->decision.status;
  else {
    ++invalid;
    return;
  }
  ++(shallow.status == routing::Status::routed ? routed : rejected);

  if (!generator_.feedback_due(shallow)) return;
  if (!decode()) {
    ++invalid;
    return;
  }
  send_feedback(full->decision, m.key);
}

void Receiver::send_feedback(const routing::Decision& decision, const std::optional<std::string>& key) {
  routing::Decision d = decision;
  if (d.tenant.empty() && key) d.tenant = *key;  // the record key is authoritative anyway
  auto record = generator_.feedback_record(d);
  if (!record || record->key.empty()) return;
  const kafka::Record r{options_.topics.feedback, std::move(record->key), std::move(record->value), {}, -1};
  for (int attempt = 0;; ++attempt) {
    auto ok = feedback_.produce(r);
    if (ok) {
      ++feedback_sent;
      return;
    }
    if (!kafka::is_queue_full(ok.error()) || attempt == 100) {
      shared_.note_error(ok.error().to_string());
      return;
    }
    feedback_.poll(1ms);  // the local queue drains as the broker acknowledges
  }
}

void Receiver::progress(Clock::time_point now) {
  if (next_progress_ == Clock::time_point{}) next_progress_ = shared_.start + 1s;
  if (now < next_progress_ || !options_.on_progress) return;
  const std::uint64_t decided = shared_.decided.load();
  const std::uint64_t sent = shared_.sent.load();
  Progress p;
  p.elapsed_s = std::chrono::duration<double>(now - shared_.start).count();
  p.sent = sent;
  p.decided = decided;
  const auto since = last_progress_ == Clock::time_point{} ? shared_.start : last_progress_;
  const double interval = std::chrono::duration<double>(now - since).count();
  last_progress_ = now;
  p.decisions_per_s = interval > 0.0 ? static_cast<double>(decided - progress_decided_) / interval : 0.0;
  p.p99_ms = static_cast<double>(latency.histogram_percentile_ns(99.0)) / 1e6;
  p.outstanding = sent > decided ? sent - decided : 0;
  progress_decided_ = decided;
  while (next_progress_ <= now) next_progress_ += 1s;
  options_.on_progress(p);
}

}  // namespace hanzo::hmm::loadgen::detail
