// processing.guarantee = "exactly_once" (issue 5, section 3): consume-transform-produce in Kafka
// transactions. One transactional producer writes decisions, prices, DLQ records and tenant
// state; a transaction ends when it covers transaction_max_messages consumed messages or is
// transaction_max_seconds old. Ending it: stop dispatching (no poll), wait until every dispatched
// message's results are acknowledged, then add the processed-through offsets per partition
// (the ledger's, never the poll position) and commit. So a transaction's offsets cover exactly
// the messages whose results it holds (if the wait stalls, results still on their way go into
// the next transaction with their offsets), and an aborted one leaves no trace for
// read_committed readers.
// Abortable errors: abort, rewind the partitions to their committed offsets and restore their
// tenants from the (read_committed) changelog. Fatal errors (fenced): stop, exit non-zero.
#include <thread>

#include "ingest.hpp"
#include "log.hpp"

namespace hanzo::hmm::actors {

namespace {

using Clock = std::chrono::steady_clock;
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

Result<void> Ingest::start_transactions() {
  if (auto r = retried([&] { return producer_->init_transactions(kTxnTimeout); }))
    return std::move(r->error).within("exactly_once: init_transactions");
  if (auto r = producer_->begin_transaction()) return std::move(r->error).within("exactly_once: begin_transaction");
  txn_open_ = true;
  txn_begun_ = Clock::now();
  txn_messages_ = 0;
  log_info("exactly_once: transactions initialised");
  return {};
}

void Ingest::fail(const std::string& why) {
  log_error("exactly_once: " + why + "; stopping (exit 75, so the service manager restarts it)");
  failed_.store(true, std::memory_order_relaxed);
}

void Ingest::transaction_round(Clock::time_point now) {
  if (failed() || txn_messages_ == 0) return;
  const auto max_age = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(engine_.config.transaction_max_seconds));
  if (txn_messages_ >= engine_.config.transaction_max_messages || now - txn_begun_ >= max_age || sink_->doomed())
    (void)end_transaction(true);
}

bool Ingest::end_transaction(bool begin_next, const std::vector<kafka::TopicPartition>& leaving) {
  if (!txn_open_) return true;  // already ended (shutdown: the drain, then the revoke)
  flush_batches();
  // Normally done in milliseconds. A transaction in an abortable state gets no more
  // acknowledgements: commit_transaction below then says so.
  (void)quiesce(std::chrono::seconds(1));
  auto offsets = take_commits();
  kafka::TxnResult r;
  if (sink_->doomed())
    r = kafka::TxnError{kafka::TxnAction::abort, make_error(Errc::io_error, "transaction", "a record of it failed")};
  if (!r) r = retried([&] { return producer_->send_offsets_to_transaction(offsets, *consumer_, kTxnTimeout); });
  if (!r) r = retried([&] { return producer_->commit_transaction(kTxnTimeout); });
  txn_open_ = false;
  if (r && r->action == kafka::TxnAction::fatal) {
    fail("transaction failed: " + describe(*r));
    return false;
  }
  if (r) {
    log_warning("exactly_once: transaction of " + std::to_string(txn_messages_) + " messages aborted (" +
                describe(*r) + "); rewinding to the last committed offsets");
    abort_and_rewind(leaving);
    if (failed()) return false;
  } else {
    note_committed(offsets);
    if (engine_.metrics) engine_.metrics->transaction(true);
  }
  txn_messages_ = 0;
  txn_begun_ = Clock::now();
  if (begin_next) {
    if (auto b = producer_->begin_transaction()) {
      fail("begin_transaction: " + describe(*b));
      return false;
    }
    txn_open_ = true;
  }
  return !r;
}

void Ingest::abort_and_rewind(const std::vector<kafka::TopicPartition>& leaving) {
  if (auto a = retried([&] { return producer_->abort_transaction(kTxnTimeout); })) {
    if (a->action == kafka::TxnAction::fatal) return fail("abort_transaction: " + describe(*a));
    log_warning("exactly_once: abort_transaction: " + describe(*a) + " (nothing left to abort)");
  }
  if (engine_.metrics) engine_.metrics->transaction(false);
  // The aborted records' delivery reports (purged) come now; they complete nothing.
  const auto purge_deadline = Clock::now() + std::chrono::seconds(2);
  while (ledger_.in_flight() > 0 && Clock::now() < purge_deadline) {
    producer_->poll(std::chrono::milliseconds(1));
    serve();
  }
  if (stop_ && stop_->load(std::memory_order_relaxed)) return;  // shutting down: the next owner rewinds
  auto assigned = consumer_->assignment();
  if (!assigned) return fail("assignment unknown after an abort: " + assigned.error().to_string());
  std::vector<kafka::TopicPartition> rewind;
  for (const auto& tp : *assigned)
    if (std::find(leaving.begin(), leaving.end(), tp) == leaving.end()) rewind.push_back(tp);
  // The tenants hold the aborted messages' effects: drop them, drop what still waits to be
  // produced, move the fetch positions back to the committed offsets, and restore the tenants
  // as of the last committed transaction.
  forget(rewind);
  sink_->drop_pending();
  std::vector<kafka::TopicPartitionOffset> positions;
  for (const auto& tp : rewind) positions.push_back({tp.topic, tp.partition, kafka::Consumer::kOffsetStored});
  if (!positions.empty())
    if (auto ok = consumer_->seek(positions, std::chrono::seconds(10)); !ok)
      return fail("rewinding after an abort: " + ok.error().to_string());
  restore(rewind);
  sink_->clear_doomed();
}

}  // namespace hanzo::hmm::actors
