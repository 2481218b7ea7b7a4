#pragma once
// `civsim network stats|export`: look at and write follower networks without running a model.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace civsim::app {

class NetworkCommands {
 public:
  explicit NetworkCommands(CLI::App& app);
  bool chosen() const { return network_->parsed(); }
  int run() const;

 private:
  int stats() const;
  int export_network() const;

  CLI::App* network_ = nullptr;
  CLI::App* stats_ = nullptr;
  CLI::App* export_ = nullptr;
  std::string input_, output_, format_ = "hdf5", direction_ = "src_follows_dst";
  std::vector<std::string> overrides_, accounts_;
  bool force_ = false;
  double eigen_tolerance_ = 1e-6;
  int eigen_iterations_ = 300;
};

}  // namespace civsim::app
