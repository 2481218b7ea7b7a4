// Network generation at several sizes, for every generator: wall time, edges per second, the
// resident bytes per edge of the finished network and the peak bytes per edge while building it.
// Prints a Markdown table (docs/performance.md records one). Run with scripts/bench-networks.
#include <fmt/format.h>
#include <malloc.h>
#include <omp.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/generator.hpp"
#include "io/config.hpp"

using namespace civsim;

namespace {

// A memory field of /proc/self/status ("VmHWM" peak, "VmRSS" current) in bytes; 0 if absent.
std::uint64_t status_bytes(const std::string& field) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind(field + ":", 0) == 0) {
      std::istringstream in(line.substr(field.size() + 1));
      std::uint64_t kib = 0;
      in >> kib;
      return kib * 1024;
    }
  return 0;
}
// Resets VmHWM to the current size (Linux >= 4.0; harmless elsewhere).
void reset_peak_rss() {
  std::ofstream("/proc/self/clear_refs") << "5";
}

std::vector<std::int64_t> parse_sizes(const std::string& text) {
  std::vector<std::int64_t> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) out.push_back(std::stoll(item));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"civsim network generation benchmark"};
  std::string sizes_text = "100000,1000000,10000000";
  std::vector<std::string> generators = {"power_law", "erdos_renyi", "watts_strogatz", "price",
                                         "rmat"};
  double mean = 30;
  app.add_option("--sizes", sizes_text, "comma-separated citizen counts")->capture_default_str();
  app.add_option("--generators", generators, "generators to run")->capture_default_str();
  app.add_option("--mean-followees", mean, "mean followees")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  // Large blocks come from mmap and go back to the system when freed, so each size's peak is
  // measured from a clean baseline rather than hidden in memory an earlier size left behind.
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);

  fmt::print(
      "workload: each generator with mean followees {}, one government account followed by 5% "
      "of citizens, seed 1; {} threads\n\n",
      mean, omp_get_max_threads());
  fmt::print(
      "| generator | citizens | edges | seconds | edges/s | network B/edge | peak B/edge |\n");
  fmt::print("|---|---|---|---|---|---|---|\n");
  for (const auto& g : generators) {
    for (std::int64_t n : parse_sizes(sizes_text)) {
      const Scenario sc = io::parse_scenario(
          "", "benchmark",
          {fmt::format("population={}", n), fmt::format("network.generator={}", g),
           fmt::format("network.mean_followees={}", mean), "accounts[0].follower_share=0.05"});
      reset_peak_rss();
      const std::uint64_t base = status_bytes("VmRSS");
      const auto t0 = std::chrono::steady_clock::now();
      const Network net = generate_network(sc);
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const double edges = static_cast<double>(net.n_edges());
      const double resident =
          static_cast<double>(net.offsets().capacity() * 8 + net.follower_array().capacity() * 4);
      const double peak = static_cast<double>(status_bytes("VmHWM") - base);
      fmt::print("| {} | {} | {} | {:.2f} | {:.3g} | {:.2f} | {:.2f} |\n", g, n, net.n_edges(),
                 secs, edges / secs, resident / edges, peak / edges);
      std::fflush(stdout);
    }
  }
  return 0;
}
