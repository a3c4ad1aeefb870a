// The CSV parser (RFC 4180 quoting, line numbers across quoted line breaks, BOM, CRLF)
// and the encodings of spreadsheet exports.
#include "integrations/csv.hpp"

#include <gtest/gtest.h>

namespace pqrflow::integrations {
namespace {

using Fields = std::vector<std::string>;

std::vector<CsvRecord> parse(std::string_view text, CsvDialect d = {}) {
  CsvParser p(text, d);
  std::vector<CsvRecord> out;
  CsvRecord r;
  while (p.next(&r)) out.push_back(r);
  return out;
}

TEST(Csv, PlainFieldsAndLineNumbers) {
  const auto rs = parse("a,b,c\n1,2,3\n");
  ASSERT_EQ(rs.size(), 2U);
  EXPECT_EQ(rs[0].fields, (Fields{"a", "b", "c"}));
  EXPECT_EQ(rs[1].fields, (Fields{"1", "2", "3"}));
  EXPECT_EQ(rs[0].line, 1);
  EXPECT_EQ(rs[1].line, 2);
}

TEST(Csv, QuotedDelimitersDoubledQuotesAndLineBreaksKeepLineNumbers) {
  const auto rs = parse(
      "id;obs;n\r\n"
      "1;\"calle 5; carrera 8\";x\r\n"
      "2;\"dijo \"\"hola\"\"\r\nsegunda línea\r\ntercera\";y\r\n"
      "3;;z\r\n",
      {';', '"'});
  ASSERT_EQ(rs.size(), 4U);
  EXPECT_EQ(rs[1].fields, (Fields{"1", "calle 5; carrera 8", "x"}));
  EXPECT_EQ(rs[2].fields, (Fields{"2", "dijo \"hola\"\r\nsegunda línea\r\ntercera", "y"}));
  EXPECT_EQ(rs[2].line, 3);
  EXPECT_EQ(rs[3].line, 6);  // after the two breaks inside quotes
  EXPECT_EQ(rs[3].fields, (Fields{"3", "", "z"}));
  for (const auto& r : rs) EXPECT_EQ(r.error, "");
}

TEST(Csv, ByteOrderMarkIsSkippedAndTheLastLineNeedsNoBreak) {
  const auto rs = parse("\xEF\xBB\xBFRadicado,Fecha\n7,2024");
  ASSERT_EQ(rs.size(), 2U);
  EXPECT_EQ(rs[0].fields[0], "Radicado");
  EXPECT_EQ(rs[1].fields, (Fields{"7", "2024"}));
}

TEST(Csv, EmptyTrailingFieldsAndBlankLines) {
  const auto rs = parse("a,,\n\n,\n");
  ASSERT_EQ(rs.size(), 3U);
  EXPECT_EQ(rs[0].fields, (Fields{"a", "", ""}));
  EXPECT_TRUE(is_blank(rs[1]));
  EXPECT_TRUE(is_blank(rs[2]));
  EXPECT_FALSE(is_blank(rs[0]));
}

TEST(Csv, UnterminatedQuoteIsAnErrorNamingItsLine) {
  const auto rs = parse("a,b\n1,\"abierto\n2,3\n");
  ASSERT_EQ(rs.size(), 2U);
  EXPECT_NE(rs[1].error.find("unterminated quoted field (opened on line 2"), std::string::npos)
      << rs[1].error;
}

TEST(Csv, TextAfterAClosingQuoteIsAnErrorButNothingIsLost) {
  const auto rs = parse("\"5\" tubo\",x\ny,z\n");
  ASSERT_EQ(rs.size(), 2U);
  EXPECT_NE(rs[0].error.find("text after the closing quote of field 1"), std::string::npos);
  EXPECT_EQ(rs[0].fields[0], "5 tubo\"");
  EXPECT_EQ(rs[1].fields, (Fields{"y", "z"}));
  EXPECT_EQ(rs[1].error, "");
}

TEST(Csv, AQuoteInsideAnUnquotedFieldIsKept) {
  const auto rs = parse("tubo 5\",ok\n");
  EXPECT_EQ(rs[0].fields, (Fields{"tubo 5\"", "ok"}));
  EXPECT_EQ(rs[0].error, "");
}

TEST(Csv, TabDelimiterAndOtherQuote) {
  const auto rs = parse("a\t'b\tc'\n", {'\t', '\''});
  EXPECT_EQ(rs[0].fields, (Fields{"a", "b\tc"}));
}

TEST(Encoding, Windows1252AndLatin1BecomeUtf8) {
  std::string error;
  // "Petición" and "Año" as Excel writes them on a Spanish Windows, plus the euro sign
  // (0x80) and a right single quote (0x92), which Latin-1 does not have.
  const std::string cp1252 = "Petici\xF3n;A\xF1o;\x80;\x92";
  EXPECT_EQ(*to_utf8(cp1252, Encoding::kWindows1252, &error),
            "Petición;Año;\xE2\x82\xAC;\xE2\x80\x99");
  EXPECT_EQ(*to_utf8(cp1252, Encoding::kLatin1, &error), "Petición;Año;\xC2\x80;\xC2\x92");
}

TEST(Encoding, InvalidUtf8NamesTheLineAndSuggestsWindows1252) {
  std::string error;
  EXPECT_FALSE(to_utf8("ok\nPetici\xF3n\n", Encoding::kUtf8, &error));
  EXPECT_NE(error.find("line 2"), std::string::npos) << error;
  EXPECT_NE(error.find("encoding: windows-1252"), std::string::npos) << error;
  EXPECT_EQ(*to_utf8("Petición", Encoding::kUtf8, &error), "Petición");
  EXPECT_FALSE(to_utf8("\xC0\xAF", Encoding::kUtf8, &error));  // overlong '/'
}

TEST(Encoding, Names) {
  EXPECT_EQ(encoding_from_name("UTF-8"), Encoding::kUtf8);
  EXPECT_EQ(encoding_from_name("latin1"), Encoding::kLatin1);
  EXPECT_EQ(encoding_from_name("ISO-8859-1"), Encoding::kLatin1);
  EXPECT_EQ(encoding_from_name("Windows-1252"), Encoding::kWindows1252);
  EXPECT_EQ(encoding_from_name("cp1252"), Encoding::kWindows1252);
  EXPECT_EQ(encoding_from_name("ebcdic"), std::nullopt);
}

}  // namespace
}  // namespace pqrflow::integrations
