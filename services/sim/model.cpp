#include "sim/model.hpp"

#include <algorithm>

#include "sim/random.hpp"

namespace pqrflow::sim::model {
namespace {

// Consumption by calendar month: more in the dry seasons (Dec–Mar, Jul–Aug).
constexpr std::array<double, 12> kConsumptionSeason = {1.06, 1.08, 1.04, 0.98, 0.96, 0.98,
                                                       1.04, 1.06, 1.02, 0.96, 0.95, 1.00};

// 2023 tariffs in cents: fixed charge and price per m3, acueducto and alcantarillado.
constexpr core::Cents kAcueductoFixed = 985037;
constexpr core::Cents kAcueductoM3 = 271244;
constexpr core::Cents kAlcantarilladoFixed = 512018;
constexpr core::Cents kAlcantarilladoM3 = 215491;
constexpr int kTariffYear = 2023;
constexpr int kBasicM3 = 13;  // consumo básico: subsidies and contributions apply up to here

// Per-mille factor on the fixed charge and the basic consumption: subsidies for estratos
// 1–3, contributions for 5–6; index 0 = commercial use.
constexpr std::array<core::Cents, 7> kEstratoFactor = {1500, 300, 600, 850, 1000, 1500, 1600};

// A tariff of `year`, indexed 9.28% a year (the 2023 inflation) from the 2023 value.
core::Cents indexed(core::Cents base, int year) {
  core::Cents v = base;
  for (int y = kTariffYear; y < year; ++y) v = v * 10928 / 10000;
  for (int y = year; y < kTariffYear; ++y) v = v * 10000 / 10928;
  return v;
}

double lerp(double a, double b, double p) {
  return a + (b - a) * p;
}

}  // namespace

Subscriber subscriber_at(std::uint64_t seed, std::uint32_t index) {
  Rng rng(derive_seed(seed, kStreamSubscriber, index));
  Subscriber s;
  s.index = index;
  s.office = office_of_subscriber(index);
  const bool rural = kOffices[s.office].rural;
  const bool commercial = rng.chance(rural ? 0.02 : 0.06);
  if (commercial) {
    s.estrato = 0;
  } else {
    constexpr std::array<double, 7> kUrban = {0, 15, 30, 30, 13, 7, 5};
    constexpr std::array<double, 7> kRural = {0, 50, 40, 10, 0, 0, 0};
    s.estrato = static_cast<std::uint8_t>(rng.pick(rural ? kRural : kUrban));
  }
  s.sewer = rng.chance(rural ? 0.40 : 0.96);
  s.base_m3 = commercial ? 15.0 + rng.erlang(2, 30.0)
                         : (9.0 + rng.erlang(3, 7.0)) * (s.estrato >= 5 ? 1.3 : 1.0);
  return s;
}

BillLines bill_lines(std::uint64_t seed, const Subscriber& s, core::YearMonth period) {
  Rng rng(derive_seed(seed, kStreamBill, s.index, static_cast<std::uint64_t>(period.index)));
  BillLines b;
  const double m3 = rng.chance(0.02) ? 0.0  // vacant this month: fixed charges only
                                     : s.base_m3 * kConsumptionSeason[period.month() - 1] *
                                           rng.uniform(0.75, 1.25);
  b.m3 = static_cast<int>(m3 + 0.5);
  const core::Cents factor = kEstratoFactor[s.estrato];
  const core::Cents extra_factor = (s.estrato == 0 || s.estrato >= 5) ? factor : 1000;
  const core::Cents basic = std::min(b.m3, kBasicM3);
  const core::Cents extra = std::max(b.m3 - kBasicM3, 0);
  const int year = period.year();
  const bool round_to_pesos = rng.chance(0.7);
  auto line = [&](core::Cents fixed, core::Cents per_m3) {
    const core::Cents f = indexed(fixed, year);
    const core::Cents p = indexed(per_m3, year);
    core::Cents cents = ((f + basic * p) * factor + extra * p * extra_factor) / 1000;
    if (round_to_pesos) cents = (cents + 50) / 100 * 100;
    return cents;
  };
  b.acueducto = line(kAcueductoFixed, kAcueductoM3);
  if (s.sewer) b.alcantarillado = line(kAlcantarilladoFixed, kAlcantarilladoM3);
  b.acueducto_as_string = rng.chance(0.4);
  b.alcantarillado_as_string = rng.chance(0.4);
  b.written_in_utc = rng.chance(0.2);
  return b;
}

Profile blend(double p) {
  Profile r{};
  for (std::size_t i = 0; i < r.filing_rate.size(); ++i) {
    r.filing_rate[i] = lerp(kBaseline.filing_rate[i], kImproved.filing_rate[i], p);
  }
  for (std::size_t i = 0; i < r.delay.size(); ++i) {
    r.delay[i] = lerp(kBaseline.delay[i], kImproved.delay[i], p);
  }
  for (std::size_t i = 0; i < r.visit_days.size(); ++i) {
    r.visit_days[i] = lerp(kBaseline.visit_days[i], kImproved.visit_days[i], p);
  }
  r.misfiled = lerp(kBaseline.misfiled, kImproved.misfiled, p);
  r.reclamo_accede = lerp(kBaseline.reclamo_accede, kImproved.reclamo_accede, p);
  r.internal_error = lerp(kBaseline.internal_error, kImproved.internal_error, p);
  r.reform_fraction = lerp(kBaseline.reform_fraction, kImproved.reform_fraction, p);
  r.wait_factor = lerp(kBaseline.wait_factor, kImproved.wait_factor, p);
  r.attention_min = lerp(kBaseline.attention_min, kImproved.attention_min, p);
  r.web_factor = lerp(kBaseline.web_factor, kImproved.web_factor, p);
  return r;
}

}  // namespace pqrflow::sim::model
