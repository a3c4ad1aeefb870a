// Spreadsheet exports → raw records: cell values (local dates, decimal comma, labels),
// mapping files (and their line-numbered errors), stable event ids, and the committed
// examples of deploy/examples/.
#include "integrations/csv_import.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "integrations/cell_values.hpp"
#include "integrations/stable_id.hpp"

namespace pqrflow::integrations {
namespace {

std::string datetime(std::string_view text, std::vector<std::string> formats) {
  std::string why;
  return parse_datetime(text, formats, -300, &why).value_or("ERROR: " + why);
}

TEST(CellValues, LocalDatesBecomeRfc3339InBogota) {
  EXPECT_EQ(datetime("19/03/2024 10:05", {"%d/%m/%Y %H:%M"}), "2024-03-19T10:05:00-05:00");
  EXPECT_EQ(datetime("5/3/2024 7:05", {"%d/%m/%Y %H:%M"}), "2024-03-05T07:05:00-05:00");
  EXPECT_EQ(datetime("19/03/2024", {"%d/%m/%Y %H:%M", "%d/%m/%Y"}), "2024-03-19T00:00:00-05:00");
  EXPECT_EQ(datetime(" 15/03/2024  04:40 p. m. ", {"%d/%m/%Y %I:%M %p"}),
            "2024-03-15T16:40:00-05:00");
  EXPECT_EQ(datetime("15/03/2024 12:10 a.m.", {"%d/%m/%Y %I:%M %p"}), "2024-03-15T00:10:00-05:00");
  EXPECT_EQ(datetime("15/03/2024 12:10 PM", {"%d/%m/%Y %I:%M %p"}), "2024-03-15T12:10:00-05:00");
  EXPECT_EQ(datetime("24-03-19 10:05:07,25", {"%y-%m-%d %H:%M:%S"}),
            "2024-03-19T10:05:07.250000-05:00");
  EXPECT_EQ(datetime("2024-03-19T10:05:00Z", {"iso"}), "2024-03-19T10:05:00+00:00");
  EXPECT_EQ(datetime("2024-03-19 10:05", {"iso"}), "2024-03-19T10:05:00-05:00");
  EXPECT_EQ(datetime("2024-03-19T10:05:00-0300", {"iso"}), "2024-03-19T10:05:00-03:00");
}

TEST(CellValues, ImpossibleDatesAndTimesAreRefusedNamingTheFormats) {
  EXPECT_EQ(datetime("31/02/2024 09:00", {"%d/%m/%Y %H:%M"}),
            "ERROR: '31/02/2024 09:00' is not a valid date in the formats %d/%m/%Y %H:%M");
  EXPECT_EQ(datetime("29/02/2023", {"%d/%m/%Y"}).substr(0, 6), "ERROR:");
  EXPECT_EQ(datetime("28/02/2023 24:00", {"%d/%m/%Y %H:%M"}).substr(0, 6), "ERROR:");
  EXPECT_EQ(datetime("13/01/2024 13:00 p. m.", {"%d/%m/%Y %I:%M %p"}).substr(0, 6), "ERROR:");
  EXPECT_EQ(datetime("03/19/2024", {"%d/%m/%Y"}).substr(0, 6), "ERROR:");
  EXPECT_EQ(datetime("19/03/2024 10:05 extra", {"%d/%m/%Y %H:%M"}).substr(0, 6), "ERROR:");
}

TEST(CellValues, Periods) {
  std::string why;
  for (const char* text : {"2024-03", "202403", "03/2024", "3/2024"})
    EXPECT_EQ(parse_period(text, {"%Y-%m", "%Y%m", "%m/%Y"}, &why), "2024-03") << text;
  EXPECT_EQ(parse_period("202413", {"%Y%m"}, &why), std::nullopt);
  EXPECT_NE(why.find("not a valid month"), std::string::npos) << why;
}

std::string money(std::string_view text, NumberFormat f = {',', "."}) {
  std::string why;
  return parse_money(text, f, &why).value_or("ERROR: " + why);
}

TEST(CellValues, MoneyWithDecimalCommaAndThousandsDots) {
  EXPECT_EQ(money("1.234.567,89"), "1234567.89");
  EXPECT_EQ(money("$ 1.234.567,89"), "1234567.89");
  EXPECT_EQ(money("45230,5"), "45230.5");
  EXPECT_EQ(money("0,00"), "0.00");
  EXPECT_EQ(money(",5"), "0.5");
  EXPECT_EQ(money("-5.000,00"), "-5000.00");
  EXPECT_EQ(money("(5.000,00)"), "-5000.00");
  EXPECT_EQ(money("$ -1.000"), "-1000");
  EXPECT_EQ(money("12.345,678"), "12345.678");  // decimals are the contract's rule
  EXPECT_EQ(money("1 234 567,89", {',', " "}), "1234567.89");
  EXPECT_EQ(money("1\xC2\xA0"
                  "234,50",
                  {',', " "}),
            "1234.50");  // no-break space
  EXPECT_EQ(money("1,234,567.89", {'.', ","}), "1234567.89");
  EXPECT_EQ(money("1.234,56", {'.', ""}).substr(0, 6), "ERROR:");
  EXPECT_EQ(money("12,3,4").substr(0, 6), "ERROR:");
  EXPECT_EQ(money("doce mil").substr(0, 6), "ERROR:");
  EXPECT_EQ(money("1.000,").substr(0, 6), "ERROR:");
}

TEST(CellValues, FlagsAndLabels) {
  EXPECT_EQ(parse_flag("SI"), true);
  EXPECT_EQ(parse_flag("Sí"), true);
  EXPECT_EQ(parse_flag(" x "), true);
  EXPECT_EQ(parse_flag("No"), false);
  EXPECT_EQ(parse_flag("0"), false);
  EXPECT_EQ(parse_flag("quizás"), std::nullopt);
  EXPECT_EQ(normalize_label("  Petición "), "peticion");
  EXPECT_EQ(normalize_label("PETICIÓN"), "peticion");
  EXPECT_EQ(normalize_label("Recurso  de_Reposición"), "recurso de reposicion");
  EXPECT_EQ(normalize_label("AÑO"), "ano");
}

TEST(StableId, Sha256MatchesTheStandardsVectors) {
  EXPECT_EQ(Sha256().hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256().add("abc").hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256().add("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").hex(),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  Sha256 pieces;
  pieces.add("abcdbcdecdefdefgefgh").add("fghighijhijkijkljklmklmnlmnomnopnopq");
  EXPECT_EQ(pieces.hex(16), "248d6a61d20638b8e5c026930c3e6039");
  std::string million(1000000, 'a');
  EXPECT_EQ(Sha256().add(million).hex(),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

Mapping mapping_of(const std::string& yaml) {
  MappingLoad load = load_mapping(yaml);
  std::string issues;
  for (const auto& i : load.issues) issues += std::to_string(i.line) + ": " + i.message + "\n";
  EXPECT_TRUE(load.mapping) << issues;
  return load.mapping.value_or(Mapping{});
}

struct Result {
  std::vector<ImportItem> records;
  std::vector<ImportItem> rejected;
  ImportCounts counts;
};

Result run(const Mapping& m, const std::string& csv) {
  CsvImport imp(m);
  std::string error;
  EXPECT_TRUE(imp.open(csv, &error)) << error;
  Result r;
  std::vector<ImportItem> items;
  while (imp.next_row(&items)) {
    for (auto& i : items) {
      if (i.outcome == ImportItem::kRecord) r.records.push_back(i);
      if (i.outcome == ImportItem::kRejected) r.rejected.push_back(i);
    }
  }
  r.counts = imp.counts();
  return r;
}

const char* kTicketsYaml = R"(
name: test-radicados
topic: pqr
csv: {delimiter: ";"}
dates: {formats: ["%d/%m/%Y %H:%M"]}
events:
  - type: pqr.filed
    fields:
      ticket_id: Radicado
      occurred_at: Fecha
      kind: {column: Tipo, values: {Petición: peticion, PQR Reclamo: reclamo}}
      channel: {column: Canal, default: otro}
      office: {column: 5}
  - type: pqr.answered
    when: Respuesta
    fields:
      ticket_id: Radicado
      occurred_at: Respuesta
      outcome: Resultado
)";

TEST(CsvImport, RowsBecomeValidatedRecordsKeyedByTicket) {
  const Mapping m = mapping_of(kTicketsYaml);
  const Result r = run(m,
                       "Radicado;Fecha;TIPO;Canal;Oficina;Respuesta;Resultado\n"
                       "R1;19/03/2024 10:05;petición;;Centro;20/03/2024 08:00;Accede\n"
                       "R2;19/03/2024 11:00;Queja;web;;;\n");
  ASSERT_EQ(r.records.size(), 3U);
  EXPECT_EQ(r.records[0].json,
            "{\"event_id\":\"" + r.records[0].event_id +
                "\",\"type\":\"pqr.filed\",\"ticket_id\":\"R1\",\"occurred_at\":\"2024-03-19T10:"
                "05:00-05:00\",\"kind\":\"peticion\",\"channel\":\"otro\",\"office\":\"Centro\"}");
  EXPECT_EQ(r.records[0].key, "R1");
  EXPECT_EQ(r.records[0].line, 2);
  // Labels without a value map match the contract's names loosely ("Accede", "Queja").
  EXPECT_NE(r.records[1].json.find("\"outcome\":\"accede\""), std::string::npos);
  EXPECT_NE(r.records[2].json.find("\"kind\":\"queja\""), std::string::npos);
  EXPECT_EQ(r.records[0].event_id.rfind("test-radicados-", 0), 0U);
  EXPECT_EQ(r.records[0].event_id.size(), std::string("test-radicados-").size() + 32);
  EXPECT_EQ(r.counts.rows, 2);
}

TEST(CsvImport, IdsAreStableAcrossRunsAndRowOrderAndFollowContent) {
  const Mapping m = mapping_of(kTicketsYaml);
  const std::string header = "Radicado;Fecha;Tipo;Canal;Oficina;Respuesta;Resultado\n";
  const std::string a = "R1;19/03/2024 10:05;Petición;web;Centro;;\n";
  const std::string b = "R2;19/03/2024 11:00;Queja;web;Norte;;\n";
  const Result first = run(m, header + a + b);
  const Result reordered = run(m, header + b + "\n" + a);
  ASSERT_EQ(first.records.size(), 2U);
  ASSERT_EQ(reordered.records.size(), 2U);
  EXPECT_EQ(first.records[0].event_id, reordered.records[1].event_id);
  EXPECT_EQ(first.records[1].event_id, reordered.records[0].event_id);
  EXPECT_EQ(first.records[0].json, reordered.records[1].json);
  // The same instant written differently is the same content; another office is not.
  const Result reformatted = run(m, header + "R1;19/3/2024 10:05;PETICION;Web;Centro;;\n");
  EXPECT_EQ(reformatted.records[0].event_id, first.records[0].event_id);
  const Result changed = run(m, header + "R1;19/03/2024 10:05;Petición;web;Sur;;\n");
  EXPECT_NE(changed.records[0].event_id, first.records[0].event_id);
}

TEST(CsvImport, RejectionsNameLineReasonAndColumn) {
  const Mapping m = mapping_of(kTicketsYaml);
  const Result r = run(m,
                       "Radicado;Fecha;Tipo;Canal;Oficina;Respuesta;Resultado\n"
                       "R1;31/02/2024 10:05;Petición;web;Centro;;\n"
                       "R2;19/03/2024 10:05;Sugerencia;web;Centro;;\n"
                       ";19/03/2024 10:05;Petición;web;Centro;;\n"
                       "R4;19/03/2024 10:05;Petición;web\n"
                       "R5;19/03/2024 10:05;Petición;web;\"Centro;Sur\";x;y;z\n"
                       "R6;19/03/2024 10:05;Petición;fax;Centro;20/03/2024 10:00;Pendiente\n");
  ASSERT_EQ(r.rejected.size(), 7U);
  std::vector<std::pair<std::int64_t, std::string>> got;
  for (const auto& i : r.rejected) got.emplace_back(i.line, i.reason);
  EXPECT_EQ(got, (std::vector<std::pair<std::int64_t, std::string>>{{2, "invalid_timestamp"},
                                                                    {3, "invalid_enum"},
                                                                    {4, "missing_field"},
                                                                    {5, "invalid_csv"},
                                                                    {6, "invalid_csv"},
                                                                    {7, "invalid_enum"},
                                                                    {7, "invalid_enum"}}));
  EXPECT_NE(r.rejected[0].detail.find("(column 'Fecha')"), std::string::npos);
  EXPECT_NE(r.rejected[1].detail.find("column 'Tipo': 'Sugerencia'"), std::string::npos);
  EXPECT_NE(r.rejected[2].detail.find("column 'Radicado' is empty"), std::string::npos);
  EXPECT_NE(r.rejected[3].detail.find("4 fields, the header has 7"), std::string::npos);
  EXPECT_EQ(r.rejected[5].type, "pqr.filed");     // channel "fax"
  EXPECT_EQ(r.rejected[6].type, "pqr.answered");  // outcome "Pendiente"
  EXPECT_EQ(r.counts.by_reason.at("invalid_enum"), 3);
}

TEST(CsvImport, TypeFromAColumnWithSkipAndMoney) {
  const Mapping m = mapping_of(R"(
name: billing
csv: {delimiter: ";", header: false}
numbers: {decimal: ",", thousands: "."}
events:
  - type: {column: 1, values: {FACT: bill.issued, REF: bill.reformed}}
    skip: [ANUL]
    fields:
      bill_id: {column: 2}
      subscriber_id: {column: 3}
      occurred_at: {columns: [4, 5], join: " "}
      period: {column: 6}
      amounts.acueducto: {column: 7, empty: ["-"]}
      amounts.alcantarillado: {column: 8, empty: ["-"]}
      amount: {column: 9}
      service: {column: 10}
)");
  const Result r = run(m,
                       "FACT;F1;S1;2024-03-26;08:00;03/2024;1.234,50;-;;\n"
                       "REF;F1;S1;2024-03-28;09:30;;;;500,00;Acueducto\n"
                       "ANUL;F2;S2;2024-03-26;08:00;03/2024;1,00;;;\n"
                       "OTRO;F3;S3;2024-03-26;08:00;03/2024;1,00;;;\n");
  ASSERT_EQ(r.records.size(), 2U);
  EXPECT_NE(
      r.records[0].json.find("\"period\":\"2024-03\",\"amounts\":{\"acueducto\":\"1234.50\"}"),
      std::string::npos)
      << r.records[0].json;
  EXPECT_NE(r.records[0].json.find("\"occurred_at\":\"2024-03-26T08:00:00-05:00\""),
            std::string::npos);
  EXPECT_EQ(r.records[0].key, "S1");  // billing is keyed by subscriber
  EXPECT_NE(r.records[1].json.find("\"amount\":\"500.00\",\"service\":\"acueducto\""),
            std::string::npos)
      << r.records[1].json;
  EXPECT_EQ(r.counts.skipped, 1);
  ASSERT_EQ(r.rejected.size(), 1U);
  EXPECT_EQ(r.rejected[0].reason, "unknown_type");
  EXPECT_EQ(r.rejected[0].line, 4);
}

TEST(CsvImport, EncodingOfTheMappingAndAUtf8ByteOrderMark) {
  Mapping m = mapping_of(kTicketsYaml);
  m.encoding = Encoding::kWindows1252;
  const std::string row = "R1;19/03/2024 10:05;Petici\xF3n;web;Centro;;\n";
  const Result cp1252 = run(m, "Radicado;Fecha;Tipo;Canal;Oficina;Respuesta;Resultado\n" + row);
  ASSERT_EQ(cp1252.records.size(), 1U);
  EXPECT_NE(cp1252.records[0].json.find("\"kind\":\"peticion\""), std::string::npos);
  // The same export saved as "CSV UTF-8": the BOM wins over the mapping's encoding.
  const Result utf8 = run(m,
                          "\xEF\xBB\xBFRadicado;Fecha;Tipo;Canal;Oficina;Respuesta;Resultado\n"
                          "R1;19/03/2024 10:05;Petición;web;Centro;;\n");
  ASSERT_EQ(utf8.records.size(), 1U);
  EXPECT_EQ(utf8.records[0].event_id, cp1252.records[0].event_id);
  // Windows-1252 bytes in a UTF-8 mapping stop the file, naming the line.
  m.encoding = Encoding::kUtf8;
  CsvImport imp(m);
  std::string error;
  EXPECT_FALSE(imp.open("Radicado;Fecha;Tipo;Canal;Oficina;Respuesta;Resultado\n" + row, &error));
  EXPECT_NE(error.find("line 2: the file is not valid UTF-8"), std::string::npos) << error;
}

TEST(CsvImport, MissingColumnsStopTheFileListingTheHeader) {
  const Mapping m = mapping_of(kTicketsYaml);
  CsvImport imp(m);
  std::string error;
  EXPECT_FALSE(imp.open("Radicado;Fecha de radicación;Tipo\n", &error));
  EXPECT_NE(error.find("'Fecha' (mapping line"), std::string::npos) << error;
  EXPECT_NE(error.find("the header has: Radicado, Fecha de radicación, Tipo"), std::string::npos)
      << error;
}

TEST(Mapping, ErrorsNameTheirLines) {
  const MappingLoad load = load_mapping(R"(name: x
csv: {delimiter: ";;", encoding: ebcdic}
events:
  - type: pqr.filed
    fields:
      ticket_id: Radicado
      tiket: Otra
  - type: bill.issued
    fields: {bill_id: Factura}
)");
  ASSERT_FALSE(load.mapping);
  std::map<int, std::string> by_line;
  for (const auto& i : load.issues) by_line[i.line] += i.message;
  EXPECT_NE(by_line[2].find("csv.delimiter: expected one ASCII character"), std::string::npos);
  EXPECT_NE(by_line[2].find("csv.encoding: unknown 'ebcdic'"), std::string::npos);
  EXPECT_NE(by_line[7].find("'tiket' is not a contract field"), std::string::npos);
  EXPECT_TRUE(load_mapping("name: [").issues.at(0).message.rfind("YAML syntax", 0) == 0);
  const MappingLoad two_topics = load_mapping(R"(name: x
events:
  - type: pqr.filed
    fields: {ticket_id: A}
  - type: bill.issued
    fields: {bill_id: B}
)");
  ASSERT_EQ(two_topics.issues.size(), 1U);
  EXPECT_EQ(two_topics.issues[0].line, 5);
  EXPECT_NE(two_topics.issues[0].message.find("one file, one raw topic"), std::string::npos);
}

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Examples, TicketingExportInWindows1252) {
  const std::string dir = PQRFLOW_SOURCE_DIR "/deploy/examples/";
  const Mapping m = mapping_of(read(dir + "radicados-sgc.yaml"));
  const Result r = run(m, read(dir + "radicados-sgc.csv"));
  EXPECT_EQ(r.counts.rows, 14);
  EXPECT_EQ(r.records.size(), 20U);
  std::vector<std::int64_t> lines;
  for (const auto& i : r.rejected) lines.push_back(i.line);
  // Row 2024-000104 has a three-line quoted remark: later rows keep their real lines.
  EXPECT_EQ(lines, (std::vector<std::int64_t>{9, 11, 12, 12, 14}));
  EXPECT_NE(r.records[6].json.find("\"ticket_id\":\"2024-000104\""), std::string::npos);
  EXPECT_NE(r.records[6].json.find("\"channel\":\"web\""), std::string::npos);  // "Página Web"
}

TEST(Examples, BillingExportWithBomAndDecimalComma) {
  const std::string dir = PQRFLOW_SOURCE_DIR "/deploy/examples/";
  const Mapping m = mapping_of(read(dir + "facturacion-sac.yaml"));
  const Result r = run(m, read(dir + "facturacion-sac.csv"));
  EXPECT_EQ(r.records.size(), 10U);
  EXPECT_EQ(r.counts.skipped, 1);
  std::vector<std::pair<std::int64_t, std::string>> got;
  for (const auto& i : r.rejected) got.emplace_back(i.line, i.reason);
  EXPECT_EQ(got, (std::vector<std::pair<std::int64_t, std::string>>{
                     {11, "negative_amount"}, {12, "too_many_decimals"}, {13, "invalid_period"}}));
  EXPECT_NE(r.records[5].json.find("\"acueducto\":\"1234567.89\""), std::string::npos);
}

}  // namespace
}  // namespace pqrflow::integrations
