#pragma once
// Calibration targets files (TOML) for `civsim calibrate`: the target statistics with their
// values, tolerances and weights, the free parameters with their bounds, and optional defaults
// for the command's options. docs/calibration.md documents the format.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/calibration.hpp"
#include "core/scenario.hpp"

namespace civsim::io {

struct TargetsFile {
  std::string source;  // the path, as given
  std::string text;    // the file's text (kept in the calibration log)
  std::vector<CalibrationTarget> targets;
  std::vector<std::string> target_notes;      // [target] its `source` note ("" when none)
  std::vector<std::string> target_locations;  // [target] file:line:column of its statistic
  std::vector<FreeParameter> params;
  std::vector<std::string> param_locations;  // [param] file:line:column of its keys (or table)
  // [calibration]: defaults for the command-line options.
  struct Settings {
    std::optional<int> replicates, max_evaluations, restarts;
    std::optional<double> x_tolerance, f_tolerance, initial_step;
    std::optional<std::string> arm;
  } settings;
};

// Parses targets-file text; `source` names it in messages. Every error is a ConfigError located
// at file:line:column with the key it concerns (exit code 2).
TargetsFile parse_targets(std::string_view text, const std::string& source);

// Reads and parses a targets file; an unreadable file is a UserError.
TargetsFile read_targets_file(const std::filesystem::path& file);

// The value of a numeric scenario key ("reactions.information.like", "accounts[0].capacity_fte")
// in the resolved scenario; nothing when the key is unset or not a number.
std::optional<double> scenario_number(const Scenario& scenario, const std::string& key);

}  // namespace civsim::io
