#include "io/sweep_file.hpp"

#include <fmt/format.h>

#include <toml++/toml.h>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <exception>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/design.hpp"
#include "core/generator.hpp"
#include "core/key_outcomes.hpp"
#include "core/statistics.hpp"
#include "io/atomic_output.hpp"
#include "io/config.hpp"
#include "io/errors.hpp"
#include "io/experiment.hpp"
#include "io/file_layout.hpp"
#include "io/hdf5.hpp"

namespace civsim::io {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string where(const toml::source_region& src, const std::string& source) {
  if (src.begin.line == 0) return source;
  return fmt::format("{}:{}:{}", source, src.begin.line, src.begin.column);
}

std::string shown(const toml::node& node) {
  if (node.is_table()) return "a table";
  if (const auto* a = node.as_array()) {
    std::string out;
    for (const auto& item : *a) out += (out.empty() ? "" : ", ") + shown(item);
    return "[" + out + "]";
  }
  if (node.is_floating_point()) return fmt::format("{}", node.value<double>().value());
  std::ostringstream out;
  node.visit([&](auto&& v) { out << v; });
  return out.str();
}

// A TOML value as --set takes it.
std::string value_text(const toml::node& node) {
  if (const auto* s = node.as_string()) {
    std::string out = "\"";
    for (const char c : s->get()) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out + "\"";
  }
  std::ostringstream out;
  node.visit([&](auto&& v) { out << v; });
  return out.str();
}

std::string number_text(double x, bool integer) {
  if (integer) return fmt::format("{}", std::llround(x));
  return fmt::format("{}", x);
}

std::uint64_t fnv1a(std::string_view text, std::uint64_t h = 0xcbf29ce484222325ULL) {
  for (const unsigned char c : text) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

constexpr const char* kDesignNames[] = {"grid", "latin_hypercube", "sobol", "saltelli"};

// The schema entry of a key as --set writes it ("accounts[0].x" -> "accounts[].x").
const KeyInfo* schema_entry(const std::string& key) {
  std::string generic;
  for (std::size_t i = 0; i < key.size(); ++i) {
    if (key[i] == '[') {
      const auto close = key.find(']', i);
      if (close == std::string::npos) return nullptr;
      generic += "[]";
      i = close;
    } else {
      generic += key[i];
    }
  }
  for (const auto& k : scenario_schema())
    if (k.path == generic) return &k;
  return nullptr;
}

class SweepParser {
 public:
  SweepParser(std::string_view text, const std::string& source) : source_(source) {
    spec_.source = source;
    spec_.text = std::string(text);
    try {
      root_ = toml::parse(text, source);
    } catch (const toml::parse_error& e) {
      throw ConfigError(where(e.source(), source), "",
                        fmt::format("TOML syntax: {}", e.description()));
    }
  }

  SweepSpec parse() {
    static const std::set<std::string> known = {"scenario", "name", "seed",     "replicates",
                                                "set",      "arms", "outcomes", "design",
                                                "samples",  "axes"};
    for (const auto& [k, v] : root_)
      if (!known.count(std::string(k.str())))
        fail(v, std::string(k.str()),
             fmt::format("unknown key '{}' in a sweep file; valid: scenario, name, seed, "
                         "replicates, set, arms, outcomes, design, samples, [[axes]]",
                         k.str()));
    const toml::node* scenario = root_.get("scenario");
    if (!scenario)
      throw ConfigError(source_, "scenario",
                        "the sweep file has no 'scenario'; valid: scenario = \"path/to/base.toml\" "
                        "(relative to the sweep file)");
    spec_.scenario = string_of(*scenario, "scenario", "a path to a scenario file");
    spec_.scenario_location = where(scenario->source(), source_);
    if (spec_.scenario.is_relative())
      spec_.scenario =
          (std::filesystem::path(source_).parent_path() / spec_.scenario).lexically_normal();
    spec_.name = std::filesystem::path(source_).stem().string();
    if (const auto* n = root_.get("name")) spec_.name = string_of(*n, "name", "a non-empty string");
    if (const auto* s = root_.get("seed")) {
      spec_.has_seed = true;
      spec_.seed = static_cast<std::uint64_t>(
          integer_of(*s, "seed", 0, std::numeric_limits<std::int64_t>::max()));
    }
    if (const auto* r = root_.get("replicates"))
      spec_.replicates = integer_of(*r, "replicates", 1, 100000);
    if (const auto* s = root_.get("set")) spec_.set = strings_of(*s, "set", "key.path=value");
    if (const auto* a = root_.get("arms")) {
      spec_.arms = strings_of(*a, "arms", "an arm of the scenario's [[arms]] or a strategy");
      spec_.arms_location = where(a->source(), source_);
      if (spec_.arms.empty()) fail(*a, "arms", "arms = [] is empty; leave it out for one arm");
      for (std::size_t i = 0; i < spec_.arms.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
          if (spec_.arms[i] == spec_.arms[j])
            fail(*a, "arms", fmt::format("arm \"{}\" is listed twice", spec_.arms[i]));
    }
    if (const auto* o = root_.get("outcomes")) {
      spec_.outcomes = strings_of(*o, "outcomes", "names of per-run scalars");
      for (const auto& name : spec_.outcomes)
        if (std::none_of(kKeyOutcomes.begin(), kKeyOutcomes.end(),
                         [&](const KeyOutcome& k) { return name == k.name; }))
          fail(*o, "outcomes",
               fmt::format("outcomes: '{}' is not a key outcome; valid: {}", name, key_names()));
    } else {
      for (const auto& k : kKeyOutcomes) spec_.outcomes.emplace_back(k.name);
    }
    if (const auto* d = root_.get("design")) {
      const std::string name =
          string_of(*d, "design", "one of grid, latin_hypercube, sobol, saltelli");
      const auto* it = std::find(std::begin(kDesignNames), std::end(kDesignNames), name);
      if (it == std::end(kDesignNames))
        fail(*d, "design",
             fmt::format("design = \"{}\" is invalid; valid: \"grid\", \"latin_hypercube\", "
                         "\"sobol\" or \"saltelli\"",
                         name));
      spec_.design = static_cast<DesignKind>(it - std::begin(kDesignNames));
    }
    const toml::node* samples = root_.get("samples");
    if (spec_.design == DesignKind::grid) {
      if (samples)
        fail(*samples, "samples",
             "samples is for the latin_hypercube, sobol and saltelli designs; a grid takes every "
             "combination of the axes' values");
    } else {
      if (!samples)
        throw ConfigError(source_, "samples",
                          fmt::format("design = \"{}\" needs samples = N (an integer in [2, "
                                      "1000000])",
                                      design_name(spec_.design)));
      spec_.samples = integer_of(*samples, "samples", 2, 1000000);
    }
    parse_axes();
    return std::move(spec_);
  }

 private:
  const std::string& source_;
  toml::table root_;
  SweepSpec spec_;

  [[noreturn]] void fail(const toml::node& node, const std::string& key,
                         const std::string& message) const {
    throw ConfigError(where(node.source(), source_), key, message);
  }

  static std::string key_names() {
    std::string out;
    for (const auto& k : kKeyOutcomes) out += (out.empty() ? "" : ", ") + std::string(k.name);
    return out;
  }

  std::string string_of(const toml::node& n, const std::string& key, const std::string& valid) {
    if (!n.is_string() || n.as_string()->get().empty())
      fail(n, key, fmt::format("{} = {} is invalid; valid: {}", key, shown(n), valid));
    return n.as_string()->get();
  }

  std::int64_t integer_of(const toml::node& n, const std::string& key, std::int64_t lo,
                          std::int64_t hi) {
    const auto x = n.value<std::int64_t>();
    if (!n.is_integer() || !x || *x < lo || *x > hi)
      fail(n, key,
           fmt::format("{} = {} is invalid; valid: an integer in [{}, {}]", key, shown(n), lo, hi));
    return *x;
  }

  double number_of(const toml::node& n, const std::string& key) {
    if (!n.is_number() || !std::isfinite(n.value<double>().value()))
      fail(n, key, fmt::format("{} = {} is invalid; valid: a finite number", key, shown(n)));
    return n.value<double>().value();
  }

  std::vector<std::string> strings_of(const toml::node& n, const std::string& key,
                                      const std::string& what) {
    const auto* items = n.as_array();
    if (!items)
      fail(n, key,
           fmt::format("{} = {} is invalid; valid: a list of strings ({})", key, shown(n), what));
    std::vector<std::string> out;
    for (const auto& item : *items) out.push_back(string_of(item, key, "a non-empty string"));
    return out;
  }

  void parse_axes() {
    const toml::node* axes = root_.get("axes");
    if (!axes)
      throw ConfigError(source_, "axes",
                        "the sweep file has no [[axes]]; valid: at least one [[axes]] entry with "
                        "key = \"scenario.key\" and values, linspace, logspace or bounds");
    const auto* list = axes->as_array();
    if (!list || list->empty() || !list->is_array_of_tables())
      fail(*axes, "axes", "axes must be an array of tables: [[axes]] entries");
    std::set<std::string> keys;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const auto& t = *list->get(i)->as_table();
      const std::string name = fmt::format("axes[{}]", i);
      SweepAxis axis;
      axis.location = where(t.source(), source_);
      static const std::set<std::string> known = {"key",      "values", "linspace",
                                                  "logspace", "bounds", "scale"};
      for (const auto& [k, v] : t)
        if (!known.count(std::string(k.str())))
          fail(v, name + "." + std::string(k.str()),
               fmt::format("unknown key '{}.{}'; valid: key, values, linspace, logspace, bounds, "
                           "scale",
                           name, k.str()));
      const toml::node* key = t.get("key");
      if (!key)
        throw ConfigError(axis.location, name + ".key",
                          fmt::format("{} has no key; valid: key = \"a.scenario.key\" (see "
                                      "`civsim schema`)",
                                      name));
      axis.key =
          string_of(*key, name + ".key", "a scenario key, e.g. \"diffusion.reshare_probability\"");
      const KeyInfo* info = schema_entry(axis.key);
      if (!info)
        fail(*key, name + ".key",
             fmt::format("{}.key = \"{}\" is not a scenario key; valid: a key of `civsim schema`, "
                         "with [i] for list elements (accounts[0].capacity_fte)",
                         name, axis.key));
      if (axis.key == "seed")
        fail(*key, name + ".key",
             "seed cannot be an axis: the sweep's seed (and replicates) decide every run's seed");
      if (!keys.insert(axis.key).second)
        fail(*key, name + ".key", fmt::format("key \"{}\" has two axes", axis.key));
      const bool integer = info->valid.rfind("an integer", 0) == 0;
      const bool numeric = integer || info->valid.rfind("a number", 0) == 0;
      axis.integer = integer;

      int forms = 0;
      for (const char* f : {"values", "linspace", "logspace", "bounds"}) forms += t.contains(f);
      if (forms != 1)
        throw ConfigError(axis.location, name,
                          fmt::format("{} (key \"{}\") needs exactly one of values = [...], "
                                      "linspace = [start, stop, count], logspace = [start, stop, "
                                      "count] or bounds = [low, high]",
                                      name, axis.key));
      const bool grid = spec_.design == DesignKind::grid;
      if (const auto* v = t.get("values")) {
        if (!grid) fail(*v, name + ".values", design_needs_bounds(name));
        const auto* items = v->as_array();
        if (!items || items->empty())
          fail(*v, name + ".values",
               fmt::format("{}.values = {} is invalid; valid: a non-empty list of values for "
                           "'{}' ({})",
                           name, shown(*v), axis.key, info->valid));
        for (const auto& item : *items) {
          if (item.is_table() || item.is_array())
            fail(
                item, name + ".values",
                fmt::format("{}.values: {} is invalid; valid: {}", name, shown(item), info->valid));
          axis.values.push_back(value_text(item));
        }
        axis.kind = SweepAxis::Kind::values;
      } else if (const auto* b = t.get("bounds")) {
        if (grid)
          fail(*b, name + ".bounds",
               "bounds are for the latin_hypercube, sobol and saltelli designs; a grid axis takes "
               "values, linspace or logspace");
        range(*b, name + ".bounds", 2, axis, info, numeric);
        axis.kind = SweepAxis::Kind::bounds;
        if (const auto* s = t.get("scale")) {
          const std::string scale = string_of(*s, name + ".scale", "\"linear\" or \"log\"");
          if (scale != "linear" && scale != "log")
            fail(*s, name + ".scale",
                 fmt::format("{}.scale = \"{}\" is invalid; valid: \"linear\" or \"log\"", name,
                             scale));
          axis.log_scale = scale == "log";
          if (axis.log_scale && axis.lo <= 0)
            fail(*b, name + ".bounds",
                 fmt::format("{}.bounds: a log scale needs bounds > 0", name));
        }
      } else {
        const bool lin = t.contains("linspace");
        const toml::node& r = *t.get(lin ? "linspace" : "logspace");
        const std::string rk = name + (lin ? ".linspace" : ".logspace");
        if (!grid) fail(r, rk, design_needs_bounds(name));
        range(r, rk, 3, axis, info, numeric);
        axis.kind = lin ? SweepAxis::Kind::linspace : SweepAxis::Kind::logspace;
        if (!lin && (axis.lo <= 0 || axis.hi <= 0))
          fail(r, rk, fmt::format("{} = {}: logspace needs start and stop > 0", rk, shown(r)));
      }
      if (t.contains("scale") && axis.kind != SweepAxis::Kind::bounds)
        fail(*t.get("scale"), name + ".scale", "scale goes with bounds (designs); use logspace");
      spec_.axes.push_back(std::move(axis));
    }
    if (spec_.design == DesignKind::sobol || spec_.design == DesignKind::saltelli)
      if (spec_.axes.size() * 2 > design::kMaxSobolDimension)
        fail(*axes, "axes", "too many axes for a Sobol' design (at most 1833)");
  }

  std::string design_needs_bounds(const std::string& name) const {
    return fmt::format(
        "design = \"{}\" samples each axis between bounds: write {}.bounds = "
        "[low, high] (values, linspace and logspace are for design = \"grid\")",
        design_name(spec_.design), name);
  }

  void range(const toml::node& n, const std::string& key, std::size_t size, SweepAxis& axis,
             const KeyInfo* info, bool numeric) {
    const std::string form =
        size == 2 ? "[low, high]" : "[start, stop, count] with count an integer >= 1";
    if (!numeric)
      fail(n, key,
           fmt::format("'{}' is not numeric ({}): give its values as a list, values = [...]",
                       axis.key, info->valid));
    const auto* items = n.as_array();
    if (!items || items->size() != size)
      fail(n, key, fmt::format("{} = {} is invalid; valid: {}", key, shown(n), form));
    axis.lo = number_of(*items->get(0), key);
    axis.hi = number_of(*items->get(1), key);
    if (size == 3) {
      const auto* c = items->get(2);
      if (!c->is_integer() || c->value<std::int64_t>().value() < 1 ||
          c->value<std::int64_t>().value() > 1000000)
        fail(*c, key,
             fmt::format("{}: count = {} is invalid; valid: an integer in [1, 1000000]", key,
                         shown(*c)));
      axis.count = static_cast<std::size_t>(c->value<std::int64_t>().value());
    } else if (!(axis.lo < axis.hi)) {
      fail(n, key, fmt::format("{} = {} is invalid; valid: low < high", key, shown(n)));
    }
  }
};

}  // namespace

std::string design_name(DesignKind d) {
  return kDesignNames[static_cast<int>(d)];
}

SweepSpec parse_sweep(std::string_view text, const std::string& source) {
  return SweepParser(text, source).parse();
}

SweepSpec load_sweep(const std::filesystem::path& file) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec))
    throw UserError(fmt::format("'{}' is a folder, not a sweep file", file.string()));
  std::ifstream in(file, std::ios::binary);
  if (!in) throw UserError(fmt::format("cannot read sweep file '{}'", file.string()));
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().find('\0') != std::string::npos)
    throw ConfigError(file.string(), "", "the sweep file holds NUL bytes: it is not a text file");
  return parse_sweep(text.str(), file.string());
}

std::int64_t UntilCi::next(std::int64_t replicates, const std::vector<double>& half_widths) const {
  if (!on() || replicates >= max_replicates) return replicates;
  double worst = 0;
  for (const double h : half_widths) {
    if (std::isnan(h)) return std::min(max_replicates, std::max<std::int64_t>(replicates + 1, 2));
    worst = std::max(worst, h);
  }
  if (worst <= width) return replicates;
  const double ratio = worst / width;
  const auto wanted =
      static_cast<std::int64_t>(std::ceil(static_cast<double>(replicates) * ratio * ratio));
  return std::min({max_replicates, 2 * replicates, std::max(replicates + 1, wanted)});
}

// --- the plan ---------------------------------------------------------------------------------

SweepPlan::SweepPlan(SweepSpec spec, const std::vector<std::string>& overrides, UntilCi until_ci)
    : spec_(std::move(spec)) {
  std::vector<std::string> all = overrides;
  all.insert(all.end(), spec_.set.begin(), spec_.set.end());
  if (spec_.has_seed) all.push_back(fmt::format("seed={}", spec_.seed));
  std::error_code ec;
  if (!std::filesystem::is_regular_file(spec_.scenario, ec))
    throw ConfigError(spec_.scenario_location, "scenario",
                      fmt::format("scenario = \"{}\": no such file (a path relative to the sweep "
                                  "file, or absolute)",
                                  spec_.scenario.string()));
  base_ = load_scenario(spec_.scenario, all);
  with_arms_ = base_;
  base_.arms.clear();
  base_toml_ = to_toml(base_);
  with_arms_toml_ = to_toml(with_arms_);

  auto& m = meta_;
  m.name = spec_.name;
  m.source = spec_.source;
  m.sweep_text = spec_.text;
  m.base_toml = with_arms_toml_;
  m.design = design_name(spec_.design);
  m.master_seed = base_.seed;
  m.replicates = spec_.replicates;
  m.samples = spec_.samples;
  m.until_ci = until_ci;
  m.outcomes = spec_.outcomes;
  m.scenario_name = base_.name;
  m.step_hours = base_.time.step_hours;
  for (const auto& r : base_.regions) m.regions.push_back(r.name);
  if (until_ci.on() &&
      std::find(m.outcomes.begin(), m.outcomes.end(), until_ci.outcome) == m.outcomes.end()) {
    bool known = false;
    for (const auto& k : kKeyOutcomes) known |= until_ci.outcome == k.name;
    if (!known)
      throw UserError(
          fmt::format("--outcome '{}' is not a key outcome; valid: {}", until_ci.outcome, [] {
            std::string out;
            for (const auto& k : kKeyOutcomes)
              out += (out.empty() ? "" : ", ") + std::string(k.name);
            return out;
          }()));
  }

  // Points: each axis's values (grid) or samples of the unit cube mapped onto its bounds.
  const std::size_t d = spec_.axes.size();
  for (const auto& axis : spec_.axes) m.axes.push_back({axis.key, true});
  const auto numeric_of = [](const std::string& text) {
    try {
      std::size_t used = 0;
      const double x = std::stod(text, &used);
      return used == text.size() && std::isfinite(x) ? x : kNaN;
    } catch (const std::exception&) {
      return kNaN;
    }
  };
  if (spec_.design == DesignKind::grid) {
    std::vector<std::vector<std::string>> levels(d);
    std::vector<std::size_t> sizes(d);
    for (std::size_t k = 0; k < d; ++k) {
      const auto& axis = spec_.axes[k];
      if (axis.kind == SweepAxis::Kind::values) {
        levels[k] = axis.values;
      } else {
        const auto xs = axis.kind == SweepAxis::Kind::linspace
                            ? design::linspace(axis.lo, axis.hi, axis.count)
                            : design::logspace(axis.lo, axis.hi, axis.count);
        for (const double x : xs) levels[k].push_back(number_text(x, axis.integer));
      }
      sizes[k] = levels[k].size();
      for (const auto& v : levels[k]) m.axes[k].numeric &= !std::isnan(numeric_of(v));
    }
    std::size_t total = 1;
    for (const auto s : sizes) {
      total *= s;
      if (total > 10000000)
        throw UserError(fmt::format("{}: the grid has more than 10^7 points", spec_.source));
    }
    for (const auto& index : design::grid(sizes)) {
      std::vector<std::string> text(d);
      for (std::size_t k = 0; k < d; ++k) text[k] = levels[k][index[k]];
      m.point_text.push_back(std::move(text));
    }
  } else {
    const auto n = static_cast<std::size_t>(spec_.samples);
    const design::Points unit = spec_.design == DesignKind::latin_hypercube
                                    ? design::latin_hypercube(n, d, m.master_seed)
                                : spec_.design == DesignKind::sobol ? design::sobol(n, d)
                                                                    : design::saltelli(n, d);
    for (const auto& u : unit) {
      std::vector<std::string> text(d);
      for (std::size_t k = 0; k < d; ++k) {
        const auto& axis = spec_.axes[k];
        double x =
            axis.log_scale
                ? std::exp(std::log(axis.lo) + u[k] * (std::log(axis.hi) - std::log(axis.lo)))
                : axis.lo + u[k] * (axis.hi - axis.lo);
        if (axis.integer) x = std::clamp(std::round(x), std::ceil(axis.lo), std::floor(axis.hi));
        text[k] = number_text(x, axis.integer);
      }
      m.point_text.push_back(std::move(text));
    }
  }
  for (const auto& text : m.point_text) {
    std::vector<double> numbers;
    for (std::size_t k = 0; k < d; ++k)
      numbers.push_back(m.axes[k].numeric ? numeric_of(text[k]) : kNaN);
    m.point_number.push_back(std::move(numbers));
    std::vector<std::string> o;
    for (std::size_t k = 0; k < d; ++k) o.push_back(spec_.axes[k].key + "=" + text[k]);
    overrides_.push_back(std::move(o));
  }

  // Arms, checked at the first point.
  if (spec_.arms.empty()) {
    m.arms = {"base"};
  } else {
    m.arms = spec_.arms;
    for (const auto& a : m.arms)
      if (a == "." || a == ".." || a.find('/') != std::string::npos)
        throw ConfigError(spec_.source, "arms", fmt::format("'{}' is not a valid arm name", a));
  }
  // An arm is its strategy for every government account and its `set`, applied after the
  // point's keys: as overrides in the same parse (one parse per run instead of three), unless an
  // axis changes which accounts are government accounts.
  const std::size_t n_accounts = base_.accounts.size();
  fast_arms_ = std::none_of(spec_.axes.begin(), spec_.axes.end(), [&](const SweepAxis& a) {
    if (a.key.ends_with(".kind")) return true;
    if (a.key.rfind("accounts[", 0) != 0) return false;
    return std::strtoull(a.key.c_str() + 9, nullptr, 10) >= n_accounts;  // appends an account
  });
  for (const auto& name : spec_.arms) {
    try {
      (void)arm_scenario(with_arms_, name, spec_.scenario.string());  // unknown arms fail here
    } catch (const UserError& e) {
      throw ConfigError(spec_.arms_location, "arms", fmt::format("arms: {}", e.what()));
    }
    const auto named = std::find_if(with_arms_.arms.begin(), with_arms_.arms.end(),
                                    [&](const Arm& a) { return a.name == name; });
    const Arm arm = named != with_arms_.arms.end() ? *named : Arm{name, name, {}};
    std::vector<std::string> o;
    if (!arm.strategy.empty())
      for (std::size_t i = 0; i < base_.accounts.size(); ++i)
        if (base_.accounts[i].kind == AccountKind::government)
          o.push_back(fmt::format("accounts[{}].strategy={}", i, arm.strategy));
    o.insert(o.end(), arm.set.begin(), arm.set.end());
    arm_overrides_.push_back(std::move(o));
  }
  for (std::uint32_t a = 0; a < m.arms.size(); ++a) {
    const Scenario s = scenario({0, a, 0});
    m.arm_toml.push_back(to_toml(s));
    m.arm_strategies.push_back(layout::government_strategies(s));
  }

  // Every point (arm 0) is a valid scenario on the same time axis and regions: checked on every
  // thread (a design can have 10^4 points), the error of the first bad point reported.
  {
    const Scenario s = scenario({0, 0, 0});
    for (std::int64_t t = 0; t < s.steps(); ++t)
      m.time_hours.push_back(static_cast<double>(t + 1) * s.time.step_hours);
  }
  const std::size_t P = points();
  population_.assign(P, 0);
  network_bytes_.assign(P, 0);
  std::vector<std::uint64_t> network_hash(P, 0);
  std::vector<std::exception_ptr> errors(P);
  std::atomic<std::size_t> first_bad = P;
#pragma omp parallel for schedule(dynamic, 8)
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(P); ++i) {
    const auto p = static_cast<std::size_t>(i);
    if (p > first_bad.load()) continue;  // an earlier point failed already
    try {
      const Scenario s = scenario({p, 0, 0});
      population_[p] = s.population;
      network_bytes_[p] = estimate_network_bytes(s);
      network_hash[p] = fnv1a(network_part(s));
      if (s.steps() != base_.steps() || s.time.step_hours != base_.time.step_hours ||
          s.regions.size() != base_.regions.size())
        throw UserError(fmt::format(
            "{}: error: point {} ({}) changes the time axis or the number of regions; every run "
            "of a sweep shares them (time.step, time.duration, [[regions]])",
            spec_.source, p, fmt::join(overrides_[p], ", ")));
    } catch (...) {
      errors[p] = std::current_exception();
      for (std::size_t seen = first_bad.load();
           p < seen && !first_bad.compare_exchange_weak(seen, p);) {
      }
    }
  }
  if (first_bad.load() < P) std::rethrow_exception(errors[first_bad.load()]);
  const std::set<std::uint64_t> networks(network_hash.begin(), network_hash.end());
  distinct_networks_ = networks.size();
  std::string fp = spec_.text + "\n--base--\n" + base_toml_ + "\n--set--\n";
  for (const auto& o : overrides) fp += o + "\n";
  fp += fmt::format("until_ci={} {} {}\n", until_ci.on() ? until_ci.width : -1.0, until_ci.outcome,
                    until_ci.max_replicates);
  m.fingerprint = fmt::format("{:016x}", fnv1a(fp));
}

std::vector<RunKey> SweepPlan::initial_runs() const {
  std::vector<RunKey> out;
  for (std::uint64_t p = 0; p < points(); ++p)
    for (std::uint32_t a = 0; a < arms(); ++a)
      for (std::uint32_t r = 0; r < spec_.replicates; ++r) out.push_back({p, a, r});
  return out;
}

std::uint64_t SweepPlan::seed(std::uint32_t replicate) const {
  if (replicate == 0) return meta_.master_seed;
  return splitmix64(meta_.master_seed ^ splitmix64(replicate)) & 0x7fffffffffffffffULL;
}

Scenario SweepPlan::scenario(const RunKey& key) const {
  auto o = overrides_.at(key.point);
  o.push_back(fmt::format("seed={}", seed(key.replicate)));
  Scenario s;
  try {
    if (spec_.arms.empty()) {
      s = parse_scenario(base_toml_, spec_.scenario.string(), o);
    } else if (fast_arms_) {
      const auto& arm = arm_overrides_.at(key.arm);
      o.insert(o.end() - 1, arm.begin(), arm.end());
      s = parse_scenario(base_toml_, spec_.scenario.string(), o);
    } else {
      s = parse_scenario(with_arms_toml_, spec_.scenario.string(), o);
      s = arm_scenario(s, meta_.arms.at(key.arm), spec_.scenario.string());
    }
  } catch (const UserError& e) {
    std::string axes;
    for (std::size_t k = 0; k < spec_.axes.size(); ++k)
      axes += fmt::format("{}{} (axis at {})", k ? ", " : "", overrides_[key.point][k],
                          spec_.axes[k].location);
    throw UserError(
        fmt::format("{}: error: point {} of the sweep is not a valid scenario: {}\n"
                    "  the point sets {}",
                    spec_.source, key.point, e.what(), axes));
  }
  return s;
}

// --- records ----------------------------------------------------------------------------------

namespace {

class Out {
 public:
  template <class T>
  void pod(const T& x) {
    buf_.append(reinterpret_cast<const char*>(&x), sizeof x);
  }
  void str(const std::string& s) {
    pod(static_cast<std::uint64_t>(s.size()));
    buf_ += s;
  }
  template <class T>
  void vec(const std::vector<T>& v) {
    pod(static_cast<std::uint64_t>(v.size()));
    if (!v.empty()) buf_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }
  std::string take() { return std::move(buf_); }

 private:
  std::string buf_;
};

class In {
 public:
  explicit In(std::string_view b) : b_(b) {}
  template <class T>
  T pod() {
    need(sizeof(T));
    T x;
    std::memcpy(&x, b_.data() + pos_, sizeof x);
    pos_ += sizeof x;
    return x;
  }
  std::string str() {
    const auto n = pod<std::uint64_t>();
    need(n);
    std::string s(b_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  template <class T>
  std::vector<T> vec() {
    const auto n = pod<std::uint64_t>();
    if (n > (b_.size() - pos_) / sizeof(T)) throw std::runtime_error("run record: bad length");
    std::vector<T> v(n);
    if (n > 0) std::memcpy(v.data(), b_.data() + pos_, n * sizeof(T));  // data() may be null
    pos_ += n * sizeof(T);
    return v;
  }
  bool done() const { return pos_ == b_.size(); }

 private:
  void need(std::uint64_t n) const {
    if (n > b_.size() - pos_) throw std::runtime_error("run record: truncated");
  }
  std::string_view b_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string encode(const RunRecord& r) {
  Out o;
  o.pod(std::uint32_t{1});  // record layout version
  o.pod(r.key.point), o.pod(r.key.arm), o.pod(r.key.replicate), o.pod(r.seed);
  o.str(r.status), o.str(r.error), o.pod(r.wall_seconds), o.pod(r.network_seconds), o.str(r.host);
  o.pod(r.edges);
  o.vec(r.series), o.vec(r.regions);
  o.pod(static_cast<std::uint64_t>(r.scalars.size()));
  for (std::size_t i = 0; i < r.scalars.size(); ++i) {
    o.str(r.scalars[i].name), o.pod(r.scalars[i].value), o.str(r.scalars[i].units);
    o.str(r.scalars[i].description), o.pod(r.scalar_is_key.at(i));
  }
  o.vec(r.cascade_size_hist), o.vec(r.cascade_depth_hist);
  return o.take();
}

RunRecord decode(std::string_view bytes) {
  In in(bytes);
  if (in.pod<std::uint32_t>() != 1) throw std::runtime_error("run record: unknown layout");
  RunRecord r;
  r.key.point = in.pod<std::uint64_t>();
  r.key.arm = in.pod<std::uint32_t>();
  r.key.replicate = in.pod<std::uint32_t>();
  r.seed = in.pod<std::uint64_t>();
  r.status = in.str(), r.error = in.str();
  r.wall_seconds = in.pod<double>(), r.network_seconds = in.pod<double>();
  r.host = in.str();
  r.edges = in.pod<std::uint64_t>();
  r.series = in.vec<double>(), r.regions = in.vec<double>();
  const auto n = in.pod<std::uint64_t>();
  if (n > bytes.size()) throw std::runtime_error("run record: bad scalar count");
  for (std::uint64_t i = 0; i < n; ++i) {
    SummaryValue v;
    v.name = in.str(), v.value = in.pod<double>(), v.units = in.str(), v.description = in.str();
    r.scalars.push_back(std::move(v));
    r.scalar_is_key.push_back(in.pod<std::uint8_t>());
  }
  r.cascade_size_hist = in.vec<std::uint64_t>(), r.cascade_depth_hist = in.vec<std::uint64_t>();
  if (!in.done()) throw std::runtime_error("run record: trailing bytes");
  return r;
}

std::vector<RunRecord> latest_by_key(std::vector<RunRecord> records) {
  std::stable_sort(records.begin(), records.end(),
                   [](const RunRecord& a, const RunRecord& b) { return a.key < b.key; });
  std::vector<RunRecord> out;
  for (auto& r : records) {
    if (!out.empty() && out.back().key == r.key)
      out.back() = std::move(r);
    else
      out.push_back(std::move(r));
  }
  return out;
}

// --- statistics -------------------------------------------------------------------------------

std::vector<PointStats> point_stats(const SweepMeta& meta, const std::vector<RunRecord>& records) {
  std::vector<PointStats> out;
  if (records.empty()) return out;
  const std::size_t P = meta.points(), A = meta.arms.size();
  const auto& names = records.front().scalars;
  for (std::size_t s = 0; s < names.size(); ++s) {
    PointStats st{names[s].name, names[s].units, {}, {}, {}, {}};
    st.mean.assign(P * A, kNaN), st.ci_low.assign(P * A, kNaN), st.ci_high.assign(P * A, kNaN);
    st.n.assign(P * A, 0);
    std::size_t i = 0;
    std::vector<double> values;
    while (i < records.size()) {
      const RunKey k = records[i].key;
      values.clear();
      for (; i < records.size() && records[i].key.point == k.point && records[i].key.arm == k.arm;
           ++i) {
        const auto& sc = records[i].scalars;
        values.push_back(records[i].status == "ok" && s < sc.size() && sc[s].name == st.name
                             ? sc[s].value
                             : kNaN);
      }
      const Estimate e = estimate(values);
      const std::size_t j = k.point * A + k.arm;
      st.mean[j] = e.mean, st.ci_low[j] = e.ci_low(), st.ci_high[j] = e.ci_high();
      st.n[j] = static_cast<std::int64_t>(e.n);
    }
    out.push_back(std::move(st));
  }
  return out;
}

// --- the HDF5 sweep file ----------------------------------------------------------------------

void write_sweep_file(const std::filesystem::path& out, const SweepMeta& m,
                      const std::vector<RunRecord>& records, const Provenance& prov, Shard shard,
                      bool complete, bool force) {
  const std::uint64_t n = records.size(), T = m.time_hours.size(), G = m.regions.size();
  const auto regional = region_series();
  const std::uint64_t K = regional.size();
  // Files beyond a gigabyte are written through HDF5 as they grow rather than built in memory.
  const std::uint64_t bytes = n * T * (kNumSeries + K * G) * 8;
  AtomicOutput output(out, force);
  h5::Writer w(
      output.temp(),
      bytes > (std::uint64_t{1} << 30) ? h5::Writer::Backing::disk : h5::Writer::Backing::memory,
      out.string());
  Scenario base;
  base.name = m.scenario_name;
  base.time.step_hours = m.step_hours;
  layout::write_root(w, kSweepFileType, kSweepFormatMajor, kSweepFormatMinor, prov, base);
  w.attribute("/", "sweep_name", m.name);
  w.attribute("/", "sweep_source", m.source);
  w.attribute("/", "design", m.design);
  w.attribute("/", "replicates", m.replicates);
  w.attribute("/", "samples", m.samples);
  w.attribute("/", "points", static_cast<std::int64_t>(m.points()));
  w.attribute("/", "runs", static_cast<std::int64_t>(n));
  w.attribute("/", "arms", m.arms);
  w.attribute("/", "outcomes", m.outcomes);
  w.attribute("/", "fingerprint", m.fingerprint);
  w.attribute("/", "shard_index", static_cast<std::int64_t>(shard.index));
  w.attribute("/", "shard_count", static_cast<std::int64_t>(shard.count));
  w.attribute("/", "complete", std::int64_t{complete ? 1 : 0});
  w.attribute("/", "until_ci_width", m.until_ci.width);
  w.attribute("/", "until_ci_outcome", m.until_ci.outcome);
  w.attribute("/", "max_replicates", m.until_ci.max_replicates);
  w.text_dataset("/sweep", m.sweep_text);
  w.attribute("/sweep", "description", std::string("the sweep file as given (TOML)"));
  w.text_dataset("/scenario", m.base_toml);
  w.attribute("/scenario", "description",
              std::string("the base scenario after --set and the sweep's set, resolved (TOML)"));

  w.group("/arms");
  for (std::size_t a = 0; a < m.arms.size(); ++a) {
    const std::string g = "/arms/" + m.arms[a];
    w.group(g);
    w.attribute(g, "index", static_cast<std::int64_t>(a));
    w.attribute(g, "strategy", m.arm_strategies.at(a));
    w.text_dataset(g + "/scenario", m.arm_toml.at(a));
  }

  // /points: one column per axis.
  w.group("/points");
  std::vector<std::string> keys;
  for (const auto& axis : m.axes) keys.push_back(axis.key);
  w.attribute("/points", "axes", keys);
  const auto column = [&](const std::string& path, std::size_t k, const auto& row_point) {
    if (m.axes[k].numeric) {
      std::vector<double> v;
      for (std::size_t i = 0; i < row_point.size(); ++i)
        v.push_back(m.point_number[row_point[i]][k]);
      w.dataset(path, v);
    } else {
      std::vector<std::string> v;
      for (std::size_t i = 0; i < row_point.size(); ++i) v.push_back(m.point_text[row_point[i]][k]);
      w.string_dataset(path, v);
    }
  };
  std::vector<std::size_t> all_points(m.points());
  for (std::size_t p = 0; p < all_points.size(); ++p) all_points[p] = p;
  for (std::size_t k = 0; k < m.axes.size(); ++k) column("/points/" + m.axes[k].key, k, all_points);

  // /runs: the table.
  w.group("/runs");
  std::vector<std::int64_t> run, point, arm, rep, seed, edges;
  std::vector<double> wall, net;
  std::vector<std::string> status, host, error;
  std::vector<std::size_t> run_point;
  for (std::size_t i = 0; i < n; ++i) {
    const auto& r = records[i];
    run.push_back(static_cast<std::int64_t>(i));
    point.push_back(static_cast<std::int64_t>(r.key.point));
    run_point.push_back(r.key.point);
    arm.push_back(r.key.arm), rep.push_back(r.key.replicate);
    seed.push_back(static_cast<std::int64_t>(r.seed));
    edges.push_back(static_cast<std::int64_t>(r.edges));
    wall.push_back(r.wall_seconds), net.push_back(r.network_seconds);
    status.push_back(r.status), host.push_back(r.host), error.push_back(r.error);
  }
  w.dataset("/runs/run", run);
  w.dataset("/runs/point", point);
  w.dataset("/runs/arm", arm);
  w.dataset("/runs/replicate", rep);
  w.dataset("/runs/seed", seed);
  w.dataset("/runs/edges", edges);
  w.dataset("/runs/wall_seconds", wall);
  w.dataset("/runs/network_seconds", net);
  w.string_dataset("/runs/status", status);
  w.string_dataset("/runs/host", host);
  w.string_dataset("/runs/error", error);
  w.group("/runs/params");
  for (std::size_t k = 0; k < m.axes.size(); ++k)
    column("/runs/params/" + m.axes[k].key, k, run_point);

  // /series: [run, step] and [run, step, region].
  w.group("/series");
  layout::write_time_axis(w, m.time_hours);
  std::vector<double> block;
  for (const auto& spec : kSeries) {
    block.assign(n * T, kNaN);
    const std::size_t s = series_index(spec.id);
    for (std::size_t i = 0; i < n; ++i)
      if (records[i].series.size() == T * kNumSeries)
        for (std::size_t t = 0; t < T; ++t)
          block[i * T + t] = records[i].series[t * kNumSeries + s];
    const std::string path = fmt::format("/series/{}", spec.name);
    w.dataset(path, block, h5::Shape{n, T});
    layout::describe(w, path, spec.units, spec.description);
  }
  w.group("/series/by_region");
  for (std::size_t k = 0; k < K; ++k) {
    const auto& spec = kSeries[series_index(regional[k])];
    block.assign(n * T * G, kNaN);
    for (std::size_t i = 0; i < n; ++i)
      if (records[i].regions.size() == T * K * G)
        for (std::size_t t = 0; t < T; ++t)
          for (std::size_t g = 0; g < G; ++g)
            block[(i * T + t) * G + g] = records[i].regions[(t * K + k) * G + g];
    const std::string path = fmt::format("/series/by_region/{}", spec.name);
    w.dataset(path, block, h5::Shape{n, T, G});
    layout::describe(w, path, spec.units, spec.description);
    w.attribute(path, "regions", m.regions);
  }

  // /summary: per-run scalars, named after the first run that has them.
  w.group("/summary");
  std::vector<std::string> order;
  const RunRecord* first = nullptr;
  for (const auto& r : records)
    if (r.status == "ok" && !r.scalars.empty()) {
      first = &r;
      break;
    }
  if (first)
    for (std::size_t s = 0; s < first->scalars.size(); ++s) {
      const auto& info = first->scalars[s];
      order.push_back(info.name);
      const std::string g = "/summary/" + info.name;
      w.group(g);
      layout::describe(w, g, info.units, info.description);
      w.attribute(g, "key", std::int64_t{first->scalar_is_key[s]});
      std::vector<double> values(n, kNaN);
      for (std::size_t i = 0; i < n; ++i)
        for (const auto& x : records[i].scalars)
          if (x.name == info.name) values[i] = x.value;
      w.dataset(g + "/values", values);
    }
  w.attribute("/summary", "outcomes", order);
  const auto histogram = [&](const char* name, auto member, const char* description) {
    std::size_t bins = 0;
    for (const auto& r : records) bins = std::max(bins, (r.*member).size());
    std::vector<std::int64_t> values(n * bins, 0);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t b = 0; b < (records[i].*member).size(); ++b)
        values[i * bins + b] = static_cast<std::int64_t>((records[i].*member)[b]);
    const std::string path = fmt::format("/summary/{}", name);
    w.dataset(path, values, h5::Shape{n, bins});
    layout::describe(w, path, "posts", description);
  };
  histogram("cascade_size_hist", &RunRecord::cascade_size_hist,
            "per run, government posts whose reshare cascade had size in [2^b - 1, 2^(b+1) - 1) "
            "reshares, for bin b");
  histogram("cascade_depth_hist", &RunRecord::cascade_depth_hist,
            "per run, government posts whose deepest reshare was d hops from the author");

  // /stats: replicate statistics per point and arm (whole sweeps only).
  if (complete) {
    const std::uint64_t P = m.points(), A = m.arms.size();
    w.group("/stats");
    std::vector<std::int64_t> reps(P * A, 0);
    for (const auto& r : records) ++reps[r.key.point * A + r.key.arm];
    w.dataset("/stats/replicates", reps, h5::Shape{P, A});
    layout::describe(w, "/stats/replicates", "runs", "replicates run at each point and arm");
    for (const auto& st : point_stats(m, records)) {
      const std::string g = "/stats/" + st.name;
      w.group(g);
      layout::describe(w, g, st.units, "mean over replicates and its 95% CI, [point, arm]");
      w.dataset(g + "/mean", st.mean, h5::Shape{P, A});
      w.dataset(g + "/ci_low", st.ci_low, h5::Shape{P, A});
      w.dataset(g + "/ci_high", st.ci_high, h5::Shape{P, A});
      w.dataset(g + "/n", st.n, h5::Shape{P, A});
    }
  }
  w.close();
  output.commit();
}

std::string sweep_fingerprint(const std::filesystem::path& file) {
  h5::Reader r(file);
  if (layout::filetype(r) != kSweepFileType) return "";
  const auto names = r.attribute_names("/");
  for (const char* needed : {"fingerprint", "complete", "shard_count"})
    if (std::find(names.begin(), names.end(), needed) == names.end()) return "";
  return layout::text(r.attribute("/", "fingerprint"));
}

SweepFile read_sweep_file(const std::filesystem::path& file) {
  h5::Reader r(file);
  layout::require_format(r, file.string(), kSweepFileType, kSweepFormatMajor, "sweep file");
  SweepFile f;
  f.attributes = layout::root_attributes(r);
  const std::string name = file.string();
  const auto attr = [&](const std::string& obj, const std::string& a) {
    return r.attribute(obj, a);
  };
  const auto as_int = [&](const h5::Attribute& a, const char* what) {
    if (const auto* i = std::get_if<std::int64_t>(&a)) return *i;
    throw UserError(fmt::format("'{}': {} is not an integer", name, what));
  };
  const auto as_text = [&](const h5::Attribute& a) { return layout::text(a); };
  const auto as_list = [&](const h5::Attribute& a, const char* what) {
    if (const auto* l = std::get_if<std::vector<std::string>>(&a)) return *l;
    throw UserError(fmt::format("'{}': {} is not a list of names", name, what));
  };
  auto& m = f.meta;
  m.name = as_text(attr("/", "sweep_name"));
  m.source = as_text(attr("/", "sweep_source"));
  m.design = as_text(attr("/", "design"));
  m.fingerprint = as_text(attr("/", "fingerprint"));
  m.replicates = as_int(attr("/", "replicates"), "replicates");
  m.samples = as_int(attr("/", "samples"), "samples");
  m.master_seed = static_cast<std::uint64_t>(as_int(attr("/", "seed"), "seed"));
  m.arms = as_list(attr("/", "arms"), "arms");
  m.outcomes = as_list(attr("/", "outcomes"), "outcomes");
  m.scenario_name = as_text(attr("/", "scenario_name"));
  const auto as_double = [&](const h5::Attribute& a, const char* what) {
    if (const auto* d = std::get_if<double>(&a)) return *d;
    throw UserError(fmt::format("'{}': {} is not a number", name, what));
  };
  m.step_hours = as_double(attr("/", "step_hours"), "step_hours");
  m.until_ci.width = as_double(attr("/", "until_ci_width"), "until_ci_width");
  m.until_ci.outcome = as_text(attr("/", "until_ci_outcome"));
  m.until_ci.max_replicates = as_int(attr("/", "max_replicates"), "max_replicates");
  const auto si = as_int(attr("/", "shard_index"), "shard_index");
  const auto sc = as_int(attr("/", "shard_count"), "shard_count");
  if (sc < 1 || si < 0 || si >= sc)
    throw UserError(fmt::format("'{}': shard {}/{} is invalid", name, si, sc));
  f.shard = {static_cast<std::uint32_t>(si), static_cast<std::uint32_t>(sc)};
  f.complete = as_int(attr("/", "complete"), "complete") == 1;
  m.sweep_text = r.read_text("/sweep");
  m.base_toml = r.read_text("/scenario");
  for (const auto& a : m.arms) {
    m.arm_toml.push_back(r.read_text("/arms/" + a + "/scenario"));
    m.arm_strategies.push_back(as_text(attr("/arms/" + a, "strategy")));
  }
  m.time_hours = r.read_double("/series/time_hours");
  const std::size_t T = m.time_hours.size();
  const auto regional = region_series();
  const std::size_t K = regional.size();
  m.regions = as_list(
      attr(fmt::format("/series/by_region/{}", kSeries[series_index(regional[0])].name), "regions"),
      "regions");
  const std::size_t G = m.regions.size();
  for (const auto& key : as_list(attr("/points", "axes"), "axes")) {
    m.axes.push_back({key, true});
  }
  std::size_t P = 0;
  std::vector<std::vector<double>> numbers(m.axes.size());
  std::vector<std::vector<std::string>> texts(m.axes.size());
  for (std::size_t k = 0; k < m.axes.size(); ++k) {
    const std::string path = "/points/" + m.axes[k].key;
    try {
      numbers[k] = r.read_double(path);
      m.axes[k].numeric = true;
      P = numbers[k].size();
    } catch (const UserError&) {
      texts[k] = r.read_strings(path);
      m.axes[k].numeric = false;
      P = texts[k].size();
    }
  }
  if (m.axes.empty()) throw UserError(fmt::format("'{}': the sweep has no axes", name));
  for (std::size_t p = 0; p < P; ++p) {
    std::vector<std::string> t;
    std::vector<double> x;
    for (std::size_t k = 0; k < m.axes.size(); ++k) {
      if (m.axes[k].numeric) {
        if (numbers[k].size() != P)
          throw UserError(fmt::format("'{}': /points columns differ in length", name));
        t.push_back(fmt::format("{}", numbers[k][p]));
        x.push_back(numbers[k][p]);
      } else {
        if (texts[k].size() != P)
          throw UserError(fmt::format("'{}': /points columns differ in length", name));
        t.push_back(texts[k][p]);
        x.push_back(kNaN);
      }
    }
    m.point_text.push_back(std::move(t));
    m.point_number.push_back(std::move(x));
  }

  // The runs.
  const auto point = r.read_int64("/runs/point"), arm = r.read_int64("/runs/arm"),
             rep = r.read_int64("/runs/replicate"), seed = r.read_int64("/runs/seed"),
             edges = r.read_int64("/runs/edges");
  const auto wall = r.read_double("/runs/wall_seconds"),
             net = r.read_double("/runs/network_seconds");
  const auto status = r.read_strings("/runs/status"), host = r.read_strings("/runs/host"),
             error = r.read_strings("/runs/error");
  const std::size_t n = point.size();
  for (const auto* v : {&arm, &rep, &seed, &edges})
    if (v->size() != n) throw UserError(fmt::format("'{}': /runs columns differ in length", name));
  if (wall.size() != n || net.size() != n || status.size() != n || host.size() != n ||
      error.size() != n)
    throw UserError(fmt::format("'{}': /runs columns differ in length", name));
  f.records.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto& rec = f.records[i];
    if (point[i] < 0 || static_cast<std::size_t>(point[i]) >= P || arm[i] < 0 ||
        static_cast<std::size_t>(arm[i]) >= m.arms.size() || rep[i] < 0)
      throw UserError(
          fmt::format("'{}': run {} names a point, arm or replicate that does not exist", name, i));
    rec.key = {static_cast<std::uint64_t>(point[i]), static_cast<std::uint32_t>(arm[i]),
               static_cast<std::uint32_t>(rep[i])};
    rec.seed = static_cast<std::uint64_t>(seed[i]);
    rec.edges = static_cast<std::uint64_t>(edges[i]);
    rec.wall_seconds = wall[i], rec.network_seconds = net[i];
    rec.status = status[i], rec.host = host[i], rec.error = error[i];
    rec.series.assign(T * kNumSeries, kNaN);
    rec.regions.assign(T * K * G, kNaN);
  }
  for (const auto& spec : kSeries) {
    const std::string path = fmt::format("/series/{}", spec.name);
    const auto v = r.read_double(path);
    if (v.size() != n * T) throw UserError(fmt::format("'{}': {} has the wrong shape", name, path));
    const std::size_t s = series_index(spec.id);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t t = 0; t < T; ++t) f.records[i].series[t * kNumSeries + s] = v[i * T + t];
  }
  for (std::size_t k = 0; k < K; ++k) {
    const std::string path =
        fmt::format("/series/by_region/{}", kSeries[series_index(regional[k])].name);
    const auto v = r.read_double(path);
    if (v.size() != n * T * G)
      throw UserError(fmt::format("'{}': {} has the wrong shape", name, path));
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t t = 0; t < T; ++t)
        for (std::size_t g = 0; g < G; ++g)
          f.records[i].regions[(t * K + k) * G + g] = v[(i * T + t) * G + g];
  }
  for (const auto& sname : as_list(attr("/summary", "outcomes"), "outcomes")) {
    const std::string g = "/summary/" + sname;
    const auto v = r.read_double(g + "/values");
    if (v.size() != n)
      throw UserError(fmt::format("'{}': {}/values has the wrong length", name, g));
    const std::string units = as_text(attr(g, "units")),
                      description = as_text(attr(g, "description"));
    const auto key = static_cast<std::uint8_t>(as_int(attr(g, "key"), "key") != 0);
    for (std::size_t i = 0; i < n; ++i) {
      if (f.records[i].status != "ok") continue;
      f.records[i].scalars.push_back({sname, v[i], units, description});
      f.records[i].scalar_is_key.push_back(key);
    }
  }
  const auto histogram = [&](const char* hname, auto member) {
    const std::string path = fmt::format("/summary/{}", hname);
    const auto shape = r.shape(path);
    const auto v = r.read_int64(path);
    if (shape.size() != 2 || shape[0] != n)
      throw UserError(fmt::format("'{}': {} has the wrong shape", name, path));
    const std::size_t bins = shape[1];
    for (std::size_t i = 0; i < n; ++i) {
      auto& h = f.records[i].*member;
      // Kept zero-padded: the widest shard decides the width, as in a single-process file.
      h.assign(v.begin() + static_cast<std::ptrdiff_t>(i * bins),
               v.begin() + static_cast<std::ptrdiff_t>((i + 1) * bins));
    }
  };
  histogram("cascade_size_hist", &RunRecord::cascade_size_hist);
  histogram("cascade_depth_hist", &RunRecord::cascade_depth_hist);
  return f;
}

}  // namespace civsim::io
