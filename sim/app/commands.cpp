#include "app/commands.hpp"

#include "app/calibrate_command.hpp"
#include "app/common.hpp"
#include "app/compare_command.hpp"
#include "app/network_commands.hpp"
#include "app/outcome_table.hpp"
#include "app/sweep_command.hpp"

#include <fmt/format.h>
#include <omp.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "core/generator.hpp"
#include "core/model_memory.hpp"
#include "core/simulation.hpp"
#include "io/build_info.hpp"
#include "io/compare_file.hpp"
#include "io/config.hpp"
#include "io/errors.hpp"
#include "io/resources.hpp"
#include "io/run_file.hpp"

namespace civsim::app {
namespace {

// Progress of a run, step by step, with the reach so far.
class StepProgress final : public Observer {
 public:
  StepProgress(std::int64_t total, bool quiet) : bar_(total, quiet, "step") {}
  void on_step(const StepRecord& r) override {
    bar_.update(r.step + 1, fmt::format("reach {}", r[Series::reach]));
  }

 private:
  ProgressBar bar_;
};

// Broadcasts a step to several observers.
class Tee final : public Observer {
 public:
  Tee(Observer& a, Observer& b) : a_(a), b_(b) {}
  void on_step(const StepRecord& r) override {
    a_.on_step(r);
    b_.on_step(r);
  }

 private:
  Observer &a_, &b_;
};

struct RunOptions {
  std::string scenario, output;
  std::vector<std::string> overrides;
  std::int64_t seed = -1;
  int threads = 0;
  bool force = false, quiet = false;
};

int cmd_run(const RunOptions& o, const std::string& command_line) {
  auto overrides = o.overrides;
  if (o.seed >= 0) overrides.push_back(fmt::format("seed={}", o.seed));
  Scenario scenario = io::load_scenario(o.scenario, overrides);
  io::check_output_path(o.output, o.force);
  if (o.threads > 0) omp_set_num_threads(o.threads);
  const int threads = omp_get_max_threads();

  const auto t0 = Clock::now();
  const BuiltNetwork built = build_network_logged(scenario, threads);
  const Network& network = built.network;
  const NetworkStats& stats = built.stats;
  const auto& account_followers = built.account_followers;
  const double network_seconds = built.seconds;

  Simulation sim(scenario, network);
  SeriesRecorder recorder;
  StepProgress progress(sim.n_steps(), o.quiet);
  Tee tee(recorder, progress);
  const auto t1 = Clock::now();
  run(sim, tee);
  const double sim_seconds = seconds_since(t1);

  auto prov = io::collect_provenance(command_line, scenario.seed, threads);
  prov.run_seconds = seconds_since(t0);
  io::write_run_file(o.output, scenario, stats, account_followers, recorder, sim.summary(), prov,
                     o.force);

  const auto& last = recorder.records().back();
  double impressions = 0, reshares = 0, posts = 0;
  for (const auto& r : recorder.records())
    impressions += r[Series::impressions], reshares += r[Series::reshares],
        posts += r[Series::posts];
  fmt::print("scenario     {} ({} steps of {})\n", scenario.name, sim.n_steps(),
             io::format_duration(scenario.time.step_hours));
  fmt::print("network      {} citizens, {} follow edges ({})\n", stats.citizens, stats.edges,
             io::generator_name(scenario.network.generator));
  for (std::size_t a = 0; a < scenario.accounts.size(); ++a) {
    const auto& acc = scenario.accounts[a];
    fmt::print("account      {} ({}{}), {} followers\n", acc.name, io::account_kind_name(acc.kind),
               acc.kind == AccountKind::government ? ", " + io::strategy_name(acc.strategy) : "",
               account_followers[a]);
  }
  fmt::print("posts        {}\n", posts);
  fmt::print("final reach  {} citizens ({:.1f}% of population)\n", last[Series::reach],
             100.0 * last[Series::reach] / static_cast<double>(stats.citizens));
  fmt::print("impressions  {}\n", impressions);
  fmt::print("reshares     {}\n", reshares);
  fmt::print("run time     {:.2f}s (network {:.2f}s, simulation {:.2f}s)\n", prov.run_seconds,
             network_seconds, sim_seconds);
  fmt::print("output       {}\n", o.output);
  return 0;
}

int cmd_validate(const std::string& file, const std::vector<std::string>& overrides, bool print) {
  const Scenario s = io::load_scenario(file, overrides);
  if (print) {
    fmt::print("{}", io::to_toml(s));
  } else {
    fmt::print(
        "{}: valid (scenario \"{}\", {} citizens, {} network, {} account(s), {} steps of {})\n"
        "memory: about {} to build the network, {} for the network and simulation state of one "
        "run; {} available\n",
        file, s.name, s.population, io::generator_name(s.network.generator), s.accounts.size(),
        s.steps(), io::format_duration(s.time.step_hours),
        io::format_bytes(estimate_network_bytes(s)),
        io::format_bytes(estimate_network_resident_bytes(s) + estimate_model_bytes(s)),
        io::format_bytes(io::available_memory_bytes()));
  }
  return 0;
}

int cmd_info_compare(const std::string& file) {
  const auto info = io::read_compare_info(file);
  std::size_t width = 16;
  for (const auto& [k, v] : info.attributes) width = std::max(width, k.size());
  fmt::print("{}\n\nprovenance\n", file);
  for (const auto& [k, v] : info.attributes) fmt::print("  {:<{}} {}\n", k, width, v);
  fmt::print(
      "\ncontents\n  {} series of {} arms x {} replicates x {} steps under /series (per-region "
      "ones under /series/by_region), per-step means, CIs and paired differences under /stats, "
      "per-run scalars and their table under /summary\n\n",
      info.series.size(), info.table.arms.size(), info.table.replicates, info.n_steps);
  fmt::print("{}", format_outcome_table(info.table));
  return 0;
}

int cmd_info(const std::string& file) {
  const ReadWatchdog watchdog(file);
  const std::string filetype = io::read_filetype(file);
  if (filetype == io::kCompareFileType) return cmd_info_compare(file);
  if (filetype != io::kRunFileType)
    throw io::UserError(fmt::format(
        "'{}' is not a civsim run file or comparison file (filetype \"{}\", expected \"{}\" or "
        "\"{}\")",
        file, filetype, io::kRunFileType, io::kCompareFileType));
  const auto info = io::read_run_info(file);
  std::size_t width = 16;
  for (const auto* list : {&info.series, &info.by_region})
    for (const auto& s : *list) width = std::max(width, s.name.size());
  for (const auto& [k, v] : info.summary) width = std::max(width, k.size());
  fmt::print("{}\n\nprovenance\n", file);
  for (const auto& [k, v] : info.attributes) fmt::print("  {:<{}} {}\n", k, width, v);
  const auto list = [&](const char* title, const std::vector<io::RunFileInfo::Series>& series) {
    if (series.empty()) return;
    fmt::print("\n{}\n", title);
    for (const auto& s : series)
      fmt::print("  {:<{}} {:>6} values  [{}] {}\n", s.name, width, s.length, s.units,
                 s.description);
  };
  list("series (per step)", info.series);
  list("series by region (per step and region)", info.by_region);
  if (!info.summary.empty()) {
    fmt::print("\nsummary\n");
    for (const auto& [k, v] : info.summary) fmt::print("  {:<{}} {}\n", k, width, v);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("civsim");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("[%H:%M:%S] %^%l%$: %v");

  CLI::App app{"civsim: agent-based simulation of government-citizen interaction on social media"};
  app.set_version_flag(
      "--version",
      fmt::format("civsim {} (git {}{}, {} build, {})", build_info::version, build_info::git_sha,
                  std::string(build_info::git_dirty) == "true" ? ", dirty" : "",
                  build_info::build_type, build_info::compiler));
  app.require_subcommand(1);
  app.footer(
      "Examples:\n"
      "  civsim run scenarios/default.toml -o results/default.h5\n"
      "  civsim compare scenarios/default.toml --replicates 5 -o results/default-compare.h5\n"
      "  civsim validate scenarios/default.toml\n"
      "  civsim info results/default.h5\n"
      "  civsim network stats scenarios/default.toml\n"
      "  civsim sweep run scenarios/sweeps/example.toml -o results/example-sweep.h5\n"
      "Exit codes: 0 success, 2 bad input (arguments, scenario, files), 1 internal error.");

  RunOptions ro;
  auto* run_cmd = app.add_subcommand("run", "Run a scenario and write an HDF5 run file");
  run_cmd->add_option("scenario", ro.scenario, "Scenario file (TOML)")->required();
  run_cmd->add_option("-o,--output", ro.output, "Run file to write (HDF5)")->required();
  run_cmd->add_option("--set", ro.overrides,
                      "Override a scenario key: key.path=value (repeatable)");
  run_cmd->add_option("--seed", ro.seed, "Master seed (overrides the scenario's seed)")
      ->check(CLI::NonNegativeNumber);
  run_cmd
      ->add_option("--threads", ro.threads,
                   "OpenMP threads (default: OMP_NUM_THREADS or all cores)")
      ->check(CLI::PositiveNumber);
  run_cmd->add_flag("--force", ro.force, "Overwrite an existing output file");
  run_cmd->add_flag("-q,--quiet", ro.quiet, "No progress output");
  run_cmd->footer(
      "Example:\n  civsim run scenarios/default.toml -o results/p02.h5 "
      "--set diffusion.reshare_probability=0.02 --seed 7");

  std::string validate_file;
  std::vector<std::string> validate_overrides;
  bool validate_print = false;
  auto* val_cmd = app.add_subcommand("validate", "Check a scenario file without running it");
  val_cmd->add_option("scenario", validate_file, "Scenario file (TOML)")->required();
  val_cmd->add_option("--set", validate_overrides, "Override a scenario key: key.path=value");
  val_cmd->add_flag("--print", validate_print, "Print the resolved scenario (all keys) as TOML");
  val_cmd->footer("Example:\n  civsim validate scenarios/default.toml --print");

  std::string info_file;
  auto* info_cmd = app.add_subcommand(
      "info", "Show provenance and contents of a run file, or the summary table of a comparison");
  info_cmd->add_option("file", info_file, "Run file or comparison file (HDF5)")->required();
  info_cmd->footer(
      "Examples:\n  civsim info results/default.h5\n  civsim info results/default-compare.h5");

  bool schema_markdown = false;
  auto* schema_cmd =
      app.add_subcommand("schema", "List every scenario key with default, unit and valid values");
  schema_cmd->add_flag("--markdown", schema_markdown, "As a Markdown table");
  schema_cmd->footer("Example:\n  civsim schema");

  CompareCommand compare_cmd(app);
  CalibrateCommand calibrate_cmd(app);
  NetworkCommands network_cmds(app);
  SweepCommand sweep_cmd(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  try {
    if (*run_cmd) return cmd_run(ro, join_command_line(argc, argv));
    if (compare_cmd.chosen()) return compare_cmd.run(join_command_line(argc, argv));
    if (calibrate_cmd.chosen()) return calibrate_cmd.run(join_command_line(argc, argv));
    if (*val_cmd) return cmd_validate(validate_file, validate_overrides, validate_print);
    if (*info_cmd) return cmd_info(info_file);
    if (network_cmds.chosen()) return network_cmds.run();
    if (sweep_cmd.chosen()) return sweep_cmd.run(join_command_line(argc, argv));
    if (*schema_cmd) {
      if (schema_markdown) {
        fmt::print("{}", io::schema_markdown());
      } else {
        for (const auto& k : io::scenario_schema())
          fmt::print("{:<32} default {:<22} {}{}\n    {}\n", k.path, k.default_value, k.valid,
                     k.unit.empty() ? "" : " (" + k.unit + ")", k.description);
      }
      return 0;
    }
  } catch (const io::UserError& e) {
    fmt::print(stderr, "civsim: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    spdlog::critical("internal error: {}", e.what());
    return 1;
  }
  return 0;
}

}  // namespace civsim::app
