// --print-topics: the topics and ACLs a configuration needs.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "hanzo/hmm/daemon/topics.hpp"

using namespace hanzo::hmm;

TEST_CASE("topics: every configured topic once, tenant state compacted, names from the config", "[daemon][topics]") {
  auto c = daemon::daemon_config_from_toml("[topics]\nrequests = \"acme.requests\"\ntenant_state = \"acme.state\"\n", "c.toml");
  REQUIRE(c);
  const auto plan = daemon::topic_plan(*c);
  // An independent list: the nine [topics] keys of DaemonConfig.
  const std::set<std::string> keys{"ticks",        "requests", "feedback",     "decisions", "prices", "dlq",
                                   "tenant_state", "quotes",   "quote_answers"};
  std::map<std::string, daemon::TopicPlan> by_key;
  for (const auto& t : plan) by_key[t.key] = t;
  CHECK(plan.size() == keys.size());
  for (const auto& k : keys) CHECK(by_key.count(k) == 1);
  CHECK(by_key.at("requests").name == "acme.requests");
  CHECK(by_key.at("tenant_state").name == "acme.state");
  CHECK(by_key.at("tenant_state").cleanup_policy == "compact");
  for (const auto& t : plan)
    if (t.key != "tenant_state") CHECK(t.cleanup_policy == "delete");
  // Co-partitioned: requests, feedback, decisions and the changelog share one count.
  for (const char* k : {"feedback", "decisions", "tenant_state"}) CHECK(by_key.at(k).partitions == by_key.at("requests").partitions);
  CHECK(by_key.at("ticks").partitions == 1);
  // What the daemon reads needs Read, what it writes Write; restores read decisions and the changelog.
  CHECK((by_key.at("decisions").read && by_key.at("decisions").write && by_key.at("tenant_state").read));
  CHECK((!by_key.at("prices").read && by_key.at("prices").write && by_key.at("ticks").read && !by_key.at("ticks").write));
  CHECK((by_key.at("quotes").read && !by_key.at("quotes").write && by_key.at("quote_answers").write));
}

TEST_CASE("topics: with the quote service off, its topics are neither planned nor required", "[daemon][topics]") {
  auto c = daemon::daemon_config_from_toml("[topics]\nquotes = \"\"\nquote_answers = \"\"\n", "c.toml");
  REQUIRE(c);
  CHECK_FALSE(c->topics.quotes_enabled());
  const auto plan = daemon::topic_plan(*c);
  CHECK(plan.size() == 7);
  for (const auto& t : plan) CHECK((t.key != "quotes" && t.key != "quote_answers" && !t.name.empty()));
}

TEST_CASE("topics: ACLs for the group, and the transactional id only with exactly_once", "[daemon][topics]") {
  auto has = [](const std::vector<daemon::AclPlan>& acls, const std::string& type, const std::string& name,
                const std::string& pattern) {
    for (const auto& a : acls)
      if (a.resource_type == type && a.name == name && a.pattern == pattern) return true;
    return false;
  };
  auto alo = daemon::daemon_config_from_toml("[kafka]\n\"group.id\" = \"g1\"\n\"sasl.username\" = \"svc\"\n", "c.toml");
  REQUIRE(alo);
  const auto a = daemon::acl_plan(*alo);
  CHECK(has(a, "Group", "g1", "LITERAL"));
  CHECK_FALSE(has(a, "TransactionalId", "g1-", "PREFIXED"));
  CHECK(daemon::acl_principal(*alo) == "User:svc");
  auto eos = daemon::daemon_config_from_toml("[processing]\nguarantee = \"exactly_once\"\n[kafka]\n\"group.id\" = \"g1\"\n", "c.toml");
  REQUIRE(eos);
  const auto e = daemon::acl_plan(*eos);
  CHECK(has(e, "TransactionalId", "g1-", "PREFIXED"));  // default transactional.id: GROUP_ID-HOSTNAME
  CHECK(has(e, "Cluster", "kafka-cluster", "LITERAL"));
  auto fixed = daemon::daemon_config_from_toml(
      "[processing]\nguarantee = \"exactly_once\"\n[kafka]\n\"transactional.id\" = \"tx-7\"\n", "c.toml");
  REQUIRE(fixed);
  CHECK(has(daemon::acl_plan(*fixed), "TransactionalId", "tx-7", "LITERAL"));
  const auto text = daemon::render_topics(*eos);
  CHECK_THAT(text, Catch::Contains("--transactional-id g1- --resource-pattern-type prefixed"));
  CHECK_THAT(text, Catch::Contains("--topic hanzo.hmm.tenant-state --partitions 8 --config cleanup.policy=compact\n"));
}

TEST_CASE("topics: the embedded cluster's layout, with the same names as the plan and no quote topics when off",
          "[daemon][topics]") {
  auto c = daemon::daemon_config_from_toml("[topics]\nrequests = \"acme.requests\"\n", "c.toml");
  REQUIRE(c);
  std::map<std::string, int> layout;
  for (const auto& t : daemon::embedded_layout(c->topics)) CHECK(layout.emplace(t.name, t.partitions).second);
  // The market streams are ordered (one partition); tenant topics, decisions and the changelog
  // have eight, so requests, decisions and state are co-partitioned.
  const std::map<std::string, int> expected{
      {"hanzo.hmm.ticks", 1},     {"hanzo.hmm.prices", 1},        {"acme.requests", 8},
      {"hanzo.hmm.feedback", 8},  {"hanzo.hmm.decisions", 8},     {"hanzo.hmm.dlq", 4},
      {"hanzo.hmm.tenant-state", 8}, {"hanzo.hmm.quotes", 4},     {"hanzo.hmm.quote-answers", 4}};
  CHECK(layout == expected);
  std::set<std::string> planned;
  for (const auto& t : daemon::topic_plan(*c)) planned.insert(t.name);
  for (const auto& [name, n] : layout) CHECK(planned.count(name) == 1);

  c->topics.quotes.clear();
  c->topics.quote_answers.clear();
  const auto off = daemon::embedded_layout(c->topics);
  CHECK(off.size() == 7);
  for (const auto& t : off) CHECK(t.name.find("quote") == std::string::npos);
}
