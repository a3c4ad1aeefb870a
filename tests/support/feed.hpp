// Generated raw feeds for end-to-end tests: records by topic with their Kafka keys, the
// raw records in order (for replay), and the invalid ones' expected reasons.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/time.hpp"
#include "sim/generator.hpp"
#include "support/stack.hpp"

namespace pqrflow::testing {

struct Feed {
  struct Record {
    std::string topic, key, json;
  };
  std::vector<Record> records;                  // delivery order
  std::map<std::string, int> expected_reasons;  // invalid records by expected reason
  int invalid = 0;

  std::vector<std::string> jsons() const {
    std::vector<std::string> out;
    out.reserve(records.size());
    for (const Record& r : records) out.push_back(r.json);
    return out;
  }
};

inline Feed generated_feed(int subscribers, std::uint64_t seed, core::YearMonth from,
                           core::YearMonth to, double invalid_rate = 0.01,
                           double duplicate_rate = 0.01) {
  Feed f;
  sim::GeneratorOptions g;
  g.subscribers = subscribers;
  g.seed = seed;
  g.from = from;
  g.to = to;
  g.invalid_rate = invalid_rate;
  g.duplicate_rate = duplicate_rate;
  sim::generate(g, [&](const sim::RawRecord& r) {
    f.records.push_back({std::string(sim::topic_name(r.topic)), r.key, r.json});
    if (r.invalid != sim::InvalidKind::kNone) {
      ++f.invalid;
      if (auto reason = sim::expected_reason(r.invalid)) {
        ++f.expected_reasons[std::string(core::reason_code(*reason))];
      }
    }
  });
  return f;
}

// Produces records [begin, end) of the feed, in order, and waits for the broker.
inline void produce_range(Stack& stack, const Feed& f, std::size_t begin, std::size_t end) {
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> by_topic;
  for (std::size_t i = begin; i < end && i < f.records.size(); ++i) {
    by_topic[f.records[i].topic].emplace_back(f.records[i].key, f.records[i].json);
  }
  for (const auto& [topic, kvs] : by_topic) stack.produce(topic, kvs);
}

}  // namespace pqrflow::testing
