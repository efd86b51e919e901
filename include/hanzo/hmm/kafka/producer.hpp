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

 private:
  struct Impl;
  explicit Producer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hanzo::hmm::kafka
