#include "reporting/api.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
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

void alert_object(std::string* out, const pqrflow::v1::AlertTransition& a) {
  out->push_back('{');
  add(out, "rule", a.rule_id());
  add(out, "subject", a.subject());
  add(out, "state", a.state());
  add_raw(out, "value", double_text(a.value()));
  add_raw(out, "threshold", double_text(a.threshold()));

  add(out, "at", core::format_local(core::Instant{a.at_us()}));
  add(out, "summary", a.summary());
  add_raw(out, "version", std::to_string(a.version()));
  out->push_back('}');
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
    alert_object(&out, a);
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

runtime::HttpResponse deadlines_response(const ReportingView& v, const runtime::HttpRequest& r) {
  if (auto e = unknown_parameters(r, {"office", "kind", "limit"})) return *e;
  const std::optional<std::string_view> office = r.query_param("office");
  const std::optional<std::string_view> kind = r.query_param("kind");
  std::size_t limit = 100;
  if (auto l = r.query_param("limit")) {
    const auto [end, ec] = std::from_chars(l->data(), l->data() + l->size(), limit);
    if (ec != std::errc() || end != l->data() + l->size() || limit < 1 || limit > 10000) {
      return bad("limit", "expected a whole number 1..10000");
    }
  }
  if (kind && !core::enum_from_name<core::PqrKind>(core::kPqrKindNames, *kind)) {
    return bad("kind", "unknown PQR kind '" + std::string(*kind) + "'");
  }
  std::string out = "{";
  add(&out, "as_of", as_of_text(v));
  std::size_t total = 0;
  std::string items = "[";
  for (const auto& item : v.deadlines) {
    if (office && item.office() != *office) continue;
    if (kind && item.kind() != *kind) continue;
    ++total;
    if (total > limit) continue;
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
  add_raw(&out, "items", items);
  add_raw(&out, "live", live_json(v));
  out += "}";
  return runtime::HttpResponse::json(200, std::move(out));
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
  service.on_publish([stream, &plan](const ReportingView& view,
                                     const std::vector<pqrflow::v1::AlertTransition>& transitions) {
    if (stream->subscriber_count() == 0) return;
    stream->publish("compliance", compliance_json(view, plan));
    for (const auto& t : transitions) {
      std::string a;
      alert_object(&a, t);
      stream->publish("alert", a);
    }
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
