#include "io/compare_file.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/outcomes.hpp"
#include "io/atomic_output.hpp"
#include "io/errors.hpp"
#include "io/file_layout.hpp"
#include "io/hdf5.hpp"

namespace civsim::io {
namespace {

// The six statistics of /stats/<series>/ and /summary/<scalar>/, in file order.
constexpr const char* kMeanCi[] = {"mean", "ci_low", "ci_high"};
constexpr const char* kDiffCi[] = {"diff_mean", "diff_ci_low", "diff_ci_high"};

const char* parallelism_name(Parallelism p) {
  switch (p) {
    case Parallelism::across_runs:
      return "across_runs";
    case Parallelism::within_runs:
      return "within_runs";
    case Parallelism::automatic:
      break;
  }
  return "automatic";
}

void write_series(h5::Writer& w, const Scenario& base, const Comparison& c) {
  const std::uint64_t A = c.arms.size(), R = c.replicates, T = c.n_steps, G = c.n_regions;
  w.group("/series");
  layout::write_time_axis(w, c.time_hours);
  for (const auto& spec : kSeries) {
    const std::string path = fmt::format("/series/{}", spec.name);
    w.dataset(path, c.series_block(spec.id), h5::Shape{A, R, T});
    layout::describe(w, path, spec.units, spec.description);
  }
  w.group("/series/by_region");
  const auto regional = region_series();
  for (std::size_t k = 0; k < regional.size(); ++k) {
    const auto& spec = kSeries[series_index(regional[k])];
    const std::string path = fmt::format("/series/by_region/{}", spec.name);
    w.dataset(path, c.region_block(k), h5::Shape{A, R, T, G});
    layout::describe(w, path, spec.units, spec.description);
    w.attribute(path, "regions", layout::region_names(base));
  }
}

void write_stats(h5::Writer& w, const Comparison& c) {
  const std::uint64_t A = c.arms.size(), T = c.n_steps;
  w.group("/stats");
  for (const auto& spec : kSeries) {
    const std::string g = fmt::format("/stats/{}", spec.name);
    const auto& st = c.stats[series_index(spec.id)];
    w.group(g);
    layout::describe(w, g, spec.units, spec.description);
    const std::vector<double>* means[] = {&st.mean, &st.ci_low, &st.ci_high};
    const std::vector<double>* diffs[] = {&st.diff_mean, &st.diff_ci_low, &st.diff_ci_high};
    for (int i = 0; i < 3; ++i) {
      w.dataset(g + "/" + kMeanCi[i], *means[i], h5::Shape{A, T});
      w.dataset(g + "/" + kDiffCi[i], *diffs[i], h5::Shape{A, T});
    }
    w.dataset(g + "/n", st.n, h5::Shape{A, T});
    w.dataset(g + "/diff_n", st.diff_n, h5::Shape{A, T});
  }
}

void write_summary(h5::Writer& w, const Comparison& c) {
  const std::uint64_t A = c.arms.size(), R = c.replicates;
  w.group("/summary");
  std::vector<std::string> order;
  for (const auto& s : c.scalars) {
    const std::string g = "/summary/" + s.info.name;
    order.push_back(s.info.name);
    w.group(g);
    layout::describe(w, g, s.info.units, s.info.description);
    w.attribute(g, "key", std::int64_t{s.key ? 1 : 0});
    w.dataset(g + "/values", s.values, h5::Shape{A, R});
    // [arm] columns: mean, ci_low, ci_high, n, then the same of the paired differences.
    const auto columns = [&](const std::vector<Estimate>& estimates, const char* const names[3],
                             const std::string& count) {
      std::vector<double> mean, low, high;
      std::vector<std::int64_t> n;
      for (const auto& e : estimates) {
        const Interval i = interval(e);
        mean.push_back(i.mean), low.push_back(i.ci_low), high.push_back(i.ci_high);
        n.push_back(i.n);
      }
      w.dataset(g + "/" + names[0], mean);
      w.dataset(g + "/" + names[1], low);
      w.dataset(g + "/" + names[2], high);
      w.dataset(g + "/" + count, n);
    };
    columns(s.by_arm, kMeanCi, "n");
    columns(s.diff, kDiffCi, "diff_n");
  }
  w.attribute("/summary", "outcomes", order);

  // Cascade histograms [arm, replicate, bin], padded with zeros to the longest run's bins.
  const auto histogram = [&](const char* name, auto member, const char* description) {
    std::size_t bins = 0;
    for (const auto& run : c.runs) bins = std::max(bins, (run.summary.*member).size());
    std::vector<std::uint64_t> values(c.runs.size() * bins, 0);
    for (std::size_t j = 0; j < c.runs.size(); ++j)
      std::copy((c.runs[j].summary.*member).begin(), (c.runs[j].summary.*member).end(),
                values.begin() + static_cast<std::ptrdiff_t>(j * bins));
    const std::string path = fmt::format("/summary/{}", name);
    w.dataset(path, values, h5::Shape{A, R, bins});
    layout::describe(w, path, "posts", description);
  };
  histogram("cascade_size_hist", &RunSummary::cascade_size_hist,
            "per run, government posts whose reshare cascade had size in [2^b - 1, 2^(b+1) - 1) "
            "reshares, for bin b (bin 0: no reshare)");
  histogram(
      "cascade_depth_hist", &RunSummary::cascade_depth_hist,
      "per run, government posts whose deepest reshare was d hops from the author, for bin d");
}

}  // namespace

void write_compare_file(const std::filesystem::path& out, const Scenario& base,
                        const std::vector<std::pair<std::string, Scenario>>& arms,
                        const NetworkStats& stats,
                        const std::vector<std::uint64_t>& account_followers, const Comparison& c,
                        const Provenance& prov, bool force) {
  AtomicOutput output(out, force);
  {
    h5::Writer w(output.temp(), h5::Writer::Backing::memory, out.string());
    layout::write_root(w, kCompareFileType, kCompareFormatMajor, kCompareFormatMinor, prov, base);
    w.attribute("/", "arms", c.arms);
    w.attribute("/", "replicates", static_cast<std::int64_t>(c.replicates));
    w.attribute("/", "parallelism", std::string(parallelism_name(c.parallelism)));
    layout::write_scenario(w, "/scenario", base);
    w.group("/arms");
    for (std::size_t a = 0; a < arms.size(); ++a) {
      const std::string g = "/arms/" + arms[a].first;
      w.group(g);
      w.attribute(g, "index", static_cast<std::int64_t>(a));
      w.attribute(g, "strategy", layout::government_strategies(arms[a].second));
      layout::write_scenario(w, g + "/scenario", arms[a].second);
    }
    layout::write_network(w, stats);
    layout::write_accounts(w, base, stats, account_followers);
    write_series(w, base, c);
    write_stats(w, c);
    write_summary(w, c);
    w.close();
  }
  output.commit();
}

CompareFileInfo read_compare_info(const std::filesystem::path& file) {
  h5::Reader r(file);
  layout::require_format(r, file.string(), kCompareFileType, kCompareFormatMajor,
                         "comparison file");
  CompareFileInfo info;
  info.attributes = layout::root_attributes(r);
  const auto strings = [&](const std::string& object, const std::string& name) {
    const auto a = r.attribute(object, name);
    if (const auto* list = std::get_if<std::vector<std::string>>(&a)) return *list;
    throw UserError(fmt::format("'{}': the attribute {}@{} is not a list of names", file.string(),
                                object, name));
  };
  info.table.arms = strings("/", "arms");
  const auto replicates = r.attribute("/", "replicates");
  if (const auto* n = std::get_if<std::int64_t>(&replicates); n && *n > 0)
    info.table.replicates = static_cast<std::size_t>(*n);
  for (const auto& name : r.members("/series"))
    if (!r.is_group("/series/" + name) && name != "step" && name != "time_hours")
      info.series.push_back(name);
  info.n_steps = r.length("/series/time_hours");

  const std::size_t A = info.table.arms.size();
  for (const auto& name : strings("/summary", "outcomes")) {
    const std::string g = "/summary/" + name;
    const auto key = r.attribute(g, "key");
    if (const auto* k = std::get_if<std::int64_t>(&key); !k || *k == 0) continue;
    OutcomeRow row{name, layout::text(r.attribute(g, "units")), {}, {}};
    const auto column = [&](const std::string& d) {
      auto v = r.read_double(g + "/" + d);
      if (v.size() != A)
        throw UserError(
            fmt::format("'{}': {}/{} has {} values for {} arms", file.string(), g, d, v.size(), A));
      return v;
    };
    const auto counts = [&](const std::string& d) {
      auto v = r.read_int64(g + "/" + d);
      if (v.size() != A)
        throw UserError(
            fmt::format("'{}': {}/{} has {} values for {} arms", file.string(), g, d, v.size(), A));
      return v;
    };
    const auto mean = column("mean"), low = column("ci_low"), high = column("ci_high");
    const auto dmean = column("diff_mean"), dlow = column("diff_ci_low"),
               dhigh = column("diff_ci_high");
    const auto n = counts("n"), dn = counts("diff_n");
    for (std::size_t a = 0; a < A; ++a) {
      row.by_arm.push_back({mean[a], low[a], high[a], n[a]});
      row.diff.push_back({dmean[a], dlow[a], dhigh[a], dn[a]});
    }
    info.table.rows.push_back(std::move(row));
  }
  return info;
}

std::string read_filetype(const std::filesystem::path& file) {
  h5::Reader r(file);
  return layout::filetype(r);
}

}  // namespace civsim::io
