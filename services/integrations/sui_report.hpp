// The monthly PQR report to the SSPD's Sistema Único de Información (SUI), "Formato A —
// Peticiones, quejas y recursos" for acueducto and alcantarillado, built from the
// per-ticket state that metrics checkpoints (or a replay rebuilds):
//
//   SuiTicketSet set;
//   set.add(snapshot);                                  // every shard's IndicatorStateSnapshot
//   SuiReport r = build_sui_report(set, default_sui_codes(), options);
//   std::cout << to_csv(r, ',', true);
//
// Rows are the tickets *radicados* (filed) in the period, with their first answer when
// it falls on or before `answers_until` (by default the period's last instant), sorted by
// radicado. The code tables map pqrflow's kinds and outcomes to the SUI's codes; they are
// our reading of Res. SSPD 20151300054575 and must be checked against the resolution in
// force before filing (docs/sui-export.md). Pure: no I/O.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.hpp"

namespace pqrflow::v1 {
class IndicatorStateSnapshot;
}

namespace pqrflow::integrations {

// The columns of the file, in order, as the SUI names them.
inline constexpr std::array<std::string_view, 14> kSuiColumns = {
    "CÓDIGO DANE",
    "RADICADO RECIBIDO",
    "FECHA RADICACIÓN",
    "TIPO DE TRÁMITE",
    "CAUSAL",
    "DETALLE DE LA CAUSAL",
    "NÚMERO DE CUENTA",
    "NÚMERO DE FACTURA",
    "TIPO DE RESPUESTA",
    "FECHA RESPUESTA",
    "RADICADO RESPUESTA",
    "FECHA NOTIFICACIÓN",
    "TIPO DE NOTIFICACIÓN",
    "FECHA TRASLADO SSPD",
};

struct SuiCodes {
  // TIPO DE TRÁMITE per PqrKind (index = PqrKind); empty = the kind is not reported.
  std::array<std::string, 8> tipo_tramite;
  // TIPO DE RESPUESTA per Outcome (index = Outcome).
  std::array<std::string, 10> tipo_respuesta;
  // TIPO DE RESPUESTA of a ticket without an answer by the cut-off (empty by default).
  std::string sin_respuesta;
  // CAUSAL for a DETALLE DE LA CAUSAL (the contract's `causal`); empty when unknown.
  std::map<std::string, std::string> causal_of_detalle;
};

// pqrflow's defaults (docs/sui-export.md has the table and its caveats).
SuiCodes default_sui_codes();

// Overrides from YAML: {tipo_tramite: {reclamo: "1", …}, tipo_respuesta: {accede: "1", …},
// sin_respuesta: "…", causales: {"<detalle>": "<causal>"}}. Errors name their line.
struct SuiCodesLoad {
  std::optional<SuiCodes> codes;
  std::vector<std::string> errors;
};
SuiCodesLoad load_sui_codes(std::string_view yaml_text, SuiCodes base);

// What the report needs of a ticket.
struct SuiTicket {
  std::string ticket_id;
  bool filed = false;
  core::Instant filed_at;
  core::PqrKind kind = core::PqrKind::kUnspecified;
  core::Service service = core::Service::kUnspecified;
  std::string subscriber_id;
  std::string causal;
  bool answered = false;
  core::Instant answered_at;
  core::Outcome outcome = core::Outcome::kUnspecified;
  std::string bill_id;  // the bill of a reform made for this ticket, if any
};

// The tickets of one or more state snapshots (one per metrics shard). A ticket lives in
// one shard; if it appears in two (stale checkpoints of another partition layout), the
// earliest filing and the earliest answer win, as in the core, and it is counted.
class SuiTicketSet {
 public:
  void add(const pqrflow::v1::IndicatorStateSnapshot& snapshot);
  const std::map<std::string, SuiTicket>& tickets() const { return tickets_; }
  std::int64_t duplicates() const { return duplicates_; }

 private:
  std::map<std::string, SuiTicket> tickets_;
  std::map<std::string, std::string> bill_of_ticket_;  // smallest bill id per ticket
  std::int64_t duplicates_ = 0;
};

struct SuiOptions {
  core::YearMonth period;
  std::optional<core::Instant> answers_until;  // default: the period's last instant
  std::optional<core::Service> service;        // only tickets of this service
  std::string codigo_dane;                     // CÓDIGO DANE of every row (may be empty)
};

struct SuiReport {
  std::vector<std::array<std::string, kSuiColumns.size()>> rows;  // sorted by radicado
  std::int64_t answered = 0;
  std::int64_t without_answer = 0;
  std::map<std::string, std::int64_t> excluded_by_kind;  // kinds without a TIPO DE TRÁMITE
  std::int64_t without_service = 0;  // dropped by the service filter for having none
};

SuiReport build_sui_report(const SuiTicketSet& tickets, const SuiCodes& codes,
                           const SuiOptions& options);

// RFC 4180 CSV (CRLF line ends, fields quoted when needed), UTF-8, header row optional.
std::string to_csv(const SuiReport& report, char delimiter, bool header);

// "19-03-2024": the SUI's date form, of an instant's local (Bogota) date.
std::string sui_date(core::Instant t);

}  // namespace pqrflow::integrations
