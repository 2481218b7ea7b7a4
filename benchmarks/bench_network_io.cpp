// Throughput of the network file formats (edges/s): write and read an edge list and an HDF5
// network file of a generated network, plus, for comparison, the obvious std::getline +
// std::istringstream + std::unordered_map reader on the same edge list (ids only, no CSR).
// Not part of the test suite. Run one phase per process to see each phase's peak memory, e.g.
//   /usr/bin/time -v build/tests/civsim_bench_io --phase read-text --dir /tmp/netbench
#include <fmt/format.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "core/generator.hpp"
#include "io/network_file.hpp"

using namespace civsim;

namespace {

template <class F>
double seconds(F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

void report(const char* what, double s, std::uint64_t edges, const std::filesystem::path& file) {
  fmt::print("{:<34} {:7.2f} s  {:9.3g} edges/s  {:8.1f} MB file  peak RSS {:7.0f} MB\n", what, s,
             static_cast<double>(edges) / s,
             static_cast<double>(std::filesystem::file_size(file)) / 1e6, peak_rss_mb());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"civsim network file benchmarks"};
  std::int64_t population = 1000000;
  double mean_followees = 30;
  std::string dir = "/tmp/civsim_bench_io";
  std::string phase = "all";
  app.add_option("--population", population, "citizens")->capture_default_str();
  app.add_option("--mean-followees", mean_followees, "mean out-degree")->capture_default_str();
  app.add_option("--dir", dir, "folder for the files")->capture_default_str();
  app.add_option("--phase", phase, "all, write, read-text, read-h5 or naive")
      ->capture_default_str();
  std::string edge_list;
  std::vector<std::string> accounts;
  app.add_option("--edge-list", edge_list,
                 "time reading this edge list instead (phase read-text or naive)");
  app.add_option("--account", accounts, "account ids of --edge-list");
  CLI11_PARSE(app, argc, argv);

  const std::filesystem::path folder(dir);
  const auto text = edge_list.empty() ? folder / "net.txt" : std::filesystem::path(edge_list);
  const auto h5 = folder / "net.h5";
  if (phase == "all" || phase == "write") {
    Scenario s;
    s.seed = 12345;
    s.population = population;
    s.network.mean_followees = mean_followees;
    s.accounts[0].follower_share = 0.05;
    Network net;
    const double g = seconds([&] { net = generate_network(s); });
    fmt::print("network: {} nodes, {} edges (generated in {:.2f} s)\n", net.n_nodes(),
               net.n_edges(), g);
    std::filesystem::create_directories(folder);
    report("write edge list", seconds([&] { io::write_edge_list(text, net, nullptr, true); }),
           net.n_edges(), text);
    report("write HDF5", seconds([&] { io::write_network_h5(h5, net, nullptr, true); }),
           net.n_edges(), h5);
  }
  if (edge_list.empty()) accounts = {std::to_string(population)};
  if (phase == "all" || phase == "read-text") {
    io::ImportedNetwork in;
    const double t = seconds([&] { in = io::read_edge_list(text, accounts); });
    report("read edge list", t, in.network.n_edges(), text);
    fmt::print("  {} lines, {} nodes, {} edges read, {} duplicates and {} self-loops dropped\n",
               in.lines, in.network.n_nodes(), in.edges_read, in.duplicates_dropped,
               in.self_loops_dropped);
  }
  if (phase == "all" || phase == "read-h5") {
    io::ImportedNetwork in;
    const double t = seconds([&] { in = io::read_network_h5(h5); });
    report("read HDF5", t, in.network.n_edges(), h5);
  }
  if (phase == "all" || phase == "naive") {
    std::uint64_t edges = 0;
    const double t = seconds([&] {
      std::ifstream in(text);
      std::unordered_map<std::string, std::uint32_t> ids;
      std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
      std::string line, a, b;
      while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        fields >> a >> b;
        const auto na = ids.try_emplace(a, static_cast<std::uint32_t>(ids.size())).first->second;
        const auto nb = ids.try_emplace(b, static_cast<std::uint32_t>(ids.size())).first->second;
        pairs.emplace_back(na, nb);
      }
      edges = pairs.size();
    });
    report("naive getline+istringstream (ids)", t, edges, text);
  }
  return 0;
}
