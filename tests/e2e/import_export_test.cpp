// End to end for the integrations, through real processes and the Kafka protocol:
// `pqrflow import-csv` feeds the example exports of deploy/examples/ (with their bad rows)
// into the embedded broker, ingest, metrics and reporting process them, a second import of
// the same files changes nothing, and `pqrflow export sui` reads metrics' checkpoints.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "pqrflow/v1/checkpoint.pb.h"
#include "runtime/checkpoint_store.hpp"
#include "support/stack.hpp"

namespace pqrflow::testing {
namespace {

using namespace std::chrono_literals;

const std::string kExamples = PQRFLOW_SOURCE_DIR "/deploy/examples/";

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `pqrflow ARGS…` to completion; stdout and stderr are kept in files of the stack.
CliRun pqrflow(Stack& stack, const std::string& name, std::vector<std::string> args) {
  runtime::SubprocessOptions o;
  o.argv = {stack.bin().pqrflow};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.stdout_path = (stack.dir() / (name + ".out")).string();
  o.stderr_path = (stack.dir() / (name + ".err")).string();
  std::string error;
  auto p = runtime::Subprocess::spawn(o, &error);
  if (!p) throw std::runtime_error(error);
  CliRun r;
  r.code = p->wait(120s).value_or(-1);
  r.out = slurp(o.stdout_path);
  r.err = slurp(o.stderr_path);
  return r;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

std::multiset<std::string> event_ids(const std::vector<std::pair<std::string, std::string>>& msgs) {
  std::multiset<std::string> out;
  for (const auto& [key, value] : msgs)
    out.insert(std::string(boost::json::parse(value).at("event_id").as_string()));
  return out;
}

// Σ next offsets of metrics' shard checkpoints: how many canonical events they reflect.
std::int64_t checkpointed_events(const std::filesystem::path& dir) {
  std::int64_t total = 0;
  std::error_code ec;
  runtime::CheckpointStore store(dir);
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string f = e.path().filename().string();
    if (f.rfind("metrics-", 0) != 0 || !f.ends_with(".ckpt")) continue;
    std::string error;
    const auto payload = store.read(f.substr(0, f.size() - 5), &error);
    pqrflow::v1::ShardCheckpoint c;
    if (payload && c.ParseFromString(*payload)) total += c.next_offset();
  }
  return total;
}

// The SUI report of March 2024 for the example exports, checked by hand against
// radicados-sgc.csv and facturacion-sac.csv (docs/sui-export.md explains each column):
// 2024-000101 reclamo (1) granted (1) on 15/03, its reform names bill F-2024-0200001;
// 2024-000107's answer (2 April) is after the cut-off, its reform gives F-2024-0300005;
// 2024-000111's answer was rejected ("Sin definir"), so it has none; 2024-000112 is a
// denuncia (not reported); 2024-000114 was filed in February; 106, 108 and the row
// without radicado were rejected.
const std::string kExpectedSui =
    "CÓDIGO DANE,RADICADO RECIBIDO,FECHA RADICACIÓN,TIPO DE TRÁMITE,CAUSAL,DETALLE DE LA CAUSAL,"
    "NÚMERO DE CUENTA,NÚMERO DE FACTURA,TIPO DE RESPUESTA,FECHA RESPUESTA,RADICADO RESPUESTA,"
    "FECHA NOTIFICACIÓN,TIPO DE NOTIFICACIÓN,FECHA TRASLADO SSPD\r\n"
    "76001000,2024-000101,01-03-2024,1,,102,100234,F-2024-0200001,1,15-03-2024,,,,\r\n"
    "76001000,2024-000102,01-03-2024,5,,,100871,,1,05-03-2024,,,,\r\n"
    "76001000,2024-000103,04-03-2024,2,,,101502,,3,26-03-2024,,,,\r\n"
    "76001000,2024-000104,05-03-2024,1,,104,100234,,,,,,,\r\n"
    "76001000,2024-000105,06-03-2024,3,,102,102210,,4,27-03-2024,,,,\r\n"
    "76001000,2024-000107,08-03-2024,1,,110,103300,F-2024-0300005,,,,,,\r\n"
    "76001000,2024-000110,12-03-2024,5,,,,,8,14-03-2024,,,,\r\n"
    "76001000,2024-000111,13-03-2024,4,,102,102210,,,,,,,\r\n"
    "76001000,2024-000113,18-03-2024,5,,,100234,,,,,,,\r\n";

TEST(ImportExport, ExportsFlowThroughReimportChangesNothingAndSuiReadsCheckpoints) {
  Stack stack;
  const auto checkpoints = stack.dir() / "metrics-state";
  stack.start_ingest();
  const int metrics = stack.start_metrics({"--checkpoint-dir", checkpoints.string()});
  const int reporting = stack.start_reporting();
  const std::vector<std::string> pqr = {"--mapping", kExamples + "radicados-sgc.yaml", "--topic",
                                        "pqr", kExamples + "radicados-sgc.csv"};
  const std::vector<std::string> billing = {"--mapping", kExamples + "facturacion-sac.yaml",
                                            kExamples + "facturacion-sac.csv"};
  const auto with = [](std::vector<std::string> a, std::vector<std::string> extra) {
    a.insert(a.begin(), extra.begin(), extra.end());
    return a;
  };

  // What should flow: the dry run's records (it validates exactly as the real run).
  const CliRun dry_pqr = pqrflow(stack, "dry-pqr", with(pqr, {"import-csv", "--dry-run"}));
  const CliRun dry_billing =
      pqrflow(stack, "dry-billing", with(billing, {"import-csv", "--dry-run"}));
  std::vector<std::string> records = lines_of(dry_pqr.out);
  ASSERT_EQ(records.size(), 20U) << dry_pqr.err;
  for (const std::string& r : lines_of(dry_billing.out)) records.push_back(r);
  ASSERT_EQ(records.size(), 30U) << dry_billing.err;

  // The import: exit 1 (rows were rejected), the bad lines named, the rest delivered.
  const auto rejects = stack.dir() / "rejects.jsonl";
  const CliRun first = pqrflow(
      stack, "import-pqr-1",
      with(pqr, {"import-csv", "--brokers", stack.brokers(), "--rejects", rejects.string()}));
  EXPECT_EQ(first.code, 1) << first.err;
  for (const char* expected :
       {"radicados-sgc.csv:9: rejected pqr.filed: invalid_enum: kind: \"Sugerencia\"",
        "radicados-sgc.csv:11: rejected pqr.filed: invalid_timestamp: occurred_at: "
        "'31/02/2024 09:00'",
        "radicados-sgc.csv:12: rejected pqr.filed: missing_field: ticket_id",
        "radicados-sgc.csv:12: rejected pqr.answered: missing_field: ticket_id",
        "radicados-sgc.csv:14: rejected pqr.answered: invalid_enum: outcome: \"Sin definir\"",
        "radicados-sgc.csv: 14 rows, 20 records produced, 5 rejected",
        "20 record(s) delivered to pqrflow.raw.pqr"}) {
    EXPECT_NE(first.err.find(expected), std::string::npos) << expected << "\n" << first.err;
  }
  const std::vector<std::string> reject_lines = lines_of(slurp(rejects));
  ASSERT_EQ(reject_lines.size(), 5U);
  const auto reject0 = boost::json::parse(reject_lines[0]).as_object();
  EXPECT_EQ(reject0.at("line").as_int64(), 9);
  EXPECT_EQ(reject0.at("reason").as_string(), "invalid_enum");
  EXPECT_EQ(reject0.at("row").as_array().at(2).as_string(), "Sugerencia");  // decoded cp1252

  const CliRun first_billing = pqrflow(stack, "import-billing-1",
                                       with(billing, {"import-csv", "--brokers", stack.brokers()}));
  EXPECT_EQ(first_billing.code, 1) << first_billing.err;
  for (const char* expected : {"facturacion-sac.csv:11: rejected bill.reformed: negative_amount",
                               "facturacion-sac.csv:12: rejected bill.issued: too_many_decimals",
                               "facturacion-sac.csv:13: rejected bill.issued: invalid_period",
                               "14 rows, 10 records produced, 3 rejected, 1 skipped",
                               "10 record(s) delivered to pqrflow.raw.billing"}) {
    EXPECT_NE(first_billing.err.find(expected), std::string::npos) << expected << "\n"
                                                                   << first_billing.err;
  }

  // The valid rows flow through the three services: the BI feed equals replay's rows.
  const std::map<std::string, std::string> expected_rows = replay_rows(records, stack.bin().plan);
  std::map<std::string, std::string> actual;
  EXPECT_TRUE(eventually(
      [&] {
        actual = latest_bi_rows(stack.read_all(runtime::TopicNames{}.bi));
        return actual == expected_rows;
      },
      60s, 1s))
      << diff_rows(expected_rows, actual) << stack.log_of(reporting);

  // Metrics has checkpointed the 30 events; the SUI export reads them while it runs.
  ASSERT_TRUE(eventually([&] { return checkpointed_events(checkpoints) == 30; }, 30s));
  const std::vector<std::string> sui_args = {
      "export", "sui",     "--period", "2024-03", "--checkpoint-dir", checkpoints.string(),
      "--dane", "76001000"};
  const CliRun live = pqrflow(stack, "export-live", sui_args);
  EXPECT_EQ(live.code, 0) << live.err;
  EXPECT_EQ(live.out, kExpectedSui) << live.err;

  // Importing the same files again produces the same event ids: the raw topics hold every
  // record twice, ingest republishes them, and nothing downstream changes.
  const CliRun second =
      pqrflow(stack, "import-pqr-2", with(pqr, {"import-csv", "--brokers", stack.brokers()}));
  const CliRun second_billing = pqrflow(
      stack, "import-billing-2", with(billing, {"import-csv", "--brokers", stack.brokers()}));
  EXPECT_EQ(second.code, 1);
  EXPECT_EQ(second_billing.code, 1);
  std::multiset<std::string> twice;
  for (const std::string& r : records) {
    const std::string id(boost::json::parse(r).at("event_id").as_string());
    twice.insert(id);
    twice.insert(id);
  }
  std::multiset<std::string> raw = event_ids(stack.read_all(runtime::TopicNames{}.raw_pqr));
  raw.merge(event_ids(stack.read_all(runtime::TopicNames{}.raw_billing)));
  EXPECT_EQ(raw, twice);
  ASSERT_TRUE(eventually([&] { return checkpointed_events(checkpoints) == 60; }, 30s))
      << stack.log_of(metrics);
  EXPECT_TRUE(eventually(
      [&] {
        actual = latest_bi_rows(stack.read_all(runtime::TopicNames{}.bi));
        return actual == expected_rows;
      },
      30s, 1s))
      << diff_rows(expected_rows, actual);

  // Metrics stops cleanly (final checkpoint); the export of the stopped system is the same,
  // and so is the export of the dry-run records replayed in-process.
  EXPECT_EQ(stack.stop(metrics), 0) << stack.log_of(metrics);
  const CliRun stopped = pqrflow(stack, "export-stopped", sui_args);
  EXPECT_EQ(stopped.code, 0) << stopped.err;
  EXPECT_EQ(stopped.out, kExpectedSui);
  EXPECT_NE(stopped.err.find("9 radicado(s), 5 answered, 4 without answer"), std::string::npos)
      << stopped.err;
  EXPECT_NE(stopped.err.find("1 denuncia not reported"), std::string::npos) << stopped.err;
  std::ofstream(stack.dir() / "pqr.jsonl") << dry_pqr.out;
  std::ofstream(stack.dir() / "billing.jsonl") << dry_billing.out;
  const CliRun replayed =
      pqrflow(stack, "export-raw",
              {"export", "sui", "--period", "2024-03", "--dane", "76001000", "--raw",
               (stack.dir() / "pqr.jsonl").string(), (stack.dir() / "billing.jsonl").string()});
  EXPECT_EQ(replayed.code, 0) << replayed.err;
  EXPECT_EQ(replayed.out, kExpectedSui);
}

TEST(ImportExport, StrictImportProducesNothingAndBadUsageExitsTwo) {
  Stack stack(2);
  const CliRun strict =
      pqrflow(stack, "strict",
              {"import-csv", "--brokers", stack.brokers(), "--strict", "--mapping",
               kExamples + "facturacion-sac.yaml", kExamples + "facturacion-sac.csv"});
  EXPECT_EQ(strict.code, 1);
  EXPECT_NE(strict.err.find("--strict: 3 record(s) rejected, nothing produced"), std::string::npos)
      << strict.err;
  EXPECT_TRUE(stack.read_all(runtime::TopicNames{}.raw_billing).empty());

  // A mapping for another layout names the missing columns and the header; exit 2.
  const CliRun wrong =
      pqrflow(stack, "wrong",
              {"import-csv", "--dry-run", "--mapping", kExamples + "radicados-sgc.yaml",
               kExamples + "facturacion-sac.csv"});
  EXPECT_EQ(wrong.code, 2);
  EXPECT_NE(wrong.err.find("columns of the mapping not found in the header"), std::string::npos)
      << wrong.err;
  const CliRun topic = pqrflow(stack, "topic",
                               {"import-csv", "--dry-run", "--topic", "billing", "--mapping",
                                kExamples + "radicados-sgc.yaml", kExamples + "radicados-sgc.csv"});
  EXPECT_EQ(topic.code, 2);
  EXPECT_NE(topic.err.find("belong on pqr"), std::string::npos) << topic.err;
  const CliRun no_ckpt =
      pqrflow(stack, "no-ckpt",
              {"export", "sui", "--period", "2024-03", "--checkpoint-dir", stack.dir().string()});
  EXPECT_EQ(no_ckpt.code, 1);
  EXPECT_NE(no_ckpt.err.find("no metrics checkpoints"), std::string::npos) << no_ckpt.err;
}

}  // namespace
}  // namespace pqrflow::testing
