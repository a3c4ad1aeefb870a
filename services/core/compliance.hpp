// Compliance of indicators against the plan (domain.md "Compliance"): target from the
// baseline and the goal, achievement clamped to 0..1, weighted score, status, and the
// plan score with the weight actually covered by data.
//
//   baseline 14.2, decrease 40 % relative → target 8.52; value 11.98 → achievement ≈ 0.39
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "core/exact.hpp"
#include "core/plan.hpp"

namespace pqrflow::core {

enum class Status : std::uint8_t { kCumplida, kEnCurso, kEnRiesgo, kSinDatos };
std::string_view status_code(Status s);  // "cumplida", "en_curso", "en_riesgo", "sin_datos"

struct Compliance {
  std::optional<Rational> target;          // needs baseline and goal
  std::optional<Rational> achievement;     // needs target and value; 0..1
  std::optional<Rational> weighted_score;  // achievement × weight
  Status status = Status::kSinDatos;
};

std::optional<Rational> target_of(const Rational& baseline, const Goal& goal);

Compliance evaluate(const std::optional<Rational>& value, const std::optional<Rational>& baseline,
                    const std::optional<Goal>& goal, const Rational& weight);

struct PlanScore {
  Rational score;           // 100 × Σ weighted_score
  Rational covered_weight;  // Σ weight of weighted indicators with an achievement
  Status status = Status::kSinDatos;
};

struct WeightedCompliance {
  Rational weight;
  Compliance compliance;
};
PlanScore score_plan(std::span<const WeightedCompliance> parts);

}  // namespace pqrflow::core
