#pragma once
// `civsim calibrate`: fit free scenario parameters to target summary statistics (Nelder–Mead on
// common random numbers), write the fitted scenario and an HDF5 calibration log.
// docs/calibration.md describes the method and both files.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace civsim::app {

class CalibrateCommand {
 public:
  explicit CalibrateCommand(CLI::App& app);
  bool chosen() const { return command_->parsed(); }
  int run(const std::string& command_line) const;

 private:
  CLI::App* command_ = nullptr;
  std::string scenario_, targets_, output_, log_, params_, arm_;
  std::vector<std::string> overrides_;
  int replicates_ = 0, max_evaluations_ = 0, threads_ = 0;
  std::int64_t seed_ = -1;
  bool force_ = false, quiet_ = false;
};

}  // namespace civsim::app
