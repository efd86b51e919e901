#include "daemon.hpp"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/send.hpp>

#include "hanzo/hmm/daemon/config.hpp"
#include "hanzo/hmm/daemon/log_limiter.hpp"
#include "hanzo/hmm/daemon/topics.hpp"
#include "hanzo/hmm/kafka/log.hpp"
#include "hanzo/hmm/daemon/metrics.hpp"
#include "hanzo/hmm/daemon/notify.hpp"
#include "hanzo/hmm/kafka/mock_cluster.hpp"
#include "ingest.hpp"
#include "log.hpp"
#include "market.hpp"
#include "router.hpp"
#include "tenant_manager.hpp"

#ifndef HANZO_HMM_VERSION
#define HANZO_HMM_VERSION "0.0.0"
#endif
#ifndef HANZO_HMM_REVISION
#define HANZO_HMM_REVISION "unknown"
#endif

namespace hanzo::hmm::actors {

namespace {

void create_topics(kafka::MockCluster& cluster, const daemon::Topics& t) {
  for (const auto& [name, partitions] : daemon::embedded_layout(t))
    if (auto ok = cluster.create_topic(name, partitions); !ok) log_warning(ok.error().to_string());
}

Result<daemon::DaemonConfig> load(const DaemonOptions& o) {
  Result<daemon::DaemonConfig> cfg =
      o.config_path ? daemon::load_daemon_config(*o.config_path) : Result<daemon::DaemonConfig>(daemon::DaemonConfig{});
  if (!cfg) return cfg;
  if (o.metrics_listen) {
    cfg->metrics_listen = *o.metrics_listen;
    if (auto ok = cfg->validate(); !ok) return std::move(ok).error().within("--metrics-listen");
  } else if (!o.config_path) {
    if (auto ok = cfg->validate(); !ok) return std::move(ok).error();
  }
  return cfg;
}

// Blocks SIGTERM/SIGINT in this thread and every thread it starts; the main thread takes them
// with sigtimedwait, so no handler runs in the middle of librdkafka or CAF.
sigset_t block_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

// librdkafka's lines through our logger, so journald files them at their priority (librdkafka's
// level is a syslog severity), at most one of a kind per 30 s: a broker that is down is otherwise
// reported every second by every client.
void route_kafka_log() {
  static daemon::RepeatLimiter limiter(std::chrono::seconds(30));
  kafka::set_log_sink([](int level, std::string_view facility, std::string_view client, std::string_view message) {
    if (auto line = limiter.admit(facility, message, daemon::RepeatLimiter::Clock::now()))
      log_at(level, "kafka: " + std::string(client) + ": " + std::string(facility) + ": " + *line);
  });
}

// SIGTERM/SIGINT before the main loop takes signals. Start-up can block in librdkafka for a minute
// (brokers unreachable) where nothing looks at signals; a stop request then waited for all of it.
// Nothing has been consumed or produced before the main loop, so there is nothing to drain or
// commit: exit 0 at once, without closing the Kafka clients (which would wait for the brokers).
class StartupSignals {
 public:
  StartupSignals(const sigset_t& signals, const daemon::Notifier& notifier)
      : thread_([this, signals, &notifier] {
          const timespec tick{0, 100'000'000};
          while (!done_.load()) {
            const int sig = sigtimedwait(&signals, nullptr, &tick);
            if (sig != SIGTERM && sig != SIGINT) continue;
            notifier.stopping("stopped during start-up");
            log_info(std::string(sig == SIGTERM ? "SIGTERM" : "SIGINT") +
                     " during start-up: exiting before anything was consumed");
            std::_Exit(kExitOk);
          }
        }) {}
  // Hands the signals back to the caller's thread (a signal arriving meanwhile stays pending).
  ~StartupSignals() {
    done_ = true;
    thread_.join();
  }
  StartupSignals(const StartupSignals&) = delete;
  StartupSignals& operator=(const StartupSignals&) = delete;

 private:
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace

int run_daemon(const DaemonOptions& options) {
  auto cfg = load(options);
  if (!cfg) {
    std::cerr << "hanzo-hmmd: configuration error: " << cfg.error().to_string() << '\n';
    return kExitConfig;
  }
  if (options.check_config) {
    std::cout << "configuration OK\n";
    return kExitOk;
  }
  if (options.print_config) {
    std::cout << daemon::render_config(*cfg);
    return kExitOk;
  }
  if (options.print_topics) {
    std::cout << daemon::render_topics(*cfg);
    return kExitOk;
  }
  const sigset_t signals = block_signals();
  const auto notifier = daemon::Notifier::from_environment();
  notifier.status("starting");
  auto startup_signals = std::make_unique<StartupSignals>(signals, notifier);
  route_kafka_log();

  // 1. Kafka (embedded) — the last to stop.
  std::optional<kafka::MockCluster> cluster;
  if (options.embedded_kafka) {
    auto c = kafka::MockCluster::create(1);
    if (!c) {
      std::cerr << "hanzo-hmmd: embedded Kafka: " << c.error().to_string() << '\n';
      return kExitFailure;
    }
    cluster.emplace(std::move(*c));
    // The embedded broker shares this machine's cores with the daemon's workers (and, in the
    // demo and the benchmark, the load generator); favoured like a broker on its own machine,
    // it keeps round trips short under load (at 13,000 requests/s on 2 cores, p99 1.9 s -> 0.06 s).
    if (auto favoured = cluster->set_nice(kafka::MockCluster::kEmbeddedNice); !favoured)
      log_info("embedded Kafka runs at normal priority (" + favoured.error().to_string() + ")");
    create_topics(*cluster, cfg->topics);
    cfg->use_embedded_cluster(cluster->bootstrap_servers());
    std::cout << "bootstrap.servers=" << cluster->bootstrap_servers() << std::endl;
    if (options.on_embedded_cluster) options.on_embedded_cluster(cluster->bootstrap_servers());
  }

  // 2. Metrics.
  daemon::MetricsOptions mo;
  for (const auto& c : cfg->engine.classes) mo.classes.push_back(c.id);
  mo.regimes = cfg->engine.market_regime.states;
  mo.version = HANZO_HMM_VERSION;
  mo.revision = HANZO_HMM_REVISION;
  mo.ticks_topic = cfg->topics.ticks;
  mo.requests_topic = cfg->topics.requests;
  mo.feedback_topic = cfg->topics.feedback;
  mo.quotes_topic = cfg->topics.quotes;
  daemon::Metrics metrics(mo);
  if (auto ok = metrics.listen(cfg->metrics_listen); !ok) {
    std::cerr << "hanzo-hmmd: metrics: " << ok.error().to_string() << '\n';
    return kExitFailure;
  }
  log_info("metrics on http://" + cfg->metrics_listen.substr(0, cfg->metrics_listen.rfind(':')) + ":" +
           std::to_string(metrics.port()) + "/metrics");

  // 3. Kafka clients and the engine: the producers first (the engine's sink is theirs), then
  // the engine, then the consumers and the parts that use both.
  daemon::Health health;
  auto delivery = Delivery::create(*cfg, &metrics);
  if (!delivery) {
    std::cerr << "hanzo-hmmd: Kafka configuration error: " << delivery.error().to_string() << '\n';
    return kExitConfig;
  }
  auto engine = Engine::create(*cfg, &(*delivery)->sink(), &metrics, &health);
  if (!engine) {
    std::cerr << "hanzo-hmmd: configuration error: " << engine.error().to_string() << '\n';
    return kExitConfig;
  }
  auto ingest = Ingest::create(*engine, std::move(*delivery), notifier);
  if (!ingest) {
    std::cerr << "hanzo-hmmd: Kafka configuration error: " << ingest.error().to_string() << '\n';
    return kExitConfig;
  }
  notifier.status("connecting to Kafka");
  if (auto ok = (*ingest)->await_connection(std::chrono::seconds(60)); !ok) {
    std::cerr << "hanzo-hmmd: Kafka unreachable: " << ok.error().to_string() << '\n';
    return kExitFailure;
  }

  // 4. Actors: routers and market first (the manager needs the routers).
  caf::actor_system_config caf_cfg;
  // CAF 0.17's own default is max(cores, 4): on a 2-core machine four workers would contend
  // with the ingest thread and librdkafka's for two cores.
  const auto workers = options.scheduler_threads > 0 ? options.scheduler_threads
                                                     : std::max<std::size_t>(1, std::thread::hardware_concurrency());
  caf_cfg.set("scheduler.max-threads", static_cast<std::int64_t>(workers));
  // Work sharing: idle workers block on a condition variable. The default work stealing polls
  // (spins, then sleeps in short steps), which on a small machine takes the cores librdkafka's
  // threads and the ingest thread need.
  caf_cfg.set("scheduler.policy", options.scheduler_policy == "stealing" ? caf::atom("stealing") : caf::atom("sharing"));
  caf_cfg.set("logger.console-verbosity", caf::atom("quiet"));
  caf_cfg.set("logger.file-verbosity", caf::atom("quiet"));
  caf::actor_system system{caf_cfg};
  std::vector<router_actor> routers;
  // Tenants keep their router's handle: a router that dies (an escaped exception) would leave
  // its tenants answering "router unavailable" for good. Exit instead, so systemd restarts us.
  auto router_died = std::make_shared<std::atomic<bool>>(false);  // outlives the actor system
  for (std::size_t i = 0; i < cfg->router_actors; ++i) {
    routers.push_back(system.spawn(router, *engine));
    routers.back()->attach_functor([router_died](const caf::error& reason) {
      if (reason && reason != caf::exit_reason::user_shutdown) *router_died = true;
    });
  }
  auto market_handle = system.spawn(market, *engine);
  auto manager = system.spawn(tenant_manager, *engine, routers, std::chrono::milliseconds(1000));

  // 5. The ingest thread, then READY and the watchdog. From the first message consumed a stop
  // request drains: the loop below takes the signals (one arriving meanwhile stays pending).
  startup_signals.reset();
  IngestStats stats;
  std::thread ingest_thread([&] {
    pthread_setname_np(pthread_self(), "hmmd.ingest");  // tells it apart in top -H and perf
    stats = (*ingest)->run(manager, market_handle);
  });
  health.beat(daemon::Health::market);
  notifier.ready("processing");
  log_info("ready");
  int exit_code = kExitOk;
  {
    daemon::Watchdog watchdog(notifier, health);
    const timespec tick{0, options.stop_when ? 10'000'000 : 200'000'000};
    auto last_status = std::chrono::steady_clock::now();
    for (;;) {
      const int sig = sigtimedwait(&signals, nullptr, &tick);
      if (sig == SIGTERM || sig == SIGINT) break;
      if ((*ingest)->failed()) break;  // exactly_once, unrecoverable: exit 75 below
      if (*router_died) break;
      if (options.stop_when && options.stop_when((*ingest)->consumed(), (*ingest)->in_flight())) break;
      if (const auto now = std::chrono::steady_clock::now(); now - last_status >= std::chrono::seconds(5)) {
        last_status = now;
        notifier.status((*ingest)->status_line());
      }
    }
    // 6. Stop in reverse: fetching and in-flight work, then actors, then Kafka.
    notifier.stopping("draining");
    log_info("stopping: draining in-flight work");
    (*ingest)->stop();
    ingest_thread.join();
  }
  if (*router_died) {
    log_error("a router actor died; exiting so that the service manager restarts the daemon");
    exit_code = kExitFailure;
  } else if (stats.failed) {
    exit_code = kExitTempFail;
  } else if (stats.left_in_flight > 0) {
    log_error(std::to_string(stats.left_in_flight) +
              " messages still in flight at the shutdown deadline; they stay uncommitted and will be redelivered");
    exit_code = kExitFailure;
  }
  log_info("consumed " + std::to_string(stats.consumed) + ", dead-lettered " + std::to_string(stats.dead_lettered));
  caf::anon_send_exit(manager, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(market_handle, caf::exit_reason::user_shutdown);
  for (auto& r : routers) caf::anon_send_exit(r, caf::exit_reason::user_shutdown);
  return exit_code;
}

}  // namespace hanzo::hmm::actors
