#include "app/common.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <optional>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "core/generator.hpp"
#include "io/config.hpp"
#include "io/experiment.hpp"

namespace civsim::app {

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

ProgressBar::ProgressBar(std::int64_t total, bool quiet, std::string unit)
    : total_(std::max<std::int64_t>(total, 1)),
      quiet_(quiet),
      tty_(isatty(STDERR_FILENO) != 0),
      unit_(std::move(unit)),
      start_(Clock::now()) {}

void ProgressBar::update(std::int64_t done, const std::string& detail) {
  if (quiet_) return;
  const double elapsed = seconds_since(start_);
  const double eta =
      done > 0 ? elapsed * static_cast<double>(total_ - done) / static_cast<double>(done) : 0.0;
  const std::string extra = detail.empty() ? "" : " " + detail;
  if (tty_) {
    if (done != total_ && seconds_since(last_) < 0.1) return;
    last_ = Clock::now();
    constexpr int width = 30;
    const int filled = static_cast<int>(width * done / total_);
    fmt::print(stderr, "\r[{:=<{}}{: <{}}] {:3d}% {} {}/{}{} ETA {:.0f}s ", "", filled, "",
               width - filled, static_cast<int>(100 * done / total_), unit_, done, total_, extra,
               eta);
    if (done == total_) fmt::print(stderr, "\n");
  } else if (seconds_since(last_) >= 5.0 || done == total_) {
    last_ = Clock::now();
    spdlog::info("{} {}/{} ({:.0f}%){}, ETA {:.0f}s", unit_, done, total_,
                 100.0 * static_cast<double>(done) / static_cast<double>(total_),
                 detail.empty() ? "" : "," + extra, eta);
  }
}

std::string join_command_line(int argc, char** argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool quote = arg.empty() || arg.find_first_of(" \t\"'$\\") != std::string::npos;
    out += (i ? " " : "") + (quote ? "'" + arg + "'" : arg);
  }
  return out;
}

BuiltNetwork build_network_logged(Scenario& scenario, int threads) {
  const auto t0 = Clock::now();
  // An HDF5 network file can crash the library when damaged; no time limit, as a national-scale
  // network takes minutes to read.
  std::optional<ReadWatchdog> guard;
  if (scenario.network.generator == NetworkGenerator::edge_list &&
      scenario.network.format != EdgeFileFormat::text)
    guard.emplace(scenario.network.file, false);
  if (scenario.network.generator == NetworkGenerator::edge_list)
    spdlog::info("reading network from {} ({} thread{})", scenario.network.file, threads,
                 threads == 1 ? "" : "s");
  else
    spdlog::info("building {} network: {} citizens, {} mean followees ({} thread{})",
                 io::generator_name(scenario.network.generator), scenario.population,
                 scenario.network.mean_followees, threads, threads == 1 ? "" : "s");
  io::NetworkBuild built = io::build_network_with_stats(scenario);
  const double seconds = seconds_since(t0);
  spdlog::info("network: {} nodes, {} edges, built in {:.2f}s", built.stats.nodes,
               built.stats.edges, seconds);
  return {std::move(built.network), std::move(built.stats), std::move(built.account_followers),
          seconds};
}

namespace {

// The message of the live ReadWatchdog, for its crash handler (a signal handler can reach nothing
// else). Null while no guard is alive.
std::atomic<const std::string*> g_read_crash_message{nullptr};
struct sigaction g_previous_segv {};
struct sigaction g_previous_bus {};

extern "C" void on_read_crash(int) {
  // Only async-signal-safe calls: the library's state is not to be trusted any more.
  if (const std::string* m = g_read_crash_message.load()) {
    [[maybe_unused]] const auto n = ::write(2, m->data(), m->size());
  }
  std::_Exit(2);
}

}  // namespace

ReadWatchdog::ReadWatchdog(std::string file, bool time_limit)
    : file_(std::move(file)),
      crash_message_(fmt::format("civsim: reading '{}' crashed inside the HDF5 library: the file "
                                 "is damaged (HDF5 1.10 does not check every structure it reads)\n",
                                 file_)) {
  g_read_crash_message.store(&crash_message_);
  struct sigaction sa {};
  sa.sa_handler = on_read_crash;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, &g_previous_segv);
  sigaction(SIGBUS, &sa, &g_previous_bus);
  if (!time_limit) return;
  double seconds = 60;
  if (const char* env = std::getenv("CIVSIM_READ_TIMEOUT")) seconds = std::atof(env);
  if (!(seconds > 0)) seconds = 60;
  thread_ = std::thread([this, seconds] {
    std::unique_lock lock(mutex_);
    if (cv_.wait_for(lock, std::chrono::duration<double>(seconds), [this] { return done_; }))
      return;
    fmt::print(stderr,
               "civsim: reading '{}' did not finish within {:g} s: the file is probably damaged "
               "(the HDF5 library can hang on corrupted files)\n",
               file_, seconds);
    std::fflush(stderr);
    std::_Exit(2);
  });
}

ReadWatchdog::~ReadWatchdog() {
  sigaction(SIGSEGV, &g_previous_segv, nullptr);
  sigaction(SIGBUS, &g_previous_bus, nullptr);
  g_read_crash_message.store(nullptr);
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

}  // namespace civsim::app
