#include "core/compliance.hpp"

#include <algorithm>

namespace pqrflow::core {

std::string_view status_code(Status s) {
  switch (s) {
    case Status::kCumplida:
      return "cumplida";
    case Status::kEnCurso:
      return "en_curso";
    case Status::kEnRiesgo:
      return "en_riesgo";
    case Status::kSinDatos:
      return "sin_datos";
  }
  return "sin_datos";
}

std::optional<Rational> target_of(const Rational& baseline, const Goal& goal) {
  const Rational sign = goal.direction == Direction::kIncrease ? Rational(1) : Rational(-1);
  if (goal.mode == TargetMode::kRelative) return baseline * (Rational(1) + sign * goal.size);
  return baseline + sign * goal.size;
}

Compliance evaluate(const std::optional<Rational>& value, const std::optional<Rational>& baseline,
                    const std::optional<Goal>& goal, const Rational& weight) {
  Compliance out;
  if (!baseline || !goal) return out;
  out.target = target_of(*baseline, *goal);
  if (!value) return out;
  const Rational& b = *baseline;
  const Rational& t = *out.target;
  const Rational& v = *value;
  const bool decrease = goal->direction == Direction::kDecrease;
  Rational achievement;
  if (b == t) {
    // A goal of size 0 (or a relative goal on a zero baseline): met or not.
    achievement = (decrease ? v <= t : v >= t) ? 1 : 0;
  } else {
    achievement = decrease ? (b - v) / (b - t) : (v - b) / (t - b);
    achievement = std::clamp(achievement, Rational(0), Rational(1));
  }
  out.achievement = achievement;
  out.weighted_score = achievement * weight;
  const bool worse = decrease ? v > b : v < b;
  if (achievement == 1) {
    out.status = Status::kCumplida;
  } else if (worse) {
    out.status = Status::kEnRiesgo;
  } else {
    out.status = Status::kEnCurso;
  }
  return out;
}

PlanScore score_plan(std::span<const WeightedCompliance> parts) {
  PlanScore out;
  Rational sum = 0;
  bool any_risk = false;
  bool all_met = true;
  for (const auto& p : parts) {
    if (p.weight == 0) continue;
    if (!p.compliance.achievement) {
      all_met = false;
      continue;
    }
    out.covered_weight += p.weight;
    sum += *p.compliance.weighted_score;
    any_risk = any_risk || p.compliance.status == Status::kEnRiesgo;
    all_met = all_met && p.compliance.status == Status::kCumplida;
  }
  out.score = sum * 100;
  if (out.covered_weight == 0) {
    out.status = Status::kSinDatos;
  } else if (all_met) {
    out.status = Status::kCumplida;
  } else if (any_risk) {
    out.status = Status::kEnRiesgo;
  } else {
    out.status = Status::kEnCurso;
  }
  return out;
}

}  // namespace pqrflow::core
