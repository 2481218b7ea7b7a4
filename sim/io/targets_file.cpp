#include "io/targets_file.hpp"

#include <fmt/format.h>

#include <toml++/toml.h>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "io/config.hpp"
#include "io/errors.hpp"

namespace civsim::io {
namespace {

std::string located(const toml::source_region& src, const std::string& source,
                    std::size_t extra_columns = 0) {
  if (src.begin.line == 0) return source;
  return fmt::format("{}:{}:{}", source, src.begin.line, src.begin.column + extra_columns);
}

std::string shown(const toml::node& node) {
  if (node.is_table()) return "a table";
  if (node.is_array()) return "an array";
  std::ostringstream out;
  node.visit([&](auto&& v) { out << v; });
  return out.str();
}

std::string listed(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// Reads the keys of one table, each at most once, and refuses the keys it does not know.
class Table {
 public:
  Table(const toml::table& t, std::string path, const std::string& source,
        std::vector<std::string> known)
      : t_(t), path_(std::move(path)), source_(source), known_(std::move(known)) {
    for (const auto& [k, v] : t_) {
      const std::string key(k.str());
      if (std::find(known_.begin(), known_.end(), key) == known_.end())
        throw ConfigError(
            located(k.source(), source_), full(key),
            fmt::format("unknown key '{}'; valid keys here: {}", full(key), listed(known_)));
    }
  }

  std::string full(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  const toml::node* get(const std::string& key) const { return t_.get(key); }
  std::string where(const std::string& key) const {
    const toml::node* n = t_.get(key);
    return n ? located(n->source(), source_) : located(t_.source(), source_);
  }
  [[noreturn]] void fail(const std::string& key, const std::string& message) const {
    throw ConfigError(where(key), full(key), message);
  }

  std::optional<double> number(const std::string& key) const {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (n->is_integer()) return static_cast<double>(n->as_integer()->get());
    if (n->is_floating_point()) {
      const double v = n->as_floating_point()->get();
      if (!std::isfinite(v)) fail(key, fmt::format("{} = {}: not a finite number", full(key), v));
      return v;
    }
    fail(key, fmt::format("{} = {}: expected a number", full(key), shown(*n)));
  }
  std::optional<std::int64_t> integer(const std::string& key, std::int64_t lo,
                                      std::int64_t hi) const {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (!n->is_integer())
      fail(key,
           fmt::format("{} = {}: expected an integer in [{}, {}]", full(key), shown(*n), lo, hi));
    const std::int64_t v = n->as_integer()->get();
    if (v < lo || v > hi)
      fail(key, fmt::format("{} = {}: out of range; valid: an integer in [{}, {}]", full(key), v,
                            lo, hi));
    return v;
  }
  std::optional<std::string> string(const std::string& key) const {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (!n->is_string()) fail(key, fmt::format("{} = {}: expected a string", full(key), shown(*n)));
    return n->as_string()->get();
  }

 private:
  const toml::table& t_;
  std::string path_;
  const std::string& source_;
  std::vector<std::string> known_;
};

// The entries of a table in the order they are written (toml++ keeps tables sorted by key).
std::vector<std::pair<const toml::key*, const toml::node*>> in_file_order(const toml::table& t) {
  std::vector<std::pair<const toml::key*, const toml::node*>> out;
  for (const auto& [k, v] : t) out.emplace_back(&k, &v);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    const auto& x = a.first->source().begin;
    const auto& y = b.first->source().begin;
    return x.line != y.line ? x.line < y.line : x.column < y.column;
  });
  return out;
}

const toml::table& section(const toml::table& root, const std::string& name,
                           const std::string& source) {
  const toml::node* n = root.get(name);
  if (!n->is_table())
    throw ConfigError(located(n->source(), source), name,
                      fmt::format("'{}' must be a table of tables ([{}.NAME] sections), not {}",
                                  name, name, shown(*n)));
  return *n->as_table();
}

void read_targets(const toml::table& root, const std::string& source, TargetsFile& out) {
  const toml::node* node = root.get("targets");
  if (!node)
    throw ConfigError(source, "targets",
                      "no targets: add at least one [targets.NAME] section with a `value`");
  for (const auto& [key_ptr, node_ptr] : in_file_order(section(root, "targets", source))) {
    const toml::key& k = *key_ptr;
    const toml::node& v = *node_ptr;
    const std::string name(k.str());
    const std::string path = "targets." + name;
    if (!v.is_table())
      throw ConfigError(located(v.source(), source), path,
                        fmt::format("{} must be a table ([{}]) with a value", path, path));
    const Table t(*v.as_table(), path, source,
                  {"statistic", "value", "tolerance", "weight", "source"});
    CalibrationTarget target;
    target.name = name;
    const std::string text = t.string("statistic").value_or(name);
    const toml::node* stat_node = t.get("statistic");
    // The column of the expression's first character, inside the quotes.
    const std::string stat_where =
        stat_node ? located(stat_node->source(), source) : located(k.source(), source);
    try {
      target.statistic = Statistic::parse(text);
    } catch (const StatisticError& e) {
      const std::string where =
          stat_node ? located(stat_node->source(), source, 1 + e.position()) : stat_where;
      throw ConfigError(where, t.full("statistic"),
                        fmt::format("{} = \"{}\": {}", t.full("statistic"), text, e.what()));
    }
    const auto value = t.number("value");
    if (!value) t.fail("value", fmt::format("{} has no `value` (the target)", path));
    if (*value == 0)
      t.fail("value", fmt::format("{}.value = 0: a target must be non-zero (the distance uses "
                                  "errors relative to it)",
                                  path));
    target.value = *value;
    target.tolerance = t.number("tolerance").value_or(0.1);
    if (!(target.tolerance > 0))
      t.fail("tolerance",
             fmt::format("{}.tolerance = {}: must be above 0 (a relative error, e.g. 0.1 for 10%)",
                         path, target.tolerance));
    target.weight = t.number("weight").value_or(1.0);
    if (!(target.weight >= 0))
      t.fail("weight", fmt::format("{}.weight = {}: must be at least 0", path, target.weight));
    out.targets.push_back(std::move(target));
    out.target_notes.push_back(t.string("source").value_or(""));
    out.target_locations.push_back(stat_where);
  }
  if (out.targets.empty())
    throw ConfigError(located(node->source(), source), "targets",
                      "no targets: add at least one [targets.NAME] section with a `value`");
}

void read_params(const toml::table& root, const std::string& source, TargetsFile& out) {
  const toml::node* node = root.get("params");
  if (!node)
    throw ConfigError(source, "params",
                      "no free parameters: add at least one [params.NAME] section with `lower` "
                      "and `upper`");
  for (const auto& [key_ptr, node_ptr] : in_file_order(section(root, "params", source))) {
    const toml::key& k = *key_ptr;
    const toml::node& v = *node_ptr;
    const std::string name(k.str());
    const std::string path = fmt::format("params.\"{}\"", name);
    if (!v.is_table())
      throw ConfigError(located(v.source(), source), path,
                        fmt::format("{} must be a table with lower and upper bounds", path));
    const Table t(*v.as_table(), path, source,
                  {"keys", "factors", "lower", "upper", "scale", "start"});
    FreeParameter p;
    p.name = name;
    if (const toml::node* keys = t.get("keys")) {
      const toml::array* list = keys->as_array();
      if (!list || list->empty())
        t.fail("keys", fmt::format("{}.keys must be a non-empty array of scenario keys, e.g. "
                                   "[\"reactions.information.like\"]",
                                   path));
      for (const auto& item : *list) {
        if (!item.is_string() || item.as_string()->get().empty())
          throw ConfigError(located(item.source(), source), t.full("keys"),
                            fmt::format("{}.keys: {} is not a scenario key (a non-empty string)",
                                        path, shown(item)));
        p.keys.push_back(item.as_string()->get());
      }
    } else {
      p.keys = {name};
    }
    p.factors.assign(p.keys.size(), 1.0);
    if (const toml::node* factors = t.get("factors")) {
      const toml::array* list = factors->as_array();
      if (!list || list->size() != p.keys.size())
        t.fail("factors", fmt::format("{}.factors must be an array of {} number{}, one per key",
                                      path, p.keys.size(), p.keys.size() == 1 ? "" : "s"));
      for (std::size_t i = 0; i < list->size(); ++i) {
        const toml::node& item = *list->get(i);
        const auto factor = item.value<double>();
        if (!factor || !std::isfinite(*factor) || *factor == 0)
          throw ConfigError(
              located(item.source(), source), t.full("factors"),
              fmt::format("{}.factors: {} is not a non-zero number", path, shown(item)));
        p.factors[i] = *factor;
      }
    }
    std::set<std::string> unique(p.keys.begin(), p.keys.end());
    if (unique.size() != p.keys.size())
      t.fail("keys", fmt::format("{}.keys names a key twice", path));
    const auto lower = t.number("lower"), upper = t.number("upper");
    if (!lower) t.fail("lower", fmt::format("{} has no `lower` bound", path));
    if (!upper) t.fail("upper", fmt::format("{} has no `upper` bound", path));
    p.bounds.lower = *lower;
    p.bounds.upper = *upper;
    const std::string scale = t.string("scale").value_or("linear");
    if (scale == "log")
      p.bounds.scale = ParameterScale::log;
    else if (scale != "linear")
      t.fail("scale", fmt::format("{}.scale = \"{}\": valid: \"linear\" or \"log\"", path, scale));
    if (!(p.bounds.lower < p.bounds.upper))
      t.fail("upper", fmt::format("{}: lower = {} must be below upper = {}", path, p.bounds.lower,
                                  p.bounds.upper));
    if (p.bounds.scale == ParameterScale::log && !(p.bounds.lower > 0))
      t.fail("lower", fmt::format("{}.lower = {}: a log-scale parameter needs lower > 0", path,
                                  p.bounds.lower));
    p.start = t.number("start");
    if (p.start && !(*p.start > p.bounds.lower && *p.start < p.bounds.upper))
      t.fail("start", fmt::format("{}.start = {}: must lie strictly between lower = {} and "
                                  "upper = {}",
                                  path, *p.start, p.bounds.lower, p.bounds.upper));
    for (const auto& other : out.params)
      for (const auto& key : p.keys)
        if (std::find(other.keys.begin(), other.keys.end(), key) != other.keys.end())
          t.fail("keys", fmt::format("{}: the key '{}' is already set by params.\"{}\"", path, key,
                                     other.name));
    out.params.push_back(std::move(p));
    out.param_locations.push_back(t.get("keys") ? t.where("keys") : located(k.source(), source));
  }
  if (out.params.empty())
    throw ConfigError(located(node->source(), source), "params",
                      "no free parameters: add at least one [params.NAME] section");
}

void read_settings(const toml::table& root, const std::string& source, TargetsFile& out) {
  const toml::node* node = root.get("calibration");
  if (!node) return;
  if (!node->is_table())
    throw ConfigError(located(node->source(), source), "calibration",
                      "'calibration' must be a table ([calibration])");
  const Table t(*node->as_table(), "calibration", source,
                {"replicates", "max_evaluations", "restarts", "x_tolerance", "f_tolerance",
                 "initial_step", "arm"});
  auto& s = out.settings;
  if (const auto v = t.integer("replicates", 1, 100000)) s.replicates = static_cast<int>(*v);
  if (const auto v = t.integer("max_evaluations", 1, 1000000))
    s.max_evaluations = static_cast<int>(*v);
  if (const auto v = t.integer("restarts", 0, 100)) s.restarts = static_cast<int>(*v);
  const auto positive = [&](const std::string& key, bool zero_ok) -> std::optional<double> {
    const auto v = t.number(key);
    if (v && !(zero_ok ? *v >= 0 : *v > 0))
      t.fail(key, fmt::format("calibration.{} = {}: must be {} 0", key, *v,
                              zero_ok ? "at least" : "above"));
    return v;
  };
  s.x_tolerance = positive("x_tolerance", false);
  s.f_tolerance = positive("f_tolerance", true);
  s.initial_step = positive("initial_step", false);
  s.arm = t.string("arm");
}

}  // namespace

TargetsFile parse_targets(std::string_view text, const std::string& source) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    throw ConfigError(located(e.source(), source), "",
                      fmt::format("TOML syntax: {}", e.description()));
  }
  for (const auto& [k, v] : root) {
    const std::string key(k.str());
    if (key != "targets" && key != "params" && key != "calibration")
      throw ConfigError(located(k.source(), source), key,
                        fmt::format("unknown key '{}'; a targets file has the sections "
                                    "[targets.NAME], [params.NAME] and [calibration]",
                                    key));
  }
  TargetsFile out;
  out.source = source;
  out.text = std::string(text);
  read_targets(root, source, out);
  read_params(root, source, out);
  read_settings(root, source, out);
  return out;
}

TargetsFile read_targets_file(const std::filesystem::path& file) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec))
    throw UserError(fmt::format("'{}' is a folder, not a targets file", file.string()));
  std::ifstream in(file, std::ios::binary);
  if (!in) throw UserError(fmt::format("cannot read targets file '{}'", file.string()));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw UserError(fmt::format("cannot read targets file '{}'", file.string()));
  return parse_targets(text.str(), file.string());
}

std::optional<double> scenario_number(const Scenario& scenario, const std::string& key) {
  const std::string text = to_toml(scenario);
  const toml::table root = toml::parse(std::string_view(text), std::string_view("resolved"));
  const toml::node* n = root.at_path(key).node();
  if (!n) return std::nullopt;
  if (n->is_integer()) return static_cast<double>(n->as_integer()->get());
  if (n->is_floating_point()) return n->as_floating_point()->get();
  return std::nullopt;
}

}  // namespace civsim::io
