#include "io/config.hpp"

#include <fmt/format.h>

#include <toml++/toml.h>
#include <algorithm>
#include <array>
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
// value is valid) and give the value back for the resolved scenario.
struct KeySpec {
  KeyInfo info;
  std::function<std::optional<std::string>(const toml::node&, Scenario&)> apply;
  std::function<Value(const Scenario&)> emit;
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
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

template <class Access>
KeySpec real_key(std::string path, Access access, Range range, std::string unit,
                 std::string description) {
  Scenario defaults;
  const std::string valid = "a number in " + range.text();
  return {{std::move(path), valid, std::move(unit), toml_text(access(defaults)),
           std::move(description)},
          [=](const toml::node& node, Scenario& s) -> std::optional<std::string> {
            if (!node.is_number()) return "expected " + valid;
            const double x = node.value<double>().value();
            if (!std::isfinite(x) || !range.contains(x)) return "out of range; valid: " + valid;
            access(s) = x;
            return std::nullopt;
          },
          [=](const Scenario& s) -> Value { return access(const_cast<Scenario&>(s)); }};
}

template <class Access>
KeySpec integer_key(std::string path, Access access, std::int64_t lo, std::int64_t hi,
                    std::string unit, std::string description) {
  Scenario defaults;
  const std::string valid = fmt::format("an integer in [{}, {}]", lo, hi);
  return {{std::move(path), valid, std::move(unit),
           std::to_string(static_cast<std::int64_t>(access(defaults))), std::move(description)},
          [=](const toml::node& node, Scenario& s) -> std::optional<std::string> {
            if (!node.is_integer()) return "expected " + valid;
            const std::int64_t x = node.value<std::int64_t>().value();
            if (x < lo || x > hi) return "out of range; valid: " + valid;
            access(s) = static_cast<std::remove_reference_t<decltype(access(s))>>(x);
            return std::nullopt;
          },
          [=](const Scenario& s) -> Value {
            return static_cast<std::int64_t>(access(const_cast<Scenario&>(s)));
          }};
}

template <class Access>
KeySpec string_key(std::string path, Access access, std::string description) {
  Scenario defaults;
  const std::string valid = "a non-empty string";
  return {{std::move(path), valid, "", toml_text(access(defaults)), std::move(description)},
          [=](const toml::node& node, Scenario& s) -> std::optional<std::string> {
            if (!node.is_string() || node.as_string()->get().empty()) return "expected " + valid;
            access(s) = node.as_string()->get();
            return std::nullopt;
          },
          [=](const Scenario& s) -> Value { return access(const_cast<Scenario&>(s)); }};
}

template <class Enum, std::size_t N, class Access>
KeySpec choice_key(std::string path, Access access, std::array<const char*, N> names,
                   std::string description) {
  Scenario defaults;
  std::string valid = "one of";
  for (std::size_t i = 0; i < N; ++i) valid += fmt::format("{} \"{}\"", i ? "," : "", names[i]);
  return {{std::move(path), valid, "",
           toml_text(std::string(names[static_cast<std::size_t>(access(defaults))])),
           std::move(description)},
          [=](const toml::node& node, Scenario& s) -> std::optional<std::string> {
            if (node.is_string()) {
              for (std::size_t i = 0; i < N; ++i)
                if (node.as_string()->get() == names[i]) {
                  access(s) = static_cast<Enum>(i);
                  return std::nullopt;
                }
            }
            return "expected " + valid;
          },
          [=](const Scenario& s) -> Value {
            return std::string(names[static_cast<std::size_t>(access(const_cast<Scenario&>(s)))]);
          }};
}

template <class Access>
KeySpec duration_key(std::string path, Access access, Range hours, std::string description) {
  Scenario defaults;
  const std::string valid =
      fmt::format("a duration such as \"30m\", \"1h\", \"2d 14h\" or \"1w\", from {} to {}",
                  format_duration(hours.lo), format_duration(hours.hi));
  return {{std::move(path), valid, "duration", toml_text(format_duration(access(defaults))),
           std::move(description)},
          [=](const toml::node& node, Scenario& s) -> std::optional<std::string> {
            if (!node.is_string()) return "expected " + valid;
            double h = 0;
            try {
              h = parse_duration_hours(node.as_string()->get());
            } catch (const std::invalid_argument&) {
              return "expected " + valid;
            }
            if (!hours.contains(h)) return "out of range; valid: " + valid;
            access(s) = h;
            return std::nullopt;
          },
          [=](const Scenario& s) -> Value {
            return format_duration(access(const_cast<Scenario&>(s)));
          }};
}

constexpr std::array<const char*, 3> kStrategyNames = {"broadcast", "reactive", "dialogue"};

const std::vector<KeySpec>& specs() {
  static const std::vector<KeySpec> all = [] {
    std::vector<KeySpec> k;
    k.push_back(string_key(
        "name", [](Scenario& s) -> std::string& { return s.name; },
        "label of the scenario, copied into run files"));
    k.push_back(integer_key(
        "seed", [](Scenario& s) -> std::uint64_t& { return s.seed; }, 0,
        std::numeric_limits<std::int64_t>::max(), "",
        "master seed; every random draw is a function of it"));
    k.push_back(integer_key(
        "population", [](Scenario& s) -> std::int64_t& { return s.population; }, 10,
        std::int64_t{1} << 31, "citizens", "number of citizens (platform users) in the network"));
    k.push_back(choice_key<NetworkGenerator>(
        "network.generator", [](Scenario& s) -> NetworkGenerator& { return s.network.generator; },
        std::array<const char*, 1>{"power_law"}, "follower-network generator"));
    k.push_back(real_key(
        "network.follower_exponent",
        [](Scenario& s) -> double& { return s.network.follower_exponent; }, {2.0, 5.0, true}, "",
        "power-law exponent of the follower-count (in-degree) distribution"));
    k.push_back(real_key(
        "network.mean_followees", [](Scenario& s) -> double& { return s.network.mean_followees; },
        {1.0, 5000.0}, "accounts", "mean number of citizens each citizen follows"));
    k.push_back(real_key(
        "network.max_follower_share",
        [](Scenario& s) -> double& { return s.network.max_follower_share; }, {0.0, 1.0, true},
        "share of population", "cap on any citizen's expected follower count"));
    k.push_back(string_key(
        "government.name", [](Scenario& s) -> std::string& { return s.government.name; },
        "label of the government account"));
    k.push_back(real_key(
        "government.follower_share",
        [](Scenario& s) -> double& { return s.government.follower_share; }, {0.0, 1.0},
        "share of population", "probability that a citizen follows the government account"));
    k.push_back(real_key(
        "government.posts_per_day",
        [](Scenario& s) -> double& { return s.government.posts_per_day; }, {0.0, 1440.0},
        "posts/day", "scheduled posts, spread evenly over time"));
    k.push_back(choice_key<Strategy>(
        "government.strategy", [](Scenario& s) -> Strategy& { return s.government.strategy; },
        kStrategyNames,
        "communication strategy; only \"broadcast\" is modelled so far, the others behave "
        "like it"));
    k.push_back(choice_key<DiffusionModel>(
        "diffusion.model", [](Scenario& s) -> DiffusionModel& { return s.diffusion.model; },
        std::array<const char*, 1>{"independent_cascade"}, "diffusion rule"));
    k.push_back(real_key(
        "diffusion.reshare_probability",
        [](Scenario& s) -> double& { return s.diffusion.reshare_probability; }, {0.0, 1.0},
        "probability", "chance that a follower reshares a post an account shows them"));
    k.push_back(duration_key(
        "time.step", [](Scenario& s) -> double& { return s.time.step_hours; },
        {1.0 / 60.0, 7 * 24.0}, "length of one simulation step"));
    k.push_back(duration_key(
        "time.duration", [](Scenario& s) -> double& { return s.time.duration_hours; },
        {1.0 / 60.0, 10 * 365 * 24.0}, "simulated time span"));
    return k;
  }();
  return all;
}

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

// Table prefixes of the schema ("network", "government", ...).
std::set<std::string> sections() {
  std::set<std::string> out;
  for (const auto& spec : specs()) {
    const auto dot = spec.info.path.rfind('.');
    if (dot != std::string::npos) out.insert(spec.info.path.substr(0, dot));
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
};

void reject_unknown(const toml::table& table, const std::string& prefix, const Origins& origins) {
  static const std::set<std::string> known_sections = sections();
  for (auto&& [key, node] : table) {
    const std::string path =
        prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
    if (known_sections.contains(path)) {
      if (!node.is_table())
        throw ConfigError(
            origins.of(path), path,
            fmt::format("'{}' must be a table ([{}]), not {}", path, path, shown(node)));
      reject_unknown(*node.as_table(), path, origins);
      continue;
    }
    const bool known = std::any_of(specs().begin(), specs().end(),
                                   [&](const KeySpec& s) { return s.info.path == path; });
    if (known) continue;
    std::string best;
    std::size_t best_d = std::numeric_limits<std::size_t>::max();
    for (const auto& spec : specs()) {
      const std::size_t d = edit_distance(path, spec.info.path);
      if (d < best_d) best_d = d, best = spec.info.path;
    }
    std::string hint;
    if (best_d <= std::max<std::size_t>(3, path.size() / 3))
      hint = fmt::format("; did you mean '{}'?", best);
    else
      hint = "; see `civsim schema` or docs/scenario-format.md for the valid keys";
    const auto over = origins.overridden.find(path);
    throw ConfigError(
        over != origins.overridden.end() ? over->second : location(key.source(), origins.source),
        path, fmt::format("unknown key '{}'{}", path, hint));
  }
}

// Puts `node` at dotted `path` inside `root`, creating tables on the way.
void assign_path(toml::table& root, const std::string& path, const toml::node& node,
                 const std::string& source) {
  toml::table* table = &root;
  std::size_t start = 0;
  for (std::size_t dot; (dot = path.find('.', start)) != std::string::npos; start = dot + 1) {
    const std::string part = path.substr(start, dot - start);
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
    parsed = toml::parse("v = " + toml_text(value), source);
  }
  assign_path(root, key, *parsed.get("v"), source);
  return key;
}

}  // namespace

std::string strategy_name(Strategy s) {
  return kStrategyNames[static_cast<std::size_t>(s)];
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
    total += std::stod(std::string(text.substr(i, j - i))) * unit_hours.at(text[j]);
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
  for (const auto& spec : specs()) {
    const toml::node* node = find_node(root, spec.info.path);
    if (!node) continue;
    if (auto complaint = spec.apply(*node, s))
      throw ConfigError(origins.of(spec.info.path), spec.info.path,
                        fmt::format("{} = {}: {}", spec.info.path, shown(*node), *complaint));
  }

  // Rules that involve more than one key.
  if (s.network.mean_followees > static_cast<double>(s.population - 1))
    throw ConfigError(origins.of("network.mean_followees"), "network.mean_followees",
                      fmt::format("network.mean_followees = {} must be below population ({})",
                                  s.network.mean_followees, s.population));
  if (s.time.duration_hours < s.time.step_hours)
    throw ConfigError(
        origins.of("time.duration"), "time.duration",
        fmt::format("time.duration = \"{}\" is shorter than time.step = \"{}\"",
                    format_duration(s.time.duration_hours), format_duration(s.time.step_hours)));
  return s;
}

Scenario load_scenario(const std::filesystem::path& file,
                       const std::vector<std::string>& overrides) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw UserError(fmt::format("cannot read scenario file '{}'", file.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_scenario(text.str(), file.string(), overrides);
}

std::string to_toml(const Scenario& s) {
  // Emit in schema order, one [section] at a time, so the text reads like a scenario file.
  std::string top, body, current;
  for (const auto& spec : specs()) {
    const auto& path = spec.info.path;
    const auto dot = path.rfind('.');
    const std::string line =
        fmt::format("{} = {}\n", dot == std::string::npos ? path : path.substr(dot + 1),
                    toml_text(spec.emit(s)));
    if (dot == std::string::npos) {
      top += line;
      continue;
    }
    const std::string section = path.substr(0, dot);
    if (section != current) body += fmt::format("\n[{}]\n", section), current = section;
    body += line;
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
