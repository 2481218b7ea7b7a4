#include "io/calibration_file.hpp"

#include <fmt/format.h>

#include <fstream>

#include "core/statistics.hpp"
#include "io/atomic_output.hpp"
#include "io/config.hpp"
#include "io/errors.hpp"
#include "io/file_layout.hpp"
#include "io/hdf5.hpp"

namespace civsim::io {
namespace {

const char* scale_name(ParameterScale s) {
  return s == ParameterScale::log ? "log" : "linear";
}

void write_parameters(h5::Writer& w, const CalibrationRecord& r) {
  w.group("/parameters");
  std::vector<std::string> names, keys, scales;
  std::vector<double> lower, upper, start;
  for (const auto& p : r.params) {
    names.push_back(p.name);
    keys.push_back(describe_keys(p));
    scales.push_back(scale_name(p.bounds.scale));
    lower.push_back(p.bounds.lower);
    upper.push_back(p.bounds.upper);
    start.push_back(p.start.value_or(Estimate::nan));
  }
  w.attribute("/parameters", "names", names);
  w.string_dataset("/parameters/keys", keys);
  w.attribute(
      "/parameters/keys", "description",
      std::string("scenario keys each parameter sets, comma-separated; \"key x10\": the key is "
                  "set to 10 times the parameter"));
  w.string_dataset("/parameters/scale", scales);
  w.attribute("/parameters/scale", "description",
              std::string("search transform: linear (logit of the position in the bounds) or log "
                          "(logit of the position of the logarithm)"));
  const auto column = [&](const char* name, const std::vector<double>& v, const char* what) {
    const std::string path = fmt::format("/parameters/{}", name);
    w.dataset(path, v);
    w.attribute(path, "description", std::string(what));
  };
  column("lower", lower, "lower bound");
  column("upper", upper, "upper bound");
  column("start", start, "start value of the search");
  column("fitted", r.fitted_values, "fitted value, as written to the fitted scenario");
}

void write_targets(h5::Writer& w, const CalibrationRecord& r) {
  w.group("/targets");
  std::vector<std::string> names, statistics;
  std::vector<double> value, tolerance, weight, simulated, error, low, high;
  const CalibrationEvaluation& last = r.evaluations.back();
  for (std::size_t k = 0; k < r.targets.size(); ++k) {
    const auto& t = r.targets[k];
    names.push_back(t.name);
    statistics.push_back(t.statistic.text());
    value.push_back(t.value);
    tolerance.push_back(t.tolerance);
    weight.push_back(t.weight);
    simulated.push_back(last.simulated[k]);
    error.push_back(relative_error(last.simulated[k], t.value));
    std::vector<double> per_rep;
    for (const auto& rep : last.replicates) per_rep.push_back(rep[k]);
    const Estimate e = estimate(per_rep);
    low.push_back(e.ci_low());
    high.push_back(e.ci_high());
  }
  w.attribute("/targets", "names", names);
  w.string_dataset("/targets/statistic", statistics);
  w.attribute("/targets/statistic", "description",
              std::string("expression over a run's scalars, computed per replicate"));
  w.string_dataset("/targets/source", r.target_notes);
  w.attribute("/targets/source", "description",
              std::string("where the target value comes from (the targets file's note)"));
  const auto column = [&](const char* name, const std::vector<double>& v, const char* what) {
    const std::string path = fmt::format("/targets/{}", name);
    w.dataset(path, v);
    w.attribute(path, "description", std::string(what));
  };
  column("value", value, "target value");
  column("tolerance", tolerance, "relative tolerance: |simulated / value - 1| at most this");
  column("weight", weight, "weight in the distance");
  column("simulated", simulated, "mean over replicates at the fitted values");
  column("relative_error", error, "(simulated - value) / value at the fitted values");
  column("ci_low", low, "lower bound of the 95% CI of the mean over replicates (fitted values)");
  column("ci_high", high, "upper bound of the 95% CI of the mean over replicates (fitted values)");
}

void write_evaluations(h5::Writer& w, const CalibrationRecord& r) {
  const std::uint64_t E = r.evaluations.size(), P = r.params.size(), K = r.targets.size(),
                      R = static_cast<std::uint64_t>(r.replicates);
  std::vector<double> params, search, simulated, reps, distance, seconds;
  std::vector<std::int64_t> final;
  for (const auto& e : r.evaluations) {
    params.insert(params.end(), e.parameters.begin(), e.parameters.end());
    search.insert(search.end(), e.search.begin(), e.search.end());
    simulated.insert(simulated.end(), e.simulated.begin(), e.simulated.end());
    for (const auto& rep : e.replicates) reps.insert(reps.end(), rep.begin(), rep.end());
    distance.push_back(e.distance);
    seconds.push_back(e.seconds);
    final.push_back(e.final ? 1 : 0);
  }
  w.group("/evaluations");
  const auto describe = [&](const std::string& path, const char* units, const char* what) {
    layout::describe(w, path, units, what);
  };
  w.dataset("/evaluations/parameters", params, h5::Shape{E, P});
  describe("/evaluations/parameters", "parameter units", "[evaluation, parameter] values tried");
  w.dataset("/evaluations/search", search, h5::Shape{E, P});
  describe("/evaluations/search", "-",
           "[evaluation, parameter] the optimiser's unconstrained coordinates (logit transform)");
  w.dataset("/evaluations/simulated", simulated, h5::Shape{E, K});
  describe("/evaluations/simulated", "target units",
           "[evaluation, target] simulated value, mean over replicates");
  w.dataset("/evaluations/replicates", reps, h5::Shape{E, R, K});
  describe("/evaluations/replicates", "target units",
           "[evaluation, replicate, target] simulated value of each replicate");
  w.dataset("/evaluations/distance", distance);
  describe("/evaluations/distance", "-", "sum of weight x relative error squared over targets");
  w.dataset("/evaluations/seconds", seconds);
  describe("/evaluations/seconds", "seconds", "wall time of the evaluation");
  w.dataset("/evaluations/final", final);
  describe("/evaluations/final", "-",
           "1 for the check at the fitted values as written (rounded), 0 for the search");
}

}  // namespace

void write_calibration_file(const std::filesystem::path& out, const CalibrationRecord& r,
                            const NetworkStats& stats,
                            const std::vector<std::uint64_t>& account_followers,
                            const Provenance& prov, bool force) {
  AtomicOutput output(out, force);
  {
    h5::Writer w(output.temp(), h5::Writer::Backing::memory, out.string());
    layout::write_root(w, kCalibrationFileType, kCalibrationFormatMajor, kCalibrationFormatMinor,
                       prov, r.base);
    const auto text = [&](const char* name, const std::string& v) { w.attribute("/", name, v); };
    const auto integer = [&](const char* name, std::int64_t v) { w.attribute("/", name, v); };
    const auto real = [&](const char* name, double v) { w.attribute("/", name, v); };
    text("scenario_file", r.scenario_file);
    text("targets_file", r.targets_file);
    text("fitted_scenario_file", r.fitted_file);
    text("arm", r.arm);
    text("method", "nelder-mead");
    text("distance",
         "sum over targets of weight * ((simulated - target) / target)^2, simulated = mean over "
         "replicates of the per-replicate statistic; common random numbers (replicates "
         "0..R-1 at every evaluation)");
    integer("replicates", r.replicates);
    integer("evaluations", static_cast<std::int64_t>(r.evaluations.size()));
    integer("max_evaluations", r.options.max_evaluations);
    real("x_tolerance", r.options.x_tolerance);
    real("f_tolerance", r.options.f_tolerance);
    real("initial_step", r.options.initial_step);
    integer("max_restarts", r.options.restarts);
    integer("iterations", r.result.iterations);
    integer("restarts", r.result.restarts);
    integer("converged", r.result.converged ? 1 : 0);
    text("stop_reason", r.result.stop_reason);
    real("search_distance", r.result.value);
    real("final_distance", r.evaluations.back().distance);
    layout::write_scenario(w, "/scenario", r.base);
    layout::write_scenario(w, "/fitted_scenario", r.fitted);
    w.text_dataset("/targets_file", r.targets_text);
    w.attribute("/targets_file", "description", std::string("the targets file, as read"));
    layout::write_network(w, stats);
    layout::write_accounts(w, r.base, stats, account_followers);
    write_parameters(w, r);
    write_targets(w, r);
    write_evaluations(w, r);
    w.close();
  }
  output.commit();
}

void write_fitted_scenario(const std::filesystem::path& out, const std::string& header,
                           const Scenario& fitted, bool force) {
  AtomicOutput output(out, force);
  {
    std::ofstream file(output.temp(), std::ios::binary);
    file << header << to_toml(fitted);
    file.close();
    if (!file)
      throw UserError(
          fmt::format("cannot write the fitted scenario '{}' (disk full?)", out.string()));
  }
  output.commit();
}

}  // namespace civsim::io
