#include "output.hpp"

#include <algorithm>
#include <charconv>

#include "actors.hpp"
#include "hanzo/hmm/daemon/answer_log.hpp"
#include "hanzo/hmm/daemon/metrics.hpp"
#include "hanzo/hmm/kafka/dlq.hpp"
#include "hanzo/hmm/wire/decision.hpp"

namespace hanzo::hmm::actors {

daemon::DlqReason classify(const Error& e) noexcept {
  return e.code == Errc::parse_error && e.row > 0 ? daemon::DlqReason::invalid_json : daemon::DlqReason::schema;
}

void dead_letter(const Engine& e, const kafka::Message& msg, std::uint64_t token, daemon::DlqReason reason,
                 std::string_view detail) {
  std::string why = daemon::to_string(reason);
  if (!detail.empty()) why.append(": ").append(detail);
  e.sink->produce(kafka::make_dlq_record(msg, why, e.config.topics.dlq), token);
  e.dead_letters.fetch_add(1, std::memory_order_relaxed);
  if (e.metrics) e.metrics->dlq(reason);
}

namespace {
// Header `i` of `r` set in place: a reused record keeps its strings' buffers.
void set_header(kafka::Record& r, std::size_t i, std::string_view key, std::string_view value) {
  if (r.headers.size() <= i) r.headers.emplace_back();
  r.headers[i].key.assign(key);
  r.headers[i].value.assign(value);
}

std::string_view digits(char (&buf)[24], std::int64_t x) {
  const auto end = std::to_chars(buf, buf + sizeof buf, x).ptr;
  return {buf, static_cast<std::size_t>(end - buf)};
}
}  // namespace

void processed(const Engine& e, std::chrono::steady_clock::time_point polled) noexcept {
  if (!e.metrics || polled == std::chrono::steady_clock::time_point{}) return;
  e.metrics->processing(std::chrono::duration<double>(std::chrono::steady_clock::now() - polled).count());
}

void decision_record_into(kafka::Record& r, const Engine& e, const routing::Decision& decision,
                          std::int64_t timestamp_ms, const Placement& where) {
  r.topic.assign(e.config.topics.decisions);
  if (r.key)
    r.key->assign(decision.tenant);
  else
    r.key.emplace(decision.tenant);
  r.partition = where.decisions_partition;
  r.null_value = false;
  wire::encode_decision_into(r.value, decision);
  std::size_t n = 0;
  if (where.request_partition >= 0) {
    char buf[24];
    set_header(r, n++, daemon::kRequestPartitionHeader, digits(buf, where.request_partition));
    set_header(r, n++, daemon::kRequestOffsetHeader, digits(buf, where.request_offset));
    if (decision.status == routing::Status::routed) set_header(r, n++, daemon::kRoutedModelHeader, decision.model);
  }
  r.headers.resize(n);
  r.input_timestamp_ms = timestamp_ms;  // the latency metric is observed when it is produced
  if (e.metrics) e.metrics->decision(decision.status == routing::Status::routed);
}

kafka::Record decision_record(const Engine& e, const routing::Decision& decision, std::int64_t timestamp_ms,
                              const Placement& where) {
  kafka::Record r;
  decision_record_into(r, e, decision, timestamp_ms, where);
  return r;
}

kafka::Record rejection_record(const Engine& e, std::string_view tenant, const RouteItem& item, std::string_view reason,
                               const Placement& where) {
  routing::Decision d;
  d.request_id = item.request.request_id;
  d.tenant = std::string(tenant);
  d.status = routing::Status::rejected;
  d.regime = std::string(item.part.regime);
  std::copy(item.part.regime_posterior.begin(), item.part.regime_posterior.end(), d.regime_posterior.begin());
  if (auto p = e.prices.latest()) d.market_regime = p->snapshot.regime_label;
  d.reasoning = "Rejected: " + std::string(reason) + ".";
  return decision_record(e, d, item.timestamp_ms, {where.decisions_partition, where.request_partition, item.offset});
}

}  // namespace hanzo::hmm::actors
