// `pqrflow export sui --period YYYY-MM (--checkpoint-dir DIR | --raw FILE…)`: the monthly PQR
// report for the SSPD's SUI (Formato A) from the per-ticket state — the metrics service's
// checkpoints, or raw files replayed in-process when no service runs. Mapping of kinds and
// outcomes to SUI codes, and what the contract lacks: docs/sui-export.md.
#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/files.hpp"
#include "cli/options.hpp"
#include "core/contract.hpp"
#include "core/state.hpp"
#include "integrations/sui_report.hpp"
#include "pqrflow/v1/checkpoint.pb.h"
#include "runtime/checkpoint_store.hpp"

namespace po = boost::program_options;

namespace pqrflow::cli {
namespace {

// Every metrics shard checkpoint of the directory into *set. false with *error when the
// directory has none or one cannot be read: a partial report must not pass for a whole.
bool read_checkpoints(const std::string& dir, integrations::SuiTicketSet* set, std::string* error) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string file = entry.path().filename().string();
    if (file.rfind("metrics-", 0) == 0 && file.ends_with(".ckpt"))
      names.push_back(file.substr(0, file.size() - 5));
  }
  if (ec) {
    *error = "--checkpoint-dir " + dir + ": " + ec.message();
    return false;
  }
  if (names.empty()) {
    *error = "--checkpoint-dir " + dir +
             ": no metrics checkpoints (metrics-*.ckpt); is it pqrflow-metrics' --checkpoint-dir?";
    return false;
  }
  std::sort(names.begin(), names.end());
  runtime::CheckpointStore store(dir);
  std::int64_t watermark = 0, oldest_write = 0;
  for (const std::string& name : names) {
    const std::optional<std::string> payload = store.read(name, error);
    if (!payload) {
      if (error->empty()) *error = "checkpoint " + name + " disappeared while reading";
      return false;
    }
    pqrflow::v1::ShardCheckpoint ckpt;
    if (!ckpt.ParseFromString(*payload)) {
      *error = "checkpoint " + name + ".ckpt is not a metrics shard checkpoint";
      return false;
    }
    set->add(ckpt.state());
    watermark = std::max(watermark, ckpt.state().max_event_time_us());
    if (oldest_write == 0 || ckpt.written_at_us() < oldest_write)
      oldest_write = ckpt.written_at_us();
  }
  std::cerr << "export sui: " << names.size() << " metrics checkpoint(s) read from " << dir;
  if (watermark > 0) std::cerr << ", events up to " << core::format_local(core::Instant{watermark});
  if (oldest_write > 0)
    std::cerr << ", oldest written " << core::format_local(core::Instant{oldest_write});
  std::cerr << "\n";
  return true;
}

// Raw files folded into one state, as `pqrflow replay` does.
bool read_raw(const std::vector<std::string>& files, integrations::SuiTicketSet* set,
              std::string* error) {
  core::Decoder decoder;
  core::IndicatorState state;
  core::Event e;
  core::Rejection why;
  std::int64_t records = 0, rejected = 0;
  for (const std::string& file : files) {
    const auto feed = [&](std::string_view bytes, bool protobuf) {
      ++records;
      const bool ok = protobuf ? decoder.decode_protobuf(bytes, &e, &why)
                               : decoder.decode_json(bytes, &e, &why);
      if (ok) {
        state.apply(e);
      } else {
        ++rejected;
      }
    };
    const bool ok = file.ends_with(".pb")
                        ? for_each_delimited(
                              file, [&](std::string_view r, std::int64_t) { feed(r, true); }, error)
                        : for_each_line(
                              file,
                              [&](std::string_view line, std::int64_t) {
                                if (line.find_first_not_of(" \t") != std::string_view::npos)
                                  feed(line, false);
                              },
                              error);
    if (!ok) return false;
  }
  pqrflow::v1::IndicatorStateSnapshot snapshot;
  state.save(&snapshot);
  set->add(snapshot);
  std::cerr << "export sui: " << records << " raw records read, " << rejected
            << " rejected (see `pqrflow replay --rejects`)\n";
  return true;
}

int run_export_sui(const Args& args) {
  po::options_description options(
      "Usage: pqrflow export sui --period YYYY-MM (--checkpoint-dir DIR | --raw FILE...)\n"
      "                          [--out FILE] [--answers-until T] [--service S] [--dane CODE]\n"
      "                          [--codes FILE.yaml] [--delimiter C] [--no-header]\n\n"
      "Writes the SUI monthly PQR report (Formato A) as CSV: one row per ticket radicado (filed)\n"
      "in the period, sorted by radicado, with its first answer when it falls on or before\n"
      "--answers-until (default: the end of the period). Tickets come from pqrflow-metrics'\n"
      "checkpoint directory, or from raw JSONL (or .pb) files replayed in-process. Kinds and\n"
      "outcomes become SUI codes by the table in docs/sui-export.md (override with --codes);\n"
      "verify the codes against the SSPD resolution in force before filing.\n\n"
      "Options");
  std::string period_text, checkpoint_dir, out_path, until_text, service_text, dane, codes_path;
  std::string delimiter = ",";
  std::vector<std::string> raw;
  options.add_options()("help,h", "show this help")(
      "period", po::value(&period_text)->value_name("YYYY-MM"), "reported month, required")(
      "checkpoint-dir", po::value(&checkpoint_dir)->value_name("DIR"),
      "pqrflow-metrics' checkpoint directory (the files metrics-*.ckpt)")(
      "raw", po::value(&raw)->multitoken()->value_name("FILE..."),
      "raw JSONL (or .pb) files instead of checkpoints")(
      "out", po::value(&out_path)->value_name("FILE"), "output file (default: stdout)")(
      "answers-until", po::value(&until_text)->value_name("T"),
      "RFC 3339 instant: answers up to it are reported (default: the period's last instant)")(
      "service", po::value(&service_text)->value_name("S"),
      "acueducto | alcantarillado: only tickets of that service (the SUI takes one file per "
      "service)")("dane", po::value(&dane)->value_name("CODE"),
                  "CÓDIGO DANE of the service area, repeated on every row")(
      "codes", po::value(&codes_path)->value_name("FILE"),
      "YAML overriding the SUI code tables (docs/sui-export.md)")(
      "delimiter", po::value(&delimiter)->default_value(delimiter), "field delimiter")(
      "no-header", "omit the header row (the SUI bulk upload takes data rows only)");
  po::variables_map vm;
  if (const auto exit = parse_command_line("export sui", args, options, nullptr, &vm)) return *exit;
  const auto fail = [](const std::string& m) {
    std::cerr << "pqrflow export sui: " << m << "\n";
    return 2;
  };
  integrations::SuiOptions o;
  const auto period = core::parse_year_month(period_text);
  if (!period) return fail("--period: expected YYYY-MM, got '" + period_text + "'");
  o.period = *period;
  if (checkpoint_dir.empty() == raw.empty())
    return fail("give exactly one source: --checkpoint-dir DIR or --raw FILE...");
  if (!until_text.empty()) {
    std::string why;
    o.answers_until = core::parse_rfc3339(until_text, &why);
    if (!o.answers_until) return fail("--answers-until: " + why);
    if (*o.answers_until < core::end_of_month(o.period))
      return fail("--answers-until: must not be before the end of the period");
  }
  if (!service_text.empty()) {
    o.service = core::enum_from_name<core::Service>(core::kServiceNames, service_text);
    if (!o.service) return fail("--service: expected acueducto or alcantarillado");
  }
  o.codigo_dane = dane;
  if (delimiter == "tab") delimiter = "\t";
  if (delimiter.size() != 1 || delimiter == "\"" || delimiter == "\n")
    return fail("--delimiter: expected one character (or `tab`)");
  integrations::SuiCodes codes = integrations::default_sui_codes();
  std::string error;
  if (!codes_path.empty()) {
    const auto text = read_file(codes_path, &error);
    if (!text) return fail("--codes: " + error);
    integrations::SuiCodesLoad load = integrations::load_sui_codes(*text, codes);
    if (!load.codes) {
      for (const auto& e : load.errors) std::cerr << codes_path << ": " << e << "\n";
      return 2;
    }
    codes = *load.codes;
  }

  integrations::SuiTicketSet tickets;
  const bool ok = checkpoint_dir.empty() ? read_raw(raw, &tickets, &error)
                                         : read_checkpoints(checkpoint_dir, &tickets, &error);
  if (!ok) {
    std::cerr << "pqrflow export sui: " << error << "\n";
    return 1;
  }
  if (tickets.duplicates() > 0) {
    std::cerr << "export sui: warning: " << tickets.duplicates()
              << " ticket(s) appear in more than one checkpoint (stale files of another "
                 "partition layout?); the earliest filing and answer were kept\n";
  }
  const integrations::SuiReport report = integrations::build_sui_report(tickets, codes, o);
  const std::string csv = integrations::to_csv(report, delimiter[0], vm.count("no-header") == 0U);
  if (out_path.empty()) {
    std::fwrite(csv.data(), 1, csv.size(), stdout);
    std::fflush(stdout);
  } else {
    const std::string temp = out_path + ".tmp";
    {
      std::ofstream f(temp, std::ios::binary);
      f << csv;
      if (!f) return fail("--out: cannot write " + temp);
    }
    std::filesystem::rename(temp, out_path);
  }
  std::cerr << "export sui: " << core::format_year_month(o.period) << ": " << report.rows.size()
            << " radicado(s), " << report.answered << " answered, " << report.without_answer
            << " without answer by "
            << core::format_local(o.answers_until.value_or(core::end_of_month(o.period)));
  for (const auto& [kind, n] : report.excluded_by_kind)
    std::cerr << "; " << n << " " << kind << " not reported (no TIPO DE TRÁMITE code)";
  if (report.without_service > 0)
    std::cerr << "; " << report.without_service << " without a service left out by --service";
  std::cerr << (out_path.empty() ? "" : "; written to " + out_path) << "\n";
  return 0;
}

}  // namespace

int run_export(const Args& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    (args.empty() ? std::cerr : std::cout)
        << "Usage: pqrflow export sui --period YYYY-MM (--checkpoint-dir DIR | --raw FILE...)\n"
           "Reports: sui   the SSPD/SUI monthly PQR report (Formato A), CSV\n"
           "Run `pqrflow export sui --help` for its options.\n";
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "sui") return run_export_sui(Args(args.begin() + 1, args.end()));
  std::cerr << "pqrflow export: unknown report '" << args[0] << "' (expected: sui)\n";
  return 2;
}

}  // namespace pqrflow::cli
