// evaluate() and score_plan() against cases computed by hand from domain.md
// "Compliance" and docs/semantics.md; every figure is exact (Rational).
#include "core/compliance.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace pqrflow::core {
namespace {

Rational dec(std::string_view text) {
  return *parse_decimal(text);
}

Goal decrease_relative(std::string_view percent) {
  return {Direction::kDecrease, TargetMode::kRelative, dec(percent) / 100};
}
Goal increase_relative(std::string_view percent) {
  return {Direction::kIncrease, TargetMode::kRelative, dec(percent) / 100};
}
Goal decrease_points(std::string_view points) {
  return {Direction::kDecrease, TargetMode::kPoints, dec(points)};
}
Goal increase_points(std::string_view points) {
  return {Direction::kIncrease, TargetMode::kPoints, dec(points)};
}

TEST(StatusCode, WireNames) {
  EXPECT_EQ(status_code(Status::kCumplida), "cumplida");
  EXPECT_EQ(status_code(Status::kEnCurso), "en_curso");
  EXPECT_EQ(status_code(Status::kEnRiesgo), "en_riesgo");
  EXPECT_EQ(status_code(Status::kSinDatos), "sin_datos");
}

// pqr_pendientes, action 1.2: baseline 14.2 %, decrease 40 % →
// target 14.2 × 0.6 = 8.52; value 11.98 → (14.2 − 11.98) / (14.2 − 8.52) = 2.22 / 5.68
// = 222/568 = 111/284 ≈ 0.3908450704.
TEST(Evaluate, RelativeDecrease) {
  const Compliance c = evaluate(dec("11.98"), dec("14.2"), decrease_relative("40"), dec("0.1"));
  ASSERT_TRUE(c.target && c.achievement && c.weighted_score);
  EXPECT_EQ(*c.target, dec("8.52"));
  EXPECT_EQ(*c.achievement, Rational(222, 568));
  EXPECT_EQ(format_decimal(*c.achievement, 10), "0.3908450704");
  EXPECT_EQ(*c.weighted_score, Rational(111, 2840));  // × weight 10 %
  EXPECT_EQ(c.status, Status::kEnCurso);
}

// Baseline 80, increase 5 % → target 84; value 82 → (82 − 80) / (84 − 80) = 1/2.
TEST(Evaluate, RelativeIncrease) {
  const Compliance c = evaluate(dec("82"), dec("80"), increase_relative("5"), dec("0.2"));
  EXPECT_EQ(c.target, dec("84"));
  EXPECT_EQ(c.achievement, Rational(1, 2));
  EXPECT_EQ(c.weighted_score, Rational(1, 10));
  EXPECT_EQ(c.status, Status::kEnCurso);
}

// oportunidad_respuesta, the objective: baseline 92.5 %, +1 point → 93.5;
// value 93.25 → 0.75 / 1 = 3/4; × 30 % = 0.225.
TEST(Evaluate, PointsIncrease) {
  const Compliance c = evaluate(dec("93.25"), dec("92.5"), increase_points("1"), dec("0.3"));
  EXPECT_EQ(c.target, dec("93.5"));
  EXPECT_EQ(c.achievement, Rational(3, 4));
  EXPECT_EQ(c.weighted_score, dec("0.225"));
  EXPECT_EQ(c.status, Status::kEnCurso);
}

// Baseline 10, −2 points → 8; value 9.5 → 0.5 / 2 = 1/4.
TEST(Evaluate, PointsDecrease) {
  const Compliance c = evaluate(dec("9.5"), dec("10"), decrease_points("2"), dec("0.15"));
  EXPECT_EQ(c.target, dec("8"));
  EXPECT_EQ(c.achievement, Rational(1, 4));
  EXPECT_EQ(c.weighted_score, dec("0.0375"));
  EXPECT_EQ(c.status, Status::kEnCurso);
}

// Better than the target: (14.2 − 5) / 5.68 > 1, clamped to 1 → cumplida.
TEST(Evaluate, AchievementClampedAtOne) {
  const Compliance c = evaluate(dec("5"), dec("14.2"), decrease_relative("40"), dec("0.1"));
  EXPECT_EQ(c.achievement, 1);
  EXPECT_EQ(c.weighted_score, dec("0.1"));
  EXPECT_EQ(c.status, Status::kCumplida);
}

// Worse than the baseline: (14.2 − 15) / 5.68 < 0, clamped to 0 → en_riesgo.
TEST(Evaluate, AchievementClampedAtZeroAndAtRisk) {
  const Compliance c = evaluate(dec("15"), dec("14.2"), decrease_relative("40"), dec("0.1"));
  EXPECT_EQ(c.target, dec("8.52"));
  EXPECT_EQ(c.achievement, 0);
  EXPECT_EQ(c.weighted_score, 0);
  EXPECT_EQ(c.status, Status::kEnRiesgo);
}

// An increase goal is at risk when the value falls below the baseline.
TEST(Evaluate, IncreaseBelowBaselineIsAtRisk) {
  const Compliance c = evaluate(dec("92"), dec("92.5"), increase_points("1"), dec("0.3"));
  EXPECT_EQ(c.achievement, 0);
  EXPECT_EQ(c.status, Status::kEnRiesgo);
}

// Still at the baseline: no progress, but not worse → en_curso.
TEST(Evaluate, AtTheBaselineIsInProgress) {
  const Compliance c = evaluate(dec("14.2"), dec("14.2"), decrease_relative("40"), dec("0.1"));
  EXPECT_EQ(c.achievement, 0);
  EXPECT_EQ(c.status, Status::kEnCurso);
}

TEST(Evaluate, ExactlyAtTargetIsMet) {
  const Compliance c = evaluate(dec("8.52"), dec("14.2"), decrease_relative("40"), dec("0.1"));
  EXPECT_EQ(c.achievement, 1);
  EXPECT_EQ(c.status, Status::kCumplida);
  const Compliance up = evaluate(dec("93.5"), dec("92.5"), increase_points("1"), dec("0.3"));
  EXPECT_EQ(up.achievement, 1);
  EXPECT_EQ(up.status, Status::kCumplida);
}

TEST(Evaluate, NoBaselineIsSinDatos) {
  const Compliance c = evaluate(dec("11.98"), std::nullopt, decrease_relative("40"), dec("0.1"));
  EXPECT_FALSE(c.target);
  EXPECT_FALSE(c.achievement);
  EXPECT_FALSE(c.weighted_score);
  EXPECT_EQ(c.status, Status::kSinDatos);
}

// Without a value the target is still known (it depends on the baseline only).
TEST(Evaluate, NoValueIsSinDatosWithTarget) {
  const Compliance c = evaluate(std::nullopt, dec("14.2"), decrease_relative("40"), dec("0.1"));
  EXPECT_EQ(c.target, dec("8.52"));
  EXPECT_FALSE(c.achievement);
  EXPECT_FALSE(c.weighted_score);
  EXPECT_EQ(c.status, Status::kSinDatos);
}

// A tracked indicator without a goal (tiempo_atencion_ventanilla).
TEST(Evaluate, NoGoalIsSinDatos) {
  const Compliance c = evaluate(dec("12.5"), dec("14"), std::nullopt, 0);
  EXPECT_FALSE(c.target);
  EXPECT_FALSE(c.achievement);
  EXPECT_FALSE(c.weighted_score);
  EXPECT_EQ(c.status, Status::kSinDatos);
}

// A zero baseline with a relative goal gives target = baseline = 0: the goal is met
// (achievement 1) or not (0), without dividing by b − t = 0.
TEST(Evaluate, BaselineEqualToTarget) {
  const Compliance met = evaluate(dec("0"), dec("0"), decrease_relative("40"), dec("0.1"));
  EXPECT_EQ(met.target, 0);
  EXPECT_EQ(met.achievement, 1);
  EXPECT_EQ(met.status, Status::kCumplida);

  const Compliance missed = evaluate(dec("2"), dec("0"), decrease_relative("40"), dec("0.1"));
  EXPECT_EQ(missed.target, 0);
  EXPECT_EQ(missed.achievement, 0);
  EXPECT_EQ(missed.weighted_score, 0);
  EXPECT_EQ(missed.status, Status::kEnRiesgo);

  const Compliance up = evaluate(dec("0"), dec("0"), increase_relative("5"), dec("0.2"));
  EXPECT_EQ(up.target, 0);
  EXPECT_EQ(up.achievement, 1);
  EXPECT_EQ(up.status, Status::kCumplida);
}

TEST(TargetOf, AllFourShapes) {
  EXPECT_EQ(target_of(dec("14.2"), decrease_relative("40")), dec("8.52"));
  EXPECT_EQ(target_of(dec("80"), increase_relative("5")), dec("84"));
  EXPECT_EQ(target_of(dec("92.5"), increase_points("1")), dec("93.5"));
  EXPECT_EQ(target_of(dec("10"), decrease_points("2")), dec("8"));
}

// ---------------------------------------------------------------------------------
// score_plan

WeightedCompliance part(std::string_view weight, std::optional<Rational> value,
                        std::optional<Rational> baseline, std::optional<Goal> goal) {
  const Rational w = dec(weight);
  return {w, evaluate(value, baseline, goal, w)};
}

// The plan's weights: 30 / 20 / 10 / 10 / 15 / 15 %, tracked at 0.
// Covered: oportunidad met (1 × 0.3), indice_reclamacion half-way (0.5 × 0.2),
// pqr_pendientes 111/284 × 0.1. The other three have no data.
// Σ weighted = 0.3 + 0.1 + 111/2840 = 1247/2840; score = 100 × that = 6235/142 ≈ 43.908.
std::vector<WeightedCompliance> partial_plan() {
  return {
      part("0.3", dec("94"), dec("92.5"), increase_points("1")),         // 1, cumplida
      part("0.2", dec("0.975"), dec("1"), decrease_relative("5")),       // 0.5
      part("0.1", dec("11.98"), dec("14.2"), decrease_relative("40")),   // 111/284
      part("0.1", std::nullopt, dec("3"), decrease_relative("2.5")),     // no value
      part("0.15", dec("1.2"), std::nullopt, decrease_relative("3")),    // no baseline
      part("0.15", std::nullopt, std::nullopt, decrease_relative("5")),  // nothing
      part("0", dec("30"), dec("20"), decrease_relative("2.5")),         // tracked, worse
      part("0", dec("12"), std::nullopt, std::nullopt),                  // tracked, no goal
  };
}

TEST(ScorePlan, PartialCoverage) {
  const auto parts = partial_plan();
  const PlanScore s = score_plan(parts);
  EXPECT_EQ(s.covered_weight, dec("0.6"));
  EXPECT_EQ(s.score, Rational(6235, 142));
  EXPECT_EQ(format_decimal(s.score, 6), "43.908451");
  // Nothing weighted is at risk (the tracked one is ignored), not everything is met.
  EXPECT_EQ(s.status, Status::kEnCurso);
}

TEST(ScorePlan, AnyWeightedIndicatorAtRiskPutsThePlanAtRisk) {
  auto parts = partial_plan();
  parts[1] = part("0.2", dec("1.1"), dec("1"), decrease_relative("5"));  // worse than baseline
  const PlanScore s = score_plan(parts);
  EXPECT_EQ(s.covered_weight, dec("0.6"));
  EXPECT_EQ(s.score, Rational(100) * (dec("0.3") + Rational(111, 2840)));
  EXPECT_EQ(s.status, Status::kEnRiesgo);
}

TEST(ScorePlan, MetOnlyWhenEveryWeightedIndicatorIsMet) {
  std::vector<WeightedCompliance> parts = {
      part("0.3", dec("94"), dec("92.5"), increase_points("1")),
      part("0.7", dec("8"), dec("14.2"), decrease_relative("40")),
      part("0", dec("30"), dec("20"), decrease_relative("2.5")),  // tracked: ignored
  };
  PlanScore s = score_plan(parts);
  EXPECT_EQ(s.covered_weight, 1);
  EXPECT_EQ(s.score, 100);
  EXPECT_EQ(s.status, Status::kCumplida);

  // The covered ones all met but one weighted indicator without data: not cumplida.
  parts.push_back(part("0.1", std::nullopt, dec("3"), decrease_relative("2.5")));
  s = score_plan(parts);
  EXPECT_EQ(s.covered_weight, 1);
  EXPECT_EQ(s.status, Status::kEnCurso);
}

TEST(ScorePlan, NothingCoveredIsSinDatos) {
  const std::vector<WeightedCompliance> parts = {
      part("0.3", std::nullopt, dec("92.5"), increase_points("1")),
      part("0.7", dec("8"), std::nullopt, decrease_relative("40")),
      part("0", dec("30"), dec("20"), decrease_relative("2.5")),
  };
  const PlanScore s = score_plan(parts);
  EXPECT_EQ(s.covered_weight, 0);
  EXPECT_EQ(s.score, 0);
  EXPECT_EQ(s.status, Status::kSinDatos);
  EXPECT_EQ(score_plan({}).status, Status::kSinDatos);
}

}  // namespace
}  // namespace pqrflow::core
