// load_plan: the committed plan as transcribed from the seed, and one small inline
// plan per validation rule, each asserting its specific message and line.
#include "core/plan.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pqrflow::core {
namespace {

using ::testing::HasSubstr;
using Severity = PlanIssue::Severity;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

const std::string kPlanPath = PQRFLOW_SOURCE_DIR "/plans/f-pco-021-2024.yaml";

// 1-based line of the first occurrence of `needle` in `text`; 0 when absent.
int line_containing(std::string_view text, std::string_view needle) {
  const auto pos = text.find(needle);
  if (pos == std::string_view::npos) return 0;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + pos, '\n'));
}

std::vector<PlanIssue> of_severity(const PlanLoad& load, Severity s) {
  std::vector<PlanIssue> out;
  for (const auto& i : load.issues) {
    if (i.severity == s) out.push_back(i);
  }
  return out;
}

std::string dump(const PlanLoad& load) {
  std::string out;
  for (const auto& i : load.issues) {
    out += (i.severity == Severity::kError ? "error " : "warning ");
    out += std::to_string(i.line) + ": " + i.message + "\n";
  }
  return out;
}

// plan.find() that fails the test (by throwing) instead of returning null.
const PlanIndicator& entry_of(const Plan& plan, Indicator i) {
  const PlanIndicator* p = plan.find(i);
  if (p == nullptr) throw std::runtime_error("not in plan: " + std::string(id_of(i)));
  return *p;
}

Rational pct(std::string_view decimal) {
  return *parse_decimal(decimal) / 100;
}

// ---------------------------------------------------------------------------------
// The committed plan.

class CommittedPlan : public ::testing::Test {
 protected:
  void SetUp() override {
    text_ = read_text(kPlanPath);
    ASSERT_FALSE(text_.empty()) << "cannot read " << kPlanPath;
    load_ = load_plan(text_);
    ASSERT_TRUE(load_.plan) << dump(load_);
    plan_ = &*load_.plan;
  }
  std::string text_;
  PlanLoad load_;
  const Plan* plan_ = nullptr;
};

TEST_F(CommittedPlan, LoadsWithOnlyTheRow12Warning) {
  EXPECT_TRUE(of_severity(load_, Severity::kError).empty()) << dump(load_);
  const auto warnings = of_severity(load_, Severity::kWarning);
  ASSERT_EQ(warnings.size(), 1u) << dump(load_);
  const std::string& m = warnings[0].message;
  EXPECT_THAT(m, HasSubstr("goal N° 3 of action 1.2"));
  EXPECT_THAT(m, HasSubstr("\"Reducir en un 2.5% el tiempo de atención en visitas PQR\""));
  EXPECT_THAT(m, HasSubstr("measures tiempo_atencion_visitas"));
  EXPECT_THAT(m, HasSubstr("\"[Peticiónes Mal Ingresadas / Total Peticiónes] * 100\" computes "
                           "peticiones_mal_ingresadas, which is weighted (10%) instead"));
  EXPECT_THAT(m, HasSubstr("tiempo_atencion_visitas is tracked beside it with weight 0%"));
  EXPECT_EQ(warnings[0].line, line_containing(text_, "measures: tiempo_atencion_visitas"));
}

TEST_F(CommittedPlan, Header) {
  EXPECT_EQ(plan_->id, "F.PCO.021-2024");
  EXPECT_EQ(plan_->form, "F.PCO.021");
  EXPECT_EQ(plan_->form_version, "8.0");
  EXPECT_EQ(plan_->process, "ATENCIÓN AL CLIENTE");
  EXPECT_EQ(plan_->responsible, "OSCAR MAURICIO PAZ");
  EXPECT_EQ(plan_->year, 2024);
  EXPECT_EQ(plan_->schedule_start, date_of(2024, 1, 18));
  EXPECT_EQ(plan_->schedule_end, date_of(2024, 12, 31));
  EXPECT_EQ(plan_->objective,
            "1. DISMINUIR LAS QUEJAS Y RECLAMOS, MEDIANTE LA ATENCIÓN OPORTUNA DE LAS "
            "NECESIDADES Y EXPECTATIVAS DEL CLIENTE.");
  for (const int days : plan_->legal_terms) EXPECT_EQ(days, 15);
}

TEST_F(CommittedPlan, WeightsSumToExactly100Percent) {
  Rational sum = 0;
  for (const auto& p : plan_->indicators) sum += p.weight;
  EXPECT_EQ(sum, 1);
}

struct Expected {
  Indicator indicator;
  const char* action_id;
  const char* weight;  // percent
  std::optional<Direction> direction;
  TargetMode mode;
  const char* size;  // percent for relative goals, points otherwise
  const char* goal_text;
  const char* formula;
  const char* responsible;
  const char* entry_line;  // text that starts the indicator's entry in the file
};

constexpr const char* kAis =
    "Jefe División Atención Integral al Suscriptor - Auxiliares Atención AIS";
constexpr const char* kJefes = "Jefes Divisiones: AIS, Comercial, Medición y Control";

const Expected kTranscribed[] = {
    {Indicator::kOportunidadRespuesta, "objetivo", "30", Direction::kIncrease, TargetMode::kPoints,
     "1", "Aumentar en un 1 % la oportunidad de respuesta de los Derechos de Petición", "",
     "OSCAR MAURICIO PAZ", "- name: \"Oportunidad en la Respuestas"},
    {Indicator::kIndiceReclamacion, "1.1", "20", Direction::kDecrease, TargetMode::kRelative, "5",
     "Disminuir el Índice de Reclamación en un 5%",
     "[Promedio Reclamaciones del Año / Numero Total de Usuarios] * 100",
     "Jefe División Atención Integral al Suscriptor Responsables de Proceso", "- n: 1"},
    {Indicator::kPqrPendientes, "1.2", "10", Direction::kDecrease, TargetMode::kRelative, "40",
     "Reducir en un 40% el número de PQR pendientes de respuesta",
     "[PQR'S Pendientes de Respuesta / Total Reclamaciones] * 100", kAis, "- n: 2"},
    {Indicator::kPeticionesMalIngresadas, "1.2", "10", Direction::kDecrease, TargetMode::kRelative,
     "2.5", "Reducir en un 2.5% el tiempo de atención en visitas PQR",
     "[Peticiónes Mal Ingresadas / Total Peticiónes] * 100", kAis, "- n: 3"},
    {Indicator::kTiempoAtencionVisitas, "1.2", "0", Direction::kDecrease, TargetMode::kRelative,
     "2.5", "Reducir en un 2.5% el tiempo de atención en visitas PQR", "", kAis,
     "- indicator: tiempo_atencion_visitas"},
    {Indicator::kTiempoAtencionVentanilla, "1.2", "0", std::nullopt, TargetMode::kRelative, "0", "",
     "", kAis, "- indicator: tiempo_atencion_ventanilla"},
    {Indicator::kReformadosValor, "1.3", "15", Direction::kDecrease, TargetMode::kRelative, "3",
     "Disminuir en un 3% el valor de los reformados",
     "[Valor Reformados / Valor de la Facturación] * 100", kJefes, "- n: 4"},
    {Indicator::kReformadosCantidad, "1.3", "15", Direction::kDecrease, TargetMode::kRelative, "5",
     "Disminuir en un 5% el número de reformados", "[Total Reformados / N° Usuarios] * 100", kJefes,
     "- n: 5"},
};

TEST_F(CommittedPlan, IndicatorsAsTranscribed) {
  ASSERT_EQ(plan_->indicators.size(), std::size(kTranscribed));
  for (std::size_t k = 0; k < std::size(kTranscribed); ++k) {
    const Expected& x = kTranscribed[k];
    const PlanIndicator& p = plan_->indicators[k];
    SCOPED_TRACE(std::string(id_of(x.indicator)));
    EXPECT_EQ(p.indicator, x.indicator);
    EXPECT_EQ(plan_->find(x.indicator), &p);
    EXPECT_EQ(p.action_id, x.action_id);
    EXPECT_EQ(p.weight, pct(x.weight));
    ASSERT_EQ(p.goal.has_value(), x.direction.has_value());
    if (p.goal) {
      EXPECT_EQ(p.goal->direction, *x.direction);
      EXPECT_EQ(p.goal->mode, x.mode);
      const Rational size = x.mode == TargetMode::kRelative ? pct(x.size) : *parse_decimal(x.size);
      EXPECT_EQ(p.goal->size, size);
    }
    EXPECT_EQ(p.goal_text, x.goal_text);
    EXPECT_EQ(p.formula, x.formula);
    EXPECT_EQ(p.responsible, x.responsible);
    // Baselines: every indicator over the 2023 events, none fixed.
    EXPECT_FALSE(p.baseline.value);
    EXPECT_EQ(p.baseline.period, "2023");
    EXPECT_FALSE(p.name.empty());
    EXPECT_FALSE(p.action_text.empty());
    EXPECT_EQ(p.line, line_containing(text_, x.entry_line));
  }
}

TEST_F(CommittedPlan, NamesAndActionTextsAsWritten) {
  const PlanIndicator& o = entry_of(*plan_, Indicator::kOportunidadRespuesta);
  EXPECT_EQ(o.name, "Oportunidad en la Respuestas a Derechos de Petición");
  EXPECT_EQ(o.action_text, plan_->objective);
  EXPECT_EQ(entry_of(*plan_, Indicator::kIndiceReclamacion).action_text,
            "1.1 Disminuir las reclamaciones accedidas, generadas por errores en los procesos y "
            "procedimientos internos.");
  // Row N° 3 carries its own line in the ACCIONES PROGRAMADAS column.
  EXPECT_EQ(entry_of(*plan_, Indicator::kPeticionesMalIngresadas).action_text,
            "Mejorar el tiempo de atención de las visitas para resolver las PQR.");
  EXPECT_THAT(entry_of(*plan_, Indicator::kPqrPendientes).action_text,
              HasSubstr("Determinar el tiempo promedio de atención a usuarios en Ventanilla"));
  EXPECT_EQ(entry_of(*plan_, Indicator::kReformadosCantidad).action_text,
            entry_of(*plan_, Indicator::kReformadosValor).action_text);
}

// ---------------------------------------------------------------------------------
// A small valid plan; each test below breaks one thing in it.

constexpr std::string_view kMinimal = R"(id: TEST-2024
form: {code: F.PCO.021, version: "8.0"}
year: 2024
process: ATENCIÓN AL CLIENTE
responsible: {name: ANA}
baseline: {period: "2023"}
objective:
  text: OBJETIVO
  weight: 100%
  goals:
    - name: Oportunidad
      goal: Aumentar en 1 punto
      measures: oportunidad_respuesta
      indicator: oportunidad_respuesta
      weight: 30%
      target: {direction: aumentar, mode: puntos, size: 1}
actions:
  - id: "1.1"
    text: ACCION
    goals:
      - n: 1
        goal: Reducir en un 40% las PQR pendientes
        measures: pqr_pendientes
        indicator: pqr_pendientes
        weight: 70%
        months: 12
        schedule: {start: 18/01/2024, end: 31/12/2024}
        formula: "[Pendientes / Total] * 100"
        unit: "%"
        responsible: JEFE
        target: {direction: disminuir, mode: relativo, size: 40%}
    tracked:
      - indicator: tiempo_atencion_ventanilla
        unit: minutos
)";

// kMinimal with the first `from` replaced by `to`.
std::string edited(std::string_view from, std::string_view to) {
  std::string text(kMinimal);
  const auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

// `text` with `addition` inserted after the first `needle`.
std::string inserted(std::string text, std::string_view needle, std::string_view addition) {
  const auto pos = text.find(needle);
  EXPECT_NE(pos, std::string::npos) << needle;
  if (pos != std::string::npos) text.insert(pos + needle.size(), addition);
  return text;
}

// Asserts that loading `text` fails with exactly one error, containing `substring`,
// on the line that contains `line_text`.
void expect_only_error(const std::string& text, std::string_view substring,
                       std::string_view line_text) {
  const PlanLoad load = load_plan(text);
  EXPECT_FALSE(load.plan);
  const auto errors = of_severity(load, Severity::kError);
  ASSERT_EQ(errors.size(), 1u) << dump(load);
  EXPECT_THAT(errors[0].message, HasSubstr(std::string(substring)));
  const int line = line_containing(text, line_text);
  ASSERT_NE(line, 0) << line_text;
  EXPECT_EQ(errors[0].line, line) << errors[0].message;
}

TEST(LoadPlan, MinimalPlanLoadsClean) {
  const PlanLoad load = load_plan(kMinimal);
  ASSERT_TRUE(load.plan) << dump(load);
  EXPECT_TRUE(load.issues.empty()) << dump(load);
  ASSERT_EQ(load.plan->indicators.size(), 3u);
  const PlanIndicator& tracked = load.plan->indicators[2];
  EXPECT_EQ(tracked.weight, 0);
  EXPECT_FALSE(tracked.goal);
  EXPECT_EQ(tracked.name, "Tiempo de atención en ventanilla");  // default label
  EXPECT_EQ(tracked.responsible, "ANA");                        // plan's by default
  EXPECT_EQ(tracked.action_text, "ACCION");
}

TEST(LoadPlan, SyntaxErrorHasItsLine) {
  const std::string text = edited("weight: 70%", "weight: [70%");
  const PlanLoad load = load_plan(text);
  EXPECT_FALSE(load.plan);
  ASSERT_EQ(load.issues.size(), 1u) << dump(load);
  EXPECT_EQ(load.issues[0].severity, Severity::kError);
  EXPECT_THAT(load.issues[0].message, HasSubstr("YAML syntax error"));
  // yaml-cpp notices the unclosed flow sequence at the next line's key.
  EXPECT_EQ(load.issues[0].line, line_containing(text, "weight: [70%") + 1);
}

TEST(LoadPlan, BadIndentationIsASyntaxError) {
  const PlanLoad load = load_plan("id: X\nyear: 2024\n  process: P\n");
  ASSERT_EQ(load.issues.size(), 1u) << dump(load);
  EXPECT_THAT(load.issues[0].message, HasSubstr("YAML syntax error"));
  EXPECT_EQ(load.issues[0].line, 3);
}

TEST(LoadPlan, EmptyText) {
  const PlanLoad load = load_plan("");
  EXPECT_FALSE(load.plan);
  ASSERT_EQ(load.issues.size(), 1u);
  EXPECT_THAT(load.issues[0].message, HasSubstr("the plan is empty"));
}

TEST(LoadPlan, MissingRequiredFieldOfARow) {
  expect_only_error(edited("        formula: \"[Pendientes / Total] * 100\"\n", ""),
                    "goal N° 1 of action 1.1: missing required field 'formula'", "- n: 1");
}

TEST(LoadPlan, MissingRequiredTopLevelField) {
  expect_only_error(edited("process: ATENCIÓN AL CLIENTE\n", ""),
                    "plan: missing required field 'process'", "id: TEST-2024");
}

TEST(LoadPlan, EmptyField) {
  expect_only_error(edited("responsible: JEFE", "responsible:"),
                    "goal N° 1 of action 1.1: field 'responsible' is empty", "responsible:\n");
}

TEST(LoadPlan, UnknownFieldIsAnError) {
  // A misspelt optional field would otherwise be ignored silently.
  expect_only_error(
      edited("        unit: \"%\"", "        unit: \"%\"\n        baselin: {value: 3}"),
      "unknown field 'baselin'", "baselin:");
}

TEST(LoadPlan, WrongTypeWeightWithoutPercentSign) {
  expect_only_error(edited("weight: 70%", "weight: 0.7"),
                    "'weight' must be a percentage with a % sign, such as 30% or 2.5%, got '0.7'",
                    "weight: 0.7");
}

TEST(LoadPlan, WrongTypeMonths) {
  expect_only_error(edited("months: 12", "months: doce"),
                    "'months' must be a whole number, got 'doce'", "months: doce");
}

TEST(LoadPlan, WrongTypeGoalsNotAList) {
  const std::string text = edited(
      R"(    goals:
      - n: 1)",
      R"(    goals: ninguna
    old:
      - n: 1)");
  const PlanLoad load = load_plan(text);
  EXPECT_FALSE(load.plan);
  bool found = false;
  for (const auto& e : of_severity(load, Severity::kError)) {
    if (e.message == "action 1.1: 'goals' must be a list") {
      found = true;
      EXPECT_EQ(e.line, line_containing(text, "goals: ninguna"));
    }
  }
  EXPECT_TRUE(found) << dump(load);
}

TEST(LoadPlan, WrongTypeTextIsAMapping) {
  expect_only_error(edited("text: OBJETIVO", "text: {a: 1}"),
                    "objective: 'text' must be a single value, not a mapping", "text: {a: 1}");
}

TEST(LoadPlan, UnknownIndicatorId) {
  expect_only_error(edited("indicator: pqr_pendientes", "indicator: pqr_pendiente"),
                    "goal N° 1 of action 1.1: unknown indicator 'pqr_pendiente' in 'indicator' "
                    "(known: oportunidad_respuesta,",
                    "indicator: pqr_pendiente");
}

TEST(LoadPlan, UnknownMeasuresId) {
  expect_only_error(edited("measures: pqr_pendientes", "measures: visitas"),
                    "unknown indicator 'visitas' in 'measures'", "measures: visitas");
}

TEST(LoadPlan, DuplicateIndicator) {
  expect_only_error(edited("- indicator: tiempo_atencion_ventanilla\n        unit: minutos",
                           "- indicator: pqr_pendientes"),
                    "tracked indicator pqr_pendientes of action 1.1: indicator pqr_pendientes is "
                    "already in the plan at line 21 (goal N° 1 of action 1.1)",
                    "- indicator: pqr_pendientes");
}

TEST(LoadPlan, WeightsNotSummingTo100SayTheSum) {
  expect_only_error(edited("weight: 70%", "weight: 60%"),
                    "weights sum to 90% (30% + 60%), not 100%", "weight: 100%");
}

TEST(LoadPlan, WeightSumIsExactNotRounded) {
  // 100.000001 % would print as 100 % if the sum were rounded or summed in binary.
  expect_only_error(edited("weight: 70%", "weight: 70.000001%"),
                    "weights sum to 100.000001% (30% + 70.000001%)", "weight: 100%");
}

TEST(LoadPlan, WeightAbove100) {
  expect_only_error(edited("weight: 70%", "weight: 170%"),
                    "goal N° 1 of action 1.1: weight 170% is outside 0%..100%", "weight: 170%");
}

TEST(LoadPlan, NegativeWeight) {
  expect_only_error(edited("weight: 70%", "weight: -70%"), "weight -70% is outside 0%..100%",
                    "weight: -70%");
}

TEST(LoadPlan, ObjectiveWeightMustBe100) {
  // Reported once: the goal weights still sum to 100 %.
  expect_only_error(edited("weight: 100%", "weight: 90%"),
                    "objective: weight must be 100% (a plan has one objective), got 90%",
                    "weight: 90%");
}

TEST(LoadPlan, TrackedWithWeightButNoTarget) {
  const std::string text = edited("weight: 70%", "weight: 65%");
  expect_only_error(inserted(text, "unit: minutos", "\n        weight: 5%"),
                    "tracked indicator tiempo_atencion_ventanilla of action 1.1: has weight 5% but "
                    "no target",
                    "- indicator: tiempo_atencion_ventanilla");
}

TEST(LoadPlan, RelativeDecreaseOf100PercentIsImpossible) {
  expect_only_error(edited("size: 40%", "size: 100%"),
                    "target of goal N° 1 of action 1.1: a relative decrease of 100% is impossible",
                    "size: 100%");
}

TEST(LoadPlan, NegativeSize) {
  expect_only_error(edited("size: 40%", "size: -40%"), "size -40% is negative", "size: -40%");
}

TEST(LoadPlan, ZeroSizeOnAWeightedIndicator) {
  expect_only_error(edited("size: 40%", "size: 0%"),
                    "target of goal N° 1 of action 1.1: size 0 on an indicator weighted 70%",
                    "size: 0%");
}

TEST(LoadPlan, ZeroSizeOnATrackedIndicatorIsAllowed) {
  const std::string text =
      inserted(std::string(kMinimal), "unit: minutos",
               "\n        target: {direction: disminuir, mode: relativo, size: 0%}");
  const PlanLoad load = load_plan(text);
  ASSERT_TRUE(load.plan) << dump(load);
  EXPECT_EQ(load.plan->indicators[2].goal->size, 0);
}

TEST(LoadPlan, PointsSizeWithPercentSign) {
  expect_only_error(edited("size: 1}", "size: 1%}"),
                    "'size' must be a plain number, got '1%' (a points size is in the "
                    "indicator's unit: write 1, not 1%)",
                    "size: 1%}");
}

TEST(LoadPlan, FixedBaselinePushesPercentTargetAbove100) {
  expect_only_error(edited("      weight: 30%", "      weight: 30%\n      baseline: {value: 99.5}"),
                    "baseline of goal of the objective: with value 99.5 the target would be "
                    "100.5 %, above 100",
                    "baseline: {value: 99.5}");
}

TEST(LoadPlan, FixedBaselinePushesPercentTargetBelow0) {
  const std::string text = inserted(edited("mode: relativo, size: 40%", "mode: puntos, size: 3"),
                                    "unit: \"%\"", "\n        baseline: {value: 2}");
  expect_only_error(text,
                    "baseline of goal N° 1 of action 1.1: with value 2 the target would be -1 %, "
                    "below 0",
                    "baseline: {value: 2}");
}

TEST(LoadPlan, FixedPercentBaselineAbove100) {
  expect_only_error(edited("      weight: 30%", "      weight: 30%\n      baseline: {value: 120}"),
                    "value 120 is outside 0..100 %", "baseline: {value: 120}");
}

TEST(LoadPlan, FixedBaselineAndPeriodOverride) {
  const std::string text =
      inserted(edited("      weight: 30%", "      weight: 30%\n      baseline: {value: 92.5}"),
               "unit: \"%\"", "\n        baseline: {period: \"2023-06\"}");
  const PlanLoad load = load_plan(text);
  ASSERT_TRUE(load.plan) << dump(load);
  EXPECT_EQ(load.plan->indicators[0].baseline.value, Rational(185, 2));
  EXPECT_EQ(load.plan->indicators[0].baseline.period, "");
  EXPECT_FALSE(load.plan->indicators[1].baseline.value);
  EXPECT_EQ(load.plan->indicators[1].baseline.period, "2023-06");
  EXPECT_EQ(load.plan->indicators[2].baseline.period, "2023");  // the plan's default
}

TEST(LoadPlan, BaselineWithValueAndPeriod) {
  expect_only_error(edited("      weight: 30%",
                           "      weight: 30%\n      baseline: {value: 9, period: \"2023\"}"),
                    "give either 'value' or 'period', not both", "baseline: {value: 9");
}

TEST(LoadPlan, BaselinePeriodNotAYearOrMonth) {
  expect_only_error(edited("baseline: {period: \"2023\"}", "baseline: {period: \"2023-13\"}"),
                    "baseline of the plan: period '2023-13' must be a year \"AAAA\" or a month "
                    "\"AAAA-MM\"",
                    "2023-13");
}

TEST(LoadPlan, TargetWithoutAnyBaseline) {
  // No plan-level default; the action's goal brings its own, the objective's has none.
  const std::string text = inserted(edited("baseline: {period: \"2023\"}\n", ""), "unit: \"%\"",
                                    "\n        baseline: {value: 14.2}");
  expect_only_error(text, "goal of the objective: has a target but no baseline",
                    "- name: Oportunidad");
}

TEST(LoadPlan, ScheduleDateThatDoesNotExist) {
  expect_only_error(edited("start: 18/01/2024", "start: 30/02/2024"),
                    "schedule of goal N° 1 of action 1.1: 'start' '30/02/2024' is not a date",
                    "start: 30/02/2024");
}

TEST(LoadPlan, ScheduleEndBeforeStart) {
  expect_only_error(edited("end: 31/12/2024", "end: 17/01/2024"),
                    "end 2024-01-17 is before start 2024-01-18", "end: 17/01/2024");
}

TEST(LoadPlan, ScheduleOutsideThePlanYear) {
  expect_only_error(edited("end: 31/12/2024", "end: 2025-01-31"),
                    "schedule of goal N° 1 of action 1.1: end 2025-01-31 is outside the plan "
                    "year 2024",
                    "end: 2025-01-31");
}

TEST(LoadPlan, LegalTermsPerKind) {
  const PlanLoad load =
      load_plan(edited("baseline:", "legal_terms:\n  solicitud_informacion: 10\nbaseline:"));
  ASSERT_TRUE(load.plan) << dump(load);
  const auto& terms = load.plan->legal_terms;
  EXPECT_EQ(terms[static_cast<std::size_t>(PqrKind::kSolicitudInformacion)], 10);
  EXPECT_EQ(terms[static_cast<std::size_t>(PqrKind::kReclamo)], 15);
}

TEST(LoadPlan, LegalTermOutOfRange) {
  for (const char* days : {"0", "61", "quince"}) {
    SCOPED_TRACE(days);
    expect_only_error(
        edited("baseline:", std::string("legal_terms:\n  reclamo: ") + days + "\nbaseline:"),
        "legal_terms: the term for reclamo must be a whole number of business days "
        "in 1..60",
        "reclamo:");
  }
}

TEST(LoadPlan, LegalTermUnknownKind) {
  expect_only_error(edited("baseline:", "legal_terms:\n  tutela: 10\nbaseline:"),
                    "legal_terms: unknown PQR kind 'tutela' (known: peticion, queja,",
                    "tutela: 10");
}

TEST(LoadPlan, UnitThatDoesNotMatchTheIndicator) {
  expect_only_error(edited("unit: minutos", "unit: horas"),
                    "unit 'horas' does not match tiempo_atencion_ventanilla, which is in minutos",
                    "unit: horas");
}

TEST(LoadPlan, MeasuresMismatchIsAWarningFromData) {
  const std::string text = edited("measures: pqr_pendientes", "measures: tiempo_atencion_visitas");
  const PlanLoad load = load_plan(text);
  ASSERT_TRUE(load.plan) << dump(load);
  ASSERT_EQ(load.issues.size(), 1u) << dump(load);
  EXPECT_EQ(load.issues[0].severity, Severity::kWarning);
  EXPECT_EQ(load.issues[0].message,
            "goal N° 1 of action 1.1 \"Reducir en un 40% las PQR pendientes\" measures "
            "tiempo_atencion_visitas, but its formula \"[Pendientes / Total] * 100\" computes "
            "pqr_pendientes, which is weighted (70%) instead; tiempo_atencion_visitas is not in "
            "the plan");
  EXPECT_EQ(load.issues[0].line, line_containing(text, "measures: tiempo_atencion_visitas"));
}

TEST(LoadPlan, SeveralErrorsAreAllReportedInLineOrder) {
  std::string text = edited("indicator: pqr_pendientes", "indicator: nada");
  text.replace(text.find("version: \"8.0\""), 14, "versión: \"8.0\"");
  const PlanLoad load = load_plan(text);
  EXPECT_FALSE(load.plan);
  const auto errors = of_severity(load, Severity::kError);
  ASSERT_EQ(errors.size(), 3u) << dump(load);
  EXPECT_EQ(errors[0].line, 2);  // unknown 'versión', missing 'version'
  EXPECT_EQ(errors[1].line, 2);
  EXPECT_EQ(errors[2].line, line_containing(text, "indicator: nada"));
}

}  // namespace
}  // namespace pqrflow::core
