#pragma once
// `civsim sweep plan|run|merge|analyze`: parameter sweeps (docs/sweeps.md).
#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace civsim::app {

struct SweepRunOptions {
  std::string sweep, output, shard;
  std::vector<std::string> overrides;
  int threads = 0;
  bool force = false, resume = false, quiet = false;
  double until_ci = -1;
  std::string outcome;
  std::int64_t max_replicates = 100;
  bool mpi = false;  // set when running under mpirun (CIVSIM_WITH_MPI builds)
};

class SweepCommand {
 public:
  explicit SweepCommand(CLI::App& app);
  bool chosen() const { return command_->parsed(); }
  int run(const std::string& command_line);

 private:
  CLI::App *command_ = nullptr, *plan_ = nullptr, *run_ = nullptr, *merge_ = nullptr,
           *analyze_ = nullptr;
  SweepRunOptions o_;
  int cpus_per_task_ = 4;
  double task_hours_ = 1.0;
  std::vector<std::string> shards_;
  std::string merge_output_, analyze_file_, analyze_arm_;
  std::vector<std::string> analyze_outcomes_;
  int bootstrap_ = 1000;
};

// The sweep runs of this process, written to `o.output` (or its shard file). Returns the exit
// code: 0, 1 (runs failed), 130/143 (stopped by SIGINT/SIGTERM; resumable).
int run_sweep(const SweepRunOptions& o, const std::string& command_line);

}  // namespace civsim::app
