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
#include <set>
#include <sstream>
#include <variant>

namespace civsim::io {
namespace {

using Value = std::variant<std::int64_t, double, std::string>;

// What one key does: check and store a TOML value (returning a complaint, or nothing when the
// value is valid) and give the value back for the resolved scenario (nothing when unset). Keys of
// an array of tables (`[[accounts]]`) have `list` set and act on element `index`.
struct KeySpec {
  KeyInfo info;
  std::string list;  // "" for a plain key, else the array it belongs to ("accounts")
  std::string leaf;  // the key's own name inside its table
  std::function<std::optional<std::string>(const toml::node&, Scenario&, std::size_t index)> apply;
  std::function<std::optional<Value>(const Scenario&, std::size_t index)> emit;
};

// An array of tables in the scenario, e.g. [[regions]], and how to size it in a Scenario.
struct ListSpec {
  std::string name;
  std::function<void(Scenario&, std::size_t)> resize;
  std::function<std::size_t(const Scenario&)> size;
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

std::string toml_text(const Value& v) {
  if (auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (auto* d = std::get_if<double>(&v)) {
    std::string s = fmt::format("{}", *d);
    if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
    return s;
  }
  std::string out = "\"";
  for (char c : std::get<std::string>(v)) {
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

// A Scenario with one default element in each list, for the defaults of list keys.
const Scenario& defaults() {
  static const Scenario d = [] {
    Scenario x;
    x.regions.assign(1, Region{});
    x.accounts.assign(1, AccountParams{});
    return x;
  }();
  return d;
}

// The common shape of every key: `parse` turns a TOML node into a T or returns nothing when the
// node is invalid; `show` turns a T into its TOML value; `unset` is the sentinel of optional keys.
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
          }};
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

template <class Enum, std::size_t N, class Access>
KeySpec choice_key(std::string path, Access access, std::array<const char*, N> name_array,
                   std::string description) {
  const std::vector<std::string> names(name_array.begin(), name_array.end());
  std::string valid = "one of";
  for (std::size_t i = 0; i < N; ++i) valid += fmt::format("{} \"{}\"", i ? "," : "", names[i]);
  return make_key<Enum>(
      std::move(path), access, valid, "", std::move(description),
      [=](const toml::node& n) -> std::optional<Enum> {
        if (n.is_string())
          for (std::size_t i = 0; i < names.size(); ++i)
            if (n.as_string()->get() == names[i]) return static_cast<Enum>(i);
        return std::nullopt;
      },
      [=](Enum e) -> Value { return names.at(static_cast<std::size_t>(e)); });
}

template <class Access>
KeySpec duration_key(std::string path, Access access, Range hours, std::string description) {
  return make_key<double>(
      std::move(path), access,
      fmt::format("a duration such as \"30m\", \"1h\", \"2d 14h\" or \"1w\", from {} to {}",
                  format_duration(hours.lo), format_duration(hours.hi)),
      "duration", std::move(description),
      [=](const toml::node& n) -> std::optional<double> {
        if (!n.is_string()) return std::nullopt;
        try {
          const double h = parse_duration_hours(n.as_string()->get());
          return hours.contains(h) ? std::optional<double>(h) : std::nullopt;
        } catch (const std::invalid_argument&) {
          return std::nullopt;
        }
      },
      [](double h) -> Value { return format_duration(h); });
}

constexpr std::array<const char*, 3> kStrategyNames = {"broadcast", "reactive", "dialogue"};
constexpr std::array<const char*, 6> kGeneratorNames = {
    "power_law", "erdos_renyi", "watts_strogatz", "price", "rmat", "edge_list"};
constexpr std::array<const char*, 3> kKindNames = {"government", "media", "influencer"};

// Accessor shorthands: every accessor takes (scenario, list index) and returns a reference.
#define CIVSIM_FIELD(type, expr)            \
  [](Scenario& s, std::size_t i) -> type& { \
    (void)i;                                \
    return expr;                            \
  }

const std::vector<ListSpec>& lists() {
  static const std::vector<ListSpec> all = {
      {"regions", [](Scenario& s, std::size_t n) { s.regions.assign(n, Region{}); },
       [](const Scenario& s) { return s.regions.size(); }},
      {"accounts", [](Scenario& s, std::size_t n) { s.accounts.assign(n, AccountParams{}); },
       [](const Scenario& s) { return s.accounts.size(); }},
  };
  return all;
}

const std::vector<KeySpec>& specs() {
  static const std::vector<KeySpec> all = [] {
    std::vector<KeySpec> k;
    k.push_back(string_key("name", CIVSIM_FIELD(std::string, s.name),
                           "label of the scenario, copied into run files"));
    k.push_back(integer_key<std::uint64_t>("seed", CIVSIM_FIELD(std::uint64_t, s.seed), 0,
                                           std::numeric_limits<std::int64_t>::max(), "",
                                           "master seed; every random draw is a function of it"));
    k.push_back(integer_key<std::int64_t>(
        "population", CIVSIM_FIELD(std::int64_t, s.population), 10, std::int64_t{1} << 31,
        "citizens", "number of citizens (platform users); taken from the file with edge_list"));

    k.push_back(string_key("regions[].name", CIVSIM_FIELD(std::string, s.regions[i].name),
                           "region name (unique); citizens get regions in contiguous id blocks"));
    k.push_back(real_key("regions[].share", CIVSIM_FIELD(double, s.regions[i].share),
                         {0.0, 1.0, true}, "share of population",
                         "share of citizens in the region; shares sum to 1"));

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
    k.push_back(real_key("accounts[].posts_per_day",
                         CIVSIM_FIELD(double, s.accounts[i].posts_per_day), {0.0, 1440.0},
                         "posts/day", "government: scheduled posts, spread evenly over time"));
    k.push_back(choice_key<Strategy>("accounts[].strategy",
                                     CIVSIM_FIELD(Strategy, s.accounts[i].strategy), kStrategyNames,
                                     "government: communication strategy; only \"broadcast\" is "
                                     "modelled so far, the others behave like it"));

    k.push_back(choice_key<DiffusionModel>(
        "diffusion.model", CIVSIM_FIELD(DiffusionModel, s.diffusion.model),
        std::array<const char*, 1>{"independent_cascade"}, "diffusion rule"));
    k.push_back(real_key(
        "diffusion.reshare_probability", CIVSIM_FIELD(double, s.diffusion.reshare_probability),
        {0.0, 1.0}, "probability", "chance that a follower reshares a post an account shows them"));
    k.push_back(duration_key("time.step", CIVSIM_FIELD(double, s.time.step_hours),
                             {1.0 / 60.0, 7 * 24.0}, "length of one simulation step"));
    k.push_back(duration_key("time.duration", CIVSIM_FIELD(double, s.time.duration_hours),
                             {1.0 / 60.0, 10 * 365 * 24.0}, "simulated time span"));
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

// Table prefixes of the schema's plain keys ("network", "time", ...).
std::set<std::string> sections() {
  std::set<std::string> out;
  for (const auto& spec : specs()) {
    const auto dot = spec.info.path.rfind('.');
    if (spec.list.empty() && dot != std::string::npos) out.insert(spec.info.path.substr(0, dot));
  }
  return out;
}

const toml::node* find_node(const toml::table& root, const std::string& path) {
  return root.at_path(path).node();
}

// Where a key was set: its --set argument, else its place in the file.
struct Origins {
  const toml::table& root;
  const std::string& source;
  std::map<std::string, std::string> overridden;  // key -> "command line (--set ...)"

  std::string of(const std::string& path) const {
    if (auto it = overridden.find(path); it != overridden.end()) return it->second;
    const toml::node* n = find_node(root, path);
    return n ? location(n->source(), source) : source;
  }
  std::string of_key(const std::string& path, const toml::key& key) const {
    if (auto it = overridden.find(path); it != overridden.end()) return it->second;
    return location(key.source(), source);
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
      const toml::array* items = node.as_array();
      if (!items || !items->is_array_of_tables())
        throw ConfigError(origins.of(path), path,
                          fmt::format("'{}' must be an array of tables ([[{}]] blocks), not {}",
                                      path, path, shown(node)));
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
      continue;
    }
    const bool known = std::any_of(specs().begin(), specs().end(), [&](const KeySpec& s) {
      return s.list.empty() && s.info.path == path;
    });
    if (!known) unknown_key(path, path, candidates, origins.of_key(path, key));
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

// Applies one --set and returns the key it set.
std::string apply_override(toml::table& root, const std::string& text) {
  const std::string source = override_origin(text);
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError(
        source, "", "expected --set key.path=value, e.g. --set diffusion.reshare_probability=0.02");
  std::string key = text.substr(0, eq);
  key.erase(key.find_last_not_of(" \t") + 1);
  const std::string value = text.substr(eq + 1);
  toml::table parsed;
  try {
    parsed = toml::parse("v = " + value, source);
  } catch (const toml::parse_error&) {
    // A bare word such as `dialogue` is not TOML; take it as a string.
    try {
      parsed = toml::parse("v = " + toml_text(value), source);
    } catch (const toml::parse_error& e) {
      // Only text that is not valid UTF-8 gets here: everything else is a valid string.
      throw ConfigError(source, key,
                        fmt::format("the value of '{}' is neither TOML nor a valid UTF-8 string "
                                    "({})",
                                    key, e.description()));
    }
  }
  assign_path(root, key, *parsed.get("v"), source);
  return key;
}

// Rules that involve more than one key; `origins` locates the key each rule blames.
void check_rules(const Scenario& s, const Origins& origins) {
  const auto fail = [&](const std::string& key, const std::string& message) {
    throw ConfigError(origins.of(key), key, message);
  };
  const bool from_file = s.network.generator == NetworkGenerator::edge_list;
  std::set<std::string> names;
  double share_sum = 0;
  for (std::size_t r = 0; r < s.regions.size(); ++r) {
    if (!names.insert(s.regions[r].name).second)
      fail(fmt::format("regions[{}].name", r),
           fmt::format("region name \"{}\" is used twice", s.regions[r].name));
    share_sum += s.regions[r].share;
  }
  if (std::abs(share_sum - 1.0) > 1e-6)
    fail("regions", fmt::format("region shares sum to {}, not 1", share_sum));
  if (s.network.homophily >= 0 && s.regions.size() < 2)
    fail("network.homophily", "network.homophily needs at least two [[regions]]");
  if (s.network.rmat_a + s.network.rmat_b + s.network.rmat_c > 1.0 + 1e-12)
    fail("network.rmat_c", "network.rmat_a + rmat_b + rmat_c must not exceed 1");
  if (from_file) {
    if (s.network.file.empty()) fail("network.file", "generator \"edge_list\" needs network.file");
    if (find_node(origins.root, "population") || origins.overridden.contains("population"))
      fail("population",
           "population is taken from network.file with generator \"edge_list\"; "
           "remove the key");
  } else if (s.network.mean_followees > static_cast<double>(s.population - 1)) {
    fail("network.mean_followees",
         fmt::format("network.mean_followees = {} must be below population ({})",
                     s.network.mean_followees, s.population));
  }

  std::set<std::string> account_names;
  for (std::size_t a = 0; a < s.accounts.size(); ++a) {
    const auto& acc = s.accounts[a];
    const auto key = [&](const char* leaf) { return fmt::format("accounts[{}].{}", a, leaf); };
    if (!account_names.insert(acc.name).second)
      fail(key("name"), fmt::format("account name \"{}\" is used twice", acc.name));
    if (acc.follower_share >= 0 && acc.followers >= 0)
      fail(key("followers"), "set either follower_share or followers for an account, not both");
    if (!acc.region.empty() && !names.contains(acc.region))
      fail(key("region"), fmt::format("region \"{}\" is not one of the [[regions]]", acc.region));
    if (acc.region_bias >= 0 && acc.region.empty())
      fail(key("region_bias"), "region_bias needs the account's region");
    if (from_file) {
      if (acc.id.empty())
        fail(key("name"), "with generator \"edge_list\" every account needs its id in the file");
      if (acc.follower_share >= 0 || acc.followers >= 0 || !acc.region.empty())
        fail(key("name"),
             "with generator \"edge_list\" an account's followers come from the "
             "file: remove follower_share, followers and region");
    } else {
      if (!acc.id.empty())
        fail(key("id"), "accounts[].id is only used with network.generator = \"edge_list\"");
      if (acc.followers > s.population)
        fail(key("followers"),
             fmt::format("{} followers exceed the population ({})", acc.followers, s.population));
    }
  }
  if (s.time.duration_hours < s.time.step_hours)
    fail("time.duration",
         fmt::format("time.duration = \"{}\" is shorter than time.step = \"{}\"",
                     format_duration(s.time.duration_hours), format_duration(s.time.step_hours)));
}

}  // namespace

std::string strategy_name(Strategy s) {
  return kStrategyNames[static_cast<std::size_t>(s)];
}
std::string generator_name(NetworkGenerator g) {
  return kGeneratorNames[static_cast<std::size_t>(g)];
}
std::string account_kind_name(AccountKind k) {
  return kKindNames[static_cast<std::size_t>(k)];
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
  for (const auto& o : overrides) origins.overridden[apply_override(root, o)] = override_origin(o);
  reject_unknown(root, "", origins);

  Scenario s;
  const auto apply = [&](const KeySpec& spec, const toml::node& node, std::size_t i,
                         const std::string& path) {
    if (auto valid = spec.apply(node, s, i))
      throw ConfigError(origins.of(path), path,
                        fmt::format("{} = {} is invalid; valid: {}", path, shown(node), *valid));
  };
  for (const auto& list : lists()) {
    const toml::array* items = root[list.name].as_array();
    if (!items) continue;  // not in the file: the default list stays
    list.resize(s, items->size());
    for (std::size_t i = 0; i < items->size(); ++i)
      for (const auto& spec : specs())
        if (spec.list == list.name)
          if (const toml::node* node = items->get(i)->as_table()->get(spec.leaf))
            apply(spec, *node, i, fmt::format("{}[{}].{}", list.name, i, spec.leaf));
  }
  for (const auto& spec : specs())
    if (spec.list.empty())
      if (const toml::node* node = find_node(root, spec.info.path))
        apply(spec, *node, 0, spec.info.path);
  check_rules(s, origins);
  return s;
}

Scenario load_scenario(const std::filesystem::path& file,
                       const std::vector<std::string>& overrides) {
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
  Scenario s = parse_scenario(text.str(), file.string(), overrides);
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
        if (spec.list == list.name)
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
