// Reporting's HTTP API over a view built by the core from a few raw records: the JSON of
// every endpoint, its 400s, and the Server-Sent Events sent after a publication.
#include "reporting/api.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "core/replay.hpp"

namespace pqrflow::reporting {
namespace {

namespace json = boost::json;

core::Plan load_plan() {
  std::ifstream in(PQRFLOW_SOURCE_DIR "/plans/f-pco-021-2024.yaml");
  std::stringstream text;
  text << in.rdbuf();
  core::PlanLoad load = core::load_plan(text.str());
  if (!load.plan) throw std::runtime_error("the committed plan does not load");
  return *load.plan;
}

std::string filed(const std::string& ticket, const std::string& at, const std::string& office) {
  return R"({"event_id":"f-)" + ticket + R"(","type":"pqr.filed","occurred_at":")" + at +
         R"(","ticket_id":")" + ticket + R"(","kind":"peticion","channel":"web","office":")" +
         office + "\"}";
}
std::string answered(const std::string& ticket, const std::string& at) {
  return R"({"event_id":"a-)" + ticket + R"(","type":"pqr.answered","occurred_at":")" + at +
         R"(","ticket_id":")" + ticket + R"(","outcome":"accede"})";
}

pqrflow::v1::AlertTransition transition(const std::string& state, const std::string& at,
                                        std::uint64_t version, double value = 55) {
  pqrflow::v1::AlertTransition a;
  a.set_rule_id("pqr_pending_ratio_rising");
  a.set_subject("all");
  a.set_state(state);
  a.set_value(value);
  a.set_threshold(state == "resolved" ? 30 : 50);
  std::string why;
  a.set_at_us(core::parse_rfc3339(at, &why)->us);
  a.set_version(version);
  (*a.mutable_labels())["pending"] = "11";
  (*a.mutable_labels())["filed_30d"] = "20";
  a.set_summary("Razón de PQR pendientes 55.00 % (" + state + ")");
  return a;
}

pqrflow::v1::DeadlineItem item(const std::string& ticket, const std::string& office,
                               const std::string& kind, const std::string& due, int left) {
  pqrflow::v1::DeadlineItem i;
  i.set_ticket_id(ticket);
  i.set_office(office);
  i.set_kind(kind);
  std::string why;
  i.set_filed_at_us(core::parse_rfc3339("2024-03-01T09:00:00-05:00", &why)->us);
  i.set_due_date(due);
  i.set_business_days_left(left);
  return i;
}

class ApiTest : public ::testing::Test {
 protected:
  ApiTest() : plan_(load_plan()) {
    // 2023 (the baseline year): 4 tickets, 1 answered late; 2024: 4 tickets, 2 pending.
    core::Replayer r(plan_, std::nullopt);
    r.feed_json(filed("A1", "2023-05-02T09:00:00-05:00", "Centro"));
    r.feed_json(answered("A1", "2023-05-03T09:00:00-05:00"));
    r.feed_json(filed("A2", "2023-05-02T09:00:00-05:00", "Norte"));
    r.feed_json(answered("A2", "2023-07-03T09:00:00-05:00"));
    r.feed_json(filed("B1", "2024-02-05T09:00:00-05:00", "Centro"));
    r.feed_json(answered("B1", "2024-02-06T09:00:00-05:00"));
    r.feed_json(filed("B2", "2024-03-04T09:00:00-05:00", "Norte"));
    r.feed_json(answered("B2", "2024-03-05T09:00:00-05:00"));
    r.feed_json(filed("B3", "2024-03-04T10:00:00-05:00", "Norte"));
    r.feed_json(filed("B4", "2024-03-04T11:00:00-05:00", "Centro"));
    view_.rows = r.rows();
    view_.as_of = r.as_of();
    view_.live["all"] = core::LiveFigures{2, 3, 1, 1};
    view_.live["office:Centro"] = core::LiveFigures{1, 1, 1, 0};
    view_.live["office:Norte"] = core::LiveFigures{1, 2, 0, 1};
    view_.deadlines = {item("B3", "Norte", "peticion", "2024-03-20", -2),
                       item("B4", "Centro", "reclamo", "2024-03-25", 1),
                       item("B5", "", "queja", "2024-03-26", 2)};
  }

  const json::object& indicator(const json::value& c, std::string_view id) {
    for (const json::value& i : c.at("indicators").as_array()) {
      if (i.at("indicator").as_string() == id) return i.as_object();
    }
    throw std::runtime_error("no indicator " + std::string(id));
  }

  core::Plan plan_;
  ReportingView view_;
};

TEST_F(ApiTest, ComplianceCarriesThePlanItsLabelsAndTheYearToDateRows) {
  const std::string text = compliance_json(view_, plan_);
  const json::value c = json::parse(text);
  EXPECT_EQ(c.at("plan").as_string(), "F.PCO.021-2024");
  EXPECT_EQ(c.at("period").as_string(), "2024");
  EXPECT_EQ(c.at("as_of").as_string(), "2024-03-05T09:00:00-05:00");
  EXPECT_EQ(c.at("process").as_string(), "ATENCIÓN AL CLIENTE");
  EXPECT_EQ(c.at("form").as_string(), "F.PCO.021");
  EXPECT_EQ(c.at("form_version").as_string(), "8.0");
  EXPECT_EQ(c.at("objective").as_string().subview(0, 27), "1. DISMINUIR LAS QUEJAS Y R");
  ASSERT_EQ(c.at("indicators").as_array().size(), plan_.indicators.size());

  // Answered in 2024: B1 and B2, both in time: 100 %. In 2023 one of two (A2 was
  // late): baseline 50, target 51 (one point up).
  const json::object& o = indicator(c, "oportunidad_respuesta");
  EXPECT_EQ(o.at("action").as_string(), "objetivo");
  EXPECT_EQ(o.at("direction").as_string(), "aumentar");
  EXPECT_FALSE(o.at("tracked").as_bool());
  EXPECT_EQ(o.at("unit").as_string(), "%");
  EXPECT_NE(text.find(R"("indicator":"oportunidad_respuesta","name":"Oportunidad en la )"
                      R"(Respuestas a Derechos de Petición")"),
            std::string::npos);
  EXPECT_NE(text.find(R"("value":100,"numerator":2,"denominator":2,"baseline":50,"target":51,)"
                      R"("achievement":1,"weight":0.3,"weighted_score":0.3,"status":"cumplida")"),
            std::string::npos)
      << text;
  // The trend: months of the plan year only (as-of is in March).
  const json::array& trend = o.at("trend").as_array();
  ASSERT_EQ(trend.size(), 3U);
  EXPECT_EQ(trend[0].at("period").as_string(), "2024-01");
  EXPECT_TRUE(trend[0].at("value").is_null());
  EXPECT_EQ(trend[1].at("period").as_string(), "2024-02");
  EXPECT_EQ(trend[2].at("period").as_string(), "2024-03");

  const json::object& visits = indicator(c, "tiempo_atencion_visitas");
  EXPECT_TRUE(visits.at("tracked").as_bool());
  EXPECT_EQ(visits.at("direction").as_string(), "disminuir");
  EXPECT_EQ(visits.at("unit").as_string(), "hours");
  const json::object& window = indicator(c, "tiempo_atencion_ventanilla");
  EXPECT_TRUE(window.at("tracked").as_bool());
  EXPECT_TRUE(window.at("direction").is_null());
  EXPECT_EQ(window.at("status").as_string(), "sin_datos");

  const json::object& live = c.at("live").as_object();
  EXPECT_EQ(live.at("pending").as_int64(), 2);
  EXPECT_NE(text.find(R"("pending_ratio":66.666667)"), std::string::npos);
  EXPECT_EQ(live.at("by_office").as_array().size(), 2U);
}

TEST_F(ApiTest, ComplianceWithoutDataSaysSinDatos) {
  const json::value c = json::parse(compliance_json(ReportingView{}, plan_));
  EXPECT_EQ(c.at("as_of").as_string(), "");
  EXPECT_TRUE(c.at("plan_score").is_null());
  EXPECT_EQ(c.at("status").as_string(), "sin_datos");
  for (const json::value& i : c.at("indicators").as_array()) {
    EXPECT_TRUE(i.at("value").is_null());
    EXPECT_EQ(i.at("status").as_string(), "sin_datos");
  }
}

TEST_F(ApiTest, AnActiveAlertSaysWhenItsEpisodeBegan) {
  view_.recent_alerts = {transition("pending", "2024-03-01T08:00:00-05:00", 1),
                         transition("firing", "2024-03-01T09:00:00-05:00", 2),
                         transition("resolved", "2024-03-01T12:00:00-05:00", 3, 20),
                         transition("pending", "2024-03-02T08:00:00-05:00", 4),
                         transition("firing", "2024-03-02T10:00:00-05:00", 5)};
  view_.active_alerts = {view_.recent_alerts.back()};
  const json::value a = json::parse(alerts_json(view_));
  const json::object& active = a.at("active").as_array().at(0).as_object();
  EXPECT_EQ(active.at("state").as_string(), "firing");
  EXPECT_EQ(active.at("at").as_string(), "2024-03-02T10:00:00-05:00");
  // The second episode began with its own pending transition, not the first one's.
  EXPECT_EQ(active.at("since").as_string(), "2024-03-02T08:00:00-05:00");
  EXPECT_EQ(active.at("labels").at("pending").as_string(), "11");
  EXPECT_EQ(active.at("value").as_int64(), 55);
  EXPECT_EQ(active.at("threshold").as_int64(), 50);
  // Recent transitions newest first, without `since`.
  const json::array& recent = a.at("recent").as_array();
  ASSERT_EQ(recent.size(), 5U);
  EXPECT_EQ(recent[0].at("version").as_int64(), 5);
  EXPECT_FALSE(recent[0].as_object().contains("since"));
  EXPECT_EQ(recent[2].at("state").as_string(), "resolved");
}

TEST_F(ApiTest, AnAlertWhoseHistoryIsGoneStartsAtItsOwnTransition) {
  view_.active_alerts = {transition("firing", "2024-03-02T10:00:00-05:00", 9)};
  const json::value a = json::parse(alerts_json(view_));
  EXPECT_EQ(a.at("active").at(0).at("since").as_string(), "2024-03-02T10:00:00-05:00");
}

runtime::HttpRequest get(runtime::QueryList query) {
  runtime::HttpRequest r;
  r.method = "GET";
  r.query = std::move(query);
  return r;
}

TEST_F(ApiTest, DeadlinesFilterByOfficeAndKindAndCountBeyondTheLimit) {
  runtime::HttpResponse r = deadlines_response(view_, get({}));
  ASSERT_EQ(r.status, 200);
  json::value d = json::parse(r.body);
  EXPECT_EQ(d.at("total").as_int64(), 3);
  EXPECT_EQ(d.at("overdue_total").as_int64(), 1);
  ASSERT_EQ(d.at("items").as_array().size(), 3U);
  const json::object& first = d.at("items").at(0).as_object();
  EXPECT_EQ(first.at("ticket_id").as_string(), "B3");
  EXPECT_EQ(first.at("office").as_string(), "Norte");
  EXPECT_EQ(first.at("kind").as_string(), "peticion");
  EXPECT_EQ(first.at("filed_at").as_string(), "2024-03-01T09:00:00-05:00");
  EXPECT_EQ(first.at("due_date").as_string(), "2024-03-20");
  EXPECT_EQ(first.at("business_days_left").as_int64(), -2);
  EXPECT_TRUE(first.at("overdue").as_bool());

  d = json::parse(deadlines_response(view_, get({{"office", "Centro"}})).body);
  EXPECT_EQ(d.at("total").as_int64(), 1);
  EXPECT_EQ(d.at("items").at(0).at("ticket_id").as_string(), "B4");
  d = json::parse(deadlines_response(view_, get({{"kind", "queja"}})).body);
  EXPECT_EQ(d.at("items").at(0).at("ticket_id").as_string(), "B5");
  d = json::parse(deadlines_response(view_, get({{"office", ""}})).body);  // no office
  EXPECT_EQ(d.at("items").at(0).at("ticket_id").as_string(), "B5");
  d = json::parse(deadlines_response(view_, get({{"limit", "1"}})).body);
  EXPECT_EQ(d.at("total").as_int64(), 3);
  EXPECT_EQ(d.at("overdue_total").as_int64(), 1);
  EXPECT_EQ(d.at("items").as_array().size(), 1U);
}

void expect_bad(const runtime::HttpResponse& r, std::string_view parameter) {
  EXPECT_EQ(r.status, 400);
  const json::value e = json::parse(r.body);
  EXPECT_EQ(e.at("error").as_string(), "bad_parameter");
  EXPECT_EQ(e.at("message").as_string().subview(0, parameter.size() + 1),
            std::string(parameter) + ":")
      << r.body;
}

TEST_F(ApiTest, DeadlinesRejectBadParametersNamingThem) {
  expect_bad(deadlines_response(view_, get({{"limit", "0"}})), "limit");
  expect_bad(deadlines_response(view_, get({{"limit", "10001"}})), "limit");
  expect_bad(deadlines_response(view_, get({{"limit", "5x"}})), "limit");
  expect_bad(deadlines_response(view_, get({{"kind", "reclamos"}})), "kind");
  expect_bad(deadlines_response(view_, get({{"ofice", "Centro"}})), "ofice");
  EXPECT_NE(deadlines_response(view_, get({{"kind", "x"}})).body.find("solicitud_informacion"),
            std::string::npos);
}

TEST_F(ApiTest, IndicatorsFilterRowsAndRejectBadParameters) {
  runtime::HttpResponse r = indicators_response(
      view_, get({{"indicator", "pqr_pendientes"}, {"scope", "office:Norte"}, {"period", "2024"}}));
  ASSERT_EQ(r.status, 200);
  const json::value rows = json::parse(r.body).at("rows");
  ASSERT_EQ(rows.as_array().size(), 1U);
  EXPECT_EQ(rows.at(0).at("numerator").as_int64(), 1);  // B3 pending at the end of March
  r = indicators_response(view_, get({{"indicator", "plan_score"}}));
  EXPECT_EQ(json::parse(r.body).at("rows").as_array().size(), 1U);
  expect_bad(indicators_response(view_, get({{"indicator", "pendientes"}})), "indicator");
  expect_bad(indicators_response(view_, get({{"scope", "oficina:Norte"}})), "scope");
  expect_bad(indicators_response(view_, get({{"scope", "office:"}})), "scope");
  expect_bad(indicators_response(view_, get({{"period", "2024-13"}})), "period");
  expect_bad(indicators_response(view_, get({{"periodo", "2024"}})), "periodo");
}

std::vector<std::string> names(const std::vector<StreamEvent>& events) {
  std::vector<std::string> out;
  for (const StreamEvent& e : events) out.push_back(e.event);
  return out;
}

TEST_F(ApiTest, TheStreamSendsEachPayloadOnlyWhenItChanged) {
  StreamState sent;
  std::vector<StreamEvent> e = stream_events(view_, plan_, {}, &sent);
  EXPECT_EQ(names(e), (std::vector<std::string>{"compliance", "alerts", "deadlines"}));
  EXPECT_EQ(e[0].data, compliance_json(view_, plan_));
  EXPECT_EQ(e[1].data, alerts_json(view_));
  EXPECT_EQ(e[2].data, deadlines_json(view_, DeadlineFilter{}));
  EXPECT_TRUE(stream_events(view_, plan_, {}, &sent).empty());

  // A transition: the "alert" event itself, then the alerts that changed with it.
  const auto t = transition("pending", "2024-03-05T09:00:00-05:00", 7);
  view_.recent_alerts.push_back(t);
  view_.active_alerts.push_back(t);
  e = stream_events(view_, plan_, {t}, &sent);
  EXPECT_EQ(names(e), (std::vector<std::string>{"alert", "alerts"}));
  EXPECT_EQ(e[0].data, alert_json(t));
  EXPECT_EQ(json::parse(e[0].data).at("state").as_string(), "pending");

  // The worklist alone changed.
  view_.deadlines.pop_back();
  EXPECT_EQ(names(stream_events(view_, plan_, {}, &sent)), (std::vector<std::string>{"deadlines"}));
}

}  // namespace
}  // namespace pqrflow::reporting
