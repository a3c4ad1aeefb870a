// The closed vocabularies of the raw contract (design.md §4): PQR kinds, channels,
// answer outcomes, services and event types, with their wire names.
//
// Values match the protobuf enums of proto/pqrflow/v1/events.proto (0 = unspecified),
// so conversion is a cast. Names are the Spanish terms the utility uses.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace pqrflow::core {

enum class PqrKind : std::uint8_t {
  kUnspecified = 0,
  kPeticion,
  kQueja,
  kReclamo,
  kDenuncia,
  kRecursoReposicion,
  kRecursoApelacion,
  kSolicitudInformacion,
};
inline constexpr std::array<std::string_view, 8> kPqrKindNames = {"",
                                                                  "peticion",
                                                                  "queja",
                                                                  "reclamo",
                                                                  "denuncia",
                                                                  "recurso_reposicion",
                                                                  "recurso_apelacion",
                                                                  "solicitud_informacion"};

enum class Channel : std::uint8_t {
  kUnspecified = 0,
  kVentanilla,
  kTelefono,
  kEscrito,
  kWeb,
  kCorreo,
  kRedesSociales,
  kOtro,
};
inline constexpr std::array<std::string_view, 8> kChannelNames = {
    "", "ventanilla", "telefono", "escrito", "web", "correo", "redes_sociales", "otro"};

enum class Outcome : std::uint8_t {
  kUnspecified = 0,
  kAccede,
  kAccedeParcialmente,
  kNoAccede,
  kConfirma,
  kModifica,
  kRevoca,
  kRechaza,
  kTrasladaCompetencia,
  kArchiva,
};
inline constexpr std::array<std::string_view, 10> kOutcomeNames = {
    "",       "accede",  "accede_parcialmente",  "no_accede", "confirma", "modifica",
    "revoca", "rechaza", "traslada_competencia", "archiva"};

enum class Service : std::uint8_t { kUnspecified = 0, kAcueducto, kAlcantarillado };
inline constexpr std::array<std::string_view, 3> kServiceNames = {"", "acueducto",
                                                                  "alcantarillado"};
inline constexpr int kServiceCount = 2;  // real services, excluding kUnspecified

enum class EventType : std::uint8_t {
  kPqrFiled = 0,
  kPqrAnswered,
  kPqrMisfiled,
  kWindowServed,
  kVisitRequested,
  kVisitCompleted,
  kBillIssued,
  kBillReformed,
};
inline constexpr std::array<std::string_view, 8> kEventTypeNames = {
    "pqr.filed",       "pqr.answered",    "pqr.misfiled", "window.served",
    "visit.requested", "visit.completed", "bill.issued",  "bill.reformed"};

// Looks a wire name up in one of the tables above; nullopt when unknown or empty.
template <typename Enum, std::size_t N>
constexpr std::optional<Enum> enum_from_name(const std::array<std::string_view, N>& names,
                                             std::string_view name) {
  for (std::size_t i = 0; i < N; ++i) {
    if (!names[i].empty() && names[i] == name) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

constexpr std::string_view name_of(PqrKind v) {
  return kPqrKindNames[static_cast<std::size_t>(v)];
}
constexpr std::string_view name_of(Channel v) {
  return kChannelNames[static_cast<std::size_t>(v)];
}
constexpr std::string_view name_of(Outcome v) {
  return kOutcomeNames[static_cast<std::size_t>(v)];
}
constexpr std::string_view name_of(Service v) {
  return kServiceNames[static_cast<std::size_t>(v)];
}
constexpr std::string_view name_of(EventType v) {
  return kEventTypeNames[static_cast<std::size_t>(v)];
}

// domain.md: "Accedida" = first answer accede / accede_parcialmente (for recursos
// also modifica, revoca).
constexpr bool is_recurso(PqrKind k) {
  return k == PqrKind::kRecursoReposicion || k == PqrKind::kRecursoApelacion;
}
constexpr bool is_accedida(PqrKind kind, Outcome o) {
  return o == Outcome::kAccede || o == Outcome::kAccedeParcialmente ||
         (is_recurso(kind) && (o == Outcome::kModifica || o == Outcome::kRevoca));
}

}  // namespace pqrflow::core
