#include "app/network_commands.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>

#include "app/common.hpp"
#include "core/network.hpp"
#include "core/network_stats.hpp"
#include "io/config.hpp"
#include "io/errors.hpp"
#include "io/network_file.hpp"

namespace civsim::app {
namespace {

bool is_scenario(const std::string& path) {
  return path.ends_with(".toml");
}
bool is_hdf5(const std::string& path) {
  return path.ends_with(".h5") || path.ends_with(".hdf5");
}

struct Loaded {
  Network network;
  std::vector<std::string> ids;  // empty: node k is "k"
  std::string source;
  std::uint64_t seed = 1;
};

// A network from a scenario (generated or imported), an HDF5 network file or a text edge list.
Loaded load(const std::string& input, const std::vector<std::string>& overrides,
            const std::vector<std::string>& accounts, const std::string& direction) {
  if (is_scenario(input)) {
    Scenario s = io::load_scenario(input, overrides);
    Loaded out{io::build_network(s), {}, input, s.seed};
    // Ids for export: citizens by number, accounts by name where that is a valid, distinct id.
    out.ids.reserve(out.network.n_nodes());
    for (NodeId v = 0; v < out.network.n_citizens(); ++v) out.ids.push_back(std::to_string(v));
    for (std::size_t a = 0; a < s.accounts.size(); ++a) {
      const std::string& name = s.accounts[a].name;
      const bool usable = !name.empty() && name.find_first_of(" \t#\r\n") == std::string::npos &&
                          name.find_first_not_of("0123456789") != std::string::npos;
      out.ids.push_back(usable ? name : fmt::format("account-{}", a));
    }
    return out;
  }
  if (!overrides.empty()) throw io::UserError("--set applies to scenario files only");
  if (is_hdf5(input)) {
    const ReadWatchdog guard(input, false);  // large networks take minutes: no time limit
    auto imported = io::read_network_h5(input);
    return {std::move(imported.network), std::move(imported.ids), input, 1};
  }
  const auto dir = direction == "dst_follows_src" ? EdgeDirection::dst_follows_src
                                                  : EdgeDirection::src_follows_dst;
  auto imported = io::read_edge_list(input, accounts, dir);
  spdlog::info("{}: {} lines, {} edges read, {} duplicates and {} self-loops dropped", input,
               imported.lines, imported.edges_read, imported.duplicates_dropped,
               imported.self_loops_dropped);
  return {std::move(imported.network), std::move(imported.ids), input, 1};
}

}  // namespace

NetworkCommands::NetworkCommands(CLI::App& app) {
  network_ = app.add_subcommand("network", "Inspect, convert and export follower networks");
  network_->require_subcommand(1);
  network_->footer(
      "Examples:\n"
      "  civsim network stats scenarios/default.toml\n"
      "  civsim network stats follows.txt --account ministry\n"
      "  civsim network export scenarios/default.toml -o results/default-network.h5");

  const auto add_input = [&](CLI::App* cmd) {
    cmd->add_option("input", input_,
                    "Scenario (.toml), network file (.h5) or edge list (any other name)")
        ->required();
    cmd->add_option("--set", overrides_, "Override a scenario key: key.path=value");
    cmd->add_option("--account", accounts_,
                    "Edge lists: id of an institutional account (repeatable, in order)");
    cmd->add_option("--direction", direction_, "Edge lists: meaning of a line 'a b'")
        ->check(CLI::IsMember({"src_follows_dst", "dst_follows_src"}));
  };
  stats_ = network_->add_subcommand("stats", "Print the statistics civsim stores under /network");
  add_input(stats_);
  stats_
      ->add_option("--eigen-tolerance", eigen_tolerance_,
                   "Relative residual at which the leading eigenvalue counts as converged")
      ->capture_default_str()
      ->check(CLI::Range(1e-12, 1.0));
  stats_
      ->add_option("--eigen-iterations", eigen_iterations_,
                   "Most power iterations for the leading eigenvalue (each visits every edge)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  stats_->footer(
      "Example:\n  civsim network stats scenarios/dutch-scale.toml --eigen-tolerance 1e-4");

  export_ =
      network_->add_subcommand("export", "Write a network as an HDF5 network file or edge list");
  add_input(export_);
  export_->add_option("-o,--output", output_, "File to write")->required();
  export_->add_option("--format", format_, "hdf5 (exact, compact) or text (edge list)")
      ->check(CLI::IsMember({"hdf5", "text"}));
  export_->add_flag("--force", force_, "Overwrite an existing output file");
  export_->footer(
      "Example:\n  civsim network export scenarios/default.toml -o results/net.txt --format text");
}

int NetworkCommands::run() const {
  if (stats_->parsed()) return stats();
  return export_network();
}

int NetworkCommands::export_network() const {
  const Loaded in = load(input_, overrides_, accounts_, direction_);
  const auto* ids = in.ids.empty() ? nullptr : &in.ids;
  if (format_ == "text")
    io::write_edge_list(output_, in.network, ids, force_);
  else
    io::write_network_h5(output_, in.network, ids, force_);
  fmt::print("wrote {} ({} nodes, {} edges, {} format)\n", output_, in.network.n_nodes(),
             in.network.n_edges(), format_);
  return 0;
}

int NetworkCommands::stats() const {
  const auto t0 = std::chrono::steady_clock::now();
  const Loaded in = load(input_, overrides_, accounts_, direction_);
  const auto t1 = std::chrono::steady_clock::now();
  const NetworkStats st = compute_stats(in.network, {.seed = in.seed,
                                                     .eigen_tolerance = eigen_tolerance_,
                                                     .eigen_max_iterations = eigen_iterations_});
  const auto t2 = std::chrono::steady_clock::now();
  const auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  const auto degrees = [](const DegreeSummary& d) {
    return fmt::format("mean {:.2f}, median {}, p90 {}, p99 {}, max {}, zero {}", d.mean, d.median,
                       d.p90, d.p99, d.max, d.zero);
  };
  const auto bins = [](const LogBins& b) {
    std::string out;
    for (std::size_t i = 0; i < b.lower.size(); ++i)
      out += fmt::format("{}{}:{}", i ? " " : "", b.lower[i], b.count[i]);
    return out;
  };
  fmt::print("network of          {}\n", in.source);
  fmt::print("nodes               {} ({} citizens, {} accounts)\n", st.nodes, st.citizens,
             st.accounts);
  fmt::print("edges               {}\n", st.edges);
  fmt::print("followers           {}\n", degrees(st.followers));
  fmt::print("followees           {}\n", degrees(st.followees));
  fmt::print("follower bins       {}\n", bins(st.follower_bins));
  fmt::print("followee bins       {}\n", bins(st.followee_bins));
  fmt::print("account followers   {}\n", st.account_followers);
  fmt::print("reciprocity         {:.4f}\n", st.reciprocity);
  fmt::print("clustering          {:.4f} ± {:.4f} ({} nodes sampled)\n", st.clustering,
             st.clustering_stderr, st.clustering_samples);
  fmt::print("weak components     {} (largest {})\n", st.weak_components,
             st.largest_weak_component);
  fmt::print("strong components   {} (largest {})\n", st.strong_components,
             st.largest_strong_component);
  fmt::print("mean path length    {:.3f} (reachable share {:.4f}, {} sources)\n",
             st.mean_path_length, st.reachable_share, st.path_sources);
  fmt::print("leading eigenvalue  {:.4f} ({} iterations, {}converged; 1/λ = {:.3g})\n",
             st.leading_eigenvalue, st.eigen_iterations, st.eigen_converged ? "" : "not ",
             st.leading_eigenvalue > 0 ? 1.0 / st.leading_eigenvalue : 0.0);
  fmt::print("time                {:.2f}s to build or read, {:.2f}s for statistics\n", secs(t0, t1),
             secs(t1, t2));
  return 0;
}

}  // namespace civsim::app
