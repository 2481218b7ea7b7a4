#include "io/file_layout.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "io/config.hpp"
#include "io/errors.hpp"

namespace civsim::io::layout {

void write_root(h5::Writer& w, const std::string& filetype, int major, int minor,
                const Provenance& prov, const Scenario& scenario) {
  w.attribute("/", "filetype", filetype);
  w.attribute("/", "format_version", fmt::format("{}.{}", major, minor));
  w.attribute("/", "civsim_version", prov.civsim_version);
  w.attribute("/", "git_sha", prov.git_sha);
  w.attribute("/", "git_dirty", prov.git_dirty);
  w.attribute("/", "build_type", prov.build_type);
  w.attribute("/", "compiler", prov.compiler);
  w.attribute("/", "hdf5_version", prov.hdf5_version);
  w.attribute("/", "created", prov.created);
  w.attribute("/", "host", prov.host);
  w.attribute("/", "command_line", prov.command_line);
  w.attribute("/", "seed", static_cast<std::int64_t>(prov.seed));
  w.attribute("/", "threads", static_cast<std::int64_t>(prov.threads));
  w.attribute("/", "run_seconds", prov.run_seconds);
  w.attribute("/", "scenario_name", scenario.name);
  w.attribute("/", "step_hours", scenario.time.step_hours);
}

void write_scenario(h5::Writer& w, const std::string& path, const Scenario& scenario) {
  w.text_dataset(path, to_toml(scenario));
  w.attribute(path, "description", std::string("the fully resolved scenario (TOML)"));
}

std::vector<std::pair<std::string, h5::Attribute>> network_attributes(const NetworkStats& stats) {
  std::vector<std::pair<std::string, h5::Attribute>> out;
  const auto u = [](std::uint64_t x) { return static_cast<std::int64_t>(x); };
  const auto net = [&](std::string name, h5::Attribute value) {
    out.emplace_back(std::move(name), std::move(value));
  };
  net("nodes", u(stats.nodes));
  net("citizens", u(stats.citizens));
  net("accounts", u(stats.accounts));
  net("edges", u(stats.edges));
  for (const auto& [degree, what] :
       {std::pair{&stats.followers, "followers"}, std::pair{&stats.followees, "followees"}}) {
    net(fmt::format("mean_{}", what), degree->mean);
    net(fmt::format("median_{}", what), u(degree->median));
    net(fmt::format("p90_{}", what), u(degree->p90));
    net(fmt::format("p99_{}", what), u(degree->p99));
    net(fmt::format("max_{}", what), u(degree->max));
    net(fmt::format("citizens_without_{}", what), u(degree->zero));
  }
  net("account_followers", u(stats.account_followers));
  net("reciprocity", stats.reciprocity);
  net("clustering", stats.clustering);
  net("clustering_stderr", stats.clustering_stderr);
  net("clustering_samples", u(stats.clustering_samples));
  net("weak_components", u(stats.weak_components));
  net("largest_weak_component", u(stats.largest_weak_component));
  net("strong_components", u(stats.strong_components));
  net("largest_strong_component", u(stats.largest_strong_component));
  net("mean_path_length", stats.mean_path_length);
  net("reachable_share", stats.reachable_share);
  net("path_sources", u(stats.path_sources));
  net("leading_eigenvalue", stats.leading_eigenvalue);
  net("eigen_iterations", static_cast<std::int64_t>(stats.eigen_iterations));
  net("eigen_converged", std::int64_t{stats.eigen_converged ? 1 : 0});
  net("eigen_tolerance", stats.eigen_tolerance);
  return out;
}

void write_network(h5::Writer& w, const NetworkStats& stats) {
  w.group("/network");
  for (const auto& [name, value] : network_attributes(stats)) w.attribute("/network", name, value);
  const auto u = [](std::uint64_t x) { return static_cast<std::int64_t>(x); };

  // Log-binned distributions of citizens' counts, as /network/<kind>_bins (lower edges) and
  // /network/<kind>_counts.
  const auto histogram = [&](const LogBins& bins, const std::string& kind) {
    std::vector<std::int64_t> lower, count;
    for (const auto x : bins.lower) lower.push_back(u(x));
    for (const auto x : bins.count) count.push_back(u(x));
    const std::string bins_path = "/network/" + kind + "_bins";
    const std::string counts_path = "/network/" + kind + "_counts";
    w.dataset(bins_path, lower);
    describe(w, bins_path, kind + "s",
             fmt::format("lower edge of each logarithmic bin of citizens' {} counts: bin 0 "
                         "holds 0, bin k >= 1 holds [2^(k-1), 2^k)",
                         kind));
    w.dataset(counts_path, count);
    describe(w, counts_path, "citizens",
             fmt::format("citizens whose {} count falls into the bin of {}_bins", kind, kind));
  };
  histogram(stats.follower_bins, "follower");
  histogram(stats.followee_bins, "followee");
}

void write_accounts(h5::Writer& w, const Scenario& scenario, const NetworkStats& stats,
                    const std::vector<std::uint64_t>& account_followers) {
  w.group("/accounts");
  for (std::size_t a = 0; a < scenario.accounts.size(); ++a) {
    const auto& acc = scenario.accounts[a];
    const std::string g = fmt::format("/accounts/{}", a);
    w.group(g);
    w.attribute(g, "name", acc.name);
    w.attribute(g, "kind", account_kind_name(acc.kind));
    w.attribute(g, "node", static_cast<std::int64_t>(stats.citizens + a));
    w.attribute(g, "followers", static_cast<std::int64_t>(account_followers.at(a)));
    w.attribute(g, "posts_per_day", acc.kind == AccountKind::government ? acc.posts_per_day : 0.0);
    w.attribute(g, "strategy", strategy_name(acc.strategy));
  }
}

void write_time_axis(h5::Writer& w, const std::vector<double>& time_hours) {
  std::vector<std::int64_t> steps(time_hours.size());
  for (std::size_t i = 0; i < steps.size(); ++i) steps[i] = static_cast<std::int64_t>(i);
  w.dataset("/series/step", steps);
  describe(w, "/series/step", "steps", "index of the step, from 0");
  w.dataset("/series/time_hours", time_hours);
  describe(w, "/series/time_hours", "hours", "simulated time at the end of the step");
}

void describe(h5::Writer& w, const std::string& path, const std::string& units,
              const std::string& description) {
  w.attribute(path, "units", units);
  w.attribute(path, "description", description);
}

std::string government_strategies(const Scenario& scenario) {
  std::string out;
  for (const auto& acc : scenario.accounts)
    if (acc.kind == AccountKind::government) {
      if (!out.empty()) out += ',';
      out += strategy_name(acc.strategy);
    }
  return out;
}

std::vector<std::string> region_names(const Scenario& scenario) {
  std::vector<std::string> out;
  for (const auto& r : scenario.regions) out.push_back(r.name);
  return out;
}

std::string text(const h5::Attribute& a) {
  return std::visit(
      [](const auto& v) -> std::string {
        if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::vector<std::string>>)
          return fmt::format("{}", fmt::join(v, ", "));
        else
          return fmt::format("{}", v);
      },
      a);
}

std::string filetype(const h5::Reader& r) {
  const auto names = r.attribute_names("/");
  if (std::find(names.begin(), names.end(), "filetype") == names.end()) return "";
  return text(r.attribute("/", "filetype"));
}

void require_format(const h5::Reader& r, const std::string& file, const std::string& expected,
                    int major, const std::string& what) {
  if (filetype(r) != expected)
    throw UserError(
        fmt::format("'{}' is not a civsim {} (no filetype = \"{}\")", file, what, expected));
  const auto names = r.attribute_names("/");
  const std::string version = std::find(names.begin(), names.end(), "format_version") != names.end()
                                  ? text(r.attribute("/", "format_version"))
                                  : "";
  const std::string file_major = version.substr(0, version.find('.'));
  if (file_major == std::to_string(major)) return;
  const bool older = !file_major.empty() &&
                     file_major.find_first_not_of("0123456789") == std::string::npos &&
                     file_major.size() < 9 && std::stoi(file_major) < major;
  throw UserError(fmt::format(
      "'{}' has {} format version '{}'; this civsim reads major version {}{}", file, what, version,
      major,
      older ? " (the file was written by an older civsim: run its /scenario again to upgrade it)"
            : ""));
}

std::vector<std::pair<std::string, std::string>> root_attributes(const h5::Reader& r) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& n : r.attribute_names("/")) out.emplace_back(n, text(r.attribute("/", n)));
  return out;
}

}  // namespace civsim::io::layout
