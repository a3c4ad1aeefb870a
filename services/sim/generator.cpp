#include "sim/generator.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <utility>
#include <vector>

#include "core/calendar.hpp"
#include "sim/flaws.hpp"
#include "sim/model.hpp"
#include "sim/random.hpp"
#include "sim/sim_event.hpp"

// Every random draw is its own statement (or sequenced by ?: and &&): C++ leaves the
// order of function arguments and of operands of + unspecified, and compilers differ,
// so two draws in one expression would make the feed depend on the compiler.

namespace pqrflow::sim {
namespace {

using core::Channel;
using core::Date;
using core::EventType;
using core::Instant;
using core::Outcome;
using core::PqrKind;
using core::Service;
using core::YearMonth;

constexpr std::int64_t kSec = core::kMicrosPerSecond;
constexpr std::int64_t kMinute = 60 * kSec;
constexpr std::int64_t kHour = 3600 * kSec;
constexpr std::int64_t kDay = core::kMicrosPerDay;

// Orphan answers name tickets from a range real filings never reach.
constexpr std::uint32_t kOrphanBase = 90'000'000;
// Share of answers re-sent days late by a backfill.
constexpr double kBackfillRate = 0.003;

Instant at_second(Date d, std::int64_t second_of_day) {
  return Instant{core::local_midnight(d).us + second_of_day * kSec};
}

int local_year(Instant t) {
  return core::ymd_of(core::local_date(t)).year;
}

bool is_saturday(Date d) {
  return core::weekday_of(d) == 5;
}

// Ventanilla opening: business days 07:30–16:30; Saturdays 08:00–12:00 where it opens.
bool office_open(int office, Date d) {
  return core::is_business_day(d) ||
         (is_saturday(d) && !core::is_holiday(d) && model::kOffices[office].opens_saturday);
}

// Relative volume of remote filings (web, correo, redes, otro) by hour of day.
constexpr std::array<double, 24> kRemoteHours = {0.10, 0.05, 0.05, 0.05, 0.10, 0.20, 0.40, 0.80,
                                                 1.20, 1.30, 1.30, 1.20, 0.90, 0.90, 1.10, 1.10,
                                                 1.00, 0.90, 0.90, 0.90, 0.80, 0.60, 0.40, 0.20};
// Arrivals at the window by hour from 07:30 (nine one-hour buckets to 16:30); the
// busier the hour, the longer the wait.
constexpr std::array<double, 9> kWindowHours = {0.8, 1.2, 1.3, 1.1, 0.7, 0.8, 1.0, 0.9, 0.6};
constexpr std::int64_t kOpenSec = 7 * 3600 + 1800;

// A second of the day within office hours (07:30–16:30, busier mid-morning) or the
// Saturday morning (08:00–12:00).
std::int64_t office_second(Rng& rng, Date d, std::size_t* bucket = nullptr) {
  if (!core::is_business_day(d)) return rng.between(8 * 3600, 12 * 3600 - 1);
  const std::size_t b = rng.pick(kWindowHours);
  if (bucket != nullptr) *bucket = b;
  return kOpenSec + static_cast<std::int64_t>(b) * 3600 + rng.between(0, 3599);
}

// An instant during back-office hours (07:30–17:30) of d.
Instant business_time(Rng& rng, Date d) {
  return at_second(d, rng.between(kOpenSec, 17 * 3600 + 1800));
}

// d itself when it is a business day, else the next one.
Date business_day_on_or_after(Date d) {
  return core::is_business_day(d) ? d : *core::add_business_days(d, 1);
}

std::uint8_t pick_zone(Rng& rng) {
  const double u = rng.uniform();
  if (u < 0.90) return kZoneBogota;
  if (u < 0.97) return kZoneUtc;
  return static_cast<std::uint8_t>(2 + rng.below(static_cast<std::uint32_t>(kZones.size() - 2)));
}

std::int64_t millis(Rng& rng) {
  return rng.between(0, 999) * 1000;
}

bool later(const SimEvent& a, const SimEvent& b) {
  return a.at != b.at ? a.at > b.at : a.seq > b.seq;
}

// What stays fixed for a plan.
struct MonthPlan {
  YearMonth month{-1};
  model::Profile profile{};
  std::uint32_t subscribers = 0;
  double day_weight_total = 0;
  int business_days = 0;
  std::array<Date, model::kOfficeCount> billing_day{};
};

double day_weight(Date d) {
  if (core::is_business_day(d)) return model::kBusinessDayWeight;
  if (is_saturday(d) && !core::is_holiday(d)) return model::kSaturdayWeight;
  return model::kRestDayWeight;
}

}  // namespace

std::optional<core::RejectReason> expected_reason(InvalidKind k) {
  using core::RejectReason;
  switch (k) {
    case InvalidKind::kNone:
      return std::nullopt;
    case InvalidKind::kMissingField:
      return RejectReason::kMissingField;
    case InvalidKind::kWrongType:
      return RejectReason::kWrongType;
    case InvalidKind::kUnknownType:
      return RejectReason::kUnknownType;
    case InvalidKind::kUnknownEnum:
      return RejectReason::kInvalidEnum;
    case InvalidKind::kTimestampNoOffset:
    case InvalidKind::kImpossibleDate:
      return RejectReason::kInvalidTimestamp;
    case InvalidKind::kTooManyDecimals:
      return RejectReason::kTooManyDecimals;
    case InvalidKind::kNegativeAmount:
      return RejectReason::kNegativeAmount;
    case InvalidKind::kZeroReform:
      return RejectReason::kAmountNotPositive;
    case InvalidKind::kTimeOrder:
      return RejectReason::kTimeOrder;
    case InvalidKind::kGarbage:
    case InvalidKind::kTruncated:
      return RejectReason::kInvalidJson;
  }
  return std::nullopt;
}

std::optional<std::string> validate(const GeneratorOptions& o) {
  auto rate = [](double v) { return v >= 0.0 && v <= 1.0; };
  if (o.subscribers < 1 || o.subscribers > 20'000'000) {
    return "subscribers must be between 1 and 20000000";
  }
  if (o.from > o.to) return "from must not be after to";
  if (o.from.year() < core::kFirstYear + 1 || o.to.year() >= core::kLastYear) {
    return "from..to must lie within 1985..2199 (the business-day calendar's range)";
  }
  if (!rate(o.invalid_rate)) return "invalid_rate must be within 0..1";
  if (!rate(o.duplicate_rate)) return "duplicate_rate must be within 0..1";
  if (!rate(o.improvement)) return "improvement must be within 0..1";
  if (!rate(o.late_filing_rate)) return "late_filing_rate must be within 0..1";
  if (!rate(o.orphan_rate)) return "orphan_rate must be within 0..1";
  if (!rate(o.second_answer_rate)) return "second_answer_rate must be within 0..1";
  if (!(o.monthly_growth >= 0.0 && o.monthly_growth <= 0.1)) {
    return "monthly_growth must be within 0..0.1";
  }
  if (!(o.pqr_rate >= 0.0 && o.pqr_rate <= 100.0)) return "pqr_rate must be within 0..100";
  if (!(o.window_rate >= 0.0 && o.window_rate <= 100.0)) return "window_rate must be within 0..100";
  return std::nullopt;
}

std::int64_t Summary::valid_total() const {
  std::int64_t n = 0;
  for (auto v : valid) n += v;
  return n;
}

std::int64_t Summary::invalid_total() const {
  std::int64_t n = 0;
  for (auto v : invalid) n += v;
  return n;
}

struct Generator::Impl {
  explicit Impl(const GeneratorOptions& o);
  bool next(RawRecord* out);

  // --- simulation -----------------------------------------------------------------------
  void simulate_day();
  void plan_month(YearMonth m);
  void bills(Date d);
  void filings(Date d);
  void plan_ticket(Rng& rng, Instant filed, PqrKind kind, Channel channel, std::uint32_t sub);
  // The pqr.filed record of a ticket; *service is the service it is about (also when
  // the record leaves the field out).
  SimEvent make_filing(Rng& rng, Instant filed, PqrKind kind, Channel channel, std::uint32_t sub,
                       int year, std::uint32_t number, Service* service);
  // When the first answer is given (nullopt: never, within the simulation): a delay
  // category around the 15-business-day term, after the field visit if there was one.
  std::optional<Instant> first_answer_at(Rng& rng, Instant filed, std::optional<Instant> visited);
  // Schedules a visit requested at `requested`; returns its completion, if any.
  std::optional<Instant> plan_visit(Rng& rng, Instant requested, int office, int ticket_year,
                                    std::uint32_t ticket);
  void plan_reform(Rng& rng, Instant applied, std::uint32_t sub, Service service, YearMonth period,
                   int ticket_year, std::uint32_t ticket, std::uint8_t reason);
  void windows(Date d);
  void operations(Date d);
  Outcome pick_outcome(Rng& rng, PqrKind kind) const;
  // Queues e for delivery; false when it falls after the horizon (not emitted).
  bool schedule(SimEvent e);
  std::uint32_t next_number(std::map<int, std::uint32_t>& counters, int year) {
    return ++counters[year];
  }

  // --- emission -------------------------------------------------------------------------
  void emit(const SimEvent& e, RawRecord* out);
  void add_flaws(const SimEvent& e, const RawRecord& valid);
  bool take_queued(RawRecord* out, bool flush);
  void count(const RawRecord& r);

  GeneratorOptions opt;
  Summary summary;
  Instant horizon{};
  Date day{};
  Date last_day{};
  Instant day_end{};
  MonthPlan plan;
  double population = 0;  // active subscribers, growing month by month

  // Attributes of every subscriber so far, derived once (16 bytes each).
  std::vector<model::Subscriber> subscribers;

  // The current day's deliveries and their order: sorting small keys, not events.
  struct Slot {
    Instant at;
    std::uint64_t seq;
    std::uint32_t index;
  };
  std::vector<SimEvent> today;
  std::vector<Slot> order;
  std::size_t pos = 0;
  std::vector<SimEvent> future;  // later deliveries: a min-heap on (at, seq)
  std::uint64_t seq = 0;
  std::map<int, std::uint32_t> ticket_numbers, visit_numbers, reform_numbers, orphan_numbers;

  Rng flaw_rng;
  std::array<int, kInvalidKindCount> owed{};  // invalid kinds drawn for records they don't fit
  int owed_total = 0;
  struct Queued {
    std::int64_t due;  // emit once this many records are out
    std::uint64_t order;
    RawRecord record;
  };
  std::vector<Queued> queued;
  std::uint64_t queued_order = 0;
};

Generator::Impl::Impl(const GeneratorOptions& o)
    : opt(o), flaw_rng(derive_seed(o.seed, model::kStreamFlaws)) {
  if (auto why = validate(o)) throw std::invalid_argument("GeneratorOptions: " + *why);
  horizon = core::end_of_month(o.to);
  day = core::date_of(o.from.year(), o.from.month(), 1);
  last_day = core::local_date(horizon);
  population = o.subscribers;
}

// ---------------------------------------------------------------------------------------
// Simulation

void Generator::Impl::plan_month(YearMonth m) {
  if (plan.month.index >= 0) {
    for (int i = plan.month.index; i < m.index; ++i) population *= 1.0 + opt.monthly_growth;
  }
  plan = MonthPlan{};
  plan.month = m;
  plan.subscribers = static_cast<std::uint32_t>(population);
  double p = 0.0;
  if (m >= opt.improvement_start) {
    p = std::min(1.0, (m.index - opt.improvement_start.index + 1) / 5.0) * opt.improvement;
  }
  plan.profile = model::blend(p);
  subscribers.reserve(plan.subscribers);
  while (subscribers.size() < plan.subscribers) {
    subscribers.push_back(
        model::subscriber_at(opt.seed, static_cast<std::uint32_t>(subscribers.size())));
  }
  std::vector<Date> business;
  const Date first = core::date_of(m.year(), m.month(), 1);
  for (int i = 0; i < core::days_in_month(m.year(), m.month()); ++i) {
    const Date d{first.days + i};
    plan.day_weight_total += day_weight(d);
    if (core::is_business_day(d)) business.push_back(d);
  }
  plan.business_days = static_cast<int>(business.size());
  for (int k = 0; k < model::kOfficeCount; ++k) {
    const int index = std::max(0, plan.business_days - (model::kBillingCycleFromEnd - k));
    plan.billing_day[k] = business[static_cast<std::size_t>(index)];
  }
}

bool Generator::Impl::schedule(SimEvent e) {
  if (e.at > horizon) return false;
  e.seq = seq++;
  if (e.at <= day_end) {
    today.push_back(e);
  } else {
    future.push_back(e);
    std::push_heap(future.begin(), future.end(), later);
  }
  return true;
}

void Generator::Impl::simulate_day() {
  const Date d = day;
  if (core::year_month_of(d) != plan.month) plan_month(core::year_month_of(d));
  day_end = Instant{core::local_midnight(Date{d.days + 1}).us - 1};
  today.clear();
  pos = 0;
  bills(d);
  filings(d);
  windows(d);
  operations(d);
  while (!future.empty() && future.front().at <= day_end) {
    std::pop_heap(future.begin(), future.end(), later);
    today.push_back(future.back());
    future.pop_back();
  }
  order.clear();
  for (std::size_t i = 0; i < today.size(); ++i) {
    order.push_back(Slot{today[i].at, today[i].seq, static_cast<std::uint32_t>(i)});
  }
  std::sort(order.begin(), order.end(), [](const Slot& a, const Slot& b) {
    return a.at != b.at ? a.at < b.at : a.seq < b.seq;
  });
  day = Date{d.days + 1};
}

void Generator::Impl::bills(Date d) {
  for (int k = 0; k < model::kOfficeCount; ++k) {
    if (plan.billing_day[k] != d) continue;
    const std::uint32_t n = plan.subscribers;
    const std::uint32_t batch = std::max<std::uint32_t>(1, model::office_population(k, n));
    const Instant start = at_second(d, model::kBillingBatchStartSec);
    const std::int64_t step = model::kBillingBatchSeconds * kSec / batch;
    std::uint32_t j = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
      if (model::office_of_subscriber(i) != k) continue;
      const model::Subscriber& s = subscribers[i];
      const model::BillLines lines = model::bill_lines(opt.seed, s, plan.month);
      SimEvent e;
      e.type = EventType::kBillIssued;
      e.occurred = Instant{(start.us + j * step) / kSec * kSec};
      e.at = Instant{e.occurred.us + 400 * 1000 + (j % 13) * 50 * 1000};
      e.subscriber = i + 1;
      e.period = plan.month.index;
      e.office = static_cast<std::uint8_t>(k);
      e.amount1 = lines.acueducto;
      e.amount2 = lines.alcantarillado;
      e.m3 = static_cast<std::uint16_t>(std::min(lines.m3, 65535));
      e.estrato = s.estrato;
      e.zone = lines.written_in_utc ? kZoneUtc : kZoneBogota;
      if (lines.acueducto_as_string) e.flags |= kFlagAmount1String;
      if (lines.alcantarillado_as_string) e.flags |= kFlagAmount2String;
      schedule(e);
      ++j;
    }
  }
}

Outcome Generator::Impl::pick_outcome(Rng& rng, PqrKind kind) const {
  model::OutcomeWeights w = model::kOutcomeWeights[static_cast<std::size_t>(kind)];
  if (kind == PqrKind::kReclamo) {
    // Fewer granted claims as internal errors drop: accede and accede_parcialmente
    // shrink together, no_accede takes the difference.
    const double scale = plan.profile.reclamo_accede / model::kBaseline.reclamo_accede;
    const double granted = w[1] + w[2];
    w[1] *= scale;
    w[2] *= scale;
    w[3] += granted - w[1] - w[2];
  }
  return static_cast<Outcome>(rng.pick(w));
}

void Generator::Impl::filings(Date d) {
  Rng rng(derive_seed(opt.seed, model::kStreamFilings, static_cast<std::uint64_t>(d.days)));
  const model::Profile& prof = plan.profile;
  const double day_factor = rng.uniform(0.85, 1.15);
  const double volume = day_weight(d) / plan.day_weight_total *
                        model::kFilingSeason[plan.month.month() - 1] * plan.subscribers *
                        opt.pqr_rate * day_factor;
  struct Filing {
    Instant at;
    PqrKind kind;
    Channel channel;
    std::uint32_t sub;
  };
  std::vector<Filing> list;
  for (std::size_t k = 1; k < prof.filing_rate.size(); ++k) {
    const int n = rng.round_random(volume * prof.filing_rate[k]);
    for (int i = 0; i < n; ++i) {
      Filing f{};
      f.kind = static_cast<PqrKind>(k);
      f.sub = rng.below(plan.subscribers);
      const int office = model::office_of_subscriber(f.sub);
      std::array<double, 8> w = model::kOffices[office].channels;
      w[static_cast<std::size_t>(Channel::kWeb)] *= prof.web_factor;
      if (!office_open(office, d)) {
        w[static_cast<std::size_t>(Channel::kVentanilla)] = 0;
        w[static_cast<std::size_t>(Channel::kEscrito)] = 0;
        if (!is_saturday(d) || core::is_holiday(d))
          w[static_cast<std::size_t>(Channel::kTelefono)] = 0;
      }
      f.channel = static_cast<Channel>(rng.pick(w));
      std::int64_t second = 0;
      switch (f.channel) {
        case Channel::kVentanilla:
        case Channel::kEscrito:
          second = office_second(rng, d);
          break;
        case Channel::kTelefono:
          second = core::is_business_day(d) ? rng.between(7 * 3600, 18 * 3600 - 1)
                                            : rng.between(8 * 3600, 12 * 3600 - 1);
          break;
        default:
          second = static_cast<std::int64_t>(rng.pick(kRemoteHours)) * 3600;
          second += rng.between(0, 3599);
          break;
      }
      f.at = at_second(d, second);
      list.push_back(f);
    }
  }
  // Radicado numbers follow filing order.
  std::stable_sort(list.begin(), list.end(),
                   [](const Filing& a, const Filing& b) { return a.at < b.at; });
  for (const Filing& f : list) plan_ticket(rng, f.at, f.kind, f.channel, f.sub);
}

SimEvent Generator::Impl::make_filing(Rng& rng, Instant filed, PqrKind kind, Channel channel,
                                      std::uint32_t sub, int year, std::uint32_t number,
                                      Service* service) {
  const model::Subscriber& subscriber = subscribers[sub];
  const bool claim = kind == PqrKind::kReclamo || kind == PqrKind::kQueja || core::is_recurso(kind);
  const bool remote =
      channel == Channel::kWeb || channel == Channel::kCorreo || channel == Channel::kRedesSociales;
  SimEvent f;
  f.type = EventType::kPqrFiled;
  f.occurred = filed;
  f.at = Instant{filed.us + rng.between(1, 20) * kSec};
  f.year = static_cast<std::int16_t>(year);
  f.number = number;
  f.kind = static_cast<std::uint8_t>(kind);
  f.channel = static_cast<std::uint8_t>(channel);
  f.subscriber = sub + 1;
  f.office = subscriber.office;
  f.zone = pick_zone(rng);
  const double with_subscriber =
      kind == PqrKind::kReclamo ? 0.97 : (core::is_recurso(kind) ? 0.95 : 0.80);
  if (rng.chance(with_subscriber)) f.flags |= kFlagSubscriber;
  // Sewer claims peak in the rainy seasons.
  const int mo = plan.month.month();
  const bool rainy = mo == 4 || mo == 5 || mo == 10 || mo == 11;
  *service = Service::kAcueducto;
  if (subscriber.sewer && rng.chance(rainy ? 0.38 : 0.30)) *service = Service::kAlcantarillado;
  f.service = static_cast<std::uint8_t>(*service);
  if (rng.chance(claim ? 0.92 : (kind == PqrKind::kPeticion ? 0.60 : 0.40)))
    f.flags |= kFlagService;
  f.causal = static_cast<std::uint8_t>(rng.below(8));
  if (rng.chance(0.90)) f.flags |= kFlagCausal;
  if (rng.chance(remote ? 0.85 : 0.98)) f.flags |= kFlagOffice;
  if (channel == Channel::kWeb && rng.chance(0.05)) f.flags |= kFlagAttachments;
  if (rng.chance(0.02)) f.flags |= kFlagNoSource;
  return f;
}

std::optional<Instant> Generator::Impl::first_answer_at(Rng& rng, Instant filed,
                                                        std::optional<Instant> visited) {
  const Date filed_date = core::local_date(filed);
  const auto category = static_cast<model::DelayCategory>(rng.pick(plan.profile.delay));
  std::optional<Instant> answer;
  if (category == model::kSameDay) {
    answer = Instant{filed.us + rng.between(5, 240) * kMinute};
  } else if (category == model::kLost) {
    // Forgotten tickets: the plan's clean-up answers the baseline's backlog early in the
    // improvement; later ones stay unanswered.
    if (opt.improvement > 0 && plan.month < opt.improvement_start) {
      const Date start =
          core::date_of(opt.improvement_start.year(), opt.improvement_start.month(), 1);
      answer = business_time(
          rng, business_day_on_or_after(Date{start.days + static_cast<int>(rng.between(15, 150))}));
    }
  } else {
    const auto [lo, hi] = model::kDelayRange[category];
    answer = business_time(rng, *core::due_date(filed_date, static_cast<int>(rng.between(lo, hi))));
  }
  // Claims that needed a visit are answered after it.
  if (answer && visited && *answer < Instant{visited->us + kHour}) {
    answer = business_time(rng, *core::add_business_days(core::local_date(*visited),
                                                         static_cast<int>(rng.between(1, 3))));
  }
  return answer;
}

void Generator::Impl::plan_ticket(Rng& rng, Instant filed, PqrKind kind, Channel channel,
                                  std::uint32_t sub) {
  const model::Profile& prof = plan.profile;
  const model::Subscriber& subscriber = subscribers[sub];
  const int year = local_year(filed);
  const std::uint32_t number = next_number(ticket_numbers, year);
  const Date filed_date = core::local_date(filed);
  // Reclamos and recursos dispute a bill: they carry internal_error and may end in a reform.
  const bool disputes_bill = kind == PqrKind::kReclamo || core::is_recurso(kind);

  Service service = Service::kAcueducto;
  SimEvent f = make_filing(rng, filed, kind, channel, sub, year, number, &service);

  if (rng.chance(prof.misfiled)) {
    SimEvent m;
    m.type = EventType::kPqrMisfiled;
    const Date md = *core::add_business_days(filed_date, static_cast<int>(rng.between(1, 3)));
    m.occurred = rng.chance(0.3) ? Instant{filed.us + rng.between(30, 240) * kMinute}
                                 : business_time(rng, md);
    m.at = Instant{m.occurred.us + rng.between(1, 20) * kSec};
    m.year = f.year;
    m.number = number;
    m.reason = static_cast<std::uint8_t>(rng.below(model::kMisfiledReasons.size()));
    m.zone = f.zone;
    schedule(m);
  }

  std::optional<Instant> visited;
  if (rng.chance(model::visit_share(kind))) {
    const double u = rng.uniform();
    const int offset = u < 0.4 ? 0 : (u < 0.8 ? 1 : 2);
    Date rd = offset == 0 ? business_day_on_or_after(filed_date)
                          : *core::add_business_days(filed_date, offset);
    Instant requested = business_time(rng, rd);
    if (requested <= filed) requested = Instant{filed.us + rng.between(10, 90) * kMinute};
    visited = plan_visit(rng, requested, subscriber.office, year, number);
  }

  const std::optional<Instant> answer = first_answer_at(rng, filed, visited);
  bool answered = false;
  if (answer) {
    SimEvent a;
    a.type = EventType::kPqrAnswered;
    a.occurred = *answer;
    a.at = Instant{answer->us + rng.between(1, 30) * kSec};
    if (rng.chance(kBackfillRate)) a.at = Instant{a.at.us + rng.between(3, 20) * kDay};
    a.year = f.year;
    a.number = number;
    a.kind = f.kind;
    const Outcome outcome = pick_outcome(rng, kind);
    a.outcome = static_cast<std::uint8_t>(outcome);
    a.zone = pick_zone(rng);
    const bool granted = core::is_accedida(kind, outcome);
    if (disputes_bill && rng.chance(0.85)) {
      a.flags |= kFlagInternalError;
      if (granted && rng.chance(prof.internal_error)) a.flags |= kFlagInternalTrue;
    }
    if (rng.chance(opt.late_filing_rate)) {
      // The ticketing system's sync delivers the filing after its answer.
      f.at = Instant{a.at.us + rng.between(60, 12 * 3600) * kSec};
      f.flags |= kFlagLateDelivery;
    }
    answered = schedule(a);

    if (rng.chance(opt.second_answer_rate)) {
      SimEvent a2 = a;
      a2.ordinal = 2;
      a2.occurred =
          business_time(rng, *core::add_business_days(core::local_date(*answer),
                                                      static_cast<int>(rng.between(1, 10))));
      a2.at = Instant{a2.occurred.us + rng.between(1, 30) * kSec};
      a2.outcome = static_cast<std::uint8_t>(pick_outcome(rng, kind));
      a2.flags &= static_cast<std::uint16_t>(~(kFlagInternalError | kFlagInternalTrue));
      schedule(a2);
    }

    if (granted && disputes_bill && rng.chance(model::kReformAfterGrant)) {
      const Date rd =
          *core::add_business_days(core::local_date(*answer), static_cast<int>(rng.between(1, 5)));
      // The claim is about the last bill before the filing.
      const Instant applied = business_time(rng, rd);
      const std::uint32_t linked = rng.chance(0.95) ? number : 0;
      plan_reform(rng, applied, sub, service, YearMonth{core::year_month_of(filed_date).index - 1},
                  year, linked, core::is_recurso(kind) ? 1 : 0);
    }
  }
  if (schedule(f) && !answered) ++summary.unanswered;

  if (rng.chance(opt.orphan_rate)) {
    // An answer whose ticket never reaches the stream (filed in a legacy system).
    SimEvent o;
    o.type = EventType::kPqrAnswered;
    const Date od = *core::add_business_days(filed_date, static_cast<int>(rng.between(1, 5)));
    o.occurred = business_time(rng, od);
    o.at = Instant{o.occurred.us + rng.between(1, 30) * kSec};
    o.year = static_cast<std::int16_t>(local_year(o.occurred));
    o.number = kOrphanBase + next_number(orphan_numbers, o.year);
    o.outcome = static_cast<std::uint8_t>(pick_outcome(rng, PqrKind::kPeticion));
    o.zone = pick_zone(rng);
    schedule(o);
  }
}

std::optional<Instant> Generator::Impl::plan_visit(Rng& rng, Instant requested, int office,
                                                   int ticket_year, std::uint32_t ticket) {
  const model::Profile& prof = plan.profile;
  SimEvent r;
  r.type = EventType::kVisitRequested;
  r.occurred = Instant{requested.us + millis(rng)};
  r.at = Instant{r.occurred.us + rng.between(30, 1800) * kSec};
  r.year = static_cast<std::int16_t>(local_year(requested));
  r.number = next_number(visit_numbers, r.year);
  r.ticket = ticket;
  r.ticket_year = static_cast<std::int16_t>(ticket_year);
  if (ticket != 0) r.flags |= kFlagTicket;
  r.zone = pick_zone(rng);
  schedule(r);
  if (rng.chance(model::kVisitCancelled)) return std::nullopt;

  const auto [lo, hi] = model::kVisitDayRange[rng.pick(prof.visit_days)];
  const int days = static_cast<int>(rng.between(lo, hi)) + (model::kOffices[office].rural ? 1 : 0);
  const Date rd = core::local_date(requested);
  const Date cd = days == 0 ? rd : *core::add_business_days(rd, days);
  Instant done = at_second(cd, rng.between(kOpenSec, 16 * 3600 + 1800));
  if (done < Instant{r.occurred.us + kHour}) {
    done = Instant{r.occurred.us + rng.between(60, 240) * kMinute};
  }
  done = Instant{done.us / kSec * kSec + millis(rng)};
  SimEvent c = r;
  c.type = EventType::kVisitCompleted;
  c.occurred = done;
  c.at = Instant{done.us + rng.between(30, 1800) * kSec};
  c.t1 = std::max(r.occurred, Instant{done.us - rng.between(20, 100) * kMinute});
  if (rng.chance(0.85)) c.flags |= kFlagStarted;
  if (ticket != 0 && rng.chance(0.08)) c.flags &= static_cast<std::uint16_t>(~kFlagTicket);
  schedule(c);
  return done;
}

void Generator::Impl::plan_reform(Rng& rng, Instant applied, std::uint32_t sub, Service service,
                                  YearMonth period, int ticket_year, std::uint32_t ticket,
                                  std::uint8_t reason) {
  const model::Subscriber& s = subscribers[sub];
  if (!s.sewer) service = Service::kAcueducto;
  const model::BillLines lines = model::bill_lines(opt.seed, s, period);
  const core::Cents line =
      service == Service::kAlcantarillado ? lines.alcantarillado : lines.acueducto;
  const double mean = plan.profile.reform_fraction;
  const double fraction = std::min(1.0, 0.05 + rng.erlang(2, mean - 0.05));
  core::Cents amount = std::max<core::Cents>(100, static_cast<core::Cents>(line * fraction));
  if (rng.chance(0.8)) amount = (amount + 50) / 100 * 100;
  SimEvent e;
  e.type = EventType::kBillReformed;
  e.occurred = applied;
  e.at = Instant{applied.us + rng.between(1, 60) * kSec};
  e.year = static_cast<std::int16_t>(local_year(applied));
  e.number = next_number(reform_numbers, e.year);
  e.subscriber = sub + 1;
  e.period = period.index;
  e.service = static_cast<std::uint8_t>(service);
  e.amount1 = amount;
  e.ticket = ticket;
  e.ticket_year = static_cast<std::int16_t>(ticket_year);
  if (ticket != 0) e.flags |= kFlagTicket;
  if (rng.chance(0.4)) e.flags |= kFlagAmount1String;
  e.reason = reason;
  e.zone = rng.chance(0.2) ? kZoneUtc : kZoneBogota;
  schedule(e);
}

void Generator::Impl::windows(Date d) {
  Rng rng(derive_seed(opt.seed, model::kStreamWindows, static_cast<std::uint64_t>(d.days)));
  const model::Profile& prof = plan.profile;
  const double day_factor = rng.uniform(0.85, 1.15);
  for (int k = 0; k < model::kOfficeCount; ++k) {
    if (!office_open(k, d)) continue;
    const model::Office& office = model::kOffices[k];
    const bool saturday = !core::is_business_day(d);
    const double expected = model::kWindowRate * opt.window_rate *
                            model::office_population(k, plan.subscribers) *
                            (saturday ? model::kSaturdayWindowShare : 1.0) * day_factor;
    const int n = rng.round_random(expected);
    struct Arrival {
      std::int64_t second;
      std::size_t bucket;
    };
    std::vector<Arrival> arrivals(static_cast<std::size_t>(n));
    for (auto& a : arrivals) {
      a.bucket = 3;  // Saturday mornings: an average hour
      a.second = office_second(rng, d, &a.bucket);
    }
    std::stable_sort(arrivals.begin(), arrivals.end(),
                     [](const Arrival& a, const Arrival& b) { return a.second < b.second; });
    for (int i = 0; i < n; ++i) {
      const Arrival& a = arrivals[static_cast<std::size_t>(i)];
      const double wait_min = std::min(
          120.0,
          rng.exponential(office.window_wait_min * prof.wait_factor * kWindowHours[a.bucket]));
      const double attention_min = std::min(60.0, 2.5 + rng.erlang(2, prof.attention_min));
      SimEvent e;
      e.type = EventType::kWindowServed;
      e.office = static_cast<std::uint8_t>(k);
      e.number = static_cast<std::uint32_t>(i + 1);
      e.t1 = at_second(d, a.second);
      e.t2 = Instant{e.t1.us + static_cast<std::int64_t>(wait_min * 60.0) * kSec};
      e.occurred = Instant{e.t2.us + static_cast<std::int64_t>(attention_min * 60.0) * kSec};
      e.zone = pick_zone(rng);
      // The rural office uploads its turns in an evening batch.
      e.at = office.rural ? std::max(Instant{e.occurred.us + kSec}, at_second(d, 19 * 3600 + i))
                          : Instant{e.occurred.us + rng.between(1, 20) * kSec};
      schedule(e);
    }
  }
}

void Generator::Impl::operations(Date d) {
  if (!core::is_business_day(d)) return;
  Rng rng(derive_seed(opt.seed, model::kStreamOperations, static_cast<std::uint64_t>(d.days)));
  const double per_day = static_cast<double>(plan.subscribers) / plan.business_days;
  const int visits = rng.round_random(model::kOperationalVisitRate * per_day);
  for (int i = 0; i < visits; ++i) {
    const std::uint32_t sub = rng.below(plan.subscribers);
    plan_visit(rng, business_time(rng, d), model::office_of_subscriber(sub), 0, 0);
  }
  const int reforms = rng.round_random(model::kUnticketedReformRate * per_day);
  for (int i = 0; i < reforms; ++i) {
    const std::uint32_t sub = rng.below(plan.subscribers);
    const Service service = rng.chance(0.3) ? Service::kAlcantarillado : Service::kAcueducto;
    const Instant applied = business_time(rng, d);
    const auto reason = static_cast<std::uint8_t>(2 + rng.below(3));
    plan_reform(rng, applied, sub, service, YearMonth{plan.month.index - 1}, 0, 0, reason);
  }
}

// ---------------------------------------------------------------------------------------
// Emission

void Generator::Impl::count(const RawRecord& r) {
  if (summary.records == 0) summary.first_at = r.at;
  summary.last_at = r.at;
  ++summary.records;
  summary.bytes += static_cast<std::int64_t>(r.json.size());
}

void Generator::Impl::emit(const SimEvent& e, RawRecord* out) {
  write_event(e, out->json, out->key);
  out->topic = topic_of(e.type);
  out->type = e.type;
  out->at = e.at;
  out->duplicate = false;
  out->invalid = InvalidKind::kNone;
  count(*out);
  ++summary.valid[static_cast<std::size_t>(e.type)];
  if (e.type == EventType::kPqrAnswered) {
    if (e.number >= kOrphanBase) ++summary.orphan_answers;
    if (e.ordinal == 2) ++summary.second_answers;
  }
  if ((e.flags & kFlagLateDelivery) != 0) ++summary.late_filings;
  add_flaws(e, *out);
}

void Generator::Impl::add_flaws(const SimEvent& e, const RawRecord& valid) {
  InvalidKind kind = InvalidKind::kNone;
  if (flaw_rng.uniform() < opt.invalid_rate) {
    // Kinds are drawn uniformly; one that does not fit this record (a time-order flaw on
    // a bill) is owed to the next record it fits, so every kind keeps its share.
    const auto wanted = static_cast<InvalidKind>(1 + flaw_rng.below(kInvalidKindCount - 1));
    if (applicable(wanted, e.type)) {
      kind = wanted;
    } else {
      ++owed[static_cast<std::size_t>(wanted)];
      ++owed_total;
    }
  }
  if (kind == InvalidKind::kNone && owed_total > 0) {
    for (std::size_t k = 1; k < kInvalidKindCount; ++k) {
      if (owed[k] > 0 && applicable(static_cast<InvalidKind>(k), e.type)) {
        kind = static_cast<InvalidKind>(k);
        --owed[k];
        --owed_total;
        break;
      }
    }
  }
  if (kind != InvalidKind::kNone) {
    Queued q{summary.records, queued_order++, RawRecord{}};
    q.record.topic = valid.topic;
    q.record.key = valid.key;
    q.record.type = valid.type;
    q.record.invalid = kind;
    make_invalid(kind, e, valid.json, flaw_rng, &q.record.json);
    queued.push_back(std::move(q));
  }
  if (flaw_rng.uniform() < opt.duplicate_rate) {
    Queued q{summary.records + flaw_rng.between(1, 4), queued_order++, valid};
    q.record.duplicate = true;
    queued.push_back(std::move(q));
  }
}

bool Generator::Impl::take_queued(RawRecord* out, bool flush) {
  if (queued.empty()) return false;
  auto best = queued.end();
  for (auto it = queued.begin(); it != queued.end(); ++it) {
    if (!flush && it->due > summary.records) continue;
    if (best == queued.end() || std::pair(it->due, it->order) < std::pair(best->due, best->order)) {
      best = it;
    }
  }
  if (best == queued.end()) return false;
  *out = std::move(best->record);
  queued.erase(best);
  out->at = summary.last_at;  // a re-delivery or bad copy goes out now, keeping the order
  count(*out);
  if (out->duplicate) {
    ++summary.duplicates;
  } else {
    ++summary.invalid[static_cast<std::size_t>(out->invalid)];
  }
  return true;
}

bool Generator::Impl::next(RawRecord* out) {
  for (;;) {
    if (take_queued(out, false)) return true;
    if (pos < order.size()) {
      emit(today[order[pos++].index], out);
      return true;
    }
    if (day > last_day) return take_queued(out, true);
    simulate_day();
  }
}

// ---------------------------------------------------------------------------------------

Generator::Generator(const GeneratorOptions& options) : impl_(std::make_unique<Impl>(options)) {}
Generator::~Generator() = default;
Generator::Generator(Generator&&) noexcept = default;
Generator& Generator::operator=(Generator&&) noexcept = default;

bool Generator::next(RawRecord* out) {
  return impl_->next(out);
}

const Summary& Generator::summary() const {
  return impl_->summary;
}

Summary generate(const GeneratorOptions& options,
                 const std::function<void(const RawRecord&)>& sink) {
  Generator g(options);
  RawRecord r;
  while (g.next(&r)) sink(r);
  return g.summary();
}

}  // namespace pqrflow::sim
