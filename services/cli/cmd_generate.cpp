// `pqrflow generate --subscribers N --seed S --from YYYY-MM --to YYYY-MM OUT_DIR`: a
// synthetic utility's raw feed as JSON lines, one file per raw topic (pqr.jsonl,
// visits.jsonl, billing.jsonl), deterministic for a seed. See docs/generator.md.
#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "sim/generator.hpp"

namespace po = boost::program_options;

namespace pqrflow::cli {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

int run_generate(const Args& args) {
  po::options_description options(
      "Usage: pqrflow generate [--subscribers N] [--seed S] [--from YYYY-MM] [--to YYYY-MM] "
      "OUT_DIR\n\n"
      "Writes a synthetic water utility's raw events (design.md §4) to OUT_DIR/pqr.jsonl,\n"
      "visits.jsonl and billing.jsonl, in time order: seasonality, office and channel mix,\n"
      "answers around the 15-business-day term (some late), mis-filed tickets, reforms after\n"
      "granted claims, visits, window services, and a sprinkle of exact duplicates and invalid\n"
      "records. The same options and seed always give the same bytes.\n\n"
      "Options");
  sim::GeneratorOptions g;
  std::string from = "2023-01", to = "2024-12", out_dir;
  options.add_options()("help,h", "show this help")(
      "subscribers", po::value(&g.subscribers)->default_value(g.subscribers),
      "subscribers in the first month")("seed", po::value(&g.seed)->default_value(g.seed),
                                        "random seed")(
      "from", po::value(&from)->default_value(from), "first month")(
      "to", po::value(&to)->default_value(to), "last month (inclusive)")(
      "invalid-rate", po::value(&g.invalid_rate)->default_value(g.invalid_rate),
      "invalid records per valid record")(
      "duplicate-rate", po::value(&g.duplicate_rate)->default_value(g.duplicate_rate),
      "exact re-deliveries per record")("improvement",
                                        po::value(&g.improvement)->default_value(g.improvement),
                                        "how much the plan's improvements show from 2024 (0..1)")(
      "out", po::value(&out_dir), "output directory");
  po::positional_options_description positional;
  positional.add("out", 1);
  po::variables_map vm;
  if (const auto exit = parse_command_line("generate", args, options, &positional, &vm))
    return *exit;
  if (out_dir.empty()) {
    std::cerr << "pqrflow generate: OUT_DIR is required\n";
    return 2;
  }
  const auto f = core::parse_year_month(from);
  const auto t = core::parse_year_month(to);
  if (!f) {
    std::cerr << "pqrflow generate: --from: expected YYYY-MM, got '" << from << "'\n";
    return 2;
  }
  if (!t) {
    std::cerr << "pqrflow generate: --to: expected YYYY-MM, got '" << to << "'\n";
    return 2;
  }
  g.from = *f;
  g.to = *t;
  if (auto problem = sim::validate(g)) {
    std::cerr << "pqrflow generate: " << *problem << "\n";
    return 2;
  }
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) {
    std::cerr << "pqrflow generate: " << out_dir << ": " << ec.message() << "\n";
    return 2;
  }
  const char* names[] = {"pqr.jsonl", "visits.jsonl", "billing.jsonl"};
  std::unique_ptr<std::FILE, FileCloser> files[3];
  for (int i = 0; i < 3; ++i) {
    const std::string path = (std::filesystem::path(out_dir) / names[i]).string();
    files[i].reset(std::fopen(path.c_str(), "wb"));
    if (!files[i]) {
      std::cerr << "pqrflow generate: cannot write " << path << "\n";
      return 2;
    }
    std::setvbuf(files[i].get(), nullptr, _IOFBF, 1 << 20);
  }
  const sim::Summary summary = sim::generate(g, [&](const sim::RawRecord& r) {
    std::FILE* out = files[static_cast<int>(r.topic)].get();
    std::fwrite(r.json.data(), 1, r.json.size(), out);
    std::fputc('\n', out);
  });
  std::cerr << "generate: " << summary.records << " records (" << summary.valid_total()
            << " distinct valid, " << summary.duplicates << " duplicates, "
            << summary.invalid_total() << " invalid) in " << out_dir << "\n";
  for (std::size_t i = 0; i < summary.valid.size(); ++i) {
    std::cerr << "  " << core::kEventTypeNames[i] << ": " << summary.valid[i] << "\n";
  }
  return 0;
}

}  // namespace pqrflow::cli
