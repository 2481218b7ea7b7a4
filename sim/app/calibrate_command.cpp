#include "app/calibrate_command.hpp"

#include <fmt/format.h>
#include <omp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "app/common.hpp"
#include "core/calibration.hpp"
#include "core/compare.hpp"
#include "core/key_outcomes.hpp"
#include "core/nelder_mead.hpp"
#include "core/simulation.hpp"
#include "io/build_info.hpp"
#include "io/calibration_file.hpp"
#include "io/config.hpp"
#include "io/errors.hpp"
#include "io/experiment.hpp"
#include "io/provenance.hpp"
#include "io/targets_file.hpp"

namespace civsim::app {
namespace {

// Defaults of the options that the targets file's [calibration] section may also set.
constexpr int kDefaultReplicates = 3;
constexpr int kDefaultMaxEvaluations = 150;
// Fitted values are written with this many significant digits (and checked as written).
constexpr int kFittedDigits = 4;

std::vector<std::string> split_list(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    out.push_back(item);
  }
  return out;
}

std::string number_text(double v) {
  return fmt::format("{}", v);
}

std::vector<std::string> overrides_for(const std::vector<FreeParameter>& params,
                                       const std::vector<double>& values) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < params.size(); ++i)
    for (std::size_t j = 0; j < params[i].keys.size(); ++j)
      out.push_back(fmt::format("{}={}", params[i].keys[j],
                                number_text(values[i] * params[i].factors.at(j))));
  return out;
}

std::string percent(double x) {
  return std::isfinite(x) ? fmt::format("{:+.1f}%", 100.0 * x) : "n/a";
}

// The scalars a run has (key outcomes and the model's summary scalars), by name: from a
// simulation that has not run a step, which is enough to learn the names.
std::set<std::string> scalar_names(const Scenario& s, const Network& network) {
  const Simulation sim(s, network);
  std::set<std::string> out;
  for (const auto& x : run_scalars({}, sim.summary())) out.insert(x.value.name);
  return out;
}

// The leading comment block of a file (its header), without the trailing blank lines.
std::vector<std::string> leading_comments(const std::string& file) {
  std::ifstream in(file);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first != std::string::npos && line[first] != '#') break;
    out.push_back(first == std::string::npos ? "#" : line.substr(first));
  }
  while (!out.empty() && out.back() == "#") out.pop_back();
  return out;
}

struct Table {
  std::vector<std::vector<std::string>> rows;
  std::string format(const std::string& prefix) const {
    std::vector<std::size_t> width;
    for (const auto& r : rows)
      for (std::size_t c = 0; c < r.size(); ++c) {
        if (width.size() <= c) width.push_back(0);
        width[c] = std::max(width[c], r[c].size());
      }
    std::string out;
    for (const auto& r : rows) {
      std::string line = prefix;
      for (std::size_t c = 0; c < r.size(); ++c)
        line += fmt::format("{:<{}}", r[c], c + 1 < r.size() ? width[c] + 2 : 0);
      line.erase(line.find_last_not_of(' ') + 1);
      out += line + "\n";
    }
    return out;
  }
};

std::string parameter_table(const io::CalibrationRecord& rec, const std::string& prefix) {
  Table t;
  t.rows.push_back({"parameter", "fitted", "start", "bounds", "keys"});
  for (std::size_t i = 0; i < rec.params.size(); ++i) {
    const auto& p = rec.params[i];
    const std::string keys = describe_keys(p);
    t.rows.push_back(
        {p.name, number_text(rec.fitted_values[i]), number_text(*p.start),
         fmt::format("[{}, {}]{}", number_text(p.bounds.lower), number_text(p.bounds.upper),
                     p.bounds.scale == ParameterScale::log ? " log" : ""),
         keys});
  }
  return t.format(prefix);
}

std::string target_table(const io::CalibrationRecord& rec, const std::string& prefix) {
  Table t;
  t.rows.push_back({"target", "value", "simulated", "error", "tolerance", "", "statistic"});
  const auto& last = rec.evaluations.back();
  for (std::size_t k = 0; k < rec.targets.size(); ++k) {
    const auto& target = rec.targets[k];
    const double e = relative_error(last.simulated[k], target.value);
    t.rows.push_back(
        {target.name, number_text(target.value), fmt::format("{:.6g}", last.simulated[k]),
         percent(e), fmt::format("{:g}%", 100 * target.tolerance),
         std::abs(e) <= target.tolerance ? "within" : "OUTSIDE", target.statistic.text()});
  }
  return t.format(prefix);
}

std::size_t within_tolerance(const io::CalibrationRecord& rec) {
  std::size_t n = 0;
  for (std::size_t k = 0; k < rec.targets.size(); ++k)
    if (std::abs(relative_error(rec.evaluations.back().simulated[k], rec.targets[k].value)) <=
        rec.targets[k].tolerance)
      ++n;
  return n;
}

std::string header(const io::CalibrationRecord& rec, const io::Provenance& prov,
                   const std::string& log_file, std::uint64_t seed) {
  std::string h;
  const auto line = [&](const std::string& text) {
    h += text.empty() ? "#\n" : "# " + text + "\n";
  };
  line(fmt::format("Fitted by `civsim calibrate` (civsim {}, git {}{}) on {}.", prov.civsim_version,
                   prov.git_sha, prov.git_dirty == "true" ? ", dirty" : "", prov.created));
  line("The fitted values below are the calibration's output: rerun it rather than edit them.");
  line(fmt::format("command: {}", prov.command_line));
  line(fmt::format("scenario: {}{}; targets: {}; log: {}", rec.scenario_file,
                   rec.arm.empty() ? "" : fmt::format(" (arm \"{}\")", rec.arm), rec.targets_file,
                   log_file));
  line(fmt::format(
      "method: Nelder-Mead on logit-transformed bounds, common random numbers (replicates 0..{} "
      "of seed {} at every evaluation); {} evaluations, {}",
      rec.replicates - 1, seed, rec.evaluations.size(), rec.result.stop_reason));
  line(
      fmt::format("distance at the fitted values: {:.6g} (sum of weight x squared relative error; "
                  "docs/calibration.md); {} of {} targets within tolerance",
                  rec.evaluations.back().distance, within_tolerance(rec), rec.targets.size()));
  line("");
  std::istringstream params(parameter_table(rec, ""));
  for (std::string l; std::getline(params, l);) line(l);
  line("");
  std::istringstream targets(target_table(rec, ""));
  for (std::string l; std::getline(targets, l);) line(l);
  const auto original = leading_comments(rec.scenario_file);
  if (!original.empty()) {
    line("");
    line(fmt::format("---- the header of {} ----", rec.scenario_file));
    for (const auto& l : original) h += l + "\n";
  }
  return h + "\n";
}

}  // namespace

CalibrateCommand::CalibrateCommand(CLI::App& app) {
  command_ = app.add_subcommand(
      "calibrate",
      "Fit free scenario parameters to target statistics (Nelder-Mead on common random numbers)");
  command_->add_option("scenario", scenario_, "Scenario file (TOML)")->required();
  command_->add_option("--targets", targets_, "Targets file (TOML; docs/calibration.md)")
      ->required();
  command_->add_option("-o,--output", output_, "Fitted scenario to write (TOML)")->required();
  command_->add_option("--params", params_,
                       "Comma-separated free parameters, named as in the targets file's "
                       "[params.NAME] (default: all of them)");
  command_->add_option("--log", log_,
                       "Calibration log to write (HDF5; default: the output with the extension "
                       ".calibration.h5)");
  command_->add_option("--replicates", replicates_,
                       "Replicates per evaluation (default: the targets file's, else 3)");
  command_->add_option("--max-evals", max_evaluations_,
                       "Evaluation budget (default: the targets file's, else 150)");
  command_->add_option("--arm", arm_,
                       "Calibrate this arm of the scenario (default: the scenario as written)");
  command_->add_option("--set", overrides_, "Override a scenario key: key.path=value (repeatable)");
  command_->add_option("--seed", seed_, "Master seed (overrides the scenario's seed)")
      ->check(CLI::NonNegativeNumber);
  command_
      ->add_option("--threads", threads_, "OpenMP threads (default: OMP_NUM_THREADS or all cores)")
      ->check(CLI::PositiveNumber);
  command_->add_flag("--force", force_, "Overwrite existing output files");
  command_->add_flag("-q,--quiet", quiet_, "No progress output");
  command_->footer(
      "Example:\n  civsim calibrate scenarios/report/timmermans-facebook.toml "
      "--targets scenarios/report/timmermans-targets.toml -o results/timmermans-fitted.toml");
}

int CalibrateCommand::run(const std::string& command_line) const {
  io::TargetsFile tf = io::read_targets_file(targets_);
  const auto& settings = tf.settings;
  const int replicates =
      replicates_ != 0 ? replicates_ : settings.replicates.value_or(kDefaultReplicates);
  const int max_evaluations = max_evaluations_ != 0
                                  ? max_evaluations_
                                  : settings.max_evaluations.value_or(kDefaultMaxEvaluations);
  if (replicates < 1)
    throw io::UserError(fmt::format("--replicates must be at least 1 (got {})", replicates));
  if (max_evaluations < 1)
    throw io::UserError(fmt::format("--max-evals must be at least 1 (got {})", max_evaluations));
  NelderMeadOptions options;
  options.max_evaluations = max_evaluations;
  options.x_tolerance = settings.x_tolerance.value_or(1e-3);
  options.f_tolerance = settings.f_tolerance.value_or(1e-6);
  options.initial_step = settings.initial_step.value_or(0.5);
  options.restarts = settings.restarts.value_or(1);
  const std::string arm = !arm_.empty() ? arm_ : settings.arm.value_or("");

  // The free parameters: those named by --params, in that order, else every one in the file.
  std::vector<FreeParameter> params;
  std::vector<std::string> param_where;
  if (params_.empty()) {
    params = tf.params;
    param_where = tf.param_locations;
  } else {
    for (const auto& name : split_list(params_)) {
      const auto it = std::find_if(tf.params.begin(), tf.params.end(),
                                   [&](const FreeParameter& p) { return p.name == name; });
      if (it == tf.params.end()) {
        std::string valid;
        for (const auto& p : tf.params) valid += (valid.empty() ? "" : ", ") + p.name;
        throw io::UserError(fmt::format("--params: '{}' is not a parameter of {}; valid: {}", name,
                                        targets_, valid));
      }
      if (std::any_of(params.begin(), params.end(),
                      [&](const FreeParameter& p) { return p.name == name; }))
        throw io::UserError(fmt::format("--params: '{}' is given twice", name));
      params.push_back(*it);
      param_where.push_back(tf.param_locations[static_cast<std::size_t>(it - tf.params.begin())]);
    }
  }

  auto overrides = overrides_;
  if (seed_ >= 0) overrides.push_back(fmt::format("seed={}", seed_));
  Scenario base = io::load_scenario(scenario_, overrides);
  Scenario run_base = arm.empty() ? base : io::arm_scenario(base, arm, scenario_);
  run_base.arms.clear();
  const std::string run_text = io::to_toml(run_base);
  const std::string shared = io::network_part(run_base, true);
  const auto scenario_at = [&](const std::vector<FreeParameter>& ps,
                               const std::vector<double>& values) {
    return io::parse_scenario(run_text, scenario_, overrides_for(ps, values));
  };

  // Every parameter: keys that exist and take a number at both bounds, do not touch the network,
  // and a start strictly inside the bounds.
  for (std::size_t i = 0; i < params.size(); ++i) {
    auto& p = params[i];
    if (p.factors.size() != p.keys.size()) p.factors.assign(p.keys.size(), 1.0);
    for (std::size_t j = 0; j < p.keys.size(); ++j) {
      const std::string& key = p.keys[j];
      for (const double bound : {p.bounds.lower, p.bounds.upper}) {
        const double v = bound * p.factors[j];
        Scenario s;
        try {
          s = io::parse_scenario(run_text, scenario_, {fmt::format("{}={}", key, number_text(v))});
        } catch (const io::ConfigError& e) {
          throw io::ConfigError(
              param_where[i], key,
              fmt::format("params.\"{}\": the scenario key '{}' cannot take the "
                          "value {} (at the bound {}): {}",
                          p.name, key, number_text(v), number_text(bound), e.what()));
        }
        if (io::network_part(s, true) != shared)
          throw io::ConfigError(
              param_where[i], key,
              fmt::format("params.\"{}\": '{}' changes the follower network or the time axis; "
                          "calibration runs every evaluation on one network (common random "
                          "numbers), so fit behavioural keys only",
                          p.name, key));
      }
    }
    if (!p.start) {
      auto current = io::scenario_number(run_base, p.keys.front());
      if (current) *current /= p.factors.front();
      if (!current)
        throw io::ConfigError(param_where[i], p.keys.front(),
                              fmt::format("params.\"{}\": the scenario has no numeric value for "
                                          "'{}'; give a start value",
                                          p.name, p.keys.front()));
      if (!(*current > p.bounds.lower && *current < p.bounds.upper))
        throw io::ConfigError(
            param_where[i], p.keys.front(),
            fmt::format("params.\"{}\": the scenario's value {} = {} is not strictly inside the "
                        "bounds [{}, {}]; set params.\"{}\".start",
                        p.name, p.keys.front(), number_text(*current), number_text(p.bounds.lower),
                        number_text(p.bounds.upper), p.name));
      p.start = *current;
    }
  }

  const std::string log_file = !log_.empty() ? log_ : [&] {
    std::string out = output_;
    if (out.size() > 5 && out.ends_with(".toml")) out.resize(out.size() - 5);
    return out + ".calibration.h5";
  }();
  if (std::filesystem::weakly_canonical(log_file) == std::filesystem::weakly_canonical(output_))
    throw io::UserError("--log and --output name the same file");
  io::check_output_path(output_, force_);
  io::check_output_path(log_file, force_);
  if (threads_ > 0) omp_set_num_threads(threads_);
  const int threads = omp_get_max_threads();

  const auto t0 = Clock::now();
  Scenario network_scenario = run_base;
  const BuiltNetwork built = build_network_logged(network_scenario, threads);

  // Every name a statistic uses must be a scalar of the run.
  const auto names = scalar_names(network_scenario, built.network);
  for (std::size_t k = 0; k < tf.targets.size(); ++k)
    for (const auto& name : tf.targets[k].statistic.names())
      if (!names.contains(name)) {
        std::string valid;
        for (const auto& n : names) valid += (valid.empty() ? "" : ", ") + n;
        throw io::ConfigError(tf.target_locations[k],
                              "targets." + tf.targets[k].name + ".statistic",
                              fmt::format("targets.{}.statistic: unknown scalar '{}'; valid: {}",
                                          tf.targets[k].name, name, valid));
      }

  io::CalibrationRecord rec;
  rec.scenario_file = scenario_;
  rec.targets_file = targets_;
  rec.targets_text = tf.text;
  rec.fitted_file = output_;
  rec.arm = arm;
  rec.base = base;
  rec.targets = tf.targets;
  rec.target_notes = tf.target_notes;
  rec.params = params;
  rec.replicates = replicates;
  rec.options = options;

  const auto evaluate = [&](const std::vector<double>& values, const std::vector<double>& search,
                            bool final) {
    const auto t = Clock::now();
    Scenario s = scenario_at(params, values);
    s.population = network_scenario.population;  // as the network fixed it (edge lists)
    const Comparison c = compare_arms({{"fit", s}}, built.network, replicates);
    std::vector<std::map<std::string, double>> runs(static_cast<std::size_t>(replicates));
    for (const auto& scalar : c.scalars)
      for (std::size_t r = 0; r < runs.size(); ++r) runs[r][scalar.info.name] = scalar.values[r];
    io::CalibrationEvaluation e;
    e.parameters = values;
    e.search = search;
    e.simulated = simulate_targets(tf.targets, runs, &e.replicates);
    e.distance = calibration_distance(tf.targets, e.simulated);
    e.seconds = seconds_since(t);
    e.final = final;
    if (!quiet_) {
      std::string ps, ts;
      for (std::size_t i = 0; i < params.size(); ++i)
        ps += fmt::format(" {}={:.4g}", params[i].name, values[i]);
      for (std::size_t k = 0; k < tf.targets.size(); ++k)
        ts += fmt::format(" {}={:.4g} ({})", tf.targets[k].name, e.simulated[k],
                          percent(relative_error(e.simulated[k], tf.targets[k].value)));
      spdlog::info("{} {:>3}: distance {:.4g} |{} |{} ({:.1f}s)", final ? "final" : "eval ",
                   rec.evaluations.size() + 1, e.distance, ps, ts, e.seconds);
    }
    rec.evaluations.push_back(std::move(e));
    return rec.evaluations.back().distance;
  };

  std::vector<double> y0;
  for (const auto& p : params) y0.push_back(to_search(*p.start, p.bounds));
  if (!quiet_)
    spdlog::info(
        "calibrating {} parameter{} to {} target{}: Nelder-Mead, {} replicate{} per "
        "evaluation, at most {} evaluations",
        params.size(), params.size() == 1 ? "" : "s", tf.targets.size(),
        tf.targets.size() == 1 ? "" : "s", replicates, replicates == 1 ? "" : "s", max_evaluations);
  rec.result = nelder_mead(
      [&](const std::vector<double>& y) {
        std::vector<double> x;
        for (std::size_t i = 0; i < params.size(); ++i)
          x.push_back(from_search(y[i], params[i].bounds));
        return evaluate(x, y, false);
      },
      y0, options);

  // The fitted values as they will be written (rounded), checked once more: the table and the
  // log's final evaluation describe exactly the file.
  for (std::size_t i = 0; i < params.size(); ++i) {
    const auto& b = params[i].bounds;
    double v = round_significant(from_search(rec.result.x[i], b), kFittedDigits);
    rec.fitted_values.push_back(std::clamp(v, b.lower, b.upper));
  }
  evaluate(rec.fitted_values, rec.result.x, true);
  rec.fitted =
      io::parse_scenario(io::to_toml(base), scenario_, overrides_for(params, rec.fitted_values));

  auto prov = io::collect_provenance(command_line, base.seed, threads);
  prov.run_seconds = seconds_since(t0);
  io::write_fitted_scenario(output_, header(rec, prov, log_file, base.seed), rec.fitted, force_);
  io::write_calibration_file(log_file, rec, built.stats, built.account_followers, prov, force_);

  fmt::print("scenario     {}{} ({} citizens)\n", scenario_,
             arm.empty() ? "" : fmt::format(" (arm \"{}\")", arm), built.stats.citizens);
  fmt::print("method       Nelder-Mead, {} replicates per evaluation (common random numbers)\n",
             replicates);
  fmt::print("evaluations  {} ({}; {} iterations, {} restart{})\n\n", rec.evaluations.size(),
             rec.result.stop_reason, rec.result.iterations, rec.result.restarts,
             rec.result.restarts == 1 ? "" : "s");
  fmt::print("{}\n{}\n", parameter_table(rec, ""), target_table(rec, ""));
  fmt::print("distance     {:.6g} at the fitted values; {} of {} targets within tolerance\n",
             rec.evaluations.back().distance, within_tolerance(rec), rec.targets.size());
  fmt::print("run time     {:.1f}s (network {:.1f}s)\n", prov.run_seconds, built.seconds);
  fmt::print("fitted       {}\nlog          {}\n", output_, log_file);
  return 0;
}

}  // namespace civsim::app
