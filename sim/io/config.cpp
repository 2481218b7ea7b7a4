#include "io/config.hpp"

#include <fmt/format.h>

#include <toml++/toml.h>
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <span>
#include <sstream>
#include <variant>

namespace civsim::io {
namespace {

using Value = std::variant<std::int64_t, double, std::string, bool, std::vector<std::string>>;

// What one key does: check and store a TOML value (returning a complaint, or nothing when the
// value is valid) and give the value back for the resolved scenario (nothing when unset). Keys of
// an array of tables (`[[accounts]]`) have `list` set and act on element `index`.
struct KeySpec {
  KeyInfo info;
  std::string list;  // "" for a plain key, else the array it belongs to ("accounts")
  std::string leaf;  // the key's own name inside its table
  std::function<std::optional<std::string>(const toml::node&, Scenario&, std::size_t index)> apply;
  std::function<std::optional<Value>(const Scenario&, std::size_t index)> emit;
  bool required = false;  // list keys: every element must set it
  // List keys that only some elements use (an event's fields depend on its type): nothing when
  // element `index` uses the key, else why it does not. Unset: every element uses it.
  std::function<std::optional<std::string>(const Scenario&, std::size_t index)> unused;
};

// An array of tables in the scenario, e.g. [[regions]], and how to size it in a Scenario.
struct ListSpec {
  std::string name;
  std::function<void(Scenario&, std::size_t)> resize;
  std::function<std::size_t(const Scenario&)> size;
  bool may_be_empty = false;  // `events = []` means no events; `accounts = []` is a mistake
};

std::string fmt_number(double x) {
  if (x == std::numeric_limits<double>::infinity()) return "inf";
  return fmt::format("{}", x);
}

struct Range {
  double lo, hi;
  bool lo_open = false, hi_open = false;
  bool contains(double x) const {
    return (lo_open ? x > lo : x >= lo) && (hi_open ? x < hi : x <= hi);
  }
  std::string text() const {
    return fmt::format("{}{}, {}{}", lo_open ? "(" : "[", fmt_number(lo), fmt_number(hi),
                       hi_open ? ")" : "]");
  }
};

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      // Control characters are not allowed raw in TOML strings: \uXXXX keeps them.
      out += fmt::format("\\u{:04X}", static_cast<unsigned>(u));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string toml_text(const Value& v) {
  if (auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (auto* d = std::get_if<double>(&v)) {
    std::string s = fmt::format("{}", *d);
    if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
    return s;
  }
  if (auto* items = std::get_if<std::vector<std::string>>(&v)) {
    std::string out;
    for (const auto& item : *items) out += (out.empty() ? "" : ", ") + quoted(item);
    return "[" + out + "]";
  }
  return quoted(std::get<std::string>(v));
}

// `"a", "b"` for the "valid:" part of messages.
std::string quoted_list(std::span<const char* const> names) {
  std::string out;
  for (const char* n : names) out += fmt::format("{}\"{}\"", out.empty() ? "" : ", ", n);
  return out;
}

// A Scenario with one default element in each list, for the defaults of list keys.
const Scenario& defaults() {
  static const Scenario d = [] {
    Scenario x;
    x.regions.assign(1, Region{});
    x.accounts.assign(1, AccountParams{});
    x.events.assign(1, Event{});
    x.arms.assign(1, Arm{});
    return x;
  }();
  return d;
}

// The common shape of every key: `parse` turns a TOML node into a T or returns nothing when the
// node is invalid; `show` turns a T into its TOML value; `unset` is the sentinel of optional keys.
// `access(scenario, index)` returns the field: a reference, or a view that converts to and
// assigns from T (office_hours, which is two fields).
template <class T, class Access, class Parse, class Show>
KeySpec make_key(std::string path, Access access, std::string valid, std::string unit,
                 std::string description, Parse parse, Show show,
                 std::optional<T> unset = std::nullopt) {
  const std::size_t bracket = path.find("[].");
  const std::string list = bracket == std::string::npos ? "" : path.substr(0, bracket);
  const std::string leaf =
      path.substr(path.rfind('.') == std::string::npos ? 0 : path.rfind('.') + 1);
  const T def = access(const_cast<Scenario&>(defaults()), 0);
  const std::string def_text = unset && def == *unset ? "unset" : toml_text(show(def));
  return {{std::move(path), valid, std::move(unit), def_text, std::move(description)},
          list,
          leaf,
          [=](const toml::node& node, Scenario& s, std::size_t i) -> std::optional<std::string> {
            std::optional<T> x = parse(node);
            if (!x) return valid;
            access(s, i) = *x;
            return std::nullopt;
          },
          [=](const Scenario& s, std::size_t i) -> std::optional<Value> {
            const T x = access(const_cast<Scenario&>(s), i);
            if (unset && x == *unset) return std::nullopt;
            return show(x);
          },
          false,
          {}};
}

// A list key that every element must set; the schema shows it as "required".
KeySpec required(KeySpec k) {
  k.required = true;
  k.info.default_value = "required";
  return k;
}

// Returns "out of range" complaints through the same channel as type errors: the message names
// what is valid either way.
template <class Access>
KeySpec real_key(std::string path, Access access, Range range, std::string unit,
                 std::string description, std::optional<double> unset = std::nullopt) {
  return make_key<double>(
      std::move(path), access, "a number in " + range.text(), std::move(unit),
      std::move(description),
      [=](const toml::node& n) -> std::optional<double> {
        if (!n.is_number()) return std::nullopt;
        const double x = n.value<double>().value();
        if (!std::isfinite(x) || !range.contains(x)) return std::nullopt;
        return x;
      },
      [](double x) -> Value { return x; }, unset);
}

template <class T, class Access>
KeySpec integer_key(std::string path, Access access, std::int64_t lo, std::int64_t hi,
                    std::string unit, std::string description,
                    std::optional<T> unset = std::nullopt) {
  return make_key<T>(
      std::move(path), access, fmt::format("an integer in [{}, {}]", lo, hi), std::move(unit),
      std::move(description),
      [=](const toml::node& n) -> std::optional<T> {
        if (!n.is_integer()) return std::nullopt;
        const std::int64_t x = n.value<std::int64_t>().value();
        if (x < lo || x > hi) return std::nullopt;
        return static_cast<T>(x);
      },
      [](T x) -> Value { return static_cast<std::int64_t>(x); }, unset);
}

template <class Access>
KeySpec bool_key(std::string path, Access access, std::string description) {
  return make_key<bool>(
      std::move(path), access, "true or false", "", std::move(description),
      [](const toml::node& n) -> std::optional<bool> {
        if (!n.is_boolean()) return std::nullopt;
        return n.as_boolean()->get();
      },
      [](bool x) -> Value { return x; });
}

template <class Access>
KeySpec string_key(std::string path, Access access, std::string description,
                   bool optional = false) {
  return make_key<std::string>(
      std::move(path), access, "a non-empty string", "", std::move(description),
      [](const toml::node& n) -> std::optional<std::string> {
        if (!n.is_string() || n.as_string()->get().empty()) return std::nullopt;
        return n.as_string()->get();
      },
      [](const std::string& x) -> Value { return x; },
      optional ? std::optional<std::string>("") : std::nullopt);
}

// A TOML array of strings, each accepted by `item_ok`; `valid` says what is valid in words.
template <class Access>
KeySpec string_list_key(std::string path, Access access, std::string valid, std::string description,
                        std::function<bool(const std::string&)> item_ok) {
  using List = std::vector<std::string>;
  return make_key<List>(
      std::move(path), access, std::move(valid), "", std::move(description),
      [=](const toml::node& n) -> std::optional<List> {
        const toml::array* items = n.as_array();
        if (!items) return std::nullopt;
        List out;
        for (const toml::node& item : *items) {
          if (!item.is_string() || !item_ok(item.as_string()->get())) return std::nullopt;
          out.push_back(item.as_string()->get());
        }
        return out;
      },
      [](const List& x) -> Value { return x; });
}

// A string naming one of `names`, stored by its index as an Enum (or int).
template <class Enum, class Access>
KeySpec choice_key(std::string path, Access access, std::span<const char* const> name_span,
                   std::string description) {
  const std::vector<std::string> names(name_span.begin(), name_span.end());
  return make_key<Enum>(
      std::move(path), access, "one of " + quoted_list(name_span), "", std::move(description),
      [=](const toml::node& n) -> std::optional<Enum> {
        if (n.is_string())
          for (std::size_t i = 0; i < names.size(); ++i)
            if (n.as_string()->get() == names[i]) return static_cast<Enum>(i);
        return std::nullopt;
      },
      [=](Enum e) -> Value { return names.at(static_cast<std::size_t>(e)); });
}

// A string naming one of `names`, stored as the string itself ("" when unset).
template <class Access>
KeySpec name_choice_key(std::string path, Access access, std::span<const char* const> name_span,
                        std::string description) {
  const std::vector<std::string> names(name_span.begin(), name_span.end());
  return make_key<std::string>(
      std::move(path), access, "one of " + quoted_list(name_span), "", std::move(description),
      [=](const toml::node& n) -> std::optional<std::string> {
        if (!n.is_string()) return std::nullopt;
        const std::string x = n.as_string()->get();
        if (std::find(names.begin(), names.end(), x) == names.end()) return std::nullopt;
        return x;
      },
      [](const std::string& x) -> Value { return x; }, std::optional<std::string>(""));
}

// "from 1m to 7d", "longer than 0s, up to 30d".
std::string duration_range_text(const Range& hours) {
  return fmt::format("{} {}{} {}", hours.lo_open ? "longer than" : "from",
                     format_duration(hours.lo), hours.lo_open ? ", up" : "",
                     (hours.hi_open ? "to less than " : "to ") + format_duration(hours.hi));
}

// Durations are kept in whole seconds, the resolution they are written back with, so that the
// resolved scenario reads back to the same values.
template <class Access>
KeySpec duration_key(std::string path, Access access, Range hours, std::string description) {
  return make_key<double>(
      std::move(path), access,
      "a duration such as \"30m\", \"1h\", \"2d 14h\" or \"1w\", " + duration_range_text(hours),
      "duration", std::move(description),
      [=](const toml::node& n) -> std::optional<double> {
        if (!n.is_string()) return std::nullopt;
        try {
          const double h = std::round(parse_duration_hours(n.as_string()->get()) * 3600) / 3600;
          return hours.contains(h) ? std::optional<double>(h) : std::nullopt;
        } catch (const std::invalid_argument&) {
          return std::nullopt;
        }
      },
      [](double h) -> Value { return format_duration(h); });
}

// A time of day "HH:MM" (or "H:MM") in hours, at most `max_minutes` after midnight.
std::optional<double> parse_clock(std::string_view text, int max_minutes) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || text.size() != colon + 3)
    return std::nullopt;
  const auto number = [](std::string_view digits) -> std::optional<int> {
    int x = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), x);
    if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
    return x;
  };
  const auto h = number(text.substr(0, colon));
  const auto m = number(text.substr(colon + 1));
  if (!h || !m || *h < 0 || *m < 0 || *m >= 60 || *h * 60 + *m > max_minutes) return std::nullopt;
  return (*h * 60 + *m) / 60.0;
}

std::string format_clock(double hours) {
  const auto minutes = std::llround(hours * 60);
  return fmt::format("{:02}:{:02}", minutes / 60, minutes % 60);
}

template <class Access>
KeySpec clock_key(std::string path, Access access, std::string description) {
  return make_key<double>(
      std::move(path), access, "a time of day \"HH:MM\" from \"00:00\" to \"23:59\"", "time of day",
      std::move(description),
      [](const toml::node& n) -> std::optional<double> {
        if (!n.is_string()) return std::nullopt;
        return parse_clock(n.as_string()->get(), 23 * 60 + 59);
      },
      [](double h) -> Value { return format_clock(h); });
}

// accounts[].office_hours is one key over two fields; this view reads and writes them together.
using HourRange = std::pair<double, double>;
struct OfficeHours {
  double& open;
  double& close;
  operator HourRange() const { return {open, close}; }
  OfficeHours& operator=(const HourRange& h) {
    open = h.first;
    close = h.second;
    return *this;
  }
};

std::optional<HourRange> parse_office_hours(std::string_view text) {
  const auto dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const auto open = parse_clock(text.substr(0, dash), 23 * 60 + 59);
  const auto close = parse_clock(text.substr(dash + 1), 24 * 60);
  if (!open || !close || *open >= *close) return std::nullopt;
  return HourRange{*open, *close};
}

KeySpec office_hours_key() {
  return make_key<HourRange>(
      "accounts[].office_hours",
      [](Scenario& s, std::size_t i) {
        return OfficeHours{s.accounts[i].office_open_hour, s.accounts[i].office_close_hour};
      },
      "a range \"HH:MM-HH:MM\" with opening before closing, e.g. \"09:00-17:00\"; "
      "\"00:00-24:00\" is always open",
      "local time",
      "government: hours in which staff answer questions, [open, close) on office days",
      [](const toml::node& n) -> std::optional<HourRange> {
        if (!n.is_string()) return std::nullopt;
        return parse_office_hours(n.as_string()->get());
      },
      [](const HourRange& h) -> Value {
        return format_clock(h.first) + "-" + format_clock(h.second);
      });
}

constexpr std::array<const char*, 7> kWeekdayNames = {"mon", "tue", "wed", "thu",
                                                      "fri", "sat", "sun"};
constexpr std::uint8_t kAllDays = 0x7f;

std::optional<int> weekday_index(std::string_view name) {
  for (std::size_t d = 0; d < kWeekdayNames.size(); ++d)
    if (name == kWeekdayNames[d]) return static_cast<int>(d);
  return std::nullopt;
}

// "mon-fri", "mon,wed,fri", "fri-mon" (wrapping), "all", "none" -> bit d for day d (0 = Monday).
std::optional<std::uint8_t> parse_weekdays(std::string text) {
  std::erase(text, ' ');
  if (text == "all") return kAllDays;
  if (text == "none") return 0;
  std::uint8_t mask = 0;
  for (std::size_t start = 0; start <= text.size();) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    const std::size_t dash = item.find('-');
    const auto first = weekday_index(item.substr(0, dash));
    const auto last = dash == std::string::npos ? first : weekday_index(item.substr(dash + 1));
    if (!first || !last) return std::nullopt;
    for (int d = *first;; d = (d + 1) % 7) {
      mask |= static_cast<std::uint8_t>(1u << d);
      if (d == *last) break;
    }
    start = comma + 1;
  }
  return mask;
}

// The canonical spelling: "all", "none", or runs of days in week order ("mon-wed,fri").
std::string format_weekdays(std::uint8_t mask) {
  mask &= kAllDays;
  if (mask == kAllDays) return "all";
  std::string out;
  for (int d = 0; d < 7; ++d) {
    if (!(mask >> d & 1)) continue;
    int last = d;
    while (last + 1 < 7 && (mask >> (last + 1) & 1)) ++last;
    out += fmt::format("{}{}", out.empty() ? "" : ",", kWeekdayNames[d]);
    if (last > d) out += fmt::format("-{}", kWeekdayNames[last]);
    d = last;
  }
  return out.empty() ? "none" : out;
}

template <class Access>
KeySpec weekdays_key(std::string path, Access access, std::string description) {
  return make_key<std::uint8_t>(
      std::move(path), access,
      "days such as \"mon-fri\", \"mon,wed,fri\", \"sat-sun\", \"all\" or \"none\"", "",
      std::move(description),
      [](const toml::node& n) -> std::optional<std::uint8_t> {
        if (!n.is_string()) return std::nullopt;
        return parse_weekdays(n.as_string()->get());
      },
      [](std::uint8_t mask) -> Value { return format_weekdays(mask); });
}

constexpr std::array<const char*, 3> kStrategyNames = {"broadcast", "reactive", "dialogue"};
constexpr std::array<const char*, 6> kGeneratorNames = {
    "power_law", "erdos_renyi", "watts_strogatz", "price", "rmat", "edge_list"};
constexpr std::array<const char*, 3> kKindNames = {"government", "media", "influencer"};
constexpr std::array<const char*, kPostTypes> kPostTypeNames = {
    "information", "consultation", "reply", "correction", "rumour", "complaint"};
constexpr std::size_t kGovernmentPostTypes = 4;  // the first four post types
constexpr std::array<const char*, 3> kQueueNames = {"fifo", "most_followers", "most_urgent"};
constexpr std::array<const char*, 5> kDiffusionNames = {"independent_cascade", "weighted_cascade",
                                                        "linear_threshold", "fractional_threshold",
                                                        "complex_contagion"};
constexpr std::array<const char*, 3> kRumourModelNames = {"hoax", "maki_thompson", "daley_kendall"};
constexpr std::array<const char*, 6> kEventTypeNames = {
    "shock", "rumour", "strategy_change", "capacity_change", "platform_change", "post"};

template <std::size_t N, class Enum>
std::string name_of(const std::array<const char*, N>& names, Enum e) {
  return names.at(static_cast<std::size_t>(e));
}

// The trust gains and losses (trust.<leaf>): one table for the schema and the asymmetry rule.
struct TrustRate {
  const char* leaf;
  double TrustParams::*field;
  bool loss;
  const char* description;
};
constexpr std::array<TrustRate, 8> kTrustRates = {{
    {"answered_gain", &TrustParams::answered_gain, false,
     "gain when the asker's own question is answered publicly"},
    {"redirected_gain", &TrustParams::redirected_gain, false,
     "gain when the asker gets a private, partial answer"},
    {"reply_seen_gain", &TrustParams::reply_seen_gain, false,
     "gain when a follower sees a public answer to someone else"},
    {"acknowledged_gain", &TrustParams::acknowledged_gain, false,
     "gain when a consultation contributor is thanked publicly"},
    {"correction_gain", &TrustParams::correction_gain, false,
     "gain on seeing a correction (scaled by current trust)"},
    {"ignored_loss", &TrustParams::ignored_loss, true,
     "loss when one's own question goes unanswered past one's patience"},
    {"complaint_loss", &TrustParams::complaint_loss, true,
     "loss on seeing a complaint by a followee"},
    {"rumour_loss", &TrustParams::rumour_loss, true, "loss on coming to believe a rumour"},
}};

// Accessor shorthands: every accessor takes (scenario, list index) and returns a reference.
#define CIVSIM_FIELD(type, expr)            \
  [](Scenario& s, std::size_t i) -> type& { \
    (void)i;                                \
    return expr;                            \
  }

const std::vector<ListSpec>& lists() {
  static const std::vector<ListSpec> all = {
      {"regions", [](Scenario& s, std::size_t n) { s.regions.assign(n, Region{}); },
       [](const Scenario& s) { return s.regions.size(); }, false},
      {"accounts", [](Scenario& s, std::size_t n) { s.accounts.assign(n, AccountParams{}); },
       [](const Scenario& s) { return s.accounts.size(); }, false},
      {"events", [](Scenario& s, std::size_t n) { s.events.assign(n, Event{}); },
       [](const Scenario& s) { return s.events.size(); }, true},
      {"arms", [](Scenario& s, std::size_t n) { s.arms.assign(n, Arm{}); },
       [](const Scenario& s) { return s.arms.size(); }, true},
  };
  return all;
}

void add_top_keys(std::vector<KeySpec>& k) {
  k.push_back(string_key("name", CIVSIM_FIELD(std::string, s.name),
                         "label of the scenario, copied into run files"));
  k.push_back(integer_key<std::uint64_t>("seed", CIVSIM_FIELD(std::uint64_t, s.seed), 0,
                                         std::numeric_limits<std::int64_t>::max(), "",
                                         "master seed; every random draw is a function of it"));
  k.push_back(integer_key<std::int64_t>(
      "population", CIVSIM_FIELD(std::int64_t, s.population), 10, std::int64_t{1} << 31, "citizens",
      "number of citizens (platform users); taken from the file with edge_list"));
}

void add_region_keys(std::vector<KeySpec>& k) {
  k.push_back(string_key("regions[].name", CIVSIM_FIELD(std::string, s.regions[i].name),
                         "region name (unique); citizens get regions in contiguous id blocks"));
  k.push_back(real_key("regions[].share", CIVSIM_FIELD(double, s.regions[i].share),
                       {0.0, 1.0, true}, "share of population",
                       "share of citizens in the region; shares sum to 1"));
  k.push_back(real_key("regions[].trust_mean", CIVSIM_FIELD(double, s.regions[i].trust_mean),
                       {0.0, 1.0, true, true}, "trust",
                       "mean initial trust in government (Beta distributed across citizens)"));
  k.push_back(real_key("regions[].trust_concentration",
                       CIVSIM_FIELD(double, s.regions[i].trust_concentration), {0.0, 1e6, true}, "",
                       "concentration a + b of the initial-trust Beta; larger: less spread"));
  k.push_back(real_key("regions[].concern_mean", CIVSIM_FIELD(double, s.regions[i].concern_mean),
                       {0.0, 1.0, true, true}, "concern",
                       "mean initial concern (Beta distributed); concern decays back to it"));
  k.push_back(real_key("regions[].concern_concentration",
                       CIVSIM_FIELD(double, s.regions[i].concern_concentration), {0.0, 1e6, true},
                       "", "concentration a + b of the initial-concern Beta; larger: less spread"));
}

void add_network_keys(std::vector<KeySpec>& k) {
  k.push_back(choice_key<NetworkGenerator>(
      "network.generator", CIVSIM_FIELD(NetworkGenerator, s.network.generator), kGeneratorNames,
      "follower-network generator (docs/networks.md)"));
  k.push_back(real_key("network.mean_followees", CIVSIM_FIELD(double, s.network.mean_followees),
                       {1.0, 5000.0}, "accounts",
                       "mean number of citizens a citizen follows (synthetic generators; "
                       "watts_strogatz rounds it to an even integer k)"));
  k.push_back(real_key("network.follower_exponent",
                       CIVSIM_FIELD(double, s.network.follower_exponent), {2.0, 5.0, true}, "",
                       "power_law: exponent of the follower-count (in-degree) tail"));
  k.push_back(real_key("network.max_follower_share",
                       CIVSIM_FIELD(double, s.network.max_follower_share), {0.0, 1.0, true},
                       "share of population",
                       "power_law: cap on a citizen's expected follower count"));
  k.push_back(real_key("network.reciprocity", CIVSIM_FIELD(double, s.network.reciprocity),
                       {0.0, 0.9}, "share of edges",
                       "power_law: share of follow edges whose reverse also exists"));
  k.push_back(real_key("network.homophily", CIVSIM_FIELD(double, s.network.homophily), {0.0, 1.0},
                       "share of follows",
                       "power_law: share of a citizen's follows inside its own region "
                       "(unset: no regional preference)",
                       -1.0));
  k.push_back(real_key("network.rewiring", CIVSIM_FIELD(double, s.network.rewiring), {0.0, 1.0},
                       "probability", "watts_strogatz: chance to rewire each lattice follow"));
  k.push_back(real_key("network.attachment_offset",
                       CIVSIM_FIELD(double, s.network.attachment_offset), {0.0, 1e6, true}, "",
                       "price: a in P(follow v) ~ followers(v) + a"));
  k.push_back(real_key("network.rmat_a", CIVSIM_FIELD(double, s.network.rmat_a), {0.0, 1.0},
                       "probability", "rmat: top-left quadrant probability"));
  k.push_back(real_key("network.rmat_b", CIVSIM_FIELD(double, s.network.rmat_b), {0.0, 1.0},
                       "probability", "rmat: top-right quadrant probability"));
  k.push_back(real_key("network.rmat_c", CIVSIM_FIELD(double, s.network.rmat_c), {0.0, 1.0},
                       "probability",
                       "rmat: bottom-left quadrant probability (d = 1 - a - b - c)"));
  k.push_back(string_key("network.file", CIVSIM_FIELD(std::string, s.network.file),
                         "edge_list: network file, relative to the scenario file", true));
  k.push_back(choice_key<EdgeFileFormat>("network.format",
                                         CIVSIM_FIELD(EdgeFileFormat, s.network.format),
                                         std::array<const char*, 2>{"text", "hdf5"},
                                         "edge_list: file format (docs/network-files.md)"));
  k.push_back(choice_key<EdgeDirection>(
      "network.direction", CIVSIM_FIELD(EdgeDirection, s.network.direction),
      std::array<const char*, 2>{"src_follows_dst", "dst_follows_src"},
      "edge_list: meaning of a text line `src dst`"));
}

// The keys that place an account in the network: who it is and who follows it.
void add_account_network_keys(std::vector<KeySpec>& k) {
  k.push_back(string_key("accounts[].name", CIVSIM_FIELD(std::string, s.accounts[i].name),
                         "account name (unique)"));
  k.push_back(choice_key<AccountKind>("accounts[].kind",
                                      CIVSIM_FIELD(AccountKind, s.accounts[i].kind), kKindNames,
                                      "what the account is; government accounts post"));
  k.push_back(real_key("accounts[].follower_share",
                       CIVSIM_FIELD(double, s.accounts[i].follower_share), {0.0, 1.0},
                       "share of population",
                       "followers as a share of citizens (default 0.3 when neither this nor "
                       "followers is set)",
                       -1.0));
  k.push_back(integer_key<std::int64_t>(
      "accounts[].followers", CIVSIM_FIELD(std::int64_t, s.accounts[i].followers), 0,
      std::int64_t{1} << 31, "citizens", "followers as an absolute number (e.g. 37523)",
      std::int64_t{-1}));
  k.push_back(string_key("accounts[].region", CIVSIM_FIELD(std::string, s.accounts[i].region),
                         "region its followers concentrate in", true));
  k.push_back(real_key("accounts[].region_bias", CIVSIM_FIELD(double, s.accounts[i].region_bias),
                       {0.0, 1.0}, "share of followers",
                       "share of its followers inside `region` (unset: proportional to the "
                       "region's size)",
                       -1.0));
  k.push_back(string_key("accounts[].id", CIVSIM_FIELD(std::string, s.accounts[i].id),
                         "edge_list: the account's id in the network file", true));
}

// What a government account does: posting, its strategy, staff and reply queue.
void add_account_behaviour_keys(std::vector<KeySpec>& k) {
  k.push_back(real_key("accounts[].posts_per_day",
                       CIVSIM_FIELD(double, s.accounts[i].posts_per_day), {0.0, 1440.0},
                       "posts/day", "government: scheduled posts, spread evenly over time"));
  k.push_back(choice_key<Strategy>(
      "accounts[].strategy", CIVSIM_FIELD(Strategy, s.accounts[i].strategy), kStrategyNames,
      "government: communication strategy: broadcast posts; reactive also answers questions; "
      "dialogue also consults, acknowledges and corrects rumours (docs/model.md)"));
  k.push_back(real_key("accounts[].capacity_fte", CIVSIM_FIELD(double, s.accounts[i].capacity_fte),
                       {0.0, 1e6}, "FTE", "government: staff answering questions"));
  k.push_back(real_key("accounts[].replies_per_fte_hour",
                       CIVSIM_FIELD(double, s.accounts[i].replies_per_fte_hour), {0.0, 1e4, true},
                       "replies/FTE/hour",
                       "government: replies one full-time staff member writes per office hour"));
  k.push_back(office_hours_key());
  k.push_back(weekdays_key("accounts[].office_days",
                           CIVSIM_FIELD(std::uint8_t, s.accounts[i].office_days),
                           "government: days on which the office hours apply"));
  k.push_back(choice_key<QueueDiscipline>(
      "accounts[].queue", CIVSIM_FIELD(QueueDiscipline, s.accounts[i].queue), kQueueNames,
      "government: which waiting question is answered next"));
  k.push_back(real_key(
      "accounts[].privacy_redirect", CIVSIM_FIELD(double, s.accounts[i].privacy_redirect),
      {0.0, 1.0}, "share of answers", "government: answers that must move to a private channel"));
  k.push_back(real_key("accounts[].post_minutes", CIVSIM_FIELD(double, s.accounts[i].post_minutes),
                       {0.0, 1440.0}, "minutes",
                       "government: staff time per post (information, consultation, ...)"));
  k.push_back(real_key("accounts[].consultation_share",
                       CIVSIM_FIELD(double, s.accounts[i].consultation_share), {0.0, 1.0},
                       "share of posts", "dialogue: scheduled posts that are consultations"));
  k.push_back(duration_key(
      "accounts[].acknowledge_after", CIVSIM_FIELD(double, s.accounts[i].acknowledge_after_hours),
      {0.0, 30 * 24.0}, "dialogue: delay before a consultation's contributors are thanked"));
  k.push_back(duration_key(
      "accounts[].detection_delay", CIVSIM_FIELD(double, s.accounts[i].detection_delay_hours),
      {0.0, 30 * 24.0}, "dialogue: from a rumour's start to the public correction"));
  k.push_back(real_key("accounts[].correction_boost",
                       CIVSIM_FIELD(double, s.accounts[i].correction_boost), {0.0, 1000.0}, "",
                       "dialogue: organic-reach multiplier of a correction post"));
}

void add_citizen_platform_keys(std::vector<KeySpec>& k) {
  k.push_back(real_key("citizens.sessions_per_day",
                       CIVSIM_FIELD(double, s.citizens.sessions_per_day), {0.0, 1000.0, true},
                       "sessions/day", "median platform sessions per citizen and day"));
  k.push_back(real_key("citizens.activity_sigma", CIVSIM_FIELD(double, s.citizens.activity_sigma),
                       {0.0, 5.0}, "", "sigma of log(sessions per day) across citizens"));
  k.push_back(choice_key<Diurnal>("citizens.diurnal", CIVSIM_FIELD(Diurnal, s.citizens.diurnal),
                                  std::array<const char*, 2>{"typical", "flat"},
                                  "time-of-day activity profile"));

  k.push_back(real_key("platform.organic_reach", CIVSIM_FIELD(double, s.platform.organic_reach),
                       {0.0, 1.0}, "share of followers",
                       "followers of an institutional account whose feed shows its post"));
  k.push_back(real_key("platform.citizen_reach", CIVSIM_FIELD(double, s.platform.citizen_reach),
                       {0.0, 1.0}, "share of followers",
                       "followers of a citizen whose feed shows its post or reshare"));
  k.push_back(choice_key<DecayKernel>("platform.decay", CIVSIM_FIELD(DecayKernel, s.platform.decay),
                                      std::array<const char*, 2>{"exponential", "power_law"},
                                      "how a post's visibility decays with its age"));
  k.push_back(duration_key("platform.half_life", CIVSIM_FIELD(double, s.platform.half_life_hours),
                           {0.0, 365 * 24.0, true},
                           "exponential: visibility halves every half-life"));
  k.push_back(real_key("platform.powerlaw_theta", CIVSIM_FIELD(double, s.platform.powerlaw_theta),
                       {0.0, 10.0, true}, "",
                       "power_law: theta in visibility ~ (age / s0)^-(1 + theta) (SEISMIC)"));
  k.push_back(duration_key("platform.powerlaw_s0",
                           CIVSIM_FIELD(double, s.platform.powerlaw_s0_hours), {0.0, 24.0, true},
                           "power_law: plateau before the power-law tail"));
  k.push_back(duration_key("platform.max_age", CIVSIM_FIELD(double, s.platform.max_age_hours),
                           {0.0, 365 * 24.0, true}, "a post is never seen after this age"));
  k.push_back(real_key("platform.engagement_weight",
                       CIVSIM_FIELD(double, s.platform.engagement_weight), {0.0, 100.0}, "",
                       "feed boost 1 + w log(1 + engagements so far) of a post"));
}

// reactions.<post type>.{like, comment, reshare} for every post type, and the sensitivities.
void add_reaction_keys(std::vector<KeySpec>& k) {
  k.push_back(real_key("reactions.trust_sensitivity",
                       CIVSIM_FIELD(double, s.reactions.trust_sensitivity), {0.0, 1.0}, "",
                       "likes and reshares of government posts x (1 + s (2 trust - 1)); at most "
                       "1 keeps the factor non-negative"));
  k.push_back(real_key("reactions.concern_sensitivity",
                       CIVSIM_FIELD(double, s.reactions.concern_sensitivity), {0.0, 100.0}, "",
                       "comments x (1 + s concern)"));
  struct Kind {
    const char* leaf;
    double Reaction::*field;
    Range range;
    const char* unit;
    const char* what;
  };
  const std::array<Kind, 3> kinds = {{
      {"like", &Reaction::like, {0.0, 1.0}, "probability", "chance to like a {} post one sees"},
      {"comment",
       &Reaction::comment,
       {0.0, 1.0},
       "probability",
       "chance to comment on a {} post one sees"},
      {"reshare",
       &Reaction::reshare,
       {0.0, 1000.0},
       "multiplier",
       "reshare chance of a {} post, as a multiple of diffusion.reshare_probability"},
  }};
  for (std::size_t t = 0; t < kPostTypes; ++t)
    for (const Kind& kind : kinds) {
      std::string description = fmt::format(fmt::runtime(kind.what), kPostTypeNames[t]);
      if (static_cast<PostType>(t) == PostType::rumour && kind.field == &Reaction::reshare)
        description += " (unused: the rumour model decides how rumours spread)";
      k.push_back(real_key(
          fmt::format("reactions.{}.{}", kPostTypeNames[t], kind.leaf),
          [t, field = kind.field](Scenario& s, std::size_t) -> double& {
            return s.reactions.by_type[t].*field;
          },
          kind.range, kind.unit, std::move(description)));
    }
}

void add_diffusion_question_keys(std::vector<KeySpec>& k) {
  k.push_back(choice_key<DiffusionModel>("diffusion.model",
                                         CIVSIM_FIELD(DiffusionModel, s.diffusion.model),
                                         kDiffusionNames, "reshare rule (docs/model.md)"));
  k.push_back(real_key(
      "diffusion.reshare_probability", CIVSIM_FIELD(double, s.diffusion.reshare_probability),
      {0.0, 1.0}, "probability", "chance that a follower reshares a post an account shows them"));
  k.push_back(real_key("diffusion.threshold", CIVSIM_FIELD(double, s.diffusion.threshold),
                       {0.0, 1.0, true}, "share of followees",
                       "fractional_threshold: followees that must have shared before one does"));
  k.push_back(integer_key<std::int64_t>(
      "diffusion.contagion_k", CIVSIM_FIELD(std::int64_t, s.diffusion.contagion_k), 1, 100000,
      "followees", "complex_contagion: distinct sharers seen before resharing"));

  k.push_back(real_key("questions.ask_rate_per_day",
                       CIVSIM_FIELD(double, s.questions.ask_rate_per_day), {0.0, 1000.0},
                       "questions/day", "questions a citizen with concern 1 asks (x concern)"));
  k.push_back(real_key("questions.min_concern", CIVSIM_FIELD(double, s.questions.min_concern),
                       {0.0, 1.0}, "concern", "citizens below this concern do not ask"));
  k.push_back(duration_key("questions.patience", CIVSIM_FIELD(double, s.questions.patience_hours),
                           {0.0, 365 * 24.0, true},
                           "mean of an asker's exponential patience for an answer"));
  k.push_back(real_key("questions.complaint_probability",
                       CIVSIM_FIELD(double, s.questions.complaint_probability), {0.0, 1.0},
                       "probability", "an asker whose patience runs out posts a complaint"));
}

void add_trust_keys(std::vector<KeySpec>& k) {
  k.push_back(bool_key("trust.updates", CIVSIM_FIELD(bool, s.trust.updates),
                       "false: trust never changes (a control)"));
  k.push_back(real_key("trust.asymmetry", CIVSIM_FIELD(double, s.trust.asymmetry), {0.0, 100.0}, "",
                       "every trust loss is multiplied by this (losses weigh more)"));
  for (const TrustRate& rate : kTrustRates)
    k.push_back(real_key(
        fmt::format("trust.{}", rate.leaf),
        [field = rate.field](Scenario& s, std::size_t) -> double& { return s.trust.*field; },
        {0.0, 1.0}, "rate",
        fmt::format("{}: trust {}", rate.description,
                    rate.loss ? "-= asymmetry x loss x trust" : "+= gain x (1 - trust)")));
}

void add_rumour_keys(std::vector<KeySpec>& k) {
  k.push_back(choice_key<RumourModel>("rumour.model", CIVSIM_FIELD(RumourModel, s.rumour.model),
                                      kRumourModelNames, "rumour spreading model (docs/model.md)"));
  k.push_back(real_key("rumour.spreading", CIVSIM_FIELD(double, s.rumour.spreading), {0.0, 1000.0},
                       "probability or contacts/step",
                       "hoax: chance a new believer posts the rumour (at most 1); maki_thompson, "
                       "daley_kendall: contacts per step"));
  k.push_back(real_key("rumour.gullibility", CIVSIM_FIELD(double, s.rumour.gullibility), {0.0, 1.0},
                       "probability",
                       "hoax: an unaware citizen who sees the rumour believes it (at trust 0.5)"));
  k.push_back(real_key("rumour.gullibility_trust", CIVSIM_FIELD(double, s.rumour.gullibility_trust),
                       {0.0, 1.0}, "", "hoax: gullibility x (1 + g (1 - 2 trust))"));
  k.push_back(real_key("rumour.verification", CIVSIM_FIELD(double, s.rumour.verification),
                       {0.0, 1.0}, "probability/step",
                       "hoax: a believer checks the rumour and turns sceptic"));
  k.push_back(real_key("rumour.forgetting", CIVSIM_FIELD(double, s.rumour.forgetting), {0.0, 1.0},
                       "probability/step", "hoax: a believer or sceptic forgets the rumour"));
  k.push_back(real_key("rumour.correction_verification",
                       CIVSIM_FIELD(double, s.rumour.correction_verification), {0.0, 1.0},
                       "probability",
                       "a believer or unaware citizen who sees a correction turns sceptic"));
  k.push_back(real_key("rumour.concern_jump", CIVSIM_FIELD(double, s.rumour.concern_jump),
                       {0.0, 1.0}, "", "believing raises concern: c += jump (1 - c)"));
}

void add_following_time_keys(std::vector<KeySpec>& k) {
  k.push_back(real_key("following.follow_probability",
                       CIVSIM_FIELD(double, s.following.follow_probability), {0.0, 1.0},
                       "probability",
                       "a non-follower who likes or reshares a government post follows it"));
  k.push_back(real_key("following.unfollow_threshold",
                       CIVSIM_FIELD(double, s.following.unfollow_threshold), {0.0, 1.0}, "trust",
                       "below this trust a follower may unfollow on seeing a post"));
  k.push_back(real_key("following.unfollow_probability",
                       CIVSIM_FIELD(double, s.following.unfollow_probability), {0.0, 1.0},
                       "probability", "per post seen while below the unfollow threshold"));
  k.push_back(real_key("following.fatigue_unfollow",
                       CIVSIM_FIELD(double, s.following.fatigue_unfollow), {0.0, 1.0},
                       "probability", "unfollow per post seen without engaging (fatigue)"));
  k.push_back(duration_key("concern.half_life", CIVSIM_FIELD(double, s.concern.half_life_hours),
                           {0.0, 10 * 365 * 24.0, true},
                           "concern decays towards the region's concern_mean with this half-life"));
  k.push_back(duration_key("time.step", CIVSIM_FIELD(double, s.time.step_hours),
                           {1.0 / 60.0, 7 * 24.0}, "length of one simulation step"));
  k.push_back(duration_key("time.duration", CIVSIM_FIELD(double, s.time.duration_hours),
                           {1.0 / 60.0, 10 * 365 * 24.0}, "simulated time span"));
  k.push_back(choice_key<int>("time.start_day", CIVSIM_FIELD(int, s.time.start_weekday),
                              kWeekdayNames, "day of the week at time 0"));
  k.push_back(clock_key("time.start_time", CIVSIM_FIELD(double, s.time.start_hour),
                        "local time of day at time 0"));
}

// Marks an [[events]] key as used by events of these types only.
KeySpec for_events(KeySpec k, std::vector<EventType> types) {
  std::string users;
  for (EventType t : types) users += (users.empty() ? "" : ", ") + name_of(kEventTypeNames, t);
  k.unused = [types, users](const Scenario& s, std::size_t i) -> std::optional<std::string> {
    const EventType type = s.events[i].type;
    if (std::find(types.begin(), types.end(), type) != types.end()) return std::nullopt;
    return fmt::format("a {} event does not use it (used by: {})", name_of(kEventTypeNames, type),
                       users);
  };
  k.info.description = users + ": " + k.info.description;
  return k;
}

void add_event_keys(std::vector<KeySpec>& k) {
  using enum EventType;
  k.push_back(required(duration_key("events[].at", CIVSIM_FIELD(double, s.events[i].at_hours),
                                    {0.0, 10 * 365 * 24.0},
                                    "when the event happens, from the start (\"0h\": at once); "
                                    "before time.duration")));
  k.push_back(
      required(choice_key<EventType>("events[].type", CIVSIM_FIELD(EventType, s.events[i].type),
                                     kEventTypeNames, "what happens (see [[events]])")));
  k.push_back(
      for_events(string_key("events[].region", CIVSIM_FIELD(std::string, s.events[i].region),
                            "region it happens in (unset: everywhere)", true),
                 {shock, rumour}));
  k.push_back(for_events(
      string_key("events[].account", CIVSIM_FIELD(std::string, s.events[i].account),
                 "government account it applies to (unset: every government account)", true),
      {strategy_change, capacity_change, post}));
  k.push_back(
      for_events(real_key("events[].concern_jump", CIVSIM_FIELD(double, s.events[i].concern_jump),
                          {0.0, 1.0}, "", "concern of the region's citizens: c += jump (1 - c)"),
                 {shock}));
  k.push_back(for_events(real_key("events[].ask_surge", CIVSIM_FIELD(double, s.events[i].ask_surge),
                                  {1.0, 1000.0}, "", "question-rate multiplier during the surge"),
                         {shock}));
  k.push_back(
      for_events(duration_key("events[].surge", CIVSIM_FIELD(double, s.events[i].surge_hours),
                              {0.0, 365 * 24.0}, "how long the question surge lasts"),
                 {shock}));
  k.push_back(for_events(
      integer_key<std::int64_t>("events[].seeds", CIVSIM_FIELD(std::int64_t, s.events[i].seeds), 1,
                                std::int64_t{1} << 31, "citizens",
                                "initial believers, random citizens of the region"),
      {rumour}));
  k.push_back(for_events(
      choice_key<Strategy>("events[].strategy", CIVSIM_FIELD(Strategy, s.events[i].strategy),
                           kStrategyNames, "the account's new strategy"),
      {strategy_change}));
  k.push_back(
      for_events(real_key("events[].capacity_fte", CIVSIM_FIELD(double, s.events[i].capacity_fte),
                          {0.0, 1e6}, "FTE", "the account's new staff"),
                 {capacity_change}));
  k.push_back(
      for_events(real_key("events[].organic_reach", CIVSIM_FIELD(double, s.events[i].organic_reach),
                          {0.0, 1.0}, "share of followers", "new platform.organic_reach"),
                 {platform_change}));
  k.push_back(for_events(
      choice_key<PostType>("events[].post_type", CIVSIM_FIELD(PostType, s.events[i].post_type),
                           std::span(kPostTypeNames).first<kGovernmentPostTypes>(),
                           "kind of the unscheduled post"),
      {post}));
}

void add_arm_keys(std::vector<KeySpec>& k) {
  k.push_back(required(string_key("arms[].name", CIVSIM_FIELD(std::string, s.arms[i].name),
                                  "arm name (unique), as given to `civsim compare`")));
  k.push_back(name_choice_key("arms[].strategy", CIVSIM_FIELD(std::string, s.arms[i].strategy),
                              kStrategyNames,
                              "strategy for every government account (unset: keep theirs)"));
  k.push_back(string_list_key(
      "arms[].set", CIVSIM_FIELD(std::vector<std::string>, s.arms[i].set),
      "an array of strings \"key.path=value\", e.g. [\"accounts[0].capacity_fte=2\"]",
      "overrides, applied like --set after the strategy; the network keys are refused",
      [](const std::string& item) { return item.find('=') != std::string::npos; }));
}

const std::vector<KeySpec>& specs() {
  static const std::vector<KeySpec> all = [] {
    std::vector<KeySpec> k;
    for (const auto add :
         {add_top_keys, add_region_keys, add_network_keys, add_account_network_keys,
          add_account_behaviour_keys, add_citizen_platform_keys, add_reaction_keys,
          add_diffusion_question_keys, add_trust_keys, add_rumour_keys, add_following_time_keys,
          add_event_keys, add_arm_keys})
      add(k);
    return k;
  }();
  return all;
}
#undef CIVSIM_FIELD

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string location(const toml::source_region& src, const std::string& fallback) {
  const std::string file = src.path ? *src.path : fallback;
  if (src.begin.line == 0) return file;
  return fmt::format("{}:{}:{}", file, src.begin.line, src.begin.column);
}

std::string shown(const toml::node& node) {
  std::ostringstream out;
  if (node.is_table()) return "a table";
  if (node.is_array()) return "an array";
  node.visit([&](auto&& v) { out << v; });
  return out.str();
}

// Table prefixes of the schema's plain keys ("network", "reactions", "reactions.rumour", ...).
std::set<std::string> sections() {
  std::set<std::string> out;
  for (const auto& spec : specs())
    if (spec.list.empty())
      for (auto dot = spec.info.path.find('.'); dot != std::string::npos;
           dot = spec.info.path.find('.', dot + 1))
        out.insert(spec.info.path.substr(0, dot));
  return out;
}

const toml::node* find_node(const toml::table& root, const std::string& path) {
  return root.at_path(path).node();
}

// Where a key was set: its --set argument (or arm override), else its place in the file.
struct Origins {
  const toml::table& root;
  const std::string& source;
  std::map<std::string, std::string> overridden;  // key -> "command line (--set ...)"
  // False when `root` was not written by the user (an arm's scenario is generated TOML): then
  // places in it mean nothing and messages name `source` alone.
  bool located = true;

  std::string of(const std::string& path) const {
    // Set by an override, or inside a value one set (`--set arms[0].set=[...]`).
    for (const auto& [key, origin] : overridden)
      if (path == key || path.starts_with(key + ".") || path.starts_with(key + "[")) return origin;
    const toml::node* n = located ? find_node(root, path) : nullptr;
    if (n && n->source().begin.line != 0) return location(n->source(), source);
    // A table that overrides made (`--set events[0].at=1h` appends an event): the first of them.
    for (const auto& [key, origin] : overridden)
      if (key.starts_with(path + ".")) return origin;
    return source;
  }
  std::string of_key(const std::string& path, const toml::key& key) const {
    if (auto it = overridden.find(path); it != overridden.end()) return it->second;
    return located ? location(key.source(), source) : source;
  }
};

[[noreturn]] void unknown_key(const std::string& path, const std::string& shown_path,
                              const std::vector<std::string>& candidates,
                              const std::string& where) {
  std::string best;
  std::size_t best_d = std::numeric_limits<std::size_t>::max();
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(path, c);
    if (d < best_d) best_d = d, best = c;
  }
  const std::string hint =
      best_d <= std::max<std::size_t>(3, path.size() / 3)
          ? fmt::format("; did you mean '{}'?", best)
          : std::string("; see `civsim schema` or docs/scenario-format.md for the valid keys");
  throw ConfigError(where, shown_path, fmt::format("unknown key '{}'{}", shown_path, hint));
}

// Checks the keys of every element of the array of tables `list` at `node`.
void reject_unknown_in_list(const ListSpec& list, const toml::node& node, const Origins& origins) {
  const std::string& path = list.name;
  const toml::array* items = node.as_array();
  if (!items || !(items->is_array_of_tables() || (list.may_be_empty && items->empty())))
    throw ConfigError(origins.of(path), path,
                      fmt::format("'{}' must be an array of tables ([[{}]] blocks), not {}", path,
                                  path, shown(node)));
  std::vector<std::string> leaves;
  for (const auto& spec : specs())
    if (spec.list == path) leaves.push_back(path + "[]." + spec.leaf);
  for (std::size_t i = 0; i < items->size(); ++i)
    for (auto&& [k, v] : *items->get(i)->as_table()) {
      const std::string generic = path + "[]." + std::string(k.str());
      if (std::find(leaves.begin(), leaves.end(), generic) != leaves.end()) continue;
      const std::string item_path = fmt::format("{}[{}].{}", path, i, k.str());
      unknown_key(generic, item_path, leaves, origins.of_key(item_path, k));
    }
}

void reject_unknown(const toml::table& table, const std::string& prefix, const Origins& origins) {
  static const std::set<std::string> known_sections = sections();
  std::vector<std::string> candidates;
  for (const auto& spec : specs())
    if (spec.list.empty()) candidates.push_back(spec.info.path);
  for (const auto& l : lists()) candidates.push_back(l.name);

  for (auto&& [key, node] : table) {
    const std::string path =
        prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
    // A quoted key such as "diffusion.reshare_probability" = 5 is one key with a dot in its
    // name, not the dotted path: it names nothing in the schema (and was silently ignored).
    if (key.str().find_first_of(".[]") != std::string_view::npos)
      throw ConfigError(origins.of_key(path, key), path,
                        fmt::format("unknown key '{}': a quoted key is one name, and no key's "
                                    "name holds '.', '[' or ']'; write a dotted key without quotes",
                                    path));
    if (known_sections.contains(path)) {
      if (!node.is_table())
        throw ConfigError(
            origins.of(path), path,
            fmt::format("'{}' must be a table ([{}]), not {}", path, path, shown(node)));
      reject_unknown(*node.as_table(), path, origins);
      continue;
    }
    const auto list = std::find_if(lists().begin(), lists().end(),
                                   [&](const ListSpec& l) { return l.name == path; });
    if (list != lists().end()) {
      reject_unknown_in_list(*list, node, origins);
      continue;
    }
    const bool known = std::any_of(specs().begin(), specs().end(), [&](const KeySpec& s) {
      return s.list.empty() && s.info.path == path;
    });
    if (known) continue;
    // Sections are candidates too ("netwrk" -> "network"), but not the one the key is in.
    std::vector<std::string> options = candidates;
    for (const auto& section : known_sections)
      if (!path.starts_with(section + ".")) options.push_back(section);
    unknown_key(path, path, options, origins.of_key(path, key));
  }
}

// Puts `node` at dotted `path` inside `root`, creating tables on the way. A part written
// `name[i]` selects element i of an array of tables; i may be the array's size, which appends.
void assign_path(toml::table& root, const std::string& path, const toml::node& node,
                 const std::string& source) {
  toml::table* table = &root;
  std::size_t start = 0;
  for (std::size_t dot; (dot = path.find('.', start)) != std::string::npos; start = dot + 1) {
    std::string part = path.substr(start, dot - start);
    const auto bracket = part.find('[');
    if (bracket != std::string::npos && part.back() == ']') {
      const std::string name = part.substr(0, bracket);
      std::size_t index = 0;
      try {
        index = std::stoul(part.substr(bracket + 1, part.size() - bracket - 2));
      } catch (const std::exception&) {
        throw ConfigError(source, path,
                          fmt::format("cannot set '{}': bad index in '{}'", path, part));
      }
      auto [it, inserted] = table->insert(name, toml::array{});
      toml::array* items = it->second.as_array();
      if (!items || index > items->size())
        throw ConfigError(source, path,
                          fmt::format("cannot set '{}': '{}' has {} element(s); index {} would "
                                      "leave a gap",
                                      path, name, items ? items->size() : 0, index));
      if (index == items->size()) items->push_back(toml::table{});
      if (!items->get(index)->is_table())
        throw ConfigError(source, path, fmt::format("cannot set '{}': not a table", path));
      table = items->get(index)->as_table();
      continue;
    }
    auto [it, inserted] = table->insert(part, toml::table{});
    if (!it->second.is_table())
      throw ConfigError(source, path,
                        fmt::format("cannot set '{}': '{}' is not a table", path, part));
    table = it->second.as_table();
  }
  table->insert_or_assign(path.substr(start), node);
}

std::string override_origin(const std::string& text) {
  return "command line (--set " + text + ")";
}

// "key.path=value" -> the key, without the spaces around it.
std::string override_key(const std::string& text) {
  std::string key = text.substr(0, text.find('='));
  key.erase(key.find_last_not_of(" \t") + 1);
  return key;
}

// Applies one override "key.path=value" (a --set, or an entry of an arm's `set`) and returns the
// key it set; `origin` names the override in messages.
std::string apply_override(toml::table& root, const std::string& text, const std::string& origin) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError(
        origin, "", "expected --set key.path=value, e.g. --set diffusion.reshare_probability=0.02");
  const std::string key = override_key(text);
  const std::string value = text.substr(eq + 1);
  toml::table parsed;
  try {
    parsed = toml::parse("v = " + value, origin);
  } catch (const toml::parse_error&) {
    // A bare word such as `dialogue` is not TOML; take it as a string.
    try {
      parsed = toml::parse("v = " + quoted(value), origin);
    } catch (const toml::parse_error& e) {
      // Only text that is not valid UTF-8 gets here: everything else is a valid string.
      throw ConfigError(origin, key,
                        fmt::format("the value of '{}' is neither TOML nor a valid UTF-8 string "
                                    "({})",
                                    key, e.description()));
    }
  }
  assign_path(root, key, *parsed.get("v"), origin);
  return key;
}

// Rules that involve more than one key; `origins` locates the key each rule blames.
class Rules {
 public:
  Rules(const Scenario& s, const Origins& origins) : s_(s), origins_(origins) {}

  void check() const {
    regions_and_network();
    accounts();
    model();
    events();
    arms();
    if (s_.time.duration_hours < s_.time.step_hours)
      fail("time.duration", fmt::format("time.duration = \"{}\" is shorter than time.step = \"{}\"",
                                        format_duration(s_.time.duration_hours),
                                        format_duration(s_.time.step_hours)));
  }

 private:
  const Scenario& s_;
  const Origins& origins_;

  [[noreturn]] void fail(const std::string& key, const std::string& message) const {
    throw ConfigError(origins_.of(key), key, message);
  }
  bool from_file() const { return s_.network.generator == NetworkGenerator::edge_list; }
  bool has_region(const std::string& name) const {
    return std::any_of(s_.regions.begin(), s_.regions.end(),
                       [&](const Region& r) { return r.name == name; });
  }

  void regions_and_network() const {
    std::set<std::string> names;
    double share_sum = 0;
    for (std::size_t r = 0; r < s_.regions.size(); ++r) {
      if (!names.insert(s_.regions[r].name).second)
        fail(fmt::format("regions[{}].name", r),
             fmt::format("region name \"{}\" is used twice", s_.regions[r].name));
      share_sum += s_.regions[r].share;
    }
    if (std::abs(share_sum - 1.0) > 1e-6)
      fail("regions", fmt::format("region shares sum to {}, not 1", share_sum));
    if (s_.network.homophily >= 0 && s_.regions.size() < 2)
      fail("network.homophily", "network.homophily needs at least two [[regions]]");
    if (s_.network.rmat_a + s_.network.rmat_b + s_.network.rmat_c > 1.0 + 1e-12)
      fail("network.rmat_c", "network.rmat_a + rmat_b + rmat_c must not exceed 1");
    if (from_file()) {
      if (s_.network.file.empty())
        fail("network.file", "generator \"edge_list\" needs network.file");
      if (find_node(origins_.root, "population") || origins_.overridden.contains("population"))
        fail("population",
             "population is taken from network.file with generator \"edge_list\"; "
             "remove the key");
    } else if (s_.network.mean_followees > static_cast<double>(s_.population - 1)) {
      fail("network.mean_followees",
           fmt::format("network.mean_followees = {} must be below population ({})",
                       s_.network.mean_followees, s_.population));
    }
  }

  void accounts() const {
    std::set<std::string> account_names;
    for (std::size_t a = 0; a < s_.accounts.size(); ++a) {
      const auto& acc = s_.accounts[a];
      const auto key = [&](const char* leaf) { return fmt::format("accounts[{}].{}", a, leaf); };
      if (!account_names.insert(acc.name).second)
        fail(key("name"), fmt::format("account name \"{}\" is used twice", acc.name));
      if (acc.follower_share >= 0 && acc.followers >= 0)
        fail(key("followers"), "set either follower_share or followers for an account, not both");
      check_region(key("region"), acc.region);
      if (acc.region_bias >= 0 && acc.region.empty())
        fail(key("region_bias"), "region_bias needs the account's region");
      if (from_file()) {
        if (acc.id.empty())
          fail(key("name"), "with generator \"edge_list\" every account needs its id in the file");
        if (acc.follower_share >= 0 || acc.followers >= 0 || !acc.region.empty())
          fail(key("name"),
               "with generator \"edge_list\" an account's followers come from the "
               "file: remove follower_share, followers and region");
      } else {
        if (!acc.id.empty())
          fail(key("id"), "accounts[].id is only used with network.generator = \"edge_list\"");
        if (acc.followers > s_.population)
          fail(key("followers"), fmt::format("{} followers exceed the population ({})",
                                             acc.followers, s_.population));
      }
    }
  }

  void model() const {
    for (const TrustRate& rate : kTrustRates) {
      const double loss = s_.trust.asymmetry * s_.trust.*rate.field;
      const std::string key = fmt::format("trust.{}", rate.leaf);
      if (rate.loss && loss > 1.0)
        fail(find_node(origins_.root, key) ? key : "trust.asymmetry",
             fmt::format("trust.asymmetry x trust.{} = {} exceeds 1: a loss would take trust "
                         "below 0",
                         rate.leaf, loss));
    }
    if (s_.rumour.model == RumourModel::hoax && s_.rumour.spreading > 1.0)
      fail("rumour.spreading",
           fmt::format("rumour.spreading = {} is a probability with rumour.model = \"hoax\"; "
                       "valid: a number in [0, 1]",
                       s_.rumour.spreading));
  }

  // The names of `items` that `keep` accepts, for messages: "\"ministry\", \"city\"" or "none".
  template <class Items, class Keep>
  static std::string names_of(const Items& items, Keep keep) {
    std::string out;
    for (const auto& item : items)
      if (keep(item)) out += fmt::format("{}\"{}\"", out.empty() ? "" : ", ", item.name);
    return out.empty() ? "none" : out;
  }
  void check_region(const std::string& key, const std::string& region) const {
    if (!region.empty() && !has_region(region))
      fail(key, fmt::format("region \"{}\" is not one of the [[regions]]; valid: {}", region,
                            names_of(s_.regions, [](const Region&) { return true; })));
  }

  void events() const {
    const auto sizes = s_.region_sizes();
    for (std::size_t e = 0; e < s_.events.size(); ++e) {
      const Event& ev = s_.events[e];
      const auto key = [&](const char* leaf) { return fmt::format("events[{}].{}", e, leaf); };
      if (ev.at_hours >= s_.time.duration_hours)
        fail(key("at"),
             fmt::format("events[{}].at = \"{}\" is not before the end of the run "
                         "(time.duration = \"{}\")",
                         e, format_duration(ev.at_hours), format_duration(s_.time.duration_hours)));
      check_region(key("region"), ev.region);
      const bool government = std::any_of(s_.accounts.begin(), s_.accounts.end(), [&](auto& a) {
        return a.name == ev.account && a.kind == AccountKind::government;
      });
      if (!ev.account.empty() && !government)
        fail(key("account"),
             fmt::format("\"{}\" is not a government account; valid: {}", ev.account,
                         names_of(s_.accounts, [](const AccountParams& a) {
                           return a.kind == AccountKind::government;
                         })));
      if (ev.type == EventType::rumour && !from_file()) {
        const std::size_t r = std::find_if(s_.regions.begin(), s_.regions.end(),
                                           [&](const Region& x) { return x.name == ev.region; }) -
                              s_.regions.begin();
        const std::int64_t citizens = r < sizes.size() ? sizes[r] : s_.population;
        if (ev.seeds > citizens)
          fail(key("seeds"), fmt::format("{} seeds exceed the {} citizens the rumour starts "
                                         "among",
                                         ev.seeds, citizens));
      }
    }
  }

  void arms() const {
    std::set<std::string> names;
    for (std::size_t a = 0; a < s_.arms.size(); ++a)
      if (!names.insert(s_.arms[a].name).second)
        fail(fmt::format("arms[{}].name", a),
             fmt::format("arm name \"{}\" is used twice", s_.arms[a].name));
  }
};

// Applies the keys of every [[list]] element in `root` to `s`, then checks that each element
// sets its required keys and no key its kind does not use.
void apply_lists(const toml::table& root, const Origins& origins, Scenario& s,
                 const std::function<void(const KeySpec&, const toml::node&, std::size_t,
                                          const std::string&)>& apply) {
  for (const auto& list : lists()) {
    const toml::array* items = root[list.name].as_array();
    if (!items) continue;  // not in the file: the default list stays
    list.resize(s, items->size());
    for (std::size_t i = 0; i < items->size(); ++i) {
      const toml::table& item = *items->get(i)->as_table();
      for (const auto& spec : specs())
        if (spec.list == list.name)
          if (const toml::node* node = item.get(spec.leaf))
            apply(spec, *node, i, fmt::format("{}[{}].{}", list.name, i, spec.leaf));
      for (const auto& spec : specs()) {
        if (spec.list != list.name) continue;
        const std::string path = fmt::format("{}[{}].{}", list.name, i, spec.leaf);
        const toml::node* node = item.get(spec.leaf);
        if (spec.required && !node)
          throw ConfigError(
              origins.of(fmt::format("{}[{}]", list.name, i)), path,
              fmt::format("{}[{}] needs '{}': {}", list.name, i, spec.leaf, spec.info.valid));
        if (node && spec.unused)
          if (const auto why = spec.unused(s, i))
            throw ConfigError(origins.of(path), path, fmt::format("{} is set, but {}", path, *why));
      }
    }
  }
}

// The scenario in `root` (with its overrides already in place), validated.
Scenario resolve(const toml::table& root, const Origins& origins) {
  reject_unknown(root, "", origins);
  Scenario s;
  const auto apply = [&](const KeySpec& spec, const toml::node& node, std::size_t i,
                         const std::string& path) {
    if (auto valid = spec.apply(node, s, i))
      throw ConfigError(origins.of(path), path,
                        fmt::format("{} = {} is invalid; valid: {}", path, shown(node), *valid));
  };
  apply_lists(root, origins, s, apply);
  for (const auto& spec : specs())
    if (spec.list.empty())
      if (const toml::node* node = find_node(root, spec.info.path))
        apply(spec, *node, 0, spec.info.path);
  Rules(s, origins).check();
  return s;
}

std::optional<Strategy> strategy_named(const std::string& name) {
  for (std::size_t i = 0; i < kStrategyNames.size(); ++i)
    if (name == kStrategyNames[i]) return static_cast<Strategy>(i);
  return std::nullopt;
}

// Why an arm may not set `key` (it would change the follower network, which all arms share for
// common random numbers), or nothing when it may.
std::optional<std::string> network_override(const std::string& key, const Scenario& base) {
  static const std::regex pattern(R"(^\s*(\w+)(?:\[(\d+)\])?(?:\.(\w+))?)");
  static const std::map<std::string, std::set<std::string>> network_leaves = {
      {"regions", {"name", "share"}},
      {"accounts", {"follower_share", "followers", "region", "region_bias", "id", "kind", "name"}},
  };
  const std::string shared = "; all arms share one network (common random numbers)";
  std::smatch m;
  if (!std::regex_search(key, m, pattern)) return std::nullopt;  // an unknown key: reported later
  const std::string top = m[1];
  if (top == "arms") return std::string("an arm cannot define arms");
  if (top == "seed" || top == "population" || top == "network")
    return "it changes the follower network" + shared;
  const auto leaves = network_leaves.find(top);
  if (leaves == network_leaves.end()) return std::nullopt;
  if (!m[2].matched)
    return fmt::format("replacing [[{}]] changes the follower network{}", top, shared);
  const std::size_t size = top == "regions" ? base.regions.size() : base.accounts.size();
  if (m[2].length() > 9 || std::stoul(m[2]) >= size)
    return fmt::format("adding an element to [[{}]] changes the follower network{}", top, shared);
  if (!m[3].matched || leaves->second.contains(m[3]))
    return "it changes the follower network" + shared;
  return std::nullopt;
}

// The scenario of `arm` over `base`; `where(j)` names the arm's set entry j in messages and
// `source` the arm as a whole.
Scenario apply_arm(const Scenario& base, const Arm& arm, const std::string& source,
                   const std::function<std::string(std::size_t)>& where) {
  Scenario s = base;
  s.arms.clear();
  if (!arm.strategy.empty()) {
    const auto strategy = strategy_named(arm.strategy);
    if (!strategy)
      throw ConfigError(source, "strategy",
                        fmt::format("arm \"{}\": strategy \"{}\" is invalid; valid: one of {}",
                                    arm.name, arm.strategy, quoted_list(kStrategyNames)));
    for (auto& acc : s.accounts)
      if (acc.kind == AccountKind::government) acc.strategy = *strategy;
  }
  for (std::size_t j = 0; j < arm.set.size(); ++j) {
    const std::string key = override_key(arm.set[j]);
    if (const auto why = network_override(key, base))
      throw ConfigError(where(j), key,
                        fmt::format("arm \"{}\" may not set '{}': {}", arm.name, key, *why));
  }
  toml::table root = toml::parse(to_toml(s), source);
  Origins origins{root, source, {}, false};
  for (std::size_t j = 0; j < arm.set.size(); ++j)
    origins.overridden[apply_override(root, arm.set[j], where(j))] = where(j);
  return resolve(root, origins);
}

// Every [[arms]] entry gives a valid scenario; errors name the arm and its place in the file.
void check_arms(const Scenario& s, const Origins& origins) {
  for (std::size_t a = 0; a < s.arms.size(); ++a) {
    const Arm& arm = s.arms[a];
    const std::string source = fmt::format("{} (arm \"{}\")", origins.source, arm.name);
    apply_arm(s, arm, source, [&](std::size_t j) {
      return fmt::format("{} (arm \"{}\", set \"{}\")",
                         origins.of(fmt::format("arms[{}].set[{}]", a, j)), arm.name, arm.set[j]);
    });
  }
}

}  // namespace

std::string strategy_name(Strategy s) {
  return name_of(kStrategyNames, s);
}
std::string generator_name(NetworkGenerator g) {
  return name_of(kGeneratorNames, g);
}
std::string account_kind_name(AccountKind k) {
  return name_of(kKindNames, k);
}
std::string post_type_name(PostType t) {
  return name_of(kPostTypeNames, t);
}
std::string event_type_name(EventType t) {
  return name_of(kEventTypeNames, t);
}
std::string queue_name(QueueDiscipline q) {
  return name_of(kQueueNames, q);
}
std::string diffusion_model_name(DiffusionModel m) {
  return name_of(kDiffusionNames, m);
}
std::string rumour_model_name(RumourModel m) {
  return name_of(kRumourModelNames, m);
}
std::string weekday_name(int day) {
  return kWeekdayNames.at(static_cast<std::size_t>(day));
}
std::string weekdays_text(std::uint8_t mask) {
  return format_weekdays(mask);
}

double parse_duration_hours(std::string_view text) {
  static const std::map<char, double> unit_hours = {
      {'w', 168.0}, {'d', 24.0}, {'h', 1.0}, {'m', 1.0 / 60.0}, {'s', 1.0 / 3600.0}};
  double total = 0;
  bool any = false;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == ' ') {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && (std::isdigit(static_cast<unsigned char>(text[j])) || text[j] == '.'))
      ++j;
    if (j == i || j >= text.size() || !unit_hours.contains(text[j]))
      throw std::invalid_argument("bad duration");
    // from_chars reads the whole number or fails: "1..5h" and 400-digit numbers are errors,
    // not 1h or an out_of_range exception.
    double x = 0;
    const char* first = text.data() + i;
    const char* last = text.data() + j;
    const auto [end, ec] = std::from_chars(first, last, x);
    if (ec != std::errc() || end != last || !std::isfinite(x))
      throw std::invalid_argument("bad duration");
    total += x * unit_hours.at(text[j]);
    any = true;
    i = j + 1;
  }
  if (!any) throw std::invalid_argument("empty duration");
  return total;
}

std::string format_duration(double hours) {
  auto seconds = static_cast<std::int64_t>(std::llround(hours * 3600.0));
  if (seconds == 0) return "0s";
  std::string out;
  for (auto [unit, size] : std::array<std::pair<char, std::int64_t>, 4>{
           {{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}}}) {
    if (seconds >= size) {
      out += fmt::format("{}{}{}", out.empty() ? "" : " ", seconds / size, unit);
      seconds %= size;
    }
  }
  return out;
}

const std::vector<KeyInfo>& scenario_schema() {
  static const std::vector<KeyInfo> infos = [] {
    std::vector<KeyInfo> out;
    for (const auto& s : specs()) out.push_back(s.info);
    return out;
  }();
  return infos;
}

Scenario parse_scenario(std::string_view text, const std::string& source,
                        const std::vector<std::string>& overrides) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    throw ConfigError(location(e.source(), source), "",
                      fmt::format("TOML syntax: {}", e.description()));
  }
  Origins origins{root, source, {}};
  for (const auto& o : overrides)
    origins.overridden[apply_override(root, o, override_origin(o))] = override_origin(o);
  Scenario s = resolve(root, origins);
  check_arms(s, origins);
  return s;
}

Scenario arm_scenario(const Scenario& base, const std::string& arm, const std::string& source) {
  const auto named =
      std::find_if(base.arms.begin(), base.arms.end(), [&](const Arm& a) { return a.name == arm; });
  Arm chosen{arm, arm, {}};  // a strategy name, for every government account
  if (named != base.arms.end()) {
    chosen = *named;
  } else if (!strategy_named(arm)) {
    std::string valid;
    for (const auto& a : base.arms) valid += fmt::format("\"{}\", ", a.name);
    throw ConfigError(source, "arms",
                      fmt::format("unknown arm '{}'; valid: {}or a strategy ({})", arm,
                                  valid.empty() ? "no [[arms]] in the scenario, " : valid,
                                  quoted_list(kStrategyNames)));
  }
  const std::string arm_source = fmt::format("{} (arm \"{}\")", source, chosen.name);
  return apply_arm(base, chosen, arm_source, [&](std::size_t j) {
    return fmt::format("{} (arm \"{}\", set \"{}\")", source, chosen.name, chosen.set[j]);
  });
}

std::string read_scenario_text(const std::filesystem::path& file) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec))
    throw UserError(fmt::format("'{}' is a folder, not a scenario file", file.string()));
  std::ifstream in(file, std::ios::binary);
  if (!in) throw UserError(fmt::format("cannot read scenario file '{}'", file.string()));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw UserError(fmt::format("cannot read scenario file '{}'", file.string()));
  // Every key is optional, but a file without any is almost certainly a mistake (the wrong file,
  // or one truncated to nothing) rather than a request for the defaults.
  bool any_key = false;
  for (std::istringstream lines(text.str()); !any_key;) {
    std::string line;
    if (!std::getline(lines, line)) break;
    const auto first = line.find_first_not_of(" \t\r");
    any_key = first != std::string::npos && line[first] != '#';
  }
  if (!any_key)
    throw UserError(fmt::format(
        "{}: error: the scenario file is empty (no keys, only blanks or comments); write at least "
        "one key, e.g. name = \"my-scenario\", to run the defaults",
        file.string()));
  return text.str();
}

Scenario parse_scenario_file(std::string_view text, const std::filesystem::path& file,
                             const std::vector<std::string>& overrides) {
  Scenario s = parse_scenario(text, file.string(), overrides);
  std::error_code ec;
  if (!s.network.file.empty() && std::filesystem::path(s.network.file).is_relative())
    s.network.file =
        std::filesystem::absolute(file.parent_path() / s.network.file).lexically_normal().string();
  // A missing network file is found by `validate` too, not only when a run reaches it.
  if (s.network.generator == NetworkGenerator::edge_list &&
      !std::filesystem::exists(s.network.file, ec))
    throw UserError(fmt::format("{}: network.file: cannot open '{}': no such file", file.string(),
                                s.network.file));
  return s;
}

Scenario load_scenario(const std::filesystem::path& file,
                       const std::vector<std::string>& overrides) {
  return parse_scenario_file(read_scenario_text(file), file, overrides);
}

std::string to_toml(const Scenario& s) {
  // Emit in schema order: top-level keys, then one [section] at a time, then each [[list]]
  // element, so the text reads like a scenario file. Unset optional keys are left out.
  std::string top, body, current;
  const bool from_file = s.network.generator == NetworkGenerator::edge_list;
  for (const auto& spec : specs()) {
    if (!spec.list.empty()) continue;
    if (from_file && spec.info.path == "population") continue;  // the file decides
    const auto value = spec.emit(s, 0);
    if (!value) continue;
    const std::string line = fmt::format("{} = {}\n", spec.leaf, toml_text(*value));
    const auto dot = spec.info.path.rfind('.');
    if (dot == std::string::npos) {
      top += line;
      continue;
    }
    const std::string section = spec.info.path.substr(0, dot);
    if (section != current) body += fmt::format("\n[{}]\n", section), current = section;
    body += line;
  }
  for (const auto& list : lists())
    for (std::size_t i = 0; i < list.size(s); ++i) {
      body += fmt::format("\n[[{}]]\n", list.name);
      for (const auto& spec : specs())
        if (spec.list == list.name && !(spec.unused && spec.unused(s, i)))
          if (const auto value = spec.emit(s, i))
            body += fmt::format("{} = {}\n", spec.leaf, toml_text(*value));
    }
  return top + body;
}

std::string schema_markdown() {
  std::string out = "| key | default | unit | valid values | meaning |\n|---|---|---|---|---|\n";
  for (const auto& k : scenario_schema())
    out += fmt::format("| `{}` | `{}` | {} | {} | {} |\n", k.path, k.default_value,
                       k.unit.empty() ? "—" : k.unit, k.valid, k.description);
  return out;
}

}  // namespace civsim::io
