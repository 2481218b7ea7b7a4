#include "app/compare_command.hpp"

#include <fmt/format.h>
#include <omp.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "app/common.hpp"
#include "app/outcome_table.hpp"
#include "core/compare.hpp"
#include "io/compare_file.hpp"
#include "io/config.hpp"
#include "io/errors.hpp"
#include "io/experiment.hpp"

namespace civsim::app {
namespace {

std::vector<std::string> split_arms(const std::string& list) {
  std::vector<std::string> out;
  std::size_t begin = 0;
  while (true) {
    const std::size_t end = list.find(',', begin);
    std::string name = list.substr(begin, end == std::string::npos ? end : end - begin);
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t") + 1);
    out.push_back(name);
    if (end == std::string::npos) return out;
    begin = end + 1;
  }
}

}  // namespace

CompareCommand::CompareCommand(CLI::App& app) {
  command_ = app.add_subcommand(
      "compare", "Run a scenario under several arms (strategies) with paired replicates");
  command_->add_option("scenario", scenario_, "Scenario file (TOML)")->required();
  command_->add_option("-o,--output", output_, "Comparison file to write (HDF5)")->required();
  command_->add_option("--arms", arms_,
                       "Comma-separated arms (default: the scenario's [[arms]], else "
                       "broadcast,reactive,dialogue); the first is the reference");
  command_->add_option("--replicates", replicates_,
                       "Replicates per arm; replicate r of every arm shares its random numbers "
                       "(default 5)");
  command_->add_option("--set", overrides_,
                       "Override a scenario key for every arm: key.path=value (repeatable)");
  command_->add_option("--seed", seed_, "Master seed (overrides the scenario's seed)")
      ->check(CLI::NonNegativeNumber);
  command_
      ->add_option("--threads", threads_, "OpenMP threads (default: OMP_NUM_THREADS or all cores)")
      ->check(CLI::PositiveNumber);
  command_->add_flag("--force", force_, "Overwrite an existing output file");
  command_->add_flag("-q,--quiet", quiet_, "No progress output");
  command_->footer(
      "Example:\n  civsim compare scenarios/default.toml --arms broadcast,dialogue --replicates 10 "
      "-o results/compare.h5");
}

int CompareCommand::run(const std::string& command_line) const {
  if (replicates_ < 1)
    throw io::UserError(fmt::format("--replicates must be at least 1 (got {})", replicates_));
  auto overrides = overrides_;
  if (seed_ >= 0) overrides.push_back(fmt::format("seed={}", seed_));
  Scenario base = io::load_scenario(scenario_, overrides);

  const std::vector<std::string> names =
      arms_.empty() ? io::default_arm_names(base) : split_arms(arms_);
  io::check_arm_names(names, "--arms");
  // Every refusal before the network is built, so that it costs nothing.
  (void)io::resolve_arms(base, names, scenario_);
  io::check_output_path(output_, force_);
  if (threads_ > 0) omp_set_num_threads(threads_);
  const int threads = omp_get_max_threads();

  const auto t0 = Clock::now();
  const BuiltNetwork built = build_network_logged(base, threads);
  const auto arms = io::resolve_arms(base, names, scenario_);  // after build_network: population

  const std::size_t total = arms.size() * static_cast<std::size_t>(replicates_);
  spdlog::info("comparing {} arm{} x {} replicate{} = {} runs", arms.size(),
               arms.size() == 1 ? "" : "s", replicates_, replicates_ == 1 ? "" : "s", total);
  ProgressBar bar(static_cast<std::int64_t>(total), quiet_, "run");
  const auto t1 = Clock::now();
  const Comparison comparison = compare_arms(
      arms, built.network, replicates_,
      [&](std::size_t done, std::size_t) { bar.update(static_cast<std::int64_t>(done)); });
  const double sim_seconds = seconds_since(t1);

  auto prov = io::collect_provenance(command_line, base.seed, threads);
  prov.run_seconds = seconds_since(t0);
  io::write_compare_file(output_, base, arms, built.stats, built.account_followers, comparison,
                         prov, force_);

  fmt::print("scenario     {} ({} steps of {})\n", base.name, comparison.n_steps,
             io::format_duration(base.time.step_hours));
  fmt::print("network      {} citizens, {} follow edges ({})\n", built.stats.citizens,
             built.stats.edges, io::generator_name(base.network.generator));
  fmt::print(
      "runs         {} arms x {} replicates = {} ({} on {} thread{})\n\n", arms.size(), replicates_,
      total,
      comparison.parallelism == Parallelism::across_runs ? "runs in parallel" : "one run at a time",
      threads, threads == 1 ? "" : "s");
  fmt::print("{}\n", format_outcome_table(outcome_table(comparison)));
  fmt::print("run time     {:.2f}s (network {:.2f}s, simulations {:.2f}s)\n", prov.run_seconds,
             built.seconds, sim_seconds);
  fmt::print("output       {}\n", output_);
  return 0;
}

}  // namespace civsim::app
