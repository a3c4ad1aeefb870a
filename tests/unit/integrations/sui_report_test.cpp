// The SUI monthly PQR report: which tickets (radicados of the month), which answers (up to
// the cut-off), the code tables, joins across shards, and the CSV form.
#include "integrations/sui_report.hpp"

#include <gtest/gtest.h>

#include "core/contract.hpp"
#include "core/state.hpp"
#include "pqrflow/v1/checkpoint.pb.h"

namespace pqrflow::integrations {
namespace {

// The state of a list of raw records, as one shard's snapshot.
pqrflow::v1::IndicatorStateSnapshot snapshot(const std::vector<std::string>& records) {
  core::Decoder d;
  core::IndicatorState s;
  core::Event e;
  core::Rejection why;
  for (const std::string& r : records) {
    EXPECT_TRUE(d.decode_json(r, &e, &why)) << why.detail;
    s.apply(e);
  }
  pqrflow::v1::IndicatorStateSnapshot out;
  s.save(&out);
  return out;
}

std::string filed(const std::string& id, const std::string& at, const std::string& kind,
                  const std::string& extra = "") {
  return R"({"event_id":"f)" + id + R"(","type":"pqr.filed","ticket_id":")" + id +
         R"(","occurred_at":")" + at + R"(","kind":")" + kind + R"(","channel":"web")" + extra +
         "}";
}
std::string answered(const std::string& id, const std::string& at, const std::string& outcome) {
  return R"({"event_id":"a)" + id + at + R"(","type":"pqr.answered","ticket_id":")" + id +
         R"(","occurred_at":")" + at + R"(","outcome":")" + outcome + R"("})";
}

TEST(SuiReport, RadicadosOfTheMonthWithAnswersUpToTheCutOff) {
  SuiTicketSet set;
  set.add(snapshot({
      filed("R3", "2024-03-31T23:30:00-05:00", "reclamo",
            R"(,"subscriber_id":"S1","causal":"102","service":"acueducto")"),
      answered("R3", "2024-04-02T09:00:00-05:00", "accede"),
      filed("R1", "2024-03-01T00:00:00-05:00", "peticion"),
      answered("R1", "2024-03-05T10:00:00-05:00", "no_accede"),
      answered("R1", "2024-03-02T10:00:00-05:00", "accede"),  // the first answer counts
      filed("R0", "2024-03-01T04:59:59Z", "queja"),           // Feb 29 in Bogota
      filed("R2", "2024-03-10T10:00:00-05:00", "denuncia"),   // not a SUI trámite
      answered("R9", "2024-03-10T10:00:00-05:00", "accede"),  // orphan answer
      filed("R4", "2024-04-01T00:00:00-05:00", "queja"),      // April
  }));
  SuiOptions o;
  o.period = core::YearMonth::of(2024, 3);
  o.codigo_dane = "76001000";
  const SuiReport r = build_sui_report(set, default_sui_codes(), o);
  EXPECT_EQ(to_csv(r, ',', false),
            "76001000,R1,01-03-2024,5,,,,,1,02-03-2024,,,,\r\n"
            "76001000,R3,31-03-2024,1,,102,S1,,,,,,,\r\n");
  EXPECT_EQ(r.answered, 1);
  EXPECT_EQ(r.without_answer, 1);
  EXPECT_EQ(r.excluded_by_kind.at("denuncia"), 1);

  // A later cut-off reports R3's April answer.
  o.answers_until = core::parse_rfc3339("2024-04-10T23:59:59-05:00");
  EXPECT_EQ(to_csv(build_sui_report(set, default_sui_codes(), o), ',', false),
            "76001000,R1,01-03-2024,5,,,,,1,02-03-2024,,,,\r\n"
            "76001000,R3,31-03-2024,1,,102,S1,,1,02-04-2024,,,,\r\n");
}

TEST(SuiReport, EveryKindAndOutcomeHasItsCode) {
  const SuiCodes c = default_sui_codes();
  const std::vector<std::pair<core::PqrKind, std::string>> kinds = {
      {core::PqrKind::kReclamo, "1"},
      {core::PqrKind::kQueja, "2"},
      {core::PqrKind::kRecursoReposicion, "3"},
      {core::PqrKind::kRecursoApelacion, "4"},
      {core::PqrKind::kPeticion, "5"},
      {core::PqrKind::kSolicitudInformacion, "5"},
      {core::PqrKind::kDenuncia, ""}};
  for (const auto& [k, code] : kinds)
    EXPECT_EQ(c.tipo_tramite[static_cast<std::size_t>(k)], code) << core::name_of(k);
  for (std::size_t o = 1; o < core::kOutcomeNames.size(); ++o)
    EXPECT_EQ(c.tipo_respuesta[o], std::to_string(o)) << core::kOutcomeNames[o];
  EXPECT_EQ(c.sin_respuesta, "");
}

TEST(SuiReport, CodesCanBeOverriddenFromYaml) {
  const SuiCodesLoad load = load_sui_codes(R"(
tipo_tramite: {denuncia: "6", peticion: "7"}
tipo_respuesta: {archiva: "11"}
sin_respuesta: "9"
causales: {"102": "1"}
)",
                                           default_sui_codes());
  ASSERT_TRUE(load.codes) << load.errors.at(0);
  EXPECT_EQ(load.codes->tipo_tramite[static_cast<std::size_t>(core::PqrKind::kDenuncia)], "6");
  EXPECT_EQ(load.codes->tipo_tramite[static_cast<std::size_t>(core::PqrKind::kReclamo)], "1");
  EXPECT_EQ(load.codes->tipo_respuesta[static_cast<std::size_t>(core::Outcome::kArchiva)], "11");
  EXPECT_EQ(load.codes->sin_respuesta, "9");

  SuiTicketSet set;
  set.add(snapshot({filed("R1", "2024-03-05T10:00:00-05:00", "reclamo", R"(,"causal":"102")")}));
  SuiOptions o;
  o.period = core::YearMonth::of(2024, 3);
  EXPECT_EQ(to_csv(build_sui_report(set, *load.codes, o), ';', false),
            ";R1;05-03-2024;1;1;102;;;9;;;;;\r\n");

  const SuiCodesLoad bad = load_sui_codes("tipo_tramite: {sugerencia: \"9\"}\nfoo: 1\n", {});
  ASSERT_EQ(bad.errors.size(), 2U);
  EXPECT_EQ(bad.errors[0], "line 1: tipo_tramite: 'sugerencia' is not a pqrflow kind");
  EXPECT_NE(bad.errors[1].find("line 2: unknown key 'foo'"), std::string::npos);
}

TEST(SuiReport, BillOfAReformJoinsAcrossShardsAndServiceFilter) {
  SuiTicketSet set;
  // The ticket's shard and the subscriber's shard (reforms) are different checkpoints.
  set.add(snapshot(
      {R"({"event_id":"r1","type":"bill.reformed","occurred_at":"2024-03-20T10:00:00-05:00","bill_id":"F-9","subscriber_id":"S1","service":"acueducto","amount":"100","ticket_id":"R1"})",
       R"({"event_id":"r2","type":"bill.reformed","occurred_at":"2024-03-21T10:00:00-05:00","bill_id":"F-1","subscriber_id":"S1","service":"acueducto","amount":"100","ticket_id":"R1"})"}));
  set.add(snapshot(
      {filed("R1", "2024-03-05T10:00:00-05:00", "reclamo",
             R"(,"subscriber_id":"S1","service":"acueducto")"),
       filed("R2", "2024-03-05T10:00:00-05:00", "reclamo", R"(,"service":"alcantarillado")"),
       filed("R3", "2024-03-05T10:00:00-05:00", "reclamo")}));
  SuiOptions o;
  o.period = core::YearMonth::of(2024, 3);
  o.service = core::Service::kAcueducto;
  const SuiReport r = build_sui_report(set, default_sui_codes(), o);
  EXPECT_EQ(to_csv(r, ',', false), ",R1,05-03-2024,1,,,S1,F-1,,,,,,\r\n");
  EXPECT_EQ(r.without_service, 1);
}

TEST(SuiReport, ATicketInTwoCheckpointsKeepsTheEarliestFilingAndAnswer) {
  SuiTicketSet set;
  set.add(snapshot({filed("R1", "2024-03-06T10:00:00-05:00", "queja"),
                    answered("R1", "2024-03-09T10:00:00-05:00", "accede")}));
  set.add(snapshot({filed("R1", "2024-03-05T10:00:00-05:00", "reclamo"),
                    answered("R1", "2024-03-08T10:00:00-05:00", "no_accede")}));
  EXPECT_EQ(set.duplicates(), 1);
  SuiOptions o;
  o.period = core::YearMonth::of(2024, 3);
  EXPECT_EQ(to_csv(build_sui_report(set, default_sui_codes(), o), ',', false),
            ",R1,05-03-2024,1,,,,,3,08-03-2024,,,,\r\n");
}

TEST(SuiReport, CsvHeaderAndQuoting) {
  SuiTicketSet set;
  set.add(snapshot(
      {filed("R,1", "2024-03-05T10:00:00-05:00", "queja", R"(,"causal":"dice \"alto\"")")}));
  SuiOptions o;
  o.period = core::YearMonth::of(2024, 3);
  const std::string csv = to_csv(build_sui_report(set, default_sui_codes(), o), ',', true);
  EXPECT_EQ(csv.substr(0, csv.find("\r\n")),
            "CÓDIGO DANE,RADICADO RECIBIDO,FECHA RADICACIÓN,TIPO DE TRÁMITE,CAUSAL,DETALLE DE LA "
            "CAUSAL,NÚMERO DE CUENTA,NÚMERO DE FACTURA,TIPO DE RESPUESTA,FECHA RESPUESTA,RADICADO "
            "RESPUESTA,FECHA NOTIFICACIÓN,TIPO DE NOTIFICACIÓN,FECHA TRASLADO SSPD");
  EXPECT_NE(csv.find(",\"R,1\",05-03-2024,2,,\"dice \"\"alto\"\"\","), std::string::npos) << csv;
}

}  // namespace
}  // namespace pqrflow::integrations
