#pragma once
// `civsim compare`: run a scenario under several arms (strategies) with paired replicates and
// write a comparison file.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace civsim::app {

class CompareCommand {
 public:
  explicit CompareCommand(CLI::App& app);
  bool chosen() const { return command_->parsed(); }
  int run(const std::string& command_line) const;

 private:
  CLI::App* command_ = nullptr;
  std::string scenario_, output_, arms_;
  std::vector<std::string> overrides_;
  int replicates_ = 5;
  std::int64_t seed_ = -1;
  int threads_ = 0;
  bool force_ = false, quiet_ = false;
};

}  // namespace civsim::app
