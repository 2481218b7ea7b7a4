#pragma once
// Parameter sweeps (docs/sweeps.md): the sweep file (TOML) that names a base scenario, axes over
// scenario keys, a design, arms, replicates and a master seed; its expansion into runs (a plan,
// made before anything runs); the record of one finished run; and the HDF5 sweep file
// (filetype "civsim-sweep") that holds every run, written whole from the records.
#include <compare>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "core/outcomes.hpp"
#include "core/scenario.hpp"
#include "io/provenance.hpp"

namespace civsim::io {

inline constexpr const char* kSweepFileType = "civsim-sweep";
inline constexpr int kSweepFormatMajor = 1;
inline constexpr int kSweepFormatMinor = 0;

enum class DesignKind { grid, latin_hypercube, sobol, saltelli };
std::string design_name(DesignKind d);

struct SweepAxis {
  std::string key;       // a scenario key as --set writes it, e.g. "accounts[0].capacity_fte"
  std::string location;  // file:line:column of its [[axes]] entry
  enum class Kind { values, linspace, logspace, bounds } kind = Kind::values;
  std::vector<std::string> values;  // Kind::values: each value as TOML text
  double lo = 0, hi = 0;            // ranges and bounds
  std::size_t count = 0;            // linspace, logspace
  bool log_scale = false;           // bounds: sample log(x) uniformly
  bool integer = false;             // the key takes integers: values are rounded
};

// A sweep file as written (parsed and checked, not yet expanded).
struct SweepSpec {
  std::string source;  // the file, as named in messages
  std::string text;    // its text, stored in the sweep file
  std::filesystem::path scenario;
  std::string scenario_location;  // file:line:column of the scenario key
  std::string name;
  bool has_seed = false;
  std::uint64_t seed = 0;
  std::int64_t replicates = 1;
  std::vector<std::string> set;
  std::vector<std::string> arms;  // empty: one arm "base", the scenario as it is
  std::string arms_location;
  std::vector<std::string> outcomes;
  DesignKind design = DesignKind::grid;
  std::int64_t samples = 0;
  std::vector<SweepAxis> axes;
};

// Throws ConfigError (file:line:column, key, value, what is valid) on any mistake.
SweepSpec parse_sweep(std::string_view text, const std::string& source);
SweepSpec load_sweep(const std::filesystem::path& file);

// Adding replicates until a confidence interval is narrow enough (--until-ci).
struct UntilCi {
  double width = std::numeric_limits<double>::quiet_NaN();  // NaN: off
  std::string outcome;
  std::int64_t max_replicates = 100;
  bool on() const { return width == width; }
  // The replicate count a point needs next, given `replicates` done and the half-widths of the
  // outcome's 95% CI in each arm: `replicates` when every arm is within `width` (or the cap is
  // reached), else more, by the usual n ~ (half-width / width)^2 scaling, at least one and at
  // most doubling per round, and never beyond max_replicates.
  std::int64_t next(std::int64_t replicates, const std::vector<double>& half_widths) const;
};

// Identity of one run: parameter point, arm and replicate. Files sort runs by it.
struct RunKey {
  std::uint64_t point = 0;
  std::uint32_t arm = 0, replicate = 0;
  auto operator<=>(const RunKey&) const = default;
};

// What a sweep file records about the sweep itself (everything but the runs): enough to write a
// merged file identical to a single-process one.
struct SweepMeta {
  std::string name, source, sweep_text, base_toml, design, fingerprint;
  std::uint64_t master_seed = 0;
  std::int64_t replicates = 1, samples = 0;
  UntilCi until_ci;
  std::vector<std::string> arms, arm_strategies, outcomes;
  std::vector<std::string> arm_toml;  // each arm's resolved scenario at point 0
  struct Axis {
    std::string key;
    bool numeric = true;
  };
  std::vector<Axis> axes;
  std::vector<std::vector<std::string>> point_text;  // [point][axis]: the value as set
  std::vector<std::vector<double>> point_number;     // [point][axis]: NaN where not numeric
  std::string scenario_name;
  double step_hours = 1;
  std::vector<double> time_hours;  // [step]
  std::vector<std::string> regions;
  std::size_t points() const { return point_text.size(); }
};

// The sweep expanded: every point's overrides, the base scenario and the seeds. Checks every
// point and arm as a scenario (errors name the axis in the sweep file), so a plan that exists
// runs.
class SweepPlan {
 public:
  // `overrides` (--set) apply to the base scenario before the sweep's own `set` and axes.
  SweepPlan(SweepSpec spec, const std::vector<std::string>& overrides, UntilCi until_ci);

  const SweepSpec& spec() const { return spec_; }
  const SweepMeta& meta() const { return meta_; }
  const Scenario& base() const { return base_; }
  std::size_t points() const { return meta_.points(); }
  std::size_t arms() const { return meta_.arms.size(); }
  // The runs of the initial replicates, in RunKey order.
  std::vector<RunKey> initial_runs() const;
  // The seed of replicate r: the master seed for r = 0, else a hash of (master seed, r). Every
  // point and arm of a replicate share it, and with it the network (common random numbers).
  std::uint64_t seed(std::uint32_t replicate) const;
  // The resolved scenario of a run: base, point overrides, arm, seed.
  Scenario scenario(const RunKey& key) const;
  // The overrides that make point p from the base (for messages and `civsim run`).
  const std::vector<std::string>& point_overrides(std::size_t p) const { return overrides_[p]; }
  // Per point (arm 0, replicate 0): its population and the memory estimate of its network.
  std::int64_t largest_population(std::size_t p) const { return population_.at(p); }
  std::uint64_t network_bytes(std::size_t p) const { return network_bytes_.at(p); }
  // Distinct networks of one replicate (points that differ only in keys outside the network
  // share one).
  std::size_t distinct_networks() const { return distinct_networks_; }

 private:
  SweepSpec spec_;
  SweepMeta meta_;
  Scenario base_, with_arms_;  // without and with the scenario's [[arms]]
  std::string base_toml_, with_arms_toml_;
  bool fast_arms_ = true;
  std::vector<std::vector<std::string>> arm_overrides_;  // [arm]
  std::vector<std::vector<std::string>> overrides_;      // [point]
  std::vector<std::int64_t> population_;
  std::vector<std::uint64_t> network_bytes_;
  std::size_t distinct_networks_ = 0;
};

// One finished run.
struct RunRecord {
  RunKey key;
  std::uint64_t seed = 0;
  std::string status = "ok";   // "ok" or "failed"
  std::string error;           // why, when failed
  double wall_seconds = 0;     // resolving the scenario and simulating
  double network_seconds = 0;  // building its network (0 when another run built it)
  std::string host;
  std::uint64_t edges = 0;
  std::vector<double> series;   // [step][kNumSeries]
  std::vector<double> regions;  // [step][per-region series][region]
  std::vector<SummaryValue> scalars;
  std::vector<std::uint8_t> scalar_is_key;
  std::vector<std::uint64_t> cascade_size_hist, cascade_depth_hist;
};

// Byte form of a record (the journal and MPI messages use it). decode throws std::runtime_error
// on malformed bytes.
std::string encode(const RunRecord& record);
RunRecord decode(std::string_view bytes);

// Sorts records by key and keeps the last record of a key that appears more than once (a run
// redone after a failure).
std::vector<RunRecord> latest_by_key(std::vector<RunRecord> records);

// The shard that a sweep file holds: index/count (0/1 for a whole sweep).
struct Shard {
  std::uint32_t index = 0, count = 1;
  bool whole() const { return count == 1; }
};

// Writes a sweep file atomically (temporary name, then rename). `records` sorted by key, one
// per run. With `complete`, per-point statistics are written too (shards leave them out).
void write_sweep_file(const std::filesystem::path& out, const SweepMeta& meta,
                      const std::vector<RunRecord>& records, const Provenance& provenance,
                      Shard shard, bool complete, bool force);

struct SweepFile {
  SweepMeta meta;
  Shard shard;
  bool complete = false;
  std::vector<RunRecord> records;
  std::vector<std::pair<std::string, std::string>> attributes;  // root attributes, as text
};
// A file that is not a sweep file, or of an unknown major version, is a UserError.
SweepFile read_sweep_file(const std::filesystem::path& file);

// The fingerprint of the sweep in a sweep file ("" when it is not a complete sweep file).
std::string sweep_fingerprint(const std::filesystem::path& file);

// Per-point replicate statistics of one per-run scalar: mean and 95% CI over replicates, per
// point and arm ([point * arms + arm]).
struct PointStats {
  std::string name, units;
  std::vector<double> mean, ci_low, ci_high;
  std::vector<std::int64_t> n;
};
std::vector<PointStats> point_stats(const SweepMeta& meta, const std::vector<RunRecord>& records);

}  // namespace civsim::io
