#include "runtime/metrics_registry.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "runtime/text.hpp"

namespace pqrflow::runtime::metrics {
namespace detail {

enum Kind : int { kCounter = 0, kGauge = 1, kHistogram = 2 };

// One series: exactly one of the members is set.
struct Series {
  std::unique_ptr<Counter> counter;
  std::unique_ptr<Gauge> gauge;
  std::unique_ptr<Histogram> histogram;
  std::function<double()> callback;
};

struct FamilyState {
  std::string name;
  std::string help;
  Kind kind = kGauge;
  std::vector<double> bounds;  // histograms only
  mutable std::mutex mutex;
  // Keyed by the rendered label set without braces ("" when unlabelled), which also
  // gives render() its deterministic order.
  std::map<std::string, Series, std::less<>> series;
};

struct CounterAccess {
  static std::uint64_t whole(const Counter& c) { return c.whole_.load(std::memory_order_relaxed); }
  static double fraction(const Counter& c) { return c.fraction_.load(std::memory_order_relaxed); }
};

}  // namespace detail

namespace {

using detail::FamilyState;
using detail::Kind;

std::string_view kind_name(Kind kind) {
  switch (kind) {
    case detail::kCounter:
      return "counter";
    case detail::kGauge:
      return "gauge";
    case detail::kHistogram:
      return "histogram";
  }
  return "untyped";
}

[[noreturn]] void fail(std::string_view name, std::string_view why) {
  throw std::invalid_argument("metric " + std::string(name) + ": " + std::string(why));
}

bool is_metric_name(std::string_view s) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool is_label_name(std::string_view s) {
  if (s.empty() || s.starts_with("__")) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// Label values and HELP text: backslash and newline escaped (and the double quote in
// label values); invalid UTF-8 replaced, as the format requires UTF-8.
void append_escaped(std::string& out, std::string_view in, bool quote) {
  std::size_t i = 0;
  while (i < in.size()) {
    const char c = in[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      const std::size_t n = text::utf8_sequence_length(in, i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";
        ++i;
      } else {
        out.append(in.substr(i, n));
        i += n;
      }
      continue;
    }
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
    ++i;
  }
}

void append_label(std::string& out, std::string_view name, std::string_view value) {
  if (!out.empty()) out += ',';
  out += name;
  out += "=\"";
  append_escaped(out, value, true);
  out += '"';
}

void append_value(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    text::append_double(out, v);
  }
}

void check_label_names(std::string_view metric, Kind kind, const std::vector<std::string>& names) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!is_label_name(names[i])) fail(metric, "invalid label name \"" + names[i] + "\"");
    if (kind == detail::kHistogram && names[i] == "le") fail(metric, "label \"le\" is reserved");
    for (std::size_t j = 0; j < i; ++j) {
      if (names[i] == names[j]) fail(metric, "label \"" + names[i] + "\" given twice");
    }
  }
}

// Validates constant and variable label names together and renders the constant part.
std::string const_label_text(std::string_view metric, Kind kind, const Labels& const_labels,
                             const std::vector<std::string>& variable_names) {
  std::vector<std::string> names;
  for (const auto& [name, value] : const_labels) names.push_back(name);
  names.insert(names.end(), variable_names.begin(), variable_names.end());
  check_label_names(metric, kind, names);
  std::string out;
  for (const auto& [name, value] : const_labels) append_label(out, name, value);
  return out;
}

void append_sample(std::string& out, std::string_view name, std::string_view suffix,
                   std::string_view labels, std::string_view extra_label, double value) {
  out += name;
  out += suffix;
  if (!labels.empty() || !extra_label.empty()) {
    out += '{';
    out += labels;
    if (!labels.empty() && !extra_label.empty()) out += ',';
    out += extra_label;
    out += '}';
  }
  out += ' ';
  append_value(out, value);
  out += '\n';
}

void render_counter(std::string& out, const FamilyState& f, const std::string& labels,
                    const Counter& c) {
  // Whole counts are printed exactly, even above 2^53.
  out += f.name;
  if (!labels.empty()) {
    out += '{';
    out += labels;
    out += '}';
  }
  out += ' ';
  const std::uint64_t whole = detail::CounterAccess::whole(c);
  const double fraction = detail::CounterAccess::fraction(c);
  if (fraction == 0) {
    out += std::to_string(whole);
  } else {
    append_value(out, static_cast<double>(whole) + fraction);
  }
  out += '\n';
}

void render_histogram(std::string& out, const FamilyState& f, const std::string& labels,
                      const Histogram& h) {
  const Histogram::Snapshot snap = h.snapshot();
  for (std::size_t i = 0; i <= f.bounds.size(); ++i) {
    std::string le = "le=\"";
    if (i < f.bounds.size()) {
      append_value(le, f.bounds[i]);
    } else {
      le += "+Inf";
    }
    le += '"';
    append_sample(out, f.name, "_bucket", labels, le, static_cast<double>(snap.cumulative[i]));
  }
  append_sample(out, f.name, "_sum", labels, "", snap.sum);
  append_sample(out, f.name, "_count", labels, "", static_cast<double>(snap.count));
}

// Get-or-create of one series under the family lock.
template <class Metric>
Metric& series_of(FamilyState& f, const std::string& key) {
  std::lock_guard lock(f.mutex);
  auto it = f.series.find(key);
  if (it == f.series.end()) it = f.series.emplace(key, detail::Series{}).first;
  detail::Series& s = it->second;
  if constexpr (std::is_same_v<Metric, Counter>) {
    if (!s.counter) s.counter = std::make_unique<Counter>();
    return *s.counter;
  } else if constexpr (std::is_same_v<Metric, Gauge>) {
    if (s.callback) fail(f.name, "series {" + key + "} is a callback gauge");
    if (!s.gauge) s.gauge = std::make_unique<Gauge>();
    return *s.gauge;
  } else {
    if (!s.histogram) s.histogram = std::make_unique<Histogram>(f.bounds);
    return *s.histogram;
  }
}

}  // namespace

// ---- metric types ----------------------------------------------------------------------

void Counter::add(double amount) noexcept {
  if (!(amount >= 0)) return;  // also rejects NaN
  fraction_.fetch_add(amount, std::memory_order_relaxed);
}

double Counter::value() const noexcept {
  return static_cast<double>(whole_.load(std::memory_order_relaxed)) +
         fraction_.load(std::memory_order_relaxed);
}

Histogram::Histogram(std::vector<double> upper_bounds) : bounds_(std::move(upper_bounds)) {
  if (!bounds_.empty() && std::isinf(bounds_.back()) && bounds_.back() > 0) bounds_.pop_back();
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    if (!std::isfinite(bounds_[i])) throw std::invalid_argument("histogram bound is not finite");
    if (i > 0 && !(bounds_[i - 1] < bounds_[i])) {
      throw std::invalid_argument("histogram bounds must be strictly increasing");
    }
  }
  counts_ = std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1);
}

void Histogram::observe(double value) noexcept {
  if (std::isnan(value)) return;
  // Bucket i counts bounds_[i-1] < v <= bounds_[i]; the last one is +Inf.
  const auto i = static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) -
                                          bounds_.begin());
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  // _count is derived from the buckets read here so that it always equals the +Inf
  // bucket, even while other threads observe; _sum may be a few observations apart.
  Snapshot snap;
  snap.cumulative.reserve(bounds_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    snap.cumulative.push_back(running);
  }
  snap.count = running;
  snap.sum = sum_.load(std::memory_order_relaxed);
  return snap;
}

// ---- families --------------------------------------------------------------------------

template <class Metric>
Metric& Family<Metric>::with(std::initializer_list<std::string_view> label_values) const {
  if (label_values.size() != names_.size()) {
    fail(state_->name, "expected " + std::to_string(names_.size()) + " label values, got " +
                           std::to_string(label_values.size()));
  }
  std::string key = const_labels_;
  std::size_t i = 0;
  for (std::string_view value : label_values) append_label(key, names_[i++], value);
  return series_of<Metric>(*state_, key);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

GaugeCallback::GaugeCallback(GaugeCallback&& other) noexcept
    : state_(std::exchange(other.state_, nullptr)), key_(std::move(other.key_)) {}

GaugeCallback& GaugeCallback::operator=(GaugeCallback&& other) noexcept {
  if (this != &other) {
    reset();
    state_ = std::exchange(other.state_, nullptr);
    key_ = std::move(other.key_);
  }
  return *this;
}

void GaugeCallback::reset() noexcept {
  if (state_ == nullptr) return;
  // render() calls callbacks under this lock: once erased here, the callback is done.
  std::lock_guard lock(state_->mutex);
  state_->series.erase(key_);
  state_ = nullptr;
}

// ---- registry --------------------------------------------------------------------------

Registry::Registry() = default;
Registry::~Registry() = default;

detail::FamilyState& Registry::family(std::string_view name, std::string_view help, int kind_int,
                                      const std::vector<double>* bounds) {
  const auto kind = static_cast<Kind>(kind_int);
  if (!is_metric_name(name)) fail(name, "invalid metric name");
  if (kind == detail::kCounter && !name.ends_with("_total")) {
    fail(name, "counter names end in _total");
  }
  std::lock_guard lock(mutex_);
  if (auto it = families_.find(name); it != families_.end()) {
    FamilyState& f = *it->second;
    if (f.kind != kind) {
      fail(name, "already registered as a " + std::string(kind_name(f.kind)));
    }
    if (f.help != help) fail(name, "already registered with another help text");
    if (bounds != nullptr && Histogram(*bounds).upper_bounds() != f.bounds) {
      fail(name, "already registered with other buckets");
    }
    return f;
  }
  // A histogram exposes name_bucket, name_sum and name_count: no other family may use them.
  for (const auto& [other_name, other] : families_) {
    for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
      if ((other->kind == detail::kHistogram && other_name + std::string(suffix) == name) ||
          (kind == detail::kHistogram && std::string(name) + std::string(suffix) == other_name)) {
        fail(name, "collides with the samples of histogram " +
                       (kind == detail::kHistogram ? std::string(name) : other_name));
      }
    }
  }
  auto f = std::make_unique<FamilyState>();
  f->name = std::string(name);
  f->help = std::string(help);
  f->kind = kind;
  if (bounds != nullptr) f->bounds = Histogram(*bounds).upper_bounds();
  return *families_.emplace(std::string(name), std::move(f)).first->second;
}

Counter& Registry::counter(std::string_view name, std::string_view help,
                           const Labels& const_labels) {
  FamilyState& f = family(name, help, detail::kCounter, nullptr);
  return series_of<Counter>(f, const_label_text(name, detail::kCounter, const_labels, {}));
}

Gauge& Registry::gauge(std::string_view name, std::string_view help, const Labels& const_labels) {
  FamilyState& f = family(name, help, detail::kGauge, nullptr);
  return series_of<Gauge>(f, const_label_text(name, detail::kGauge, const_labels, {}));
}

Histogram& Registry::histogram(std::string_view name, std::string_view help,
                               const std::vector<double>& upper_bounds,
                               const Labels& const_labels) {
  FamilyState& f = family(name, help, detail::kHistogram, &upper_bounds);
  return series_of<Histogram>(f, const_label_text(name, detail::kHistogram, const_labels, {}));
}

CounterFamily Registry::counter_family(std::string_view name, std::string_view help,
                                       std::vector<std::string> label_names,
                                       const Labels& const_labels) {
  FamilyState& f = family(name, help, detail::kCounter, nullptr);
  auto prefix = const_label_text(name, detail::kCounter, const_labels, label_names);
  return CounterFamily(&f, std::move(prefix), std::move(label_names));
}

GaugeFamily Registry::gauge_family(std::string_view name, std::string_view help,
                                   std::vector<std::string> label_names,
                                   const Labels& const_labels) {
  FamilyState& f = family(name, help, detail::kGauge, nullptr);
  auto prefix = const_label_text(name, detail::kGauge, const_labels, label_names);
  return GaugeFamily(&f, std::move(prefix), std::move(label_names));
}

HistogramFamily Registry::histogram_family(std::string_view name, std::string_view help,
                                           std::vector<std::string> label_names,
                                           const std::vector<double>& upper_bounds,
                                           const Labels& const_labels) {
  FamilyState& f = family(name, help, detail::kHistogram, &upper_bounds);
  auto prefix = const_label_text(name, detail::kHistogram, const_labels, label_names);
  return HistogramFamily(&f, std::move(prefix), std::move(label_names));
}

GaugeCallback Registry::gauge_callback(std::string_view name, std::string_view help,
                                       std::function<double()> callback,
                                       const Labels& const_labels) {
  if (!callback) fail(name, "empty callback");
  FamilyState& f = family(name, help, detail::kGauge, nullptr);
  std::string key = const_label_text(name, detail::kGauge, const_labels, {});
  std::lock_guard lock(f.mutex);
  if (f.series.contains(key)) fail(name, "series {" + key + "} already exists");
  f.series[key].callback = std::move(callback);
  return GaugeCallback(&f, std::move(key));
}

GaugeCallback Registry::counter_callback(std::string_view name, std::string_view help,
                                         std::function<double()> callback,
                                         const Labels& const_labels) {
  if (!callback) fail(name, "empty callback");
  FamilyState& f = family(name, help, detail::kCounter, nullptr);
  std::string key = const_label_text(name, detail::kCounter, const_labels, {});
  std::lock_guard lock(f.mutex);
  if (f.series.contains(key)) fail(name, "series {" + key + "} already exists");
  f.series[key].callback = std::move(callback);
  return GaugeCallback(&f, std::move(key));
}

std::string Registry::render() const {
  std::string out;
  std::lock_guard lock(mutex_);
  for (const auto& [name, family] : families_) {
    const FamilyState& f = *family;
    std::lock_guard family_lock(f.mutex);
    if (f.series.empty()) continue;
    out += "# HELP ";
    out += f.name;
    out += ' ';
    append_escaped(out, f.help, false);
    out += "\n# TYPE ";
    out += f.name;
    out += ' ';
    out += kind_name(f.kind);
    out += '\n';
    for (const auto& [labels, s] : f.series) {
      if (s.counter) {
        render_counter(out, f, labels, *s.counter);
      } else if (s.gauge) {
        append_sample(out, f.name, "", labels, "", s.gauge->value());
      } else if (s.histogram) {
        render_histogram(out, f, labels, *s.histogram);
      } else if (s.callback) {
        double value = std::nan("");
        try {
          value = s.callback();
        } catch (...) {
          // Documented as must-not-throw; a broken callback shows as NaN, not a dead /metrics.
        }
        append_sample(out, f.name, "", labels, "", value);
      }
    }
  }
  return out;
}

}  // namespace pqrflow::runtime::metrics
