// A librdkafka producer behind a pimpl. produce() never blocks: a full local queue comes back
// as an error value (is_queue_full) so the caller can poll(), back off and retry. Delivery
// reports arrive through poll()/flush() on the calling thread, carrying the caller's token
// (e.g. the consumed offset whose result this is — the basis of committing behind acks).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "hanzo/hmm/error.hpp"
#include "hanzo/hmm/kafka/types.hpp"

namespace hanzo::hmm::kafka {

struct DeliveryReport {
  std::uint64_t token{0};  // what produce() was given
  Result<void> result;     // success, or the final error after librdkafka's retries
  std::string topic;
  std::int32_t partition{-1};
  std::int64_t offset{-1};  // -1 when unknown (failure, or acks=0)
  // On failure, a copy of what was not delivered (key, value, headers), so the caller can send
  // it again: results must not be lost because a broker was away longer than the retries.
  std::optional<Record> undelivered;
};

using DeliveryCallback = std::function<void(const DeliveryReport&)>;

// How a transactional call failed, as librdkafka classifies it (rd_kafka_error_t flags):
// retry the same call, abort the transaction (then rewind and start a new one), or give up
// (fatal: e.g. fenced by a newer producer with the same transactional.id) and exit.
enum class TxnAction { retry, abort, fatal };
struct TxnError {
  TxnAction action{TxnAction::fatal};
  Error error;  // Errc::io_error, row = rd_kafka_resp_err_t code, message from librdkafka; where = the call ("commit_transaction")
};
using TxnResult = std::optional<TxnError>;  // nullopt: success

class Consumer;

class Producer {
 public:
  // `config` passes straight to librdkafka (see Config); an invalid key or value is an Error
  // naming the key. `on_delivery` runs inside poll()/flush() and the destructor's final flush,
  // so whatever it captures must outlive the Producer; it must not throw. It may be empty.
  static Result<Producer> create(const Config& config, DeliveryCallback on_delivery = {});

  Producer(Producer&&) noexcept;
  Producer& operator=(Producer&&) noexcept;
  ~Producer();  // waits up to 5 s for outstanding deliveries, then drops them

  // Enqueues a copy of `record`. Immediate failures (queue full, unknown partition, message
  // too large) are returned; later failures arrive as a DeliveryReport.
  Result<void> produce(const Record& record, std::uint64_t token = 0);

  // Fetches `topic`'s metadata now (up to `timeout`), so the first produce to it does not wait
  // for a metadata round (about a second on the mock cluster). Errors name the topic.
  Result<void> warm_up(const std::string& topic, std::chrono::milliseconds timeout);
  // Serves delivery reports; returns how many events were served.
  int poll(std::chrono::milliseconds timeout = std::chrono::milliseconds{0});
  // Waits for every queued message to be delivered or to fail (err_timed_out if not in time).
  Result<void> flush(std::chrono::milliseconds timeout);
  // Messages and requests not yet delivered (producer queue depth metric, shutdown drain).
  std::size_t queue_length() const;

  // Transactions (exactly-once processing). They need transactional.id in the config; without
  // it every call below is a fatal TxnError. Order: init_transactions once, then per
  // transaction begin_transaction, produce..., send_offsets_to_transaction, commit_transaction
  // (or abort_transaction after an abort-class error). Records produced inside a transaction
  // still get delivery reports; those not yet delivered when it aborts fail (purged), so
  // their `undelivered` copies belong to the aborted transaction and must not be resent.
  TxnResult init_transactions(std::chrono::milliseconds timeout);
  TxnResult begin_transaction();
  // Adds the consumer's positions `offsets` (next offset to read per partition) to the current
  // transaction, with the consumer's group metadata (so a zombie of an older group generation is fenced).
  TxnResult send_offsets_to_transaction(const std::vector<TopicPartitionOffset>& offsets, const Consumer& consumer,
                                        std::chrono::milliseconds timeout);
  // Flushes the transaction's records first (their delivery reports run inside this call), so
  // `timeout` must cover delivering them. A timeout is `retry`: call it again to resume.
  TxnResult commit_transaction(std::chrono::milliseconds timeout);
  TxnResult abort_transaction(std::chrono::milliseconds timeout);
  bool transactional() const noexcept;  // whether transactional.id was set

 private:
  struct Impl;
  explicit Producer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hanzo::hmm::kafka
