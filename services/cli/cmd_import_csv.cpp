// `pqrflow import-csv --mapping FILE.yaml --topic pqr|visits|billing FILE.csv…`: spreadsheet
// exports of the ticketing, field-service and billing systems produced as raw records
// (design.md §4) to pqrflow.raw.<topic>. Rows are read through a mapping
// (docs/import-csv.md), validated with ingest's own decoder, and produced keyed by their
// natural key; rejected rows are listed with their line numbers and never produced.
// Event ids are derived from each row's content, so re-running an import is a no-op
// downstream. `--dry-run` only validates and prints the records as JSON lines.
#include <unistd.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/files.hpp"
#include "cli/options.hpp"
#include "core/bi.hpp"
#include "integrations/csv_import.hpp"
#include "runtime/config.hpp"
#include "runtime/kafka.hpp"

namespace po = boost::program_options;

namespace pqrflow::cli {
namespace {

using Clock = std::chrono::steady_clock;

// A one-line progress bar on stderr, redrawn at most ten times a second, only on a TTY.
class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled) {}
  void update(const std::string& file, double fraction, std::int64_t rows, std::int64_t rejected,
              bool force = false) {
    if (!enabled_) return;
    const auto now = Clock::now();
    if (!force && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(fraction * kWidth + 0.5);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(kWidth, '.');
    std::fprintf(stderr, "\r\033[Kimport-csv %s [%s] %3d%%  %lld rows  %lld rejected", file.c_str(),
                 bar.c_str(), static_cast<int>(fraction * 100 + 0.5), static_cast<long long>(rows),
                 static_cast<long long>(rejected));
    std::fflush(stderr);
    drawn_ = true;
  }
  void clear() {
    if (!drawn_) return;
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    drawn_ = false;
  }

 private:
  bool enabled_;
  bool drawn_ = false;
  Clock::time_point last_{};
};

std::string rejects_line(const std::string& file, const integrations::ImportItem& i,
                         const std::vector<std::string>& fields) {
  std::string out = "{\"file\":";
  core::append_json_string(&out, file);
  out += ",\"line\":" + std::to_string(i.line) + ",\"type\":";
  core::append_json_string(&out, i.type);
  out += ",\"reason\":";
  core::append_json_string(&out, i.reason);
  out += ",\"detail\":";
  core::append_json_string(&out, i.detail);
  out += ",\"row\":[";
  for (std::size_t k = 0; k < fields.size(); ++k) {
    if (k > 0) out += ',';
    core::append_json_string(&out, fields[k]);
  }
  out += "]}\n";
  return out;
}

}  // namespace

int run_import_csv(const Args& args) {
  po::options_description options(
      "Usage: pqrflow import-csv --mapping FILE.yaml [--topic pqr|visits|billing]\n"
      "                          [--brokers B | --dry-run] [--rejects FILE] FILE.csv...\n\n"
      "Reads spreadsheet exports (CSV) of the ticketing, field-service or billing system\n"
      "through a mapping (docs/import-csv.md: delimiter, encoding, columns → contract fields,\n"
      "date formats, decimal comma, labels → contract values) and produces one raw record per\n"
      "event to pqrflow.raw.<topic>, keyed by its ticket, visit, turn or subscriber id, waiting\n"
      "for the broker's acknowledgement. Each record is validated with ingest's decoder first;\n"
      "rejected rows are listed on stderr with their line number and reason and are not\n"
      "produced. Event ids are a hash of each row's mapped content, so importing the same\n"
      "file again changes nothing downstream.\n\n"
      "Exit status: 0 every row imported; 1 some rows rejected or not delivered (the valid\n"
      "rows were still produced unless --strict), or the brokers are unreachable; 2 bad usage,\n"
      "mapping or file.\n\n"
      "Options");
  std::string mapping_path, topic_arg, topic_name, brokers, rejects_path;
  std::string delivery_timeout = "60s";
  std::vector<std::string> files, kafka_props;
  int show = 50;
  options.add_options()("help,h", "show this help")(
      "mapping", po::value(&mapping_path)->value_name("FILE"), "mapping (YAML), required")(
      "topic", po::value(&topic_arg)->value_name("pqr|visits|billing"),
      "raw topic to feed (default: the mapping's `topic`)")(
      "topic-name", po::value(&topic_name)->value_name("NAME"),
      "topic name to produce to (default pqrflow.raw.<topic>)")(
      "brokers", po::value(&brokers)->value_name("B"),
      "Kafka bootstrap servers (env PQRFLOW_BROKERS); not needed with --dry-run")(
      "dry-run", "validate only; print the records as JSON lines on stdout (input for replay)")(
      "strict", "produce nothing unless every row of every file is valid")(
      "rejects", po::value(&rejects_path)->value_name("FILE"),
      "write every rejected row as a JSON line {file, line, type, reason, detail, row}")(
      "show-rejects", po::value(&show)->default_value(show),
      "rejected rows listed on stderr (the summary counts all)")(
      "delivery-timeout", po::value(&delivery_timeout)->default_value(delivery_timeout),
      "how long to wait for the broker to acknowledge everything")(
      "kafka,X", po::value(&kafka_props)->value_name("KEY=VALUE"),
      "extra librdkafka producer property (repeatable), e.g. -X security.protocol=SSL")(
      "no-progress", "no progress bar (it is shown only when stderr is a terminal)")(
      "files", po::value(&files)->composing(), "CSV files");
  po::positional_options_description positional;
  positional.add("files", -1);
  po::variables_map vm;
  if (const auto exit = parse_command_line("import-csv", args, options, &positional, &vm))
    return *exit;
  const bool dry_run = vm.count("dry-run") != 0U;
  const bool strict = vm.count("strict") != 0U;
  if (mapping_path.empty() || files.empty()) {
    std::cerr << "pqrflow import-csv: --mapping FILE and at least one CSV FILE are required\n";
    return 2;
  }
  std::string error;
  const std::optional<std::string> mapping_text = read_file(mapping_path, &error);
  if (!mapping_text) {
    std::cerr << "pqrflow import-csv: --mapping: " << error << "\n";
    return 2;
  }
  integrations::MappingLoad load = integrations::load_mapping(*mapping_text);
  if (!load.mapping) {
    for (const auto& i : load.issues)
      std::cerr << mapping_path << ":" << i.line << ": error: " << i.message << "\n";
    std::cerr << "pqrflow import-csv: the mapping has errors\n";
    return 2;
  }
  integrations::Mapping& mapping = *load.mapping;
  if (!topic_arg.empty()) {
    const auto t = integrations::raw_topic_from_name(topic_arg);
    if (!t) {
      std::cerr << "pqrflow import-csv: --topic: expected pqr, visits or billing, got '"
                << topic_arg << "'\n";
      return 2;
    }
    if (mapping.topic && *mapping.topic != *t) {
      std::cerr << "pqrflow import-csv: --topic " << topic_arg << ", but the mapping's events "
                << "belong on " << integrations::name_of(*mapping.topic) << "\n";
      return 2;
    }
    mapping.topic = t;
  }
  if (!mapping.topic) {
    std::cerr << "pqrflow import-csv: --topic pqr|visits|billing is required (the mapping does "
                 "not say)\n";
    return 2;
  }
  if (topic_name.empty())
    topic_name = "pqrflow.raw." + std::string(integrations::name_of(*mapping.topic));
  const auto timeout = runtime::parse_duration(delivery_timeout);
  if (!timeout || timeout->count() < 100) {
    std::cerr << "pqrflow import-csv: --delivery-timeout: expected a duration like 60s\n";
    return 2;
  }
  if (show < 0) show = 0;

  // Read every file up front: a missing file or a mapping that does not fit a header
  // stops the command before anything is produced.
  struct Input {
    std::string path;
    std::string bytes;
    std::unique_ptr<integrations::CsvImport> import;
  };
  std::vector<Input> inputs;
  for (const std::string& path : files) {
    std::optional<std::string> bytes = read_file(path, &error);
    if (!bytes) {
      std::cerr << "pqrflow import-csv: " << error << "\n";
      return 2;
    }
    auto imp = std::make_unique<integrations::CsvImport>(mapping);
    if (!imp->open(*bytes, &error)) {
      std::cerr << "pqrflow import-csv: " << path << ": " << error << "\n";
      return 2;
    }
    inputs.push_back({path, std::move(*bytes), std::move(imp)});
  }

  std::ofstream rejects;
  if (!rejects_path.empty()) {
    rejects.open(rejects_path);
    if (!rejects) {
      std::cerr << "pqrflow import-csv: --rejects: cannot write " << rejects_path << "\n";
      return 2;
    }
  }

  if (strict) {
    // A first pass validates everything; one rejection and nothing is produced.
    std::int64_t rejected = 0, listed = 0;
    for (const Input& in : inputs) {
      integrations::CsvImport check(mapping);
      check.open(in.bytes, &error);
      std::vector<integrations::ImportItem> items;
      while (check.next_row(&items)) {
        for (const auto& i : items) {
          if (i.outcome != integrations::ImportItem::kRejected) continue;
          ++rejected;
          if (listed++ < show)
            std::cerr << in.path << ":" << i.line << ": rejected"
                      << (i.type.empty() ? "" : " " + i.type) << ": " << i.reason << ": "
                      << i.detail << "\n";
          if (rejects.is_open()) rejects << rejects_line(in.path, i, check.current_fields());
        }
      }
    }
    if (rejected > 0) {
      std::cerr << "import-csv: --strict: " << rejected
                << " record(s) rejected, nothing produced\n";
      return 1;
    }
  }

  std::unique_ptr<runtime::Producer> producer;
  if (!dry_run) {
    if (brokers.empty()) {
      if (const char* env = std::getenv("PQRFLOW_BROKERS")) brokers = env;
    }
    if (brokers.empty()) {
      std::cerr << "pqrflow import-csv: --brokers HOST:PORT (or PQRFLOW_BROKERS) is required "
                   "unless --dry-run\n";
      return 2;
    }
    if (!runtime::brokers_reachable(brokers, std::chrono::seconds(10), &error)) {
      std::cerr << "pqrflow import-csv: " << error << "\n";
      return 1;
    }
    runtime::KafkaProperties props = {
        {"bootstrap.servers", brokers},
        {"client.id", "pqrflow-import-csv"},
        {"enable.idempotence", "true"},  // no duplicates from the client's own retries
        {"linger.ms", "20"},             // a file is a batch job: fill batches
        {"compression.type", "lz4"},
    };
    for (const std::string& kv : kafka_props) {
      const auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) {
        std::cerr << "pqrflow import-csv: --kafka: expected KEY=VALUE, got '" << kv << "'\n";
        return 2;
      }
      props.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    }
    producer = runtime::Producer::create(props, &error);
    if (!producer) {
      std::cerr << "pqrflow import-csv: " << error << "\n";
      return 2;
    }
    // Producing to a missing topic would create it with broker defaults (or fail late):
    // say so now instead.
    if (!producer->partition_count(topic_name, std::chrono::seconds(10))) {
      std::cerr << "pqrflow import-csv: topic " << topic_name
                << " does not exist on the cluster (create the topics first: deploy/README.md), "
                   "or pass --topic-name\n";
      return 1;
    }
  }

  Progress progress(vm.count("no-progress") == 0U && ::isatty(STDERR_FILENO) == 1);
  std::string out;  // dry-run output, written in chunks
  std::int64_t total_records = 0, total_rejected = 0, shown = 0;
  std::vector<integrations::ImportItem> items;
  for (Input& in : inputs) {
    integrations::CsvImport& imp = *in.import;
    while (imp.next_row(&items)) {
      for (const integrations::ImportItem& i : items) {
        switch (i.outcome) {
          case integrations::ImportItem::kRecord:
            if (dry_run) {
              out += i.json;
              out += '\n';
              if (out.size() > (1 << 20)) {
                std::fwrite(out.data(), 1, out.size(), stdout);
                out.clear();
              }
            } else if (!producer->produce(topic_name, i.key, i.json, {}, &error)) {
              progress.clear();
              std::cerr << "pqrflow import-csv: " << in.path << ":" << i.line
                        << ": cannot produce: " << error << "\n";
              producer->flush(*timeout);
              return 1;
            }
            break;
          case integrations::ImportItem::kRejected:
            if (shown++ < show) {
              progress.clear();
              std::cerr << in.path << ":" << i.line << ": rejected"
                        << (i.type.empty() ? "" : " " + i.type) << ": " << i.reason << ": "
                        << i.detail << "\n";
            }
            if (rejects.is_open()) rejects << rejects_line(in.path, i, imp.current_fields());
            break;
          case integrations::ImportItem::kSkipped:
            break;
        }
      }
      if (producer) producer->poll(std::chrono::milliseconds(0));
      progress.update(in.path, imp.progress(), imp.counts().rows, imp.counts().rejected);
    }
    progress.update(in.path, 1.0, imp.counts().rows, imp.counts().rejected, true);
    progress.clear();
    total_records += imp.counts().records;
    total_rejected += imp.counts().rejected;
  }
  if (dry_run) {
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
  }

  bool delivered = true;
  std::string delivery_note;
  if (producer) {
    const runtime::DeliveryReport r = producer->flush(*timeout);
    delivered = r.complete && r.failed == 0;
    if (!r.complete) {
      delivery_note = std::to_string(producer->queue_length()) +
                      " record(s) not acknowledged within --delivery-timeout " + delivery_timeout;
    } else if (r.failed > 0) {
      delivery_note = std::to_string(r.failed) + " record(s) failed: " + r.last_error;
    }
  }

  // Summary: per file, then the reasons.
  if (shown > show) {
    std::cerr << "… and " << (shown - show) << " more rejected row(s)"
              << (rejects.is_open() ? " (all are in " + rejects_path + ")"
                                    : " (--rejects FILE lists them all)")
              << "\n";
  }
  std::map<std::string, std::int64_t> reasons;
  for (const Input& in : inputs) {
    const auto& c = in.import->counts();
    std::cerr << "import-csv: " << in.path << ": " << c.rows << " rows, " << c.records
              << " records " << (dry_run ? "valid" : "produced") << ", " << c.rejected
              << " rejected";
    if (c.skipped > 0) std::cerr << ", " << c.skipped << " skipped";
    if (c.blank_rows > 0) std::cerr << ", " << c.blank_rows << " blank rows";
    std::cerr << "\n";
    for (const auto& [reason, n] : c.by_reason) reasons[reason] += n;
  }
  for (const auto& [reason, n] : reasons) std::cerr << "  rejected " << reason << ": " << n << "\n";
  if (!dry_run) {
    if (delivered) {
      std::cerr << "import-csv: " << total_records << " record(s) delivered to " << topic_name
                << "\n";
    } else {
      std::cerr << "import-csv: delivery to " << topic_name << " FAILED: " << delivery_note
                << "; run the same import again (it is idempotent)\n";
    }
  }
  return delivered && total_rejected == 0 ? 0 : 1;
}

}  // namespace pqrflow::cli
