// `pqrflow replay --plan FILE [--as-of T] [--rejects FILE] FILE.jsonl...`: the whole
// core in-process over raw files; BI rows (JSON lines) on stdout, a summary of
// rejected records on stderr.
#include <boost/program_options.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/files.hpp"
#include "cli/options.hpp"
#include "cli/plan_loading.hpp"
#include "core/replay.hpp"

namespace po = boost::program_options;

namespace pqrflow::cli {
namespace {

void print_summary(const core::ReplayCounts& c, const std::optional<core::Instant>& as_of) {
  std::cerr << "replay: " << c.records << " records, " << c.accepted << " accepted, " << c.rejected
            << " rejected";
  if (c.after_as_of > 0) std::cerr << ", " << c.after_as_of << " after as-of (ignored)";
  std::cerr << "\n";
  for (std::size_t r = 0; r < c.by_reason.size(); ++r) {
    if (c.by_reason[r] == 0) continue;
    std::cerr << "  rejected " << core::reason_code(static_cast<core::RejectReason>(r)) << ": "
              << c.by_reason[r] << "\n";
  }
  if (as_of) std::cerr << "  as of " << core::format_local(*as_of) << "\n";
}

}  // namespace

int run_replay(const Args& args) {
  po::options_description options(
      "Usage: pqrflow replay --plan FILE [--as-of T] [--rejects FILE] FILE...\n\n"
      "Runs decode → state → indicators → compliance in-process over raw records and prints\n"
      "BI rows (design.md §5) as JSON lines on stdout, one per indicator × scope × period plus\n"
      "plan_score. FILE is JSON lines ('-' = stdin), or varint-delimited canonical protobuf\n"
      "events when it ends in .pb. Rejected records are summarised on stderr by reason.\n\n"
      "Options");
  std::string plan_path, as_of_text, rejects_path;
  std::vector<std::string> files;
  options.add_options()("help,h", "show this help")(
      "plan", po::value(&plan_path)->value_name("FILE"), "action plan (YAML), required")(
      "as-of", po::value(&as_of_text)->value_name("T"),
      "RFC 3339 instant; events after it are ignored (default: the latest event time)")(
      "rejects", po::value(&rejects_path)->value_name("FILE"),
      "write every rejected record as a JSON line {file, line, reason, detail, record}")(
      "files", po::value(&files)->composing(), "input files");
  po::positional_options_description positional;
  positional.add("files", -1);
  po::variables_map vm;
  if (const auto exit = parse_command_line("replay", args, options, &positional, &vm)) return *exit;
  if (plan_path.empty() || files.empty()) {
    std::cerr << "pqrflow replay: --plan FILE and at least one input FILE are required\n";
    return 2;
  }
  std::optional<core::Instant> as_of;
  if (!as_of_text.empty()) {
    std::string why;
    as_of = core::parse_rfc3339(as_of_text, &why);
    if (!as_of) {
      std::cerr << "pqrflow replay: --as-of: " << why << "\n";
      return 2;
    }
  }
  const std::optional<core::Plan> plan = load_plan_file(plan_path, std::cerr, false);
  if (!plan) return 2;

  core::Replayer replayer(*plan, as_of);
  std::ofstream rejects;
  if (!rejects_path.empty()) {
    rejects.open(rejects_path);
    if (!rejects) {
      std::cerr << "pqrflow replay: --rejects: cannot write " << rejects_path << "\n";
      return 2;
    }
  }
  std::string current_file;
  std::int64_t current_line = 0;
  if (rejects.is_open()) {
    replayer.on_reject([&](std::string_view, std::string_view record, const core::Rejection& why) {
      std::string line = "{\"file\":";
      core::append_json_string(&line, current_file);
      line += ",\"line\":" + std::to_string(current_line) + ",\"reason\":";
      core::append_json_string(&line, core::reason_code(why.reason));
      line += ",\"detail\":";
      core::append_json_string(&line, why.detail);
      line += ",\"record\":";
      core::append_json_string(&line, record);
      line += "}\n";
      rejects << line;
    });
  }
  for (const std::string& file : files) {
    current_file = file;
    std::string error;
    bool ok = false;
    if (file.ends_with(".pb")) {
      ok = for_each_delimited(
          file,
          [&](std::string_view record, std::int64_t index) {
            current_line = index;
            replayer.feed_protobuf(record);
          },
          &error);
    } else {
      ok = for_each_line(
          file,
          [&](std::string_view line, std::int64_t number) {
            if (line.find_first_not_of(" \t") == std::string_view::npos) return;  // blank
            current_line = number;
            replayer.feed_json(line);
          },
          &error);
    }
    if (!ok) {
      std::cerr << "pqrflow replay: " << error << "\n";
      return 2;
    }
  }
  std::string out;
  for (const core::BiRow& row : replayer.rows()) {
    out += core::to_json(row);
    out += '\n';
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  print_summary(replayer.counts(), replayer.as_of());
  return 0;
}

}  // namespace pqrflow::cli
