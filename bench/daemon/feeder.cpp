#include "feeder.hpp"

#include <chrono>

#include "raw_kafka.hpp"

namespace feeder {

namespace {

constexpr const char* kProgram = "bench feeder";

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  if (m->err) static_cast<std::atomic<std::uint64_t>*>(opaque)->fetch_add(1);
}

}  // namespace

Feeder::Feeder(std::string bootstrap, std::string topic, std::uint64_t n, Make make, double ahead_bytes,
               const std::atomic<std::uint64_t>& consumed)
    : topic_(std::move(topic)), n_(n), make_(std::move(make)), ahead_(ahead_bytes), consumed_(consumed) {
  end_bytes_.reserve(n);
  // A loader, not the daemon: librdkafka's defaults, as a client producing requests would have.
  rd_kafka_conf_t* conf = raw_kafka::make_conf(kProgram, {{"bootstrap.servers", bootstrap}});
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_conf_set_opaque(conf, &failed_);
  char err[512];
  rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk_) raw_kafka::die(kProgram, err);
}

Feeder::~Feeder() {
  join();
  rd_kafka_destroy(rk_);
}

void Feeder::produce(std::uint64_t i) {
  Record r = make_(i);
  end_bytes_.push_back((i ? end_bytes_[i - 1] : 0) + r.key.size() + r.value.size() + kRecordOverhead);
  for (;;) {
    const rd_kafka_resp_err_t e = rd_kafka_producev(
        rk_, RD_KAFKA_V_TOPIC(topic_.c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_KEY(r.key.data(), r.key.size()), RD_KAFKA_V_VALUE(r.value.data(), r.value.size()), RD_KAFKA_V_END);
    if (!e) break;
    if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) raw_kafka::die(kProgram, rd_kafka_err2str(e));
    rd_kafka_poll(rk_, 1);
  }
  rd_kafka_poll(rk_, 0);
}

void Feeder::flush() {
  if (rd_kafka_flush(rk_, 60000)) raw_kafka::die(kProgram, "requests not acknowledged within 60 s");
  if (failed_) raw_kafka::die(kProgram, std::to_string(failed_.load()) + " requests not delivered");
}

void Feeder::prefill() {
  while (next_ < n_ && (next_ == 0 || static_cast<double>(end_bytes_[next_ - 1]) < ahead_)) produce(next_++);
  prefilled_ = next_;
  flush();
}

void Feeder::start() {
  thread_ = std::thread([this] {
    while (next_ < n_) {
      // The record about to go out must fit within the bound past the consumed ones.
      for (;;) {
        const std::uint64_t c = std::min(consumed_.load(std::memory_order_relaxed), next_);
        const std::uint64_t done = c ? end_bytes_[c - 1] : 0;
        const std::uint64_t last = next_ ? end_bytes_[next_ - 1] : 0;
        if (static_cast<double>(last - done) < ahead_) break;
        rd_kafka_poll(rk_, 1);
      }
      produce(next_++);
    }
    flush();
  });
}

void Feeder::join() {
  if (thread_.joinable()) thread_.join();
}

}  // namespace feeder
