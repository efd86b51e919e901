// Schema's private entry type, shared by schema.cpp (reading, checking) and render.cpp (writing).
#pragma once

#include <boost/json.hpp>

#include "hanzo/hmm/config/schema.hpp"

namespace hanzo::hmm::config {

struct Schema::Entry {
  enum class Kind { value, table, tables, passthrough };
  Kind kind{Kind::value};
  OptionInfo info;
  Applier apply;
  Current current;
  boost::json::value initial;  // current() when declared: the default
  std::shared_ptr<Schema> inner;                    // table
  std::function<std::vector<Schema>()> elements;    // array of tables: one schema per element
  std::function<void(Schema&)> sample;              // array of tables: a default element, for docs
  PassthroughDoc passthrough;                       // passthrough
};

}  // namespace hanzo::hmm::config
