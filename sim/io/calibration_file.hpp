#pragma once
// The HDF5 calibration log of `civsim calibrate` (filetype "civsim-calibration", format 1.0):
// the targets and free parameters, every evaluation (its parameters, the simulated value of every
// target per replicate and on average, and the distance), the fitted values, the base and fitted
// scenarios and the provenance of the run. docs/calibration.md documents it field by field.
#include <filesystem>
#include <string>
#include <vector>

#include "core/calibration.hpp"
#include "core/nelder_mead.hpp"
#include "core/network_stats.hpp"
#include "core/scenario.hpp"
#include "io/provenance.hpp"

namespace civsim::io {

inline constexpr const char* kCalibrationFileType = "civsim-calibration";
inline constexpr int kCalibrationFormatMajor = 1;
inline constexpr int kCalibrationFormatMinor = 0;

struct CalibrationEvaluation {
  std::vector<double> parameters;               // [param], the values written to the scenario
  std::vector<double> search;                   // [param], the optimiser's coordinates
  std::vector<double> simulated;                // [target], mean over replicates
  std::vector<std::vector<double>> replicates;  // [replicate][target]
  double distance = 0;
  double seconds = 0;  // wall time of the evaluation
  bool final = false;  // the check at the fitted (rounded) values, after the search
};

struct CalibrationRecord {
  std::string scenario_file, targets_file, targets_text, fitted_file, arm;
  Scenario base;    // as loaded (with --set), before any parameter is changed
  Scenario fitted;  // base with the fitted values
  std::vector<CalibrationTarget> targets;
  std::vector<std::string> target_notes;  // [target]
  std::vector<FreeParameter> params;      // with `start` filled in
  std::vector<double> fitted_values;      // [param], as written to the fitted scenario
  int replicates = 0;
  NelderMeadOptions options;
  NelderMeadResult result;
  std::vector<CalibrationEvaluation> evaluations;  // in the order they ran; the last is final
};

// Written atomically, like a run file; `stats` and `account_followers` describe the network.
void write_calibration_file(const std::filesystem::path& out, const CalibrationRecord& record,
                            const NetworkStats& stats,
                            const std::vector<std::uint64_t>& account_followers,
                            const Provenance& provenance, bool force);

// The fitted scenario as resolved TOML (every key) after `header`, a comment block (each line
// starting with '#'), written atomically like the HDF5 files.
void write_fitted_scenario(const std::filesystem::path& out, const std::string& header,
                           const Scenario& fitted, bool force);

}  // namespace civsim::io
