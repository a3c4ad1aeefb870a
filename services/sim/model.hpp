// The numbers of the simulated utility: offices, tariffs, filing and answer behaviour,
// and the baseline (2023) and improved (2024) profiles the generator blends between.
// Internal to pqrflow::sim; docs/generator.md explains the choices.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "core/event.hpp"
#include "core/time.hpp"
#include "core/vocabulary.hpp"

namespace pqrflow::sim::model {

// Independent random streams (random.hpp derive_seed keys), so that changing one part of
// the model (say, the window rate) leaves the others' draws unchanged.
enum Stream : std::uint64_t {
  kStreamSubscriber = 1,  // per subscriber: office attributes, consumption
  kStreamBill,            // per subscriber and period
  kStreamFilings,         // per day: filings and each ticket's life
  kStreamWindows,         // per day: window services
  kStreamOperations,      // per day: visits and reforms without a ticket
  kStreamFlaws,           // once: duplicates and invalid records
};

// ---------------------------------------------------------------------------------------
// Offices. Subscribers are dealt to offices by a fixed 50-slot wheel, so every office
// keeps its share as the utility grows.
inline constexpr int kOfficeCount = 6;
inline constexpr std::uint8_t kNoOffice = 0xff;
inline constexpr int kWheelSlots = 50;

struct Office {
  std::string_view name;  // the `office` field and office:<name> scope
  std::string_view code;  // prefix of turn ids
  int slots;              // share of subscribers, in 50ths
  bool rural;
  bool opens_saturday;     // ventanilla open 08:00–12:00 on Saturdays
  double window_wait_min;  // mean wait at the window in the baseline, minutes
  // Filing channel weights, index = core::Channel (0 unused).
  std::array<double, 8> channels;
};

inline constexpr std::array<Office, kOfficeCount> kOffices = {{
    {"Centro", "CEN", 15, false, true, 21.0, {0, 34, 20, 10, 18, 11, 5, 2}},
    {"Norte", "NOR", 11, false, false, 16.0, {0, 40, 20, 10, 15, 9, 4, 2}},
    {"Sur", "SUR", 10, false, false, 17.0, {0, 42, 21, 10, 13, 8, 4, 2}},
    {"Oriente", "ORI", 6, false, false, 14.0, {0, 45, 22, 11, 10, 7, 3, 2}},
    {"Occidente", "OCC", 5, false, false, 13.0, {0, 46, 22, 11, 9, 7, 3, 2}},
    {"Rural", "RUR", 3, true, false, 10.0, {0, 58, 22, 12, 3, 2, 1, 2}},
}};

// Smooth weighted round robin over the slots: offices interleave on the wheel.
constexpr std::array<std::uint8_t, kWheelSlots> make_wheel() {
  std::array<std::uint8_t, kWheelSlots> wheel{};
  std::array<int, kOfficeCount> current{};
  for (int s = 0; s < kWheelSlots; ++s) {
    int best = 0;
    for (int k = 0; k < kOfficeCount; ++k) {
      current[k] += kOffices[k].slots;
      if (current[k] > current[best]) best = k;
    }
    current[best] -= kWheelSlots;
    wheel[s] = static_cast<std::uint8_t>(best);
  }
  return wheel;
}
inline constexpr std::array<std::uint8_t, kWheelSlots> kWheel = make_wheel();

constexpr std::uint8_t office_of_subscriber(std::uint32_t index) {
  return kWheel[index % kWheelSlots];
}

// Subscribers of office k among indices [0, n).
constexpr std::uint32_t office_population(int office, std::uint32_t n) {
  std::uint32_t count = n / kWheelSlots * static_cast<std::uint32_t>(kOffices[office].slots);
  for (std::uint32_t s = 0; s < n % kWheelSlots; ++s) {
    if (kWheel[s] == office) ++count;
  }
  return count;
}

// Billing cycle: office k's bills are issued on the (kBillingCycleFromEnd - k)-th last
// business day of the month, overnight from 01:00 to 04:00: Centro on the sixth-last,
// Rural on the last, after each office's meter-reading round.
inline constexpr int kBillingCycleFromEnd = 6;
inline constexpr int kBillingBatchStartSec = 3600;
inline constexpr int kBillingBatchSeconds = 3 * 3600;

// ---------------------------------------------------------------------------------------
// Subscribers and bills.

struct Subscriber {
  std::uint32_t index = 0;
  std::uint8_t office = 0;
  std::uint8_t estrato = 0;  // 1..6 for residential, 0 for commercial
  bool sewer = true;         // has alcantarillado
  double base_m3 = 0;        // typical monthly consumption
};

// Attributes of subscriber `index`, derived from the seed (nothing is stored).
Subscriber subscriber_at(std::uint64_t seed, std::uint32_t index);

struct BillLines {
  core::Cents acueducto = 0;
  core::Cents alcantarillado = -1;   // -1 = no sewer line
  int m3 = 0;                        // consumption of the period
  bool acueducto_as_string = false;  // amounts written as decimal strings
  bool alcantarillado_as_string = false;
  bool written_in_utc = false;  // the billing server writes some timestamps in Z
};

// The bill of a subscriber for a period: tariffs of 2023 (indexed 9.28% a year), by
// estrato: subsidies for 1–3, contributions for 5, 6 and commercial use.
BillLines bill_lines(std::uint64_t seed, const Subscriber& s, core::YearMonth period);

// ---------------------------------------------------------------------------------------
// PQR behaviour.

// Filings per subscriber per month by kind (index = core::PqrKind), at pqr_rate 1.
using KindRates = std::array<double, 8>;
// Seasonality of filings by calendar month: more after the holidays and in the rainy
// seasons (April–May, October–November), fewer in December.
inline constexpr std::array<double, 12> kFilingSeason = {1.12, 0.98, 1.04, 1.08, 1.10, 0.96,
                                                         0.94, 0.97, 1.00, 1.07, 1.03, 0.81};
// Relative filing volume of a day: business day, Saturday, Sunday or holiday.
inline constexpr double kBusinessDayWeight = 1.0;
inline constexpr double kSaturdayWeight = 0.30;
inline constexpr double kRestDayWeight = 0.12;

// Answer delay categories, in business days after the filing date.
enum DelayCategory : std::uint8_t {
  kSameDay,
  kDays1To5,
  kDays6To10,
  kDays11To15,
  kDays16To25,  // late
  kDays26To60,  // very late
  kLost,        // forgotten: answered only by a later clean-up, or never
  kDelayCategoryCount,
};
inline constexpr std::array<std::array<int, 2>, kDelayCategoryCount> kDelayRange = {
    {{0, 0}, {1, 5}, {6, 10}, {11, 15}, {16, 25}, {26, 60}, {0, 0}}};

// Outcome weights by kind (rows = core::PqrKind, columns = core::Outcome).
using OutcomeWeights = std::array<double, 10>;
inline constexpr std::array<OutcomeWeights, 8> kOutcomeWeights = {{
    {0, 1, 0, 0, 0, 0, 0, 0, 0, 0},      // unspecified (unused)
    {0, 55, 10, 25, 0, 0, 0, 2, 3, 5},   // peticion
    {0, 40, 10, 35, 0, 0, 0, 0, 5, 10},  // queja
    {0, 31, 15, 44, 0, 0, 0, 4, 2, 4},   // reclamo (baseline; see Profile)
    {0, 20, 0, 10, 0, 0, 0, 0, 40, 30},  // denuncia
    {0, 0, 0, 0, 55, 20, 15, 10, 0, 0},  // recurso_reposicion
    {0, 0, 0, 0, 60, 15, 15, 10, 0, 0},  // recurso_apelacion
    {0, 85, 5, 0, 0, 0, 0, 0, 5, 5},     // solicitud_informacion
}};

// Visit completion categories: business days after the request.
inline constexpr std::array<std::array<int, 2>, 6> kVisitDayRange = {
    {{0, 0}, {1, 1}, {2, 2}, {3, 3}, {4, 6}, {7, 12}}};

// Illustrative SUI-style causal codes per kind, and free-text reasons.
inline constexpr std::array<std::string_view, 8> kReclamoCausales = {"101", "102", "103", "105",
                                                                     "107", "108", "112", "115"};
inline constexpr std::array<std::string_view, 6> kOtherCausales = {"201", "204", "209",
                                                                   "301", "305", "310"};
inline constexpr std::array<std::string_view, 5> kMisfiledReasons = {
    "tipología errada", "causal errada", "cuenta o suscriptor errado", "datos incompletos",
    "canal mal registrado"};
inline constexpr std::array<std::string_view, 5> kReformReasons = {
    "reclamo accedido", "recurso accedido", "ajuste por lectura errada", "revisión de oficio",
    "desviación significativa"};

// Everything that moves between the baseline and the improved year.
struct Profile {
  KindRates filing_rate;
  std::array<double, kDelayCategoryCount> delay;
  double misfiled;         // share of tickets mis-filed
  double reclamo_accede;   // weight of accede for reclamos (accede_parcialmente scales too)
  double internal_error;   // share of granted claims caused by internal errors
  double reform_fraction;  // mean reform amount as a fraction of the bill line
  std::array<double, 6> visit_days;  // weights of kVisitDayRange
  double wait_factor;                // window waiting time relative to the office's baseline
  double attention_min;              // mean attention time at the window beyond 2.5 minutes
  double web_factor;                 // weight of the web channel relative to the office's mix
};

inline constexpr Profile kBaseline = {
    {0, 0.0073, 0.0015, 0.0056, 0.00015, 0.0007, 0.00025, 0.0010},
    {0.20, 0.36, 0.21, 0.11, 0.08, 0.032, 0.008},
    0.045,
    31.0,
    0.70,
    0.33,
    {0.20, 0.30, 0.22, 0.13, 0.11, 0.04},
    1.00,
    7.5,
    1.0,
};

inline constexpr Profile kImproved = {
    {0, 0.0073, 0.00135, 0.0054, 0.00015, 0.00065, 0.00025, 0.0010},
    {0.24, 0.38, 0.19, 0.12, 0.052, 0.014, 0.004},
    0.036,
    25.0,
    0.60,
    0.50,
    {0.26, 0.32, 0.20, 0.11, 0.08, 0.03},
    0.78,
    6.8,
    1.3,
};

// The profile at blend p in [0, 1] (0 = baseline, 1 = improved).
Profile blend(double p);

// Share of visits requested for a ticket of this kind (those with a subscriber).
constexpr double visit_share(core::PqrKind k) {
  switch (k) {
    case core::PqrKind::kReclamo:
      return 0.45;
    case core::PqrKind::kQueja:
      return 0.12;
    default:
      return 0.0;
  }
}

// Operational visits (no ticket) and reforms without a ticket, per subscriber per month.
inline constexpr double kOperationalVisitRate = 0.0004;
inline constexpr double kUnticketedReformRate = 0.0002;
// Granted claims that lead to a bill correction.
inline constexpr double kReformAfterGrant = 0.85;
inline constexpr double kVisitCancelled = 0.03;

// Window services per subscriber per business day (window_rate 1); Saturdays at the
// offices that open carry this share of a weekday.
inline constexpr double kWindowRate = 0.0032;
inline constexpr double kSaturdayWindowShare = 0.35;

}  // namespace pqrflow::sim::model
