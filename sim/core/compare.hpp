#pragma once
// Comparing treatment arms (e.g. broadcast vs reactive vs dialogue) on one network: every arm runs
// the same replicates, and replicate r of every arm uses the same random numbers (common random
// numbers, core/simulation.hpp), so the difference between two arms is computed per replicate
// (paired) before it is averaged, which removes most of the replicate-to-replicate noise.
// No I/O: io/compare_file writes the result.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/network.hpp"
#include "core/outcomes.hpp"
#include "core/scenario.hpp"
#include "core/statistics.hpp"

namespace civsim {

// Called after each finished run with (runs done, runs in all); from one thread at a time.
using ProgressCallback = std::function<void(std::size_t done, std::size_t total)>;

enum class Parallelism {
  automatic,    // across_runs for networks below kAcrossRunsMaxCitizens citizens, else within_runs
  across_runs,  // the arm x replicate runs in parallel, each simulation single-threaded
  within_runs,  // one run after another, each simulation using every thread
};
// Below this many citizens a simulation's inner loops are too short to keep all threads busy, and
// running whole simulations side by side is faster (and needs only a few simulations' memory).
inline constexpr std::uint64_t kAcrossRunsMaxCitizens = 200000;

// Per-step statistics of one series, each [arm * n_steps + step].
struct SeriesStats {
  std::vector<double> mean, ci_low, ci_high;  // over replicates, NaN values ignored
  std::vector<std::int64_t> n;                // replicates with a value
  // Paired differences vs arm 0: (arm - arm 0) per replicate, then mean and CI over replicates;
  // the rows of arm 0 are 0 wherever it has a value.
  std::vector<double> diff_mean, diff_ci_low, diff_ci_high;
  std::vector<std::int64_t> diff_n;  // replicates where both arms have a value
};

// One per-run scalar (a key outcome or a RunSummary scalar) across the comparison.
struct ScalarStats {
  SummaryValue info;           // name, units, description (value unused)
  bool key = false;            // a key outcome (core/key_outcomes.hpp): shown in the summary table
  std::vector<double> values;  // [arm * replicates + replicate]
  std::vector<Estimate> by_arm;  // [arm]
  std::vector<Estimate> diff;    // [arm], paired differences vs arm 0
};

struct Comparison {
  struct Run {
    std::vector<StepRecord> records;  // [step]
    RunSummary summary;
  };
  std::vector<std::string> arms;
  std::size_t replicates = 0, n_steps = 0, n_regions = 0;
  Parallelism parallelism = Parallelism::automatic;  // the mode used (never automatic)
  std::vector<double> time_hours;                    // [step]
  std::vector<Run> runs;                             // [arm * replicates + replicate]
  std::array<SeriesStats, kNumSeries> stats;         // [series]
  std::vector<ScalarStats> scalars;                  // key outcomes first, in table order

  const Run& run(std::size_t arm, std::size_t replicate) const {
    return runs.at(arm * replicates + replicate);
  }
  // One series of every run, [arm, replicate, step] in C order.
  std::vector<double> series_block(Series s) const;
  // Per-region series k (of region_series()), [arm, replicate, step, region] in C order.
  std::vector<double> region_block(std::size_t k) const;
  const ScalarStats* scalar(const std::string& name) const;
};

// The summary table of a comparison (`civsim compare`, and `civsim info` on a comparison file):
// per key outcome, each arm's mean and CI, and its paired difference vs arm 0.
struct Interval {
  double mean, ci_low, ci_high;
  std::int64_t n;  // replicates with a value
};
struct OutcomeRow {
  std::string name, units;
  std::vector<Interval> by_arm, diff;  // [arm]
};
struct OutcomeTable {
  std::vector<std::string> arms;
  std::size_t replicates = 0;
  std::vector<OutcomeRow> rows;
};
Interval interval(const Estimate& e);
// The key outcomes of `c`, in table order.
OutcomeTable outcome_table(const Comparison& c);

// What compare_arms throws when its `stop` flag was set while it ran.
class Interrupted : public std::runtime_error {
 public:
  Interrupted() : std::runtime_error("comparison interrupted") {}
};

// Runs every arm x replicate (replicate r of an arm is Simulation(arm scenario, network, r)) and
// computes per-arm statistics and paired differences vs the first arm. The arms must share the
// network (same citizens and accounts), steps and regions (std::invalid_argument otherwise).
// Results are bit-identical whatever the mode and thread count: each run fills its own slot and
// the statistics are computed afterwards in a fixed order. When `stop` is given and becomes true
// (set from another thread, e.g. on Ctrl-C in the Python module), the runs stop between steps and
// compare_arms throws Interrupted.
Comparison compare_arms(const std::vector<std::pair<std::string, Scenario>>& arms,
                        const Network& network, int replicates,
                        const ProgressCallback& progress = {},
                        Parallelism mode = Parallelism::automatic,
                        const std::atomic<bool>* stop = nullptr);

}  // namespace civsim
