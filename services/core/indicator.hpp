// The eight indicators of the action plan (domain.md) and what their additive
// monthly components mean. A component cell is (indicator, scope, month) →
// (numerator, denominator), both exact integers; cells from disjoint key slices add.
//
//   id                          numerator component            denominator component
//   oportunidad_respuesta       on-time first answers in m     first answers in m
//   indice_reclamacion          reclamos filed in m            users(m): distinct billed
//   subscribers pqr_pendientes              net change in m of tickets     tickets filed in m
//                               pending at month end (+1 at the filing month, −1 at the
//                               first answer's month when later); running sum = pending
//   peticiones_mal_ingresadas   mis-filed tickets filed in m   tickets filed in m
//   reformados_valor            reform cents applied in m      billed cents of period m
//   reformados_cantidad         reforms applied in m           users(m)
//   tiempo_atencion_visitas     Σ µs completed − requested     visits completed in m
//   tiempo_atencion_ventanilla  Σ µs end − arrival             window services ending in m
//
// Spanish names follow the plan: "reformados" are bill corrections, "mal ingresadas"
// are tickets entered wrongly, "ventanilla" is the service window.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace pqrflow::core {

enum class Indicator : std::uint8_t {
  kOportunidadRespuesta = 0,
  kIndiceReclamacion,
  kPqrPendientes,
  kPeticionesMalIngresadas,
  kReformadosValor,
  kReformadosCantidad,
  kTiempoAtencionVisitas,
  kTiempoAtencionVentanilla,
};
inline constexpr std::size_t kIndicatorCount = 8;

enum class Unit : std::uint8_t { kPercent, kHours, kMinutes };

struct IndicatorInfo {
  Indicator indicator;
  std::string_view id;  // wire id, e.g. "pqr_pendientes"
  Unit unit;
  bool office_scopes;        // has office:<name> rows
  bool service_scopes;       // has service:<name> rows
  std::string_view name_es;  // default label (the plan may override)
};

inline constexpr std::array<IndicatorInfo, kIndicatorCount> kIndicators = {{
    {Indicator::kOportunidadRespuesta, "oportunidad_respuesta", Unit::kPercent, true, false,
     "Oportunidad en la respuesta a derechos de petición"},
    {Indicator::kIndiceReclamacion, "indice_reclamacion", Unit::kPercent, false, false,
     "Índice de reclamación"},
    {Indicator::kPqrPendientes, "pqr_pendientes", Unit::kPercent, true, false,
     "PQR pendientes de respuesta"},
    {Indicator::kPeticionesMalIngresadas, "peticiones_mal_ingresadas", Unit::kPercent, true, false,
     "Peticiones mal ingresadas"},
    {Indicator::kReformadosValor, "reformados_valor", Unit::kPercent, false, true,
     "Valor de los reformados"},
    {Indicator::kReformadosCantidad, "reformados_cantidad", Unit::kPercent, false, true,
     "Número de reformados"},
    {Indicator::kTiempoAtencionVisitas, "tiempo_atencion_visitas", Unit::kHours, false, false,
     "Tiempo de atención en visitas PQR"},
    {Indicator::kTiempoAtencionVentanilla, "tiempo_atencion_ventanilla", Unit::kMinutes, true,
     false, "Tiempo de atención en ventanilla"},
}};

constexpr const IndicatorInfo& info(Indicator i) {
  return kIndicators[static_cast<std::size_t>(i)];
}
constexpr std::string_view id_of(Indicator i) {
  return info(i).id;
}

constexpr std::optional<Indicator> indicator_from_id(std::string_view id) {
  for (const auto& i : kIndicators) {
    if (i.id == id) return i.indicator;
  }
  return std::nullopt;
}

constexpr std::string_view unit_symbol(Unit u) {
  switch (u) {
    case Unit::kPercent:
      return "%";
    case Unit::kHours:
      return "hours";
    case Unit::kMinutes:
      return "minutes";
  }
  return "";
}

}  // namespace pqrflow::core
