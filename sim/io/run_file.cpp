#include "io/run_file.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>

#include "io/atomic_output.hpp"
#include "io/build_info.hpp"
#include "io/config.hpp"
#include "io/errors.hpp"
#include "io/hdf5.hpp"

namespace civsim::io {
namespace {

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

std::string as_text(const h5::Attribute& a) {
  return std::visit([](const auto& v) { return fmt::format("{}", v); }, a);
}

}  // namespace

Provenance collect_provenance(const std::string& command_line, std::uint64_t seed, int threads) {
  Provenance p;
  p.civsim_version = build_info::version;
  p.git_sha = build_info::git_sha;
  p.git_dirty = build_info::git_dirty;
  p.build_type = build_info::build_type;
  p.compiler = build_info::compiler;
  p.hdf5_version = h5::library_version();
  p.created =
      fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                  std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  p.host = host_name();
  p.command_line = command_line;
  p.seed = seed;
  p.threads = threads;
  return p;
}

void check_output_path(const std::filesystem::path& out, bool force) {
  if (!force && std::filesystem::exists(out))
    throw UserError(fmt::format(
        "output '{}' already exists; choose another path or pass --force to overwrite it",
        out.string()));
}

void write_run_file(const std::filesystem::path& out, const Scenario& scenario,
                    const NetworkStats& stats, const std::vector<std::uint64_t>& account_followers,
                    const SeriesRecorder& series, const Provenance& prov, bool force) {
  AtomicOutput output(out, force);
  {
    h5::Writer w(output.temp());
    w.attribute("/", "filetype", std::string(kRunFileType));
    w.attribute("/", "format_version", fmt::format("{}.{}", kFormatMajor, kFormatMinor));
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
    w.attribute("/", "replicate", static_cast<std::int64_t>(prov.replicate));
    w.attribute("/", "threads", static_cast<std::int64_t>(prov.threads));
    w.attribute("/", "run_seconds", prov.run_seconds);
    w.attribute("/", "scenario_name", scenario.name);
    std::string strategies;
    for (const auto& acc : scenario.accounts)
      if (acc.kind == AccountKind::government)
        strategies += (strategies.empty() ? "" : ",") + strategy_name(acc.strategy);
    w.attribute("/", "strategy", strategies);
    w.attribute("/", "step_hours", scenario.time.step_hours);

    w.text_dataset("/scenario", to_toml(scenario));
    w.attribute("/scenario", "description", std::string("the fully resolved scenario (TOML)"));

    w.group("/network");
    const auto u = [](std::uint64_t x) { return static_cast<std::int64_t>(x); };
    const auto net = [&](const char* name, const h5::Attribute& value) {
      w.attribute("/network", name, value);
    };
    net("nodes", u(stats.nodes));
    net("citizens", u(stats.citizens));
    net("accounts", u(stats.accounts));
    net("edges", u(stats.edges));
    for (const auto& [degree, what] :
         {std::pair{&stats.followers, "followers"}, std::pair{&stats.followees, "followees"}}) {
      net(fmt::format("mean_{}", what).c_str(), degree->mean);
      net(fmt::format("median_{}", what).c_str(), u(degree->median));
      net(fmt::format("p90_{}", what).c_str(), u(degree->p90));
      net(fmt::format("p99_{}", what).c_str(), u(degree->p99));
      net(fmt::format("max_{}", what).c_str(), u(degree->max));
      net(fmt::format("citizens_without_{}", what).c_str(), u(degree->zero));
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

    // Log-binned distributions of citizens' counts, as /network/<kind>_bins (lower edges) and
    // /network/<kind>_counts.
    const auto histogram = [&](const LogBins& bins, const std::string& kind) {
      std::vector<std::int64_t> lower, count;
      for (const auto x : bins.lower) lower.push_back(u(x));
      for (const auto x : bins.count) count.push_back(u(x));
      const std::string bins_path = "/network/" + kind + "_bins";
      const std::string counts_path = "/network/" + kind + "_counts";
      w.dataset(bins_path, lower);
      w.attribute(bins_path, "units", kind + "s");
      w.attribute(bins_path, "description",
                  fmt::format("lower edge of each logarithmic bin of citizens' {} counts: bin 0 "
                              "holds 0, bin k >= 1 holds [2^(k-1), 2^k)",
                              kind));
      w.dataset(counts_path, count);
      w.attribute(counts_path, "units", std::string("citizens"));
      w.attribute(counts_path, "description",
                  fmt::format("citizens whose {} count falls into the bin of {}_bins", kind, kind));
    };
    histogram(stats.follower_bins, "follower");
    histogram(stats.followee_bins, "followee");

    w.group("/accounts");
    for (std::size_t a = 0; a < scenario.accounts.size(); ++a) {
      const auto& acc = scenario.accounts[a];
      const std::string g = fmt::format("/accounts/{}", a);
      w.group(g);
      w.attribute(g, "name", acc.name);
      w.attribute(g, "kind", account_kind_name(acc.kind));
      w.attribute(g, "node", static_cast<std::int64_t>(stats.citizens + a));
      w.attribute(g, "followers", static_cast<std::int64_t>(account_followers.at(a)));
      w.attribute(g, "posts_per_day",
                  acc.kind == AccountKind::government ? acc.posts_per_day : 0.0);
      w.attribute(g, "strategy", strategy_name(acc.strategy));
    }

    w.group("/series");
    std::vector<std::int64_t> steps;
    for (const auto& r : series.records()) steps.push_back(r.step);
    w.dataset("/series/step", steps);
    w.attribute("/series/step", "units", std::string("steps"));
    w.attribute("/series/step", "description", std::string("index of the step, from 0"));
    w.dataset("/series/time_hours", series.time_hours());
    w.attribute("/series/time_hours", "units", std::string("hours"));
    w.attribute("/series/time_hours", "description",
                std::string("simulated time at the end of the step"));
    for (const auto& spec : kSeries) {
      const std::string path = fmt::format("/series/{}", spec.name);
      w.dataset(path, series.column(spec.id));
      w.attribute(path, "units", std::string(spec.units));
      w.attribute(path, "description", std::string(spec.description));
    }

    w.group("/summary");
    const auto total = [&](Series f) {
      double sum = 0;
      for (const auto& r : series.records()) sum += r[f];
      return sum;
    };
    const double final_reach =
        series.records().empty() ? 0.0 : series.records().back()[Series::reach];
    w.attribute("/summary", "final_reach", final_reach);
    w.attribute("/summary", "final_reach_share",
                stats.citizens ? final_reach / static_cast<double>(stats.citizens) : 0.0);
    w.attribute("/summary", "total_impressions", total(Series::impressions));
    w.attribute("/summary", "total_reshares", total(Series::reshares));
    w.attribute("/summary", "total_posts", total(Series::posts));
    w.close();
  }
  output.commit();
}

RunFileInfo read_run_info(const std::filesystem::path& file) {
  h5::Reader r(file);
  const auto names = r.attribute_names("/");
  const auto has = [&](const char* n) {
    return std::find(names.begin(), names.end(), n) != names.end();
  };
  if (!has("filetype") || as_text(r.attribute("/", "filetype")) != kRunFileType)
    throw UserError(fmt::format("'{}' is not a civsim run file (no filetype = \"{}\")",
                                file.string(), kRunFileType));
  const std::string version =
      has("format_version") ? as_text(r.attribute("/", "format_version")) : "";
  if (version.substr(0, version.find('.')) != std::to_string(kFormatMajor))
    throw UserError(
        fmt::format("'{}' has run-file format version '{}'; this civsim reads major version {}",
                    file.string(), version, kFormatMajor));

  RunFileInfo info;
  for (const auto& n : names) info.attributes.emplace_back(n, as_text(r.attribute("/", n)));
  for (const auto& name : r.members("/series")) {
    const std::string path = "/series/" + name;
    info.series.push_back({name, as_text(r.attribute(path, "units")),
                           as_text(r.attribute(path, "description")), r.length(path)});
  }
  if (r.exists("/summary"))
    for (const auto& n : r.attribute_names("/summary"))
      info.summary.emplace_back(n, as_text(r.attribute("/summary", n)));
  return info;
}

}  // namespace civsim::io
