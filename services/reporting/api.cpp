#include "reporting/api.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "core/bi.hpp"
#include "reporting/dashboard_assets.hpp"
#include "runtime/http_server.hpp"

namespace pqrflow::reporting {
namespace {

constexpr int kPlaces = 6;

void add_key(std::string* out, std::string_view key) {
  if (out->back() != '{' && out->back() != '[') out->push_back(',');
  core::append_json_string(out, key);
  out->push_back(':');
}
void add(std::string* out, std::string_view key, std::string_view value) {
  add_key(out, key);
  core::append_json_string(out, value);
}
void add_number(std::string* out, std::string_view key, const std::optional<core::Rational>& v) {
  add_key(out, key);
  out->append(v ? core::format_decimal(*v, kPlaces) : "null");
}
void add_raw(std::string* out, std::string_view key, std::string_view raw) {
  add_key(out, key);
  out->append(raw);
}

std::string as_of_text(const ReportingView& v) {
  return v.as_of ? core::format_local(*v.as_of) : std::string();
}

bool valid_scope(std::string_view s) {
  return s == "all" || (s.rfind("office:", 0) == 0 && s.size() > 7) ||
         (s.rfind("service:", 0) == 0 && s.size() > 8);
}

runtime::HttpResponse bad(std::string_view parameter, std::string_view why) {
  return runtime::HttpResponse::error(400, "bad_parameter",
                                      std::string(parameter) + ": " + std::string(why));
}

// Rejects query parameters the endpoint does not know (a typo must not silently widen a
// filter).
std::optional<runtime::HttpResponse> unknown_parameters(
    const runtime::HttpRequest& r, std::initializer_list<std::string_view> known) {
  for (const auto& [name, value] : r.query) {
    bool ok = false;
    for (std::string_view k : known) ok = ok || name == k;
    if (!ok) {
      std::string list;
      for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      return bad(name, "unknown parameter; accepted: " + list);
    }
  }
  return std::nullopt;
}

// A double as JSON (6 decimals, trailing zeros trimmed; null when not finite).
std::string double_text(double d) {
  if (!std::isfinite(d)) return "null";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", d);
  std::string s(buf);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

// One alert transition; `since` (the start of the alert's episode) only for active ones.
void alert_object(std::string* out, const pqrflow::v1::AlertTransition& a,
                  std::optional<std::int64_t> since_us = std::nullopt) {
  out->push_back('{');
  add(out, "rule", a.rule_id());
  add(out, "subject", a.subject());
  add(out, "state", a.state());
  add_raw(out, "value", double_text(a.value()));
  add_raw(out, "threshold", double_text(a.threshold()));

  add(out, "at", core::format_local(core::Instant{a.at_us()}));
  if (since_us) add(out, "since", core::format_local(core::Instant{*since_us}));
  add(out, "summary", a.summary());
  add_raw(out, "version", std::to_string(a.version()));
  add_key(out, "labels");
  out->push_back('{');
  // Sorted keys: the same transition always renders the same text.
  const std::map<std::string, std::string> labels(a.labels().begin(), a.labels().end());
  for (const auto& [k, v] : labels) add(out, k, v);
  out->push_back('}');
  out->push_back('}');
}

// When the episode of an active alert began: its latest "pending" transition (or, for a
// rule that fires at once, its latest "firing" one) not followed by a "resolved" one,
// among the recent transitions; the alert's own instant when they no longer hold it.
std::int64_t episode_start_us(const ReportingView& v, const pqrflow::v1::AlertTransition& a) {
  std::optional<std::int64_t> start;
  for (const auto& t : v.recent_alerts) {  // oldest first
    if (t.rule_id() != a.rule_id() || t.subject() != a.subject() || t.version() > a.version())
      continue;
    if (t.state() == "resolved") {
      start.reset();
    } else if (!start) {
      start = t.at_us();
    }
  }
  return start.value_or(a.at_us());
}

}  // namespace

std::string live_json(const ReportingView& v) {
  std::string out = "{";
  const auto all = v.live.find("all");
  const core::LiveFigures f = all == v.live.end() ? core::LiveFigures{} : all->second;
  add_raw(&out, "pending", std::to_string(f.pending));
  add_raw(&out, "filed_30d", std::to_string(f.filed_30d));
  add_number(&out, "pending_ratio",
             f.filed_30d > 0
                 ? std::optional<core::Rational>(core::Rational(f.pending * 100, f.filed_30d))
                 : std::nullopt);
  add_raw(&out, "due_soon", std::to_string(f.due_soon));
  add_raw(&out, "overdue", std::to_string(f.overdue));
  add_key(&out, "by_office");
  out += "[";
  for (const auto& [scope, fig] : v.live) {
    if (scope.rfind("office:", 0) != 0) continue;
    if (out.back() != '[') out += ",";
    out += "{";
    add(&out, "office", scope.substr(7));
    add_raw(&out, "pending", std::to_string(fig.pending));
    add_raw(&out, "filed_30d", std::to_string(fig.filed_30d));
    add_raw(&out, "due_soon", std::to_string(fig.due_soon));
    add_raw(&out, "overdue", std::to_string(fig.overdue));
    out += "}";
  }
  out += "]}";
  return out;
}

std::string compliance_json(const ReportingView& v, const core::Plan& plan) {
  const std::string year = std::to_string(plan.year);
  std::string out = "{";
  add(&out, "plan", plan.id);
  add(&out, "period", year);
  add(&out, "as_of", as_of_text(v));
  add(&out, "process", plan.process);
  add(&out, "responsible", plan.responsible);
  add(&out, "form", plan.form);
  add(&out, "form_version", plan.form_version);
  add(&out, "objective", plan.objective);
  const core::BiRow* score = nullptr;
  for (const core::BiRow& r : v.rows) {
    if (r.indicator == "plan_score") score = &r;
  }
  add_number(&out, "plan_score", score != nullptr ? score->value : std::nullopt);
  add_number(&out, "covered_weight",
             score != nullptr ? std::optional<core::Rational>(score->weight) : std::nullopt);
  add(&out, "status", score != nullptr ? core::status_code(score->status) : "sin_datos");
  add_key(&out, "indicators");
  out += "[";
  for (const core::PlanIndicator& p : plan.indicators) {
    const std::string id(core::id_of(p.indicator));
    const core::BiRow* ytd = nullptr;
    for (const core::BiRow& r : v.rows) {
      if (r.indicator == id && r.scope == "all" && r.period == year) ytd = &r;
    }
    if (out.back() != '[') out += ",";
    out += "{";
    add(&out, "indicator", id);
    add(&out, "name", p.name);
    add(&out, "action", p.action_id);
    add(&out, "goal", p.goal_text);
    add(&out, "action_text", p.action_text);
    add(&out, "formula", p.formula);
    add(&out, "responsible", p.responsible);
    add_raw(&out, "tracked", p.weight == core::Rational(0) ? "true" : "false");
    if (p.goal) {
      add(&out, "direction",
          p.goal->direction == core::Direction::kIncrease ? "aumentar" : "disminuir");
    } else {
      add_raw(&out, "direction", "null");
    }
    add(&out, "unit", std::string(core::unit_symbol(core::info(p.indicator).unit)));
    add_number(&out, "value", ytd ? ytd->value : std::nullopt);
    add_number(&out, "numerator",
               ytd ? std::optional<core::Rational>(ytd->numerator) : std::nullopt);
    add_number(&out, "denominator",
               ytd ? std::optional<core::Rational>(ytd->denominator) : std::nullopt);
    add_number(&out, "baseline", ytd ? ytd->baseline : std::nullopt);
    add_number(&out, "target", ytd ? ytd->target : std::nullopt);
    add_number(&out, "achievement", ytd ? ytd->achievement : std::nullopt);
    add_number(&out, "weight", p.weight);
    add_number(&out, "weighted_score", ytd ? ytd->weighted_score : std::nullopt);
    add(&out, "status", ytd ? core::status_code(ytd->status) : "sin_datos");
    add_key(&out, "trend");
    out += "[";
    for (const core::BiRow& r : v.rows) {
      if (r.indicator != id || r.scope != "all" || r.period.size() != 7 ||
          r.period.rfind(year, 0) != 0)
        continue;
      if (out.back() != '[') out += ",";
      out += "{";
      add(&out, "period", r.period);
      add_number(&out, "value", r.value);
      out += "}";
    }
    out += "]}";
  }
  out += "]";
  add_raw(&out, "live", live_json(v));
  out += "}";
  return out;
}

std::string alerts_json(const ReportingView& v) {
  std::string out = "{";
  add(&out, "as_of", as_of_text(v));
  add_key(&out, "active");
  out += "[";
  for (const auto& a : v.active_alerts) {
    if (out.back() != '[') out += ",";
    alert_object(&out, a, episode_start_us(v, a));
  }
  out += "]";
  add_key(&out, "recent");
  out += "[";
  for (auto it = v.recent_alerts.rbegin(); it != v.recent_alerts.rend(); ++it) {
    if (out.back() != '[') out += ",";
    alert_object(&out, *it);
  }
  out += "]";
  add_raw(&out, "live", live_json(v));
  out += "}";
  return out;
}

runtime::HttpResponse indicators_response(const ReportingView& v, const runtime::HttpRequest& r) {
  if (auto e = unknown_parameters(r, {"indicator", "scope", "period"})) return *e;
  const std::optional<std::string_view> indicator = r.query_param("indicator");
  const std::optional<std::string_view> scope = r.query_param("scope");
  const std::optional<std::string_view> period = r.query_param("period");
  if (indicator && *indicator != "plan_score" && !core::indicator_from_id(*indicator)) {
    std::string ids;
    for (const auto& i : core::kIndicators) ids += std::string(i.id) + ", ";
    return bad("indicator",
               "unknown id '" + std::string(*indicator) + "'; accepted: " + ids + "plan_score");
  }
  if (scope && !valid_scope(*scope)) {
    return bad("scope", "expected all, office:<name> or service:<name>");
  }
  if (period && !core::Period::parse(*period)) {
    return bad("period", "expected YYYY or YYYY-MM with a month 01..12");
  }
  std::string out = "{";
  add(&out, "as_of", as_of_text(v));
  add_key(&out, "rows");
  out += "[";
  for (const core::BiRow& row : v.rows) {
    if (indicator && row.indicator != *indicator) continue;
    if (scope && row.scope != *scope) continue;
    if (period && row.period != *period) continue;
    if (out.back() != '[') out += ",";
    out += core::to_json(row);
  }
  out += "]}";
  return runtime::HttpResponse::json(200, std::move(out));
}

std::string deadlines_json(const ReportingView& v, const DeadlineFilter& filter) {
  std::string out = "{";
  add(&out, "as_of", as_of_text(v));
  std::size_t total = 0, overdue = 0;
  std::string items = "[";
  for (const auto& item : v.deadlines) {
    if (filter.office && item.office() != *filter.office) continue;
    if (filter.kind && item.kind() != *filter.kind) continue;
    ++total;
    if (item.business_days_left() < 0) ++overdue;
    if (total > filter.limit) continue;
    if (items.back() != '[') items += ",";
    items += "{";
    add(&items, "ticket_id", item.ticket_id());
    add(&items, "office", item.office());
    add(&items, "kind", item.kind());
    add(&items, "filed_at", core::format_local(core::Instant{item.filed_at_us()}));
    add(&items, "due_date", item.due_date());
    add_raw(&items, "business_days_left", std::to_string(item.business_days_left()));
    add_raw(&items, "overdue", item.business_days_left() < 0 ? "true" : "false");
    items += "}";
  }
  items += "]";
  add_raw(&out, "total", std::to_string(total));
  add_raw(&out, "overdue_total", std::to_string(overdue));
  add_raw(&out, "items", items);
  add_raw(&out, "live", live_json(v));
  out += "}";
  return out;
}

runtime::HttpResponse deadlines_response(const ReportingView& v, const runtime::HttpRequest& r) {
  if (auto e = unknown_parameters(r, {"office", "kind", "limit"})) return *e;
  DeadlineFilter filter;
  if (auto o = r.query_param("office")) filter.office = std::string(*o);
  if (auto k = r.query_param("kind")) filter.kind = std::string(*k);
  if (auto l = r.query_param("limit")) {
    const auto [end, ec] = std::from_chars(l->data(), l->data() + l->size(), filter.limit);
    if (ec != std::errc() || end != l->data() + l->size() || filter.limit < 1 ||
        filter.limit > 10000) {
      return bad("limit", "expected a whole number 1..10000");
    }
  }
  if (filter.kind && !core::enum_from_name<core::PqrKind>(core::kPqrKindNames, *filter.kind)) {
    std::string kinds;
    for (std::string_view k : core::kPqrKindNames) {
      if (!k.empty()) kinds += (kinds.empty() ? "" : ", ") + std::string(k);
    }
    return bad("kind", "unknown PQR kind '" + *filter.kind + "'; accepted: " + kinds);
  }
  return runtime::HttpResponse::json(200, deadlines_json(v, filter));
}

std::string alert_json(const pqrflow::v1::AlertTransition& transition) {
  std::string out;
  alert_object(&out, transition);
  return out;
}

std::vector<StreamEvent> stream_events(const ReportingView& view, const core::Plan& plan,
                                       const std::vector<pqrflow::v1::AlertTransition>& transitions,
                                       StreamState* last) {
  std::vector<StreamEvent> events;
  for (const auto& t : transitions) events.push_back({"alert", alert_json(t)});
  const auto changed = [&events](std::string event, std::string data, std::string* sent) {
    if (data == *sent) return;
    *sent = data;
    events.push_back({std::move(event), std::move(data)});
  };
  changed("compliance", compliance_json(view, plan), &last->compliance);
  changed("alerts", alerts_json(view), &last->alerts);
  changed("deadlines", deadlines_json(view, DeadlineFilter{}), &last->deadlines);
  return events;
}

void register_api(runtime::HttpServer& http, ReportingService& service, const core::Plan& plan) {
  http.route("GET", "/api/v1/compliance", [&service, &plan](const runtime::HttpRequest& r) {
    if (auto e = unknown_parameters(r, {})) return *e;
    return runtime::HttpResponse::json(200, compliance_json(*service.view(), plan));
  });
  http.route("GET", "/api/v1/indicators", [&service](const runtime::HttpRequest& r) {
    return indicators_response(*service.view(), r);
  });
  http.route("GET", "/api/v1/alerts", [&service](const runtime::HttpRequest& r) {
    if (auto e = unknown_parameters(r, {})) return *e;
    return runtime::HttpResponse::json(200, alerts_json(*service.view()));
  });
  http.route("GET", "/api/v1/deadlines", [&service](const runtime::HttpRequest& r) {
    return deadlines_response(*service.view(), r);
  });
  std::shared_ptr<runtime::SseChannel> stream = http.sse("/api/v1/stream");
  auto sent = std::make_shared<StreamState>();
  service.on_publish(
      [stream, sent, &plan](const ReportingView& view,
                            const std::vector<pqrflow::v1::AlertTransition>& transitions) {
        if (stream->subscriber_count() == 0) {
          *sent = {};  // the next subscriber starts from the REST state; send everything anew
          return;
        }
        for (const StreamEvent& e : stream_events(view, plan, transitions, sent.get()))
          stream->publish(e.event, e.data);
      });
  for (const DashboardAsset& asset : dashboard_assets()) {
    http.route("GET", std::string(asset.path), [asset](const runtime::HttpRequest&) {
      runtime::HttpResponse resp;
      resp.status = 200;
      resp.content_type = std::string(asset.content_type);
      resp.body = std::string(asset.body);
      resp.headers.emplace_back("Cache-Control", "no-cache");
      return resp;
    });
  }
}

}  // namespace pqrflow::reporting
