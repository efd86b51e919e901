#include "transactions.hpp"

#include <algorithm>
#include <thread>

#include "hanzo/hmm/daemon/metrics.hpp"
#include "log.hpp"

namespace hanzo::hmm::actors {

namespace {

constexpr int kTxnAttempts = 5;
constexpr auto kTxnTimeout = std::chrono::seconds(30);

// Calls `call` again while librdkafka says the call itself may be retried.
template <class F>
kafka::TxnResult retried(F&& call) {
  kafka::TxnResult r;
  for (int attempt = 0; attempt < kTxnAttempts; ++attempt) {
    r = call();
    if (!r || r->action != kafka::TxnAction::retry) return r;
    log_warning("retrying: " + r->error.to_string());
    std::this_thread::sleep_for(std::chrono::milliseconds(50 << attempt));
  }
  return r;
}

std::string describe(const kafka::TxnError& e) { return e.error.to_string(); }

}  // namespace

Result<void> Transactions::start() {
  auto& producer = delivery_.producer();
  if (auto r = retried([&] { return producer.init_transactions(kTxnTimeout); }))
    return std::move(r->error).within("exactly_once: init_transactions");
  if (auto r = producer.begin_transaction()) return std::move(r->error).within("exactly_once: begin_transaction");
  open_ = true;
  begun_ = Clock::now();
  messages_ = 0;
  log_info("exactly_once: transactions initialised");
  return {};
}

void Transactions::fail(const std::string& why) {
  log_error("exactly_once: " + why + "; stopping (exit 75, so the service manager restarts it)");
  failed_.store(true, std::memory_order_relaxed);
}

void Transactions::round(Clock::time_point now) {
  if (failed() || messages_ == 0) return;
  const auto max_age = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(engine_.config.transaction_max_seconds));
  if (messages_ >= engine_.config.transaction_max_messages || now - begun_ >= max_age || delivery_.sink().doomed())
    (void)end(true);
}

bool Transactions::end(bool begin_next, const std::vector<kafka::TopicPartition>& leaving) {
  if (!open_) return true;  // already ended (shutdown: the drain, then the revoke)
  if (hand_on_) hand_on_();
  // Normally done in milliseconds. A transaction in an abortable state gets no more
  // acknowledgements: commit_transaction below then says so.
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(engine_.config.shutdown_timeout_seconds));
  (void)delivery_.quiesce(deadline, std::chrono::seconds(1), beat_);
  const auto& topics = engine_.config.topics;
  auto offsets = delivery_.take_commits(topics.ticks, topics.requests);
  auto& producer = delivery_.producer();
  kafka::TxnResult r;
  if (delivery_.sink().doomed())
    r = kafka::TxnError{kafka::TxnAction::abort, make_error(Errc::io_error, "transaction", "a record of it failed")};
  if (!r) r = retried([&] { return producer.send_offsets_to_transaction(offsets, poller_.consumer(), kTxnTimeout); });
  if (!r) r = retried([&] { return producer.commit_transaction(kTxnTimeout); });
  open_ = false;
  if (r && r->action == kafka::TxnAction::fatal) {
    fail("transaction failed: " + describe(*r));
    return false;
  }
  if (r) {
    log_warning("exactly_once: transaction of " + std::to_string(messages_) + " messages aborted (" + describe(*r) +
                "); rewinding to the last committed offsets");
    abort_and_rewind(leaving);
    if (failed()) return false;
  } else {
    for (const auto& o : offsets)
      if (o.topic == topics.requests && o.offset >= 0) engine_.committed.set(o.partition, o.offset);
    if (engine_.metrics) engine_.metrics->transaction(true);
  }
  messages_ = 0;
  begun_ = Clock::now();
  if (begin_next) {
    if (auto b = producer.begin_transaction()) {
      fail("begin_transaction: " + describe(*b));
      return false;
    }
    open_ = true;
  }
  return !r;
}

void Transactions::abandon() {
  (void)delivery_.producer().abort_transaction(std::chrono::seconds(5));  // best effort; fenced: fails
}

void Transactions::abort_and_rewind(const std::vector<kafka::TopicPartition>& leaving) {
  if (auto a = retried([&] { return delivery_.producer().abort_transaction(kTxnTimeout); })) {
    if (a->action == kafka::TxnAction::fatal) return fail("abort_transaction: " + describe(*a));
    log_warning("exactly_once: abort_transaction: " + describe(*a) + " (nothing left to abort)");
  }
  if (engine_.metrics) engine_.metrics->transaction(false);
  // The aborted records' delivery reports (purged) come now; they complete nothing.
  const auto purge_deadline = Clock::now() + std::chrono::seconds(2);
  while (delivery_.in_flight() > 0 && Clock::now() < purge_deadline) {
    delivery_.producer().poll(std::chrono::milliseconds(1));
    delivery_.serve();
  }
  if (stop_.load(std::memory_order_relaxed)) return;  // shutting down: the next owner rewinds
  auto assigned = poller_.consumer().assignment();
  if (!assigned) return fail("assignment unknown after an abort: " + assigned.error().to_string());
  std::vector<kafka::TopicPartition> rewind;
  for (const auto& tp : *assigned)
    if (std::find(leaving.begin(), leaving.end(), tp) == leaving.end()) rewind.push_back(tp);
  // The tenants hold the aborted messages' effects: drop them, drop what still waits to be
  // produced, move the fetch positions back to the committed offsets, and restore the tenants
  // as of the last committed transaction.
  rebalancer_.forget(rewind);
  delivery_.sink().drop_pending();
  std::vector<kafka::TopicPartitionOffset> positions;
  for (const auto& tp : rewind) positions.push_back({tp.topic, tp.partition, kafka::Consumer::kOffsetStored});
  if (!positions.empty())
    if (auto ok = poller_.consumer().seek(positions, std::chrono::seconds(10)); !ok)
      return fail("rewinding after an abort: " + ok.error().to_string());
  rebalancer_.restore(rewind);
  delivery_.sink().clear_doomed();
}

}  // namespace hanzo::hmm::actors
