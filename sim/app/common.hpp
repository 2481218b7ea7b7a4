#pragma once
// Pieces that the run and compare commands share: progress output, the command line as recorded
// in output files, the network build with its log lines, and strategy warnings.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/network.hpp"
#include "core/network_stats.hpp"
#include "core/scenario.hpp"

namespace civsim::app {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0);

// Shows progress on stderr: a redrawn bar with ETA on a terminal, a log line every few seconds
// otherwise (batch jobs, pipes), nothing when quiet. `unit` names what is counted ("step", "run").
class ProgressBar {
 public:
  ProgressBar(std::int64_t total, bool quiet, std::string unit);
  // `done` of the total are finished; `detail` is shown after the count (e.g. "reach 1234").
  void update(std::int64_t done, const std::string& detail = "");

 private:
  std::int64_t total_;
  bool quiet_, tty_;
  std::string unit_;
  Clock::time_point start_, last_{};
};

// The command line, shell-quoted where needed, as recorded in output files.
std::string join_command_line(int argc, char** argv);

// The network of a scenario with its statistics and each account's follower count, logged. For an
// edge list, sets the scenario's population to the file's citizens (io::build_network).
struct BuiltNetwork {
  Network network;
  NetworkStats stats;
  std::vector<std::uint64_t> account_followers;
  double seconds = 0;
};
BuiltNetwork build_network_logged(Scenario& scenario, int threads);

// Guards the reading of a user-supplied HDF5 file: HDF5 1.10 can spin forever on some damaged
// files, or crash inside the library (tests/fuzz/known/). If the guard is still alive after
// `seconds` (environment variable CIVSIM_READ_TIMEOUT, default 60; only with `time_limit`), or a
// SIGSEGV or SIGBUS arrives while it is, it reports the file as damaged and exits with code 2.
// One guard at a time (the signal handlers are process-wide).
class ReadWatchdog {
 public:
  explicit ReadWatchdog(std::string file, bool time_limit = true);
  ~ReadWatchdog();
  ReadWatchdog(const ReadWatchdog&) = delete;
  ReadWatchdog& operator=(const ReadWatchdog&) = delete;

 private:
  std::string file_;
  std::string crash_message_;  // written by the signal handler, so formatted in advance
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace civsim::app
