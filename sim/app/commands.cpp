#include "app/commands.hpp"

#include "app/network_commands.hpp"

#include <fmt/format.h>
#include <omp.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "core/generator.hpp"
#include "core/network_stats.hpp"
#include "core/simulation.hpp"
#include "io/build_info.hpp"
#include "io/config.hpp"
#include "io/errors.hpp"
#include "io/network_file.hpp"
#include "io/resources.hpp"
#include "io/run_file.hpp"

namespace civsim::app {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Shows progress on stderr: a redrawn bar with ETA on a terminal, a log line every few seconds
// otherwise (batch jobs, pipes), nothing when quiet.
class Progress final : public Observer {
 public:
  Progress(std::int64_t total, bool quiet)
      : total_(total), quiet_(quiet), tty_(isatty(STDERR_FILENO) != 0), start_(Clock::now()) {}

  void on_step(const StepRecord& r) override {
    if (quiet_) return;
    const std::int64_t done = r.step + 1;
    const double elapsed = seconds_since(start_);
    const double eta =
        done > 0 ? elapsed * static_cast<double>(total_ - done) / static_cast<double>(done) : 0.0;
    if (tty_) {
      if (done != total_ && seconds_since(last_) < 0.1) return;
      last_ = Clock::now();
      constexpr int width = 30;
      const int filled = static_cast<int>(width * done / total_);
      fmt::print(stderr, "\r[{:=<{}}{: <{}}] {:3d}% step {}/{} reach {} ETA {:.0f}s ", "", filled,
                 "", width - filled, static_cast<int>(100 * done / total_), done, total_,
                 r[Series::reach], eta);
      if (done == total_) fmt::print(stderr, "\n");
    } else if (seconds_since(last_) >= 5.0 || done == total_) {
      last_ = Clock::now();
      spdlog::info("step {}/{} ({:.0f}%), reach {}, ETA {:.0f}s", done, total_,
                   100.0 * static_cast<double>(done) / static_cast<double>(total_),
                   r[Series::reach], eta);
    }
  }

 private:
  std::int64_t total_;
  bool quiet_, tty_;
  Clock::time_point start_, last_{};
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

std::string join_command_line(int argc, char** argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool quote = arg.empty() || arg.find_first_of(" \t\"'$\\") != std::string::npos;
    out += (i ? " " : "") + (quote ? "'" + arg + "'" : arg);
  }
  return out;
}

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
  for (const auto& acc : scenario.accounts)
    if (acc.kind == AccountKind::government && acc.strategy != Strategy::broadcast)
      spdlog::warn(
          "account \"{}\": strategy \"{}\" is accepted but not modelled yet: it "
          "behaves like \"broadcast\"",
          acc.name, io::strategy_name(acc.strategy));

  const auto t0 = Clock::now();
  if (scenario.network.generator == NetworkGenerator::edge_list)
    spdlog::info("reading network from {} ({} thread{})", scenario.network.file, threads,
                 threads == 1 ? "" : "s");
  else
    spdlog::info("building {} network: {} citizens, {} mean followees ({} thread{})",
                 io::generator_name(scenario.network.generator), scenario.population,
                 scenario.network.mean_followees, threads, threads == 1 ? "" : "s");
  const Network network = io::build_network(scenario);
  const NetworkStats stats = compute_stats(network, {.seed = scenario.seed});
  const double network_seconds = seconds_since(t0);
  spdlog::info("network: {} nodes, {} edges, built in {:.2f}s", stats.nodes, stats.edges,
               network_seconds);
  std::vector<std::uint64_t> account_followers;
  for (std::size_t a = 0; a < scenario.accounts.size(); ++a)
    account_followers.push_back(
        network.follower_count(static_cast<NodeId>(network.n_citizens() + a)));

  Simulation sim(scenario, network);
  SeriesRecorder recorder;
  Progress progress(sim.n_steps(), o.quiet);
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
        "memory: about {} for the network; {} available\n",
        file, s.name, s.population, io::generator_name(s.network.generator), s.accounts.size(),
        s.steps(), io::format_duration(s.time.step_hours),
        io::format_bytes(estimate_network_bytes(s)),
        io::format_bytes(io::available_memory_bytes()));
  }
  return 0;
}

int cmd_info(const std::string& file) {
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
      "  civsim validate scenarios/default.toml\n"
      "  civsim info results/default.h5\n"
      "  civsim network stats scenarios/default.toml\n"
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
  auto* info_cmd = app.add_subcommand("info", "Show provenance and series of a run file");
  info_cmd->add_option("file", info_file, "Run file (HDF5)")->required();
  info_cmd->footer("Example:\n  civsim info results/default.h5");

  bool schema_markdown = false;
  auto* schema_cmd =
      app.add_subcommand("schema", "List every scenario key with default, unit and valid values");
  schema_cmd->add_flag("--markdown", schema_markdown, "As a Markdown table");
  schema_cmd->footer("Example:\n  civsim schema");

  NetworkCommands network_cmds(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  try {
    if (*run_cmd) return cmd_run(ro, join_command_line(argc, argv));
    if (*val_cmd) return cmd_validate(validate_file, validate_overrides, validate_print);
    if (*info_cmd) return cmd_info(info_file);
    if (network_cmds.chosen()) return network_cmds.run();
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
