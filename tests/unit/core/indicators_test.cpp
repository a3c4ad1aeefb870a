// Each indicator on small hand-built scenarios (domain.md "Indicators",
// docs/semantics.md). Expected values are computed by hand in the comments.
#include <gtest/gtest.h>

#include "core/bi.hpp"
#include "core/state.hpp"
#include "core/values.hpp"
#include "support/builders.hpp"

namespace pqrflow::core {
namespace {

using namespace pqrflow::testing;  // NOLINT: builders

class Indicators : public ::testing::Test {
 protected:
  void apply(const std::vector<Event>& events) {
    for (const Event& e : events) state_.apply(e);
  }
  IndicatorValue value(Indicator i, std::string_view scope, std::string_view period,
                       std::string_view as_of) {
    IndicatorCalculator calc(state_.aggregates(), at(as_of));
    return calc.value(i, scope, *Period::parse(period));
  }
  std::optional<Rational> v(Indicator i, std::string_view scope, std::string_view period,
                            std::string_view as_of) {
    return value(i, scope, period, as_of).value;
  }
  IndicatorState state_;
};

// T1, T2 filed 2024-03-19 (Centro): due 2024-04-12. T1 answered 04-12 (on time),
// T2 answered 04-15 (late). T3 filed 04-01 (Norte), answered 04-02 and, arriving later,
// 04-01 (the first answer, on time). T4 filed 04-10 (no office): due 2024-05-02
// (May 1 is a holiday), answered 05-20 (late). An orphan answer for T9.
std::vector<Event> tickets_scenario() {
  return {
      filed("f1", "T1", "2024-03-19T10:00:00-05:00").office("Centro"),
      filed("f2", "T2", "2024-03-19T11:00:00-05:00").office("Centro"),
      answered("a1", "T1", "2024-04-12T17:00:00-05:00"),
      answered("a2", "T2", "2024-04-15T09:00:00-05:00"),
      filed("f3", "T3", "2024-04-01T08:00:00-05:00").office("Norte"),
      answered("a3", "T3", "2024-04-02T08:00:00-05:00"),
      answered("a3b", "T3", "2024-04-01T15:00:00-05:00"),
      answered("a4", "T4", "2024-05-20T09:00:00-05:00"),  // before its filing in the stream
      filed("f4", "T4", "2024-04-10T08:00:00-05:00"),
      answered("a9", "T9", "2024-04-20T09:00:00-05:00"),  // orphan
      misfiled("m2", "T2", "2024-05-01T09:00:00-05:00"),
  };
}

constexpr std::string_view kAsOf = "2024-05-20T09:00:00-05:00";

TEST_F(Indicators, OportunidadRespuesta) {
  apply(tickets_scenario());
  const auto I = Indicator::kOportunidadRespuesta;
  // April: T1 on time, T2 late, T3 on time → 2/3.
  const IndicatorValue april = value(I, "all", "2024-04", kAsOf);
  EXPECT_EQ(april.numerator, 2);
  EXPECT_EQ(april.denominator, 3);
  EXPECT_EQ(*april.value, Rational(200, 3));
  EXPECT_EQ(*v(I, "all", "2024-05", kAsOf), 0);             // T4 late
  EXPECT_FALSE(v(I, "all", "2024-03", kAsOf).has_value());  // no first answer in March
  EXPECT_EQ(*v(I, "all", "2024", kAsOf), 50);               // 2 of 4
  EXPECT_EQ(*v(I, "office:Centro", "2024-04", kAsOf), 50);  // T1 of T1, T2
  EXPECT_EQ(*v(I, "office:Norte", "2024-04", kAsOf), 100);
}

TEST_F(Indicators, PqrPendientes) {
  apply(tickets_scenario());
  const auto I = Indicator::kPqrPendientes;
  // End of March: T1, T2 pending of 2 filed in March.
  const IndicatorValue march = value(I, "all", "2024-03", kAsOf);
  EXPECT_EQ(march.numerator, 2);
  EXPECT_EQ(march.denominator, 2);
  // End of April: T4 pending (answered in May); filed in April: T3, T4.
  const IndicatorValue april = value(I, "all", "2024-04", kAsOf);
  EXPECT_EQ(april.numerator, 1);
  EXPECT_EQ(april.denominator, 2);
  // May: nothing filed → null; nothing pending.
  const IndicatorValue may = value(I, "all", "2024-05", kAsOf);
  EXPECT_EQ(may.numerator, 0);
  EXPECT_FALSE(may.value.has_value());
  // Year to date as of May 20: nothing pending of 4 filed.
  EXPECT_EQ(*v(I, "all", "2024", kAsOf), 0);
  // Centro: both March tickets pending at the end of March; nothing filed in April.
  EXPECT_EQ(*v(I, "office:Centro", "2024-03", kAsOf), 100);
  EXPECT_FALSE(v(I, "office:Centro", "2024-04", kAsOf).has_value());
}

TEST_F(Indicators, PendingCarriesAcrossYears) {
  apply({filed("f1", "T1", "2023-12-28T10:00:00-05:00"),
         answered("a1", "T1", "2024-02-02T10:00:00-05:00"),
         filed("f2", "T2", "2024-01-05T10:00:00-05:00")});
  const auto I = Indicator::kPqrPendientes;
  const auto as_of = "2024-02-02T10:00:00-05:00";
  EXPECT_EQ(value(I, "all", "2023-12", as_of).numerator, 1);
  EXPECT_EQ(value(I, "all", "2024-01", as_of).numerator, 2);  // T1 and T2 at end of January
  EXPECT_EQ(value(I, "all", "2024-02", as_of).numerator, 1);  // T2
  EXPECT_EQ(*v(I, "all", "2024", as_of), 100);                // 1 pending / 1 filed in 2024
}

TEST_F(Indicators, AnswerDatedBeforeItsFilingIsNeverPending) {
  apply({answered("a1", "T1", "2024-01-31T10:00:00-05:00"),
         filed("f1", "T1", "2024-02-02T10:00:00-05:00")});
  const auto as_of = "2024-02-02T10:00:00-05:00";
  EXPECT_EQ(value(Indicator::kPqrPendientes, "all", "2024-02", as_of).numerator, 0);
  EXPECT_EQ(value(Indicator::kPqrPendientes, "all", "2024-01", as_of).numerator, 0);
  // Its answer (January) is on time and counts in January.
  EXPECT_EQ(*v(Indicator::kOportunidadRespuesta, "all", "2024-01", as_of), 100);
}

TEST_F(Indicators, PeticionesMalIngresadas) {
  apply(tickets_scenario());
  const auto I = Indicator::kPeticionesMalIngresadas;
  EXPECT_EQ(*v(I, "all", "2024-03", kAsOf), 50);  // T2 of T1, T2
  EXPECT_EQ(*v(I, "all", "2024-04", kAsOf), 0);
  EXPECT_EQ(*v(I, "all", "2024", kAsOf), 25);
  EXPECT_EQ(*v(I, "office:Centro", "2024", kAsOf), 50);
}

TEST_F(Indicators, OrphansAreCountedNotUsed) {
  apply(tickets_scenario());
  EXPECT_EQ(state_.data_quality().orphan_tickets, 1);
}

// Users: January S1, S2, S3; February S1, S2 (S1 billed twice: counts once); March none.
// Reclamos filed: January 1, February 2, March 1.
std::vector<Event> billing_scenario() {
  using S = Service;
  return {
      bill_issued("b1", "B1", "S1", 2024, 1, "2024-02-01T08:00:00-05:00")
          .line(S::kAcueducto, 10'000'000)
          .line(S::kAlcantarillado, 5'000'050),
      bill_issued("b2", "B2", "S2", 2024, 1, "2024-02-01T08:00:00-05:00")
          .line(S::kAcueducto, 20'000'000),
      bill_issued("b3", "B3", "S3", 2024, 1, "2024-02-01T08:00:00-05:00")
          .line(S::kAlcantarillado, 0),
      bill_issued("b4", "B4", "S1", 2024, 2, "2024-03-01T08:00:00-05:00")
          .line(S::kAcueducto, 1'000),
      bill_issued("b5", "B5", "S1", 2024, 2, "2024-03-01T08:00:00-05:00")
          .line(S::kAcueducto, 2'000),
      bill_issued("b6", "B6", "S2", 2024, 2, "2024-03-01T08:00:00-05:00")
          .line(S::kAcueducto, 3'000),
      filed("r1", "R1", "2024-01-15T08:00:00-05:00", PqrKind::kReclamo),
      filed("r2", "R2", "2024-02-15T08:00:00-05:00", PqrKind::kReclamo),
      filed("r3", "R3", "2024-02-16T08:00:00-05:00", PqrKind::kReclamo),
      filed("r4", "R4", "2024-03-16T08:00:00-05:00", PqrKind::kReclamo),
      filed("p5", "P5", "2024-03-17T08:00:00-05:00", PqrKind::kPeticion),
      bill_reformed("x1", "B1", "S1", S::kAcueducto, 1'500'025, "2024-01-20T08:00:00-05:00"),
      bill_reformed("x2", "B2", "S2", S::kAcueducto, 100, "2024-02-20T08:00:00-05:00"),
  };
}

constexpr std::string_view kBillingAsOf = "2024-03-17T08:00:00-05:00";

TEST_F(Indicators, IndiceReclamacion) {
  apply(billing_scenario());
  const auto I = Indicator::kIndiceReclamacion;
  EXPECT_EQ(*v(I, "all", "2024-01", kBillingAsOf), Rational(100, 3));  // 1 / 3 users
  EXPECT_EQ(*v(I, "all", "2024-02", kBillingAsOf), 100);               // 2 / 2 users
  EXPECT_FALSE(v(I, "all", "2024-03", kBillingAsOf).has_value());      // no users in March
  // Year to date: (4 reclamos / 3 months) / ((3 + 2) / 2 users) × 100 = 160/3.
  const IndicatorValue ytd = value(I, "all", "2024", kBillingAsOf);
  EXPECT_EQ(ytd.numerator, Rational(4, 3));
  EXPECT_EQ(ytd.denominator, Rational(5, 2));
  EXPECT_EQ(*ytd.value, Rational(160, 3));
}

TEST_F(Indicators, ReformadosValor) {
  apply(billing_scenario());
  const auto I = Indicator::kReformadosValor;
  // January: 15 000.25 / (100 000 + 50 000.50 + 200 000 + 0) pesos × 100.
  const IndicatorValue jan = value(I, "all", "2024-01", kBillingAsOf);
  EXPECT_EQ(jan.numerator, Rational(1'500'025, 100));
  EXPECT_EQ(jan.denominator, Rational(35'000'050, 100));
  EXPECT_EQ(*jan.value, Rational(1'500'025 * 100, 35'000'050));
  EXPECT_EQ(*v(I, "service:acueducto", "2024-01", kBillingAsOf), Rational(1'500'025, 300'000));
  EXPECT_EQ(*v(I, "service:alcantarillado", "2024-01", kBillingAsOf), 0);
  // February: 1 peso / 60 pesos.
  EXPECT_EQ(*v(I, "all", "2024-02", kBillingAsOf), Rational(100, 60));
}

TEST_F(Indicators, ReformadosCantidad) {
  apply(billing_scenario());
  const auto I = Indicator::kReformadosCantidad;
  EXPECT_EQ(*v(I, "all", "2024-01", kBillingAsOf), Rational(100, 3));
  // Acueducto users in January: S1, S2; alcantarillado: S1, S3 (an amount of 0 counts).
  EXPECT_EQ(*v(I, "service:acueducto", "2024-01", kBillingAsOf), 50);
  EXPECT_EQ(*v(I, "service:alcantarillado", "2024-01", kBillingAsOf), 0);
  // Year to date: 2 reforms / ((3 + 2) / 2) users × 100 = 80.
  EXPECT_EQ(*v(I, "all", "2024", kBillingAsOf), 80);
}

TEST_F(Indicators, TiempoAtencionVisitas) {
  apply({visit_requested("v1r", "V1", "2024-01-10T08:00:00-05:00"),
         visit_completed("v1c", "V1", "2024-01-11T10:30:00-05:00"),  // 26.5 h, January
         visit_requested("v2r", "V2", "2024-01-31T20:00:00-05:00"),
         visit_completed("v2c", "V2", "2024-02-01T01:00:00-05:00"),    // 5 h, February
         visit_completed("v3c", "V3", "2024-02-02T01:00:00-05:00")});  // never requested
  const auto I = Indicator::kTiempoAtencionVisitas;
  const auto as_of = "2024-02-02T01:00:00-05:00";
  EXPECT_EQ(*v(I, "all", "2024-01", as_of), Rational(53, 2));
  EXPECT_EQ(*v(I, "all", "2024-02", as_of), 5);
  const IndicatorValue ytd = value(I, "all", "2024", as_of);
  EXPECT_EQ(ytd.numerator, Rational(63, 2));
  EXPECT_EQ(ytd.denominator, 2);
  EXPECT_EQ(*ytd.value, Rational(63, 4));
  EXPECT_EQ(state_.data_quality().visits_without_request, 1);
}

TEST_F(Indicators, TiempoAtencionVentanilla) {
  apply({window_served("w1", "W1", "Centro", "2024-01-10T08:00:00-05:00",
                       "2024-01-10T08:10:00-05:00", "2024-01-10T08:25:00-05:00"),  // 25 min
         window_served("w1-again", "W1", "Centro", "2024-01-10T08:00:00-05:00",
                       "2024-01-10T08:10:00-05:00", "2024-01-10T08:25:00-05:00"),
         window_served("w2", "W2", "Norte", "2024-01-10T09:00:00-05:00",
                       "2024-01-10T09:01:00-05:00", "2024-01-10T09:07:30-05:00")});  // 7.5 min
  const auto I = Indicator::kTiempoAtencionVentanilla;
  const auto as_of = "2024-01-10T09:07:30-05:00";
  EXPECT_EQ(*v(I, "all", "2024-01", as_of), Rational(65, 4));  // (25 + 7.5) / 2
  EXPECT_EQ(*v(I, "office:Centro", "2024-01", as_of), 25);
  EXPECT_EQ(*v(I, "office:Norte", "2024", as_of), Rational(15, 2));
}

TEST_F(Indicators, TwoAmUtcOnTheFirstCountsInThePreviousMonth) {
  apply({filed("f1", "T1", "2024-03-01T02:00:00Z")});
  const auto as_of = "2024-03-01T02:00:00Z";
  EXPECT_EQ(value(Indicator::kPqrPendientes, "all", "2024-02", as_of).denominator, 1);
  IndicatorCalculator calc(state_.aggregates(), at(as_of));
  // The as-of month is February too: no March row exists yet.
  const auto keys = calc.row_keys();
  ASSERT_FALSE(keys.empty());
  for (const RowKey& k : keys) EXPECT_LE(k.period.month, 2);
}

TEST_F(Indicators, DuplicatesAndOrderChangeNothing) {
  std::vector<Event> events = tickets_scenario();
  for (const Event& e : billing_scenario()) events.push_back(e);
  IndicatorState forward;
  for (const Event& e : events) forward.apply(e);
  IndicatorState backward_twice;
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    backward_twice.apply(*it);
    backward_twice.apply(*it);
  }
  const auto as_of = at(kAsOf);
  const Plan plan = plan_2024();
  std::string a, b;
  for (const BiRow& r : build_rows(IndicatorCalculator(forward.aggregates(), as_of), plan)) {
    a += to_json(r) + "\n";
  }
  for (const BiRow& r : build_rows(IndicatorCalculator(backward_twice.aggregates(), as_of), plan)) {
    b += to_json(r) + "\n";
  }
  EXPECT_EQ(a, b);
}

TEST_F(Indicators, BiRowWithComplianceAgainstA2023Baseline) {
  // 2023: four tickets filed, one still pending at the end of 2023 (answered 2024-01-15).
  apply({filed("o1", "O1", "2023-05-02T10:00:00-05:00"),
         answered("oa1", "O1", "2023-05-03T10:00:00-05:00"),
         filed("o2", "O2", "2023-06-02T10:00:00-05:00"),
         answered("oa2", "O2", "2023-06-05T10:00:00-05:00"),
         filed("o3", "O3", "2023-07-03T10:00:00-05:00"),
         answered("oa3", "O3", "2023-07-04T10:00:00-05:00"),
         filed("o4", "O4", "2023-12-27T10:00:00-05:00"),
         answered("oa4", "O4", "2024-01-15T10:00:00-05:00")});
  apply(tickets_scenario());
  const IndicatorCalculator calc(state_.aggregates(), at(kAsOf));
  const Plan plan = plan_2024();
  // Baseline 2023: 1 pending at year end / 4 filed = 25 %; target 25 × 0.6 = 15;
  // 2024 to date: 0 pending / 4 filed = 0 % → achievement clamps to 1, cumplida.
  const BiRow row =
      make_row(calc, plan, {Indicator::kPqrPendientes, kScopeAll, Period::year_of(2024)});
  EXPECT_EQ(
      to_json(row),
      R"({"plan":"F.PCO.021-2024","indicator":"pqr_pendientes","scope":"all","period":"2024",)"
      R"("value":0,"numerator":0,"denominator":4,"unit":"%","baseline":25,"target":15,)"
      R"("achievement":1,"weight":0.1,"weighted_score":0.1,"status":"cumplida",)"
      R"("as_of":"2024-05-20T09:00:00-05:00","version":1})");
  // March 2024: 2 pending / 2 filed = 100 % > 25 % → en_riesgo, achievement 0.
  const BiRow march =
      make_row(calc, plan, {Indicator::kPqrPendientes, kScopeAll, *Period::parse("2024-03")});
  EXPECT_EQ(*march.achievement, 0);
  EXPECT_EQ(march.status, Status::kEnRiesgo);
  // oportunidad: 2023 baseline 5/5 on time... (O4's answer is in 2024): 3/3 = 100 %;
  // target 101 (points) cannot be reached; 2024: 3 of 5 on time (O4 + T1..T4).
  const BiRow op =
      make_row(calc, plan, {Indicator::kOportunidadRespuesta, kScopeAll, Period::year_of(2024)});
  EXPECT_EQ(*op.baseline, 100);
  EXPECT_EQ(*op.target, 101);
  EXPECT_EQ(*op.value, 60);
  EXPECT_EQ(op.status, Status::kEnRiesgo);
}

TEST(BiJson, EscapesStringsAndPrintsNulls) {
  BiRow row;
  row.plan = "P";
  row.indicator = "tiempo_atencion_ventanilla";
  row.scope = "office:Centro \"Histórico\"\n";
  row.period = "2024";
  row.unit = "minutes";
  row.as_of = testing::at("2024-01-01T00:00:00-05:00");
  const std::string json = to_json(row);
  EXPECT_NE(json.find(R"("scope":"office:Centro \"Histórico\"\n")"), std::string::npos);
  EXPECT_NE(json.find(R"("value":null,"numerator":0,"denominator":0)"), std::string::npos);
  EXPECT_NE(json.find(R"("status":"sin_datos")"), std::string::npos);
}

TEST(BiRowContent, IgnoresAsOfAndVersionOnly) {
  BiRow a;
  a.plan = "P";
  a.indicator = "indice_reclamacion";
  a.scope = "all";
  a.period = "2024-03";
  a.value = Rational(3, 1000);
  a.numerator = 3;
  a.denominator = 1000;
  a.as_of = testing::at("2024-03-10T00:00:00-05:00");
  a.version = 7;
  BiRow b = a;
  b.as_of = testing::at("2024-03-11T00:00:00-05:00");
  b.version = 8;
  EXPECT_TRUE(same_content(a, b));
  // Every content field counts, including a value equal in double but not exactly.
  b.value = Rational(3000001, 1000000000);
  EXPECT_FALSE(same_content(a, b));
  b = a;
  b.value.reset();
  EXPECT_FALSE(same_content(a, b));
  b = a;
  b.denominator = 1001;
  EXPECT_FALSE(same_content(a, b));
  b = a;
  b.status = Status::kCumplida;
  EXPECT_FALSE(same_content(a, b));
  b = a;
  b.weight = Rational(1, 10);
  EXPECT_FALSE(same_content(a, b));
  b = a;
  b.scope = "office:Centro";
  EXPECT_FALSE(same_content(a, b));
}

}  // namespace
}  // namespace pqrflow::core
