// `pqrflow plan check FILE [--json]`: validates an action plan and prints its
// indicators, weights and targets (or the plan as JSON for other tools).
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/plan_loading.hpp"
#include "core/bi.hpp"
#include "core/exact.hpp"

namespace pqrflow::cli {
namespace {

std::string percent(const core::Rational& fraction) {
  return core::format_decimal(fraction * 100, 4) + " %";
}

std::string describe_goal(const core::PlanIndicator& p) {
  if (!p.goal) return "tracked, no target";
  const core::Goal& g = *p.goal;
  std::string out = g.direction == core::Direction::kIncrease ? "increase " : "decrease ";
  if (g.mode == core::TargetMode::kRelative) {
    out += percent(g.size) + " (relative)";
  } else {
    const core::Unit unit = core::info(p.indicator).unit;
    out += core::format_decimal(g.size, 4) + (unit == core::Unit::kPercent
                                                  ? std::string(" point(s)")
                                                  : " " + std::string(core::unit_symbol(unit)));
  }
  return out;
}

std::string describe_baseline(const core::PlanIndicator& p) {
  if (p.baseline.value) return core::format_decimal(*p.baseline.value, 6);
  return "computed over " + p.baseline.period;
}

void print_table(const core::Plan& plan) {
  std::cout << plan.id << " — " << plan.process << ", year " << plan.year << ", schedule "
            << core::format_date(plan.schedule_start) << ".."
            << core::format_date(plan.schedule_end) << "\nresponsible: " << plan.responsible
            << "\n\n";
  std::cout << std::left << std::setw(10) << "row" << std::setw(28) << "indicator" << std::setw(11)
            << "weight" << std::setw(34) << "goal"
            << "baseline\n";
  core::Rational total = 0;
  for (const core::PlanIndicator& p : plan.indicators) {
    total += p.weight;
    std::cout << std::left << std::setw(10) << p.action_id << std::setw(28)
              << core::id_of(p.indicator) << std::setw(11) << percent(p.weight) << std::setw(34)
              << describe_goal(p) << describe_baseline(p) << "\n";
  }
  std::cout << "\nweights: " << percent(total) << "\nlegal terms (business days):";
  for (std::size_t k = 1; k < plan.legal_terms.size(); ++k) {
    std::cout << " " << core::kPqrKindNames[k] << "=" << plan.legal_terms[k];
  }
  std::cout << "\n";
}

void print_json(const core::Plan& plan) {
  std::string out = "{\"id\":";
  core::append_json_string(&out, plan.id);
  out += ",\"year\":" + std::to_string(plan.year) + ",\"legal_terms\":{";
  for (std::size_t k = 1; k < plan.legal_terms.size(); ++k) {
    if (k > 1) out += ",";
    core::append_json_string(&out, core::kPqrKindNames[k]);
    out += ":" + std::to_string(plan.legal_terms[k]);
  }
  out += "},\"indicators\":[";
  bool first = true;
  for (const core::PlanIndicator& p : plan.indicators) {
    if (!first) out += ",";
    first = false;
    out += "{\"id\":";
    core::append_json_string(&out, core::id_of(p.indicator));
    out += ",\"name\":";
    core::append_json_string(&out, p.name);
    out += ",\"weight\":";
    core::append_json_string(&out, core::format_decimal(p.weight, 12));
    out += ",\"goal\":";
    if (p.goal) {
      out += "{\"direction\":";
      core::append_json_string(
          &out, p.goal->direction == core::Direction::kIncrease ? "increase" : "decrease");
      out += ",\"mode\":";
      core::append_json_string(&out,
                               p.goal->mode == core::TargetMode::kRelative ? "relative" : "points");
      out += ",\"size\":";
      core::append_json_string(&out, core::format_decimal(p.goal->size, 12));
      out += "}";
    } else {
      out += "null";
    }
    out += ",\"baseline\":";
    if (p.baseline.value) {
      out += "{\"value\":";
      core::append_json_string(&out, core::format_decimal(*p.baseline.value, 12));
      out += "}";
    } else {
      out += "{\"period\":";
      core::append_json_string(&out, p.baseline.period);
      out += "}";
    }
    out += "}";
  }
  out += "]}";
  std::cout << out << "\n";
}

}  // namespace

int run_plan(const Args& args) {
  const bool help = !args.empty() && (args[0] == "--help" || args[0] == "-h");
  if (help || args.size() < 2 || args[0] != "check") {
    (help ? std::cout : std::cerr)
        << "Usage: pqrflow plan check FILE [--json]\n\nValidates an action plan (YAML): weights "
           "sum to 100 %, known indicator ids, sane targets, schedule and legal terms. Errors "
           "and warnings name the line. Prints the indicators, weights, goals and baselines, or "
           "with --json the plan as JSON. Exit 0 valid (warnings allowed), 1 invalid.\n";
    return help ? 0 : 2;
  }
  bool json = false;
  for (std::size_t i = 2; i < args.size(); ++i) {
    if (args[i] == "--json") {
      json = true;
    } else {
      std::cerr << "pqrflow plan check: unexpected argument '" << args[i] << "'\n";
      return 2;
    }
  }
  const std::optional<core::Plan> plan = load_plan_file(args[1], std::cerr);
  if (!plan) return 1;
  if (json) {
    print_json(*plan);
  } else {
    print_table(*plan);
  }
  return 0;
}

}  // namespace pqrflow::cli
