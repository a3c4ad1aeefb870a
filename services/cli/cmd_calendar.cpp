// `pqrflow holidays YEAR` and `pqrflow due-date DATE [--days N]`.
#include <charconv>
#include <iostream>

#include "cli/commands.hpp"
#include "core/calendar.hpp"

namespace pqrflow::cli {
namespace {

bool parse_int(const std::string& s, int* out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

int run_holidays(const Args& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << "Usage: pqrflow holidays YEAR\n\nPrints the Colombian national holidays of YEAR ("
              << core::kFirstYear << ".." << core::kLastYear
              << "), ISO dates, one a line. Two holidays on one date are printed once.\n";
    return 0;
  }
  int year = 0;
  if (args.size() != 1 || !parse_int(args[0], &year)) {
    std::cerr << "Usage: pqrflow holidays YEAR\n";
    return 2;
  }
  if (year < core::kFirstYear || year > core::kLastYear) {
    std::cerr << "pqrflow holidays: YEAR must be within " << core::kFirstYear << ".."
              << core::kLastYear << ", got " << year << "\n";
    return 2;
  }
  for (core::Date d : core::holidays(year)) std::cout << core::format_date(d) << "\n";
  return 0;
}

int run_due_date(const Args& args) {
  std::string date_text;
  int days = 15;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      std::cout << "Usage: pqrflow due-date DATE [--days N]\n\nPrints the legal due date of a PQR "
                   "filed on DATE (YYYY-MM-DD, local date): the N-th business day after it "
                   "(default N = 15, Ley 142 de 1994 art. 158).\n";
      return 0;
    }
    if (args[i] == "--days") {
      if (i + 1 >= args.size() || !parse_int(args[i + 1], &days) || days < 1 || days > 365) {
        std::cerr << "pqrflow due-date: --days needs a whole number of business days 1..365\n";
        return 2;
      }
      ++i;
    } else if (date_text.empty()) {
      date_text = args[i];
    } else {
      std::cerr << "pqrflow due-date: unexpected argument '" << args[i] << "'\n";
      return 2;
    }
  }
  const auto filed = core::parse_date(date_text);
  if (!filed) {
    std::cerr << "Usage: pqrflow due-date DATE [--days N]   (DATE as YYYY-MM-DD, a real date)\n";
    return 2;
  }
  if (!core::calendar_supports(*filed)) {
    std::cerr << "pqrflow due-date: DATE must be within " << core::kFirstYear << ".."
              << core::kLastYear << "\n";
    return 2;
  }
  const auto due = core::due_date(*filed, days);
  if (!due) {
    std::cerr << "pqrflow due-date: the due date falls beyond the calendar's range\n";
    return 2;
  }
  std::cout << core::format_date(*due) << "\n";
  return 0;
}

}  // namespace pqrflow::cli
