// Structured logs: every line parses back as JSON with the values logged, whatever the bytes.
#include "runtime/log.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pqrflow::runtime::log {
namespace {

using namespace std::chrono;

// 2026-11-29T02:28:58.123Z
const system_clock::time_point kTs =
    sys_days{year{2026} / November / 29} + hours{2} + minutes{28} + seconds{58} + milliseconds{123};

boost::json::object parse_line(const std::string& line) {
  EXPECT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line per record";
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(line, ec);  // rejects invalid UTF-8
  EXPECT_FALSE(ec) << ec.message() << " in: " << line;
  EXPECT_TRUE(v.is_object());
  return v.is_object() ? v.as_object() : boost::json::object{};
}

// Captures lines through the sink for the duration of a test.
class CapturedLog : public ::testing::Test {
 protected:
  void SetUp() override {
    configure("pqrflow-test", Level::kDebug);
    set_sink([this](std::string_view line) {
      std::lock_guard lock(mutex_);
      lines_.emplace_back(line);
    });
  }
  void TearDown() override {
    set_sink({});
    configure("pqrflow", Level::kInfo);
  }
  std::vector<std::string> lines() {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> lines_;
};

TEST(LogFormat, WritesTheDocumentedShape) {
  const Field fields[] = {{"partitions", "0,1,2"}, {"count", 3}, {"ready", true}};
  EXPECT_EQ(format_line(kTs, Level::kInfo, "pqrflow-ingest", "consumer_assigned", fields),
            R"({"ts":"2026-11-29T02:28:58.123Z","level":"info","service":"pqrflow-ingest",)"
            R"("event":"consumer_assigned","partitions":"0,1,2","count":3,"ready":true})"
            "\n");
}

TEST(LogFormat, PadsTimestampFields) {
  const auto ts = sys_days{year{2024} / January / 5} + hours{3} + minutes{4} + seconds{5} +
                  milliseconds{7} + microseconds{999};
  const std::string line = format_line(ts, Level::kWarn, "s", "e", {});
  EXPECT_EQ(line, R"({"ts":"2024-01-05T03:04:05.007Z","level":"warn","service":"s","event":"e"})"
                  "\n");
}

TEST(LogFormat, NumbersKeepTheirValue) {
  const Field fields[] = {
      {"min", std::numeric_limits<std::int64_t>::min()},
      {"max", std::numeric_limits<std::uint64_t>::max()},
      {"small", static_cast<short>(-7)},
      {"ratio", 0.1},
      {"float", 2.5f},
      {"nan", std::numeric_limits<double>::quiet_NaN()},
      {"inf", std::numeric_limits<double>::infinity()},
      {"ninf", -std::numeric_limits<double>::infinity()},
      {"no", false},
  };
  const auto o = parse_line(format_line(kTs, Level::kInfo, "s", "numbers", fields));
  EXPECT_EQ(o.at("min").as_int64(), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(o.at("max").as_uint64(), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(o.at("small").as_int64(), -7);
  EXPECT_EQ(o.at("ratio").as_double(), 0.1);
  EXPECT_EQ(o.at("float").as_double(), 2.5);
  EXPECT_EQ(o.at("nan").as_string(), "nan");  // JSON has no NaN or infinity
  EXPECT_EQ(o.at("inf").as_string(), "inf");
  EXPECT_EQ(o.at("ninf").as_string(), "-inf");
  EXPECT_EQ(o.at("no").as_bool(), false);
}

TEST(LogFormat, EscapesEveryControlCharacterQuoteAndBackslash) {
  std::string nasty;
  for (int c = 0; c < 0x20; ++c) nasty += static_cast<char>(c);
  nasty += "\"\\/\x7F end";
  const Field fields[] = {{"value", nasty}, {nasty, "as a key"}};
  const std::string line = format_line(kTs, Level::kError, nasty, nasty, fields);
  const auto o = parse_line(line);
  EXPECT_EQ(o.at("service").as_string(), nasty);
  EXPECT_EQ(o.at("event").as_string(), nasty);
  EXPECT_EQ(o.at("value").as_string(), nasty);
  EXPECT_EQ(o.at(nasty).as_string(), "as a key");
  EXPECT_NE(line.find(R"(\u0000\u0001)"), std::string::npos);
  EXPECT_NE(line.find(R"(\b\t\n\u000b\f\r)"), std::string::npos);
  EXPECT_NE(line.find(R"(\"\\/\u007f end)"), std::string::npos);
}

TEST(LogFormat, KeepsValidUtf8AndReplacesInvalidBytes) {
  const std::string valid = "Bogot\xC3\xA1 \xE2\x82\xAC \xF0\x9F\x98\x80 \xEF\xBF\xBF";
  const std::string invalid[] = {
      "\x80",              // lone continuation byte
      "\xC0\xAF",          // overlong '/'
      "\xE0\x80\xAF",      // overlong, three bytes
      "\xED\xA0\x80",      // UTF-16 surrogate
      "\xF4\x90\x80\x80",  // above U+10FFFF
      "\xE2\x82",          // truncated
      "\xFF",
      "\xC3",  // truncated at the very end
  };
  const Field ok_fields[] = {{"v", valid}};
  const auto ok = parse_line(format_line(kTs, Level::kInfo, "s", "e", ok_fields));
  EXPECT_EQ(ok.at("v").as_string(), valid);
  for (const std::string& bad : invalid) {
    const std::string value = "a" + bad + "z";
    const Field fields[] = {{"v", value}};
    const auto o = parse_line(format_line(kTs, Level::kInfo, "s", "e", fields));
    const std::string_view got = o.at("v").as_string();
    EXPECT_TRUE(got.starts_with("a\xEF\xBF\xBD")) << got;
    EXPECT_TRUE(got.ends_with("z")) << got;
  }
}

TEST(LogFormat, ReservedKeysDoNotDuplicate) {
  const Field fields[] = {{"level", "mine"}, {"ts", 1}};
  const auto o = parse_line(format_line(kTs, Level::kInfo, "s", "e", fields));
  EXPECT_EQ(o.at("level").as_string(), "info");
  EXPECT_EQ(o.at("field_level").as_string(), "mine");
  EXPECT_EQ(o.at("field_ts").as_int64(), 1);
}

TEST(LogLevel, ParsesNamesIgnoringCase) {
  EXPECT_EQ(parse_level("debug"), Level::kDebug);
  EXPECT_EQ(parse_level("INFO"), Level::kInfo);
  EXPECT_EQ(parse_level("warn"), Level::kWarn);
  EXPECT_EQ(parse_level("Warning"), Level::kWarn);
  EXPECT_EQ(parse_level("error"), Level::kError);
  EXPECT_EQ(parse_level(""), std::nullopt);
  EXPECT_EQ(parse_level("verbose"), std::nullopt);
  EXPECT_EQ(level_name(Level::kWarn), "warn");
}

TEST_F(CapturedLog, FiltersByLevel) {
  set_level(Level::kWarn);
  EXPECT_FALSE(enabled(Level::kInfo));
  debug("hidden");
  info("hidden");
  warn("shown", {{"n", 1}});
  error("shown_too");
  const auto got = lines();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(parse_line(got[0]).at("event").as_string(), "shown");
  EXPECT_EQ(parse_line(got[0]).at("level").as_string(), "warn");
  EXPECT_EQ(parse_line(got[0]).at("service").as_string(), "pqrflow-test");
  EXPECT_EQ(parse_line(got[1]).at("level").as_string(), "error");
}

TEST_F(CapturedLog, TemporariesLiveThroughTheCall) {
  info("joined", {{"text", std::string("built ") + std::to_string(42)}});
  EXPECT_EQ(parse_line(lines().at(0)).at("text").as_string(), "built 42");
}

TEST_F(CapturedLog, LinesFromManyThreadsStayWhole) {
  constexpr int kThreads = 4;
  constexpr int kLines = 250;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < kLines; ++i) info("tick", {{"thread", t}, {"i", i}, {"pad", "xxxxxxxx"}});
    });
  }
  for (auto& th : threads) th.join();
  const auto got = lines();
  ASSERT_EQ(got.size(), static_cast<std::size_t>(kThreads * kLines));
  std::vector<int> per_thread(kThreads, 0);
  for (const auto& line : got) ++per_thread.at(parse_line(line).at("thread").as_int64());
  for (int n : per_thread) EXPECT_EQ(n, kLines);
}

TEST(LogStderr, DefaultSinkIsStderr) {
  configure("pqrflow-stderr", Level::kInfo);
  ::testing::internal::CaptureStderr();
  info("to_stderr", {{"k", "v"}});
  const std::string out = ::testing::internal::GetCapturedStderr();
  configure("pqrflow", Level::kInfo);
  const auto o = parse_line(out);
  EXPECT_EQ(o.at("event").as_string(), "to_stderr");
  EXPECT_EQ(o.at("service").as_string(), "pqrflow-stderr");
}

}  // namespace
}  // namespace pqrflow::runtime::log
