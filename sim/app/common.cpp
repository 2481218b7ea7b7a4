#include "app/common.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>

#include "core/generator.hpp"
#include "io/config.hpp"
#include "io/network_file.hpp"

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
  if (scenario.network.generator == NetworkGenerator::edge_list)
    spdlog::info("reading network from {} ({} thread{})", scenario.network.file, threads,
                 threads == 1 ? "" : "s");
  else
    spdlog::info("building {} network: {} citizens, {} mean followees ({} thread{})",
                 io::generator_name(scenario.network.generator), scenario.population,
                 scenario.network.mean_followees, threads, threads == 1 ? "" : "s");
  Network network = io::build_network(scenario);
  // The leading eigenvalue is held to 6e9 edge visits (all 300 iterations up to 2e7 edges, 14 at
  // the Dutch scale's 4.2e8); `civsim network stats` computes it without this limit.
  NetworkStats stats =
      compute_stats(network, {.seed = scenario.seed, .eigen_max_edge_visits = 6e9});
  const double seconds = seconds_since(t0);
  spdlog::info("network: {} nodes, {} edges, built in {:.2f}s", stats.nodes, stats.edges, seconds);
  std::vector<std::uint64_t> account_followers;
  for (std::size_t a = 0; a < scenario.accounts.size(); ++a)
    account_followers.push_back(
        network.follower_count(static_cast<NodeId>(network.n_citizens() + a)));
  return {std::move(network), std::move(stats), std::move(account_followers), seconds};
}

}  // namespace civsim::app
