#include "integrations/sui_report.hpp"

#include <yaml-cpp/yaml.h>

#include "pqrflow/v1/checkpoint.pb.h"

namespace pqrflow::integrations {
namespace {

template <typename Enum>
Enum enum_or_unspecified(int v, int max) {
  return v >= 0 && v <= max ? static_cast<Enum>(v) : static_cast<Enum>(0);
}

void two(std::string* out, int v) {
  out->push_back(static_cast<char>('0' + v / 10));
  out->push_back(static_cast<char>('0' + v % 10));
}

void append_csv_field(std::string* out, std::string_view f, char delimiter) {
  if (f.find_first_of(std::string{delimiter, '"', '\r', '\n'}) == std::string_view::npos) {
    out->append(f);
    return;
  }
  out->push_back('"');
  for (const char c : f) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

int line_of(const YAML::Node& n) {
  return n.Mark().is_null() ? 0 : n.Mark().line + 1;
}

}  // namespace

SuiCodes default_sui_codes() {
  using core::Outcome;
  using core::PqrKind;
  SuiCodes c;
  const auto k = [&](PqrKind kind, const char* code) {
    c.tipo_tramite[static_cast<std::size_t>(kind)] = code;
  };
  k(PqrKind::kReclamo, "1");               // reclamación
  k(PqrKind::kQueja, "2");                 // queja
  k(PqrKind::kRecursoReposicion, "3");     // recurso de reposición
  k(PqrKind::kRecursoApelacion, "4");      // reposición y en subsidio apelación
  k(PqrKind::kPeticion, "5");              // petición / solicitud
  k(PqrKind::kSolicitudInformacion, "5");  // solicitud de información: a petición
  // kDenuncia: not a PQR of Ley 142 art. 152 (e.g. a fraud report): not reported.
  const auto o = [&](Outcome outcome, const char* code) {
    c.tipo_respuesta[static_cast<std::size_t>(outcome)] = code;
  };
  o(Outcome::kAccede, "1");
  o(Outcome::kAccedeParcialmente, "2");
  o(Outcome::kNoAccede, "3");
  o(Outcome::kConfirma, "4");
  o(Outcome::kModifica, "5");
  o(Outcome::kRevoca, "6");
  o(Outcome::kRechaza, "7");
  o(Outcome::kTrasladaCompetencia, "8");
  o(Outcome::kArchiva, "9");
  return c;
}

SuiCodesLoad load_sui_codes(std::string_view yaml_text, SuiCodes base) {
  SuiCodesLoad out;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    out.errors.push_back("line " + std::to_string(e.mark.line + 1) + ": YAML syntax: " + e.msg);
    return out;
  }
  if (!root.IsMap()) {
    out.errors.push_back(
        "line 1: expected {tipo_tramite, tipo_respuesta, sin_respuesta, causales}");
    return out;
  }
  const auto err = [&](const YAML::Node& n, const std::string& m) {
    out.errors.push_back("line " + std::to_string(line_of(n)) + ": " + m);
  };
  for (auto it = root.begin(); it != root.end(); ++it) {
    const std::string key = it->first.Scalar();
    const YAML::Node v = it->second;
    if (key == "sin_respuesta") {
      if (v.IsScalar()) {
        base.sin_respuesta = v.Scalar();
      } else if (!v.IsNull()) {
        err(v, "sin_respuesta: expected a code");
      } else {
        base.sin_respuesta.clear();
      }
      continue;
    }
    if (key != "tipo_tramite" && key != "tipo_respuesta" && key != "causales") {
      err(it->first, "unknown key '" + key +
                         "' (expected tipo_tramite, tipo_respuesta, sin_respuesta, causales)");
      continue;
    }
    if (!v.IsMap()) {
      err(v, key + ": expected a mapping");
      continue;
    }
    for (auto e = v.begin(); e != v.end(); ++e) {
      const std::string name = e->first.Scalar();
      const std::string code = e->second.IsNull() ? "" : e->second.Scalar();
      if (key == "causales") {
        base.causal_of_detalle[name] = code;
      } else if (key == "tipo_tramite") {
        const auto kind = core::enum_from_name<core::PqrKind>(core::kPqrKindNames, name);
        if (!kind) {
          err(e->first, "tipo_tramite: '" + name + "' is not a pqrflow kind");
        } else {
          base.tipo_tramite[static_cast<std::size_t>(*kind)] = code;
        }
      } else {
        const auto outcome = core::enum_from_name<core::Outcome>(core::kOutcomeNames, name);
        if (!outcome) {
          err(e->first, "tipo_respuesta: '" + name + "' is not a pqrflow outcome");
        } else {
          base.tipo_respuesta[static_cast<std::size_t>(*outcome)] = code;
        }
      }
    }
  }
  if (out.errors.empty()) out.codes = std::move(base);
  return out;
}

void SuiTicketSet::add(const pqrflow::v1::IndicatorStateSnapshot& snapshot) {
  for (const auto& p : snapshot.tickets()) {
    SuiTicket t;
    t.ticket_id = p.ticket_id();
    t.filed = p.filed();
    t.filed_at = core::Instant{p.filed_at_us()};
    t.kind = enum_or_unspecified<core::PqrKind>(p.kind(), 7);
    t.service = enum_or_unspecified<core::Service>(p.service(), 2);
    t.subscriber_id = p.subscriber_id();
    t.causal = p.causal();
    t.answered = p.answered();
    t.answered_at = core::Instant{p.answered_at_us()};
    t.outcome = enum_or_unspecified<core::Outcome>(p.outcome(), 9);
    auto [it, inserted] = tickets_.emplace(t.ticket_id, t);
    if (inserted) {
      if (auto b = bill_of_ticket_.find(t.ticket_id); b != bill_of_ticket_.end())
        it->second.bill_id = b->second;
      continue;
    }
    ++duplicates_;
    SuiTicket& cur = it->second;
    if (t.filed && (!cur.filed || t.filed_at < cur.filed_at)) {
      const std::string bill = cur.bill_id;
      const bool answered = cur.answered;
      const core::Instant answered_at = cur.answered_at;
      const core::Outcome outcome = cur.outcome;
      cur = t;
      cur.bill_id = bill;
      cur.answered = answered;
      cur.answered_at = answered_at;
      cur.outcome = outcome;
    }
    if (t.answered && (!cur.answered || t.answered_at < cur.answered_at)) {
      cur.answered = true;
      cur.answered_at = t.answered_at;
      cur.outcome = t.outcome;
    }
  }
  // Reforms live in the subscriber's shard, tickets in the ticket's: join by ticket id.
  for (const auto& r : snapshot.reforms()) {
    if (r.ticket_id().empty() || r.bill_id().empty()) continue;
    auto [b, inserted] = bill_of_ticket_.emplace(r.ticket_id(), r.bill_id());
    if (!inserted && r.bill_id() < b->second) b->second = r.bill_id();
    if (auto t = tickets_.find(r.ticket_id()); t != tickets_.end()) t->second.bill_id = b->second;
  }
}

std::string sui_date(core::Instant t) {
  const core::Ymd d = core::ymd_of(core::local_date(t));
  std::string out;
  two(&out, d.day);
  out += '-';
  two(&out, d.month);
  out += '-';
  out += std::to_string(d.year);
  return out;
}

SuiReport build_sui_report(const SuiTicketSet& tickets, const SuiCodes& codes,
                           const SuiOptions& options) {
  SuiReport report;
  const core::Instant until = options.answers_until.value_or(core::end_of_month(options.period));
  for (const auto& [id, t] : tickets.tickets()) {  // std::map: sorted by radicado
    if (!t.filed || core::local_month(t.filed_at) != options.period) continue;
    if (options.service && t.service != *options.service) {
      if (t.service == core::Service::kUnspecified) ++report.without_service;
      continue;
    }
    const std::string& tramite = codes.tipo_tramite[static_cast<std::size_t>(t.kind)];
    if (tramite.empty()) {
      ++report.excluded_by_kind[std::string(core::name_of(t.kind))];
      continue;
    }
    std::array<std::string, kSuiColumns.size()> row;
    row[0] = options.codigo_dane;
    row[1] = t.ticket_id;
    row[2] = sui_date(t.filed_at);
    row[3] = tramite;
    if (auto c = codes.causal_of_detalle.find(t.causal); c != codes.causal_of_detalle.end())
      row[4] = c->second;
    row[5] = t.causal;
    row[6] = t.subscriber_id;
    row[7] = t.bill_id;
    if (t.answered && t.answered_at <= until) {
      row[8] = codes.tipo_respuesta[static_cast<std::size_t>(t.outcome)];
      row[9] = sui_date(t.answered_at);
      ++report.answered;
    } else {
      row[8] = codes.sin_respuesta;
      ++report.without_answer;
    }
    // RADICADO RESPUESTA, FECHA NOTIFICACIÓN, TIPO DE NOTIFICACIÓN, FECHA TRASLADO SSPD:
    // not in the raw contract (docs/sui-export.md, "What the contract lacks").
    report.rows.push_back(std::move(row));
  }
  return report;
}

std::string to_csv(const SuiReport& report, char delimiter, bool header) {
  std::string out;
  const auto line = [&](const auto& fields) {
    bool first = true;
    for (const auto& f : fields) {
      if (!first) out.push_back(delimiter);
      first = false;
      append_csv_field(&out, f, delimiter);
    }
    out += "\r\n";
  };
  if (header) line(kSuiColumns);
  for (const auto& row : report.rows) line(row);
  return out;
}

}  // namespace pqrflow::integrations
