// The action plan as data (design.md §7): objective, actions, goals, indicators,
// weights, schedule, responsible, baselines and per-kind legal terms, loaded from
// YAML text (plans/f-pco-021-2024.yaml). Loading is pure: text in, Plan or issues out.
//
//   PlanLoad load = load_plan(text);
//   for (const PlanIssue& i : load.issues) std::cerr << "line " << i.line << ": " << i.message;
//   if (load.plan) … load.plan->indicators[0].goal->size …
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/exact.hpp"
#include "core/indicator.hpp"
#include "core/time.hpp"
#include "core/vocabulary.hpp"

namespace pqrflow::core {

enum class Direction : std::uint8_t { kIncrease, kDecrease };
// Relative: target = baseline·(1 ± size). Points: target = baseline ± size.
enum class TargetMode : std::uint8_t { kRelative, kPoints };

struct Goal {
  Direction direction = Direction::kDecrease;
  TargetMode mode = TargetMode::kRelative;
  Rational size;  // relative: a fraction (5 % → 1/20); points: in the indicator's unit
};

// Either a fixed value (in the indicator's unit) or the same indicator computed over
// a baseline period of the events ("2023" = that year, "2023-06" = that month).
struct BaselineSpec {
  std::optional<Rational> value;
  std::string period;
};

struct PlanIndicator {
  Indicator indicator = Indicator::kOportunidadRespuesta;
  std::string name;          // the plan's label (Spanish)
  std::string action_id;     // "objetivo", "1.1", "1.2", "1.3"
  std::string action_text;   // the action as written in the plan
  std::string goal_text;     // the goal (meta) as written in the plan
  std::string formula;       // the formula as written in the plan
  std::optional<Goal> goal;  // nullopt: tracked without a target
  Rational weight;           // 0..1 of the plan; 0 for tracked indicators
  BaselineSpec baseline;
  std::string responsible;
  int line = 0;  // line of its entry in the plan file
};

struct Plan {
  std::string id;            // "F.PCO.021-2024"
  std::string form;          // "F.PCO.021"
  std::string form_version;  // "8.0"
  std::string process;       // "ATENCIÓN AL CLIENTE"
  std::string responsible;
  int year = 0;  // the plan year; compliance is year to date of it
  Date schedule_start;
  Date schedule_end;
  std::string objective;                  // the institutional objective as written
  std::vector<PlanIndicator> indicators;  // weighted and tracked, plan order
  // Legal term in business days per PQR kind (index = PqrKind); 15 by default.
  std::array<int, 8> legal_terms{15, 15, 15, 15, 15, 15, 15, 15};

  const PlanIndicator* find(Indicator i) const {
    for (const auto& p : indicators) {
      if (p.indicator == i) return &p;
    }
    return nullptr;
  }
};

struct PlanIssue {
  enum class Severity : std::uint8_t { kError, kWarning };
  Severity severity = Severity::kError;
  int line = 0;  // 1-based line in the file; 0 when not tied to a line
  std::string message;
};

struct PlanLoad {
  std::optional<Plan> plan;  // set when there is no error (warnings allowed)
  std::vector<PlanIssue> issues;
};

// Parses and validates a plan. Errors: YAML syntax, missing fields, unknown indicator
// ids, weights not summing to 100 %, impossible targets. Warnings: goal/formula
// mismatches such as the seed's row 1.2.
PlanLoad load_plan(std::string_view yaml_text);

}  // namespace pqrflow::core
