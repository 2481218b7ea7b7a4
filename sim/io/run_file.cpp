#include "io/run_file.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/key_outcomes.hpp"
#include "io/atomic_output.hpp"
#include "io/errors.hpp"
#include "io/file_layout.hpp"
#include "io/hdf5.hpp"

namespace civsim::io {

void write_run_file(const std::filesystem::path& out, const Scenario& scenario,
                    const NetworkStats& stats, const std::vector<std::uint64_t>& account_followers,
                    const SeriesRecorder& series, const RunSummary& summary, const Provenance& prov,
                    bool force) {
  AtomicOutput output(out, force);
  {
    h5::Writer w(output.temp(), h5::Writer::Backing::memory, out.string());
    layout::write_root(w, kRunFileType, kFormatMajor, kFormatMinor, prov, scenario);
    w.attribute("/", "replicate", static_cast<std::int64_t>(prov.replicate));
    w.attribute("/", "strategy", layout::government_strategies(scenario));
    layout::write_scenario(w, "/scenario", scenario);
    layout::write_network(w, stats);
    layout::write_accounts(w, scenario, stats, account_followers);

    w.group("/series");
    layout::write_time_axis(w, series.time_hours());
    for (const auto& spec : kSeries) {
      const std::string path = fmt::format("/series/{}", spec.name);
      w.dataset(path, series.column(spec.id));
      layout::describe(w, path, spec.units, spec.description);
    }
    // Per-region series: [step, region].
    w.group("/series/by_region");
    const std::size_t n_steps = series.records().size();
    const std::size_t n_regions = scenario.regions.size();
    const auto regional = region_series();
    for (std::size_t k = 0; k < regional.size(); ++k) {
      std::vector<double> values(n_steps * n_regions);
      for (std::size_t t = 0; t < n_steps; ++t)
        for (std::size_t r = 0; r < n_regions; ++r)
          values[t * n_regions + r] = series.records()[t].by_region.at(k * n_regions + r);
      const auto& spec = kSeries[series_index(regional[k])];
      const std::string path = fmt::format("/series/by_region/{}", spec.name);
      w.dataset(path, values, h5::Shape{n_steps, n_regions});
      layout::describe(w, path, spec.units, spec.description);
      w.attribute(path, "regions", layout::region_names(scenario));
    }

    // The run's scalars as attributes of /summary, their units and descriptions as the
    // attributes of the same name on /summary/units and /summary/descriptions.
    w.group("/summary");
    w.group("/summary/units");
    w.group("/summary/descriptions");
    for (const auto& s : run_scalars(series.records(), summary)) {
      w.attribute("/summary", s.value.name, s.value.value);
      w.attribute("/summary/units", s.value.name, s.value.units);
      w.attribute("/summary/descriptions", s.value.name, s.value.description);
    }
    w.dataset("/summary/cascade_size_hist", summary.cascade_size_hist);
    layout::describe(w, "/summary/cascade_size_hist", "posts",
                     "government posts whose reshare cascade had size in [2^b - 1, 2^(b+1) - 1) "
                     "reshares, for bin b (bin 0: no reshare)");
    w.dataset("/summary/cascade_depth_hist", summary.cascade_depth_hist);
    layout::describe(w, "/summary/cascade_depth_hist", "posts",
                     "government posts whose deepest reshare was d hops from the author, for "
                     "bin d");
    w.close();
  }
  output.commit();
}

RunFileInfo read_run_info(const std::filesystem::path& file) {
  h5::Reader r(file);
  layout::require_format(r, file.string(), kRunFileType, kFormatMajor, "run file");

  RunFileInfo info;
  info.attributes = layout::root_attributes(r);
  const auto read_series = [&](const std::string& group, std::vector<RunFileInfo::Series>& out) {
    for (const auto& name : r.members(group)) {
      const std::string path = group + "/" + name;
      if (r.is_group(path)) continue;
      out.push_back({name, layout::text(r.attribute(path, "units")),
                     layout::text(r.attribute(path, "description")), r.length(path)});
    }
  };
  read_series("/series", info.series);
  if (r.is_group("/series/by_region")) read_series("/series/by_region", info.by_region);
  if (r.exists("/summary")) {
    const bool has_units = r.is_group("/summary/units");
    const auto unit_names =
        has_units ? r.attribute_names("/summary/units") : std::vector<std::string>{};
    for (const auto& n : r.attribute_names("/summary")) {
      std::string value = layout::text(r.attribute("/summary", n));
      if (std::find(unit_names.begin(), unit_names.end(), n) != unit_names.end())
        value.append(" ").append(layout::text(r.attribute("/summary/units", n)));
      info.summary.emplace_back(n, value);
    }
  }
  return info;
}

}  // namespace civsim::io
