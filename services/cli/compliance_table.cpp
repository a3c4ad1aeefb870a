#include "cli/compliance_table.hpp"

#include <cmath>
#include <cstdio>
#include <map>

#include "core/time.hpp"

namespace pqrflow::cli {
namespace {

std::string number(double v, const std::string& unit) {
  char buf[64];
  if (unit == "%") {
    std::snprintf(buf, sizeof buf, "%.2f %%", v);
  } else if (unit == "hours") {
    std::snprintf(buf, sizeof buf, "%.1f h", v);
  } else if (unit == "minutes") {
    std::snprintf(buf, sizeof buf, "%.1f min", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f", v);
  }
  return buf;
}

std::string pad(const std::string& s, std::size_t width) {
  // Width in code points, so accented labels line up.
  std::size_t cps = 0;
  for (unsigned char c : s) cps += (c & 0xC0) != 0x80 ? 1 : 0;
  return cps >= width ? s : s + std::string(width - cps, ' ');
}

std::string cut(const std::string& s, std::size_t width) {
  std::size_t cps = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (cps == width - 1 && s.size() - i > 1) return s.substr(0, i) + "…";
      ++cps;
    }
  }
  return s;
}

}  // namespace

std::string format_compliance_table(const pqrflow::v1::ComplianceUpdate& u) {
  std::string out;
  out += u.plan_id() + " — cumplimiento " + u.period() + ", datos al " +
         core::format_local(core::Instant{u.as_of_us()}) + "\n\n";
  out += pad("indicador", 44) + pad("valor", 12) + pad("línea base", 12) + pad("meta", 12) +
         pad("logro", 8) + pad("peso", 6) + "estado\n";
  for (const auto& i : u.indicators()) {
    const std::string& unit = i.unit();
    out += pad(cut(i.name().empty() ? i.indicator() : i.name(), 43), 44);
    out += pad(i.has_value() ? number(i.value(), unit) : "—", 12);
    out += pad(i.has_baseline() ? number(i.baseline(), unit) : "—", 12);
    out += pad(i.has_target() ? number(i.target(), unit) : "—", 12);
    char buf[32];
    if (i.has_achievement()) {
      std::snprintf(buf, sizeof buf, "%.0f %%", i.achievement() * 100);
      out += pad(buf, 8);
    } else {
      out += pad("—", 8);
    }
    std::snprintf(buf, sizeof buf, "%.0f %%", i.weight() * 100);
    out += pad(buf, 6);
    out += i.status() + "\n";
  }
  char buf[160];
  std::snprintf(buf, sizeof buf, "\npuntaje del plan: %.2f %% (peso cubierto %.0f %%) — %s\n",
                u.plan_score(), u.covered_weight() * 100, u.status().c_str());
  out += buf;
  return out;
}

std::vector<pqrflow::v1::ComplianceUpdate> read_compliance(runtime::Consumer& consumer,
                                                           const std::string& topic,
                                                           std::string* error) {
  std::map<std::string, pqrflow::v1::ComplianceUpdate> latest;
  const std::optional<int> n = consumer.partition_count(topic, std::chrono::seconds(10));
  if (!n) {
    *error = "topic " + topic + " not found";
    return {};
  }
  std::vector<runtime::TopicPartition> tps;
  for (int p = 0; p < *n; ++p) tps.push_back({topic, p, runtime::kOffsetBeginning});
  if (!consumer.assign(tps, error)) return {};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    runtime::MessageBatch b = consumer.poll(1000, std::chrono::milliseconds(200));
    for (const auto& m : b.messages()) {
      pqrflow::v1::ComplianceUpdate u;
      if (!u.ParseFromArray(m.value.data(), static_cast<int>(m.value.size()))) continue;
      auto& cur = latest[u.plan_id()];
      if (u.version() > cur.version()) cur = u;
    }
    if (!b.empty()) continue;
    bool caught_up = true;
    for (const auto& [tp, lag] : consumer.lag()) caught_up = caught_up && lag == 0;
    if (caught_up) break;
  }
  std::vector<pqrflow::v1::ComplianceUpdate> out;
  for (auto& [id, u] : latest) out.push_back(std::move(u));
  return out;
}

}  // namespace pqrflow::cli
