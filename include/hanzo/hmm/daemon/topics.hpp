// Kafka provisioning for a configuration: every topic the daemon reads or writes, how to create
// it, and the ACLs its principal needs (hanzo-hmmd --print-topics, docs/topics.md).
#pragma once

#include <string>
#include <vector>

#include "hanzo/hmm/daemon/config.hpp"

namespace hanzo::hmm::daemon {

struct TopicPlan {
  std::string key;        // the [topics] key, e.g. "tenant_state"
  std::string name;       // the configured name
  std::string role;       // what the daemon does with it
  int partitions{1};      // suggested; see `partitions_rule`
  std::string partitions_rule;
  std::string cleanup_policy;  // "delete" or "compact"
  std::string retention_ms;    // "-1" for compacted topics (kept until superseded)
  bool read{false}, write{false};
};

struct AclPlan {
  std::string resource_type;  // Topic, Group, TransactionalId, Cluster
  std::string pattern;        // LITERAL or PREFIXED
  std::string name;
  std::vector<std::string> operations;
};

std::vector<TopicPlan> topic_plan(const DaemonConfig& c);
// The principal is User:<sasl.username> when set, else User:hanzo-hmmd (adapt for mTLS).
std::vector<AclPlan> acl_plan(const DaemonConfig& c);
std::string acl_principal(const DaemonConfig& c);
// The topics `hanzo-hmmd --embedded-kafka` creates and their partition counts (the benches lay
// out their clusters from the same list); a topic with an empty name (quotes off) is left out.
struct EmbeddedTopic {
  std::string name;
  int partitions{1};
};
std::vector<EmbeddedTopic> embedded_layout(const Topics& t);

// Markdown: the topic table, the ACL table and the kafka-topics.sh / kafka-acls.sh commands.
std::string render_topics(const DaemonConfig& c);

}  // namespace hanzo::hmm::daemon
