#include "io/experiment.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/model_memory.hpp"
#include "io/config.hpp"
#include "io/errors.hpp"
#include "io/network_file.hpp"
#include "io/resources.hpp"

namespace civsim::io {
namespace {}  // namespace

NetworkBuild build_network_with_stats(Scenario& scenario) {
  // Generated networks: refuse up front what cannot fit (network + simulation state); imported
  // ones once the file has told us the population.
  const auto require_model = [&](const Scenario& s) {
    require_memory(estimate_network_resident_bytes(s) + estimate_model_bytes(s),
                   fmt::format("the network and the simulation state of scenario '{}'", s.name));
  };
  const bool imported = scenario.network.generator == NetworkGenerator::edge_list;
  if (!imported) require_model(scenario);
  Network network = build_network(scenario);
  if (imported) require_model(scenario);
  // The leading eigenvalue is held to 6e9 edge visits (all 300 iterations up to 2e7 edges, 14 at
  // the Dutch scale's 4.2e8); `civsim network stats` computes it without this limit.
  NetworkStats stats =
      compute_stats(network, {.seed = scenario.seed, .eigen_max_edge_visits = 6e9});
  std::vector<std::uint64_t> account_followers;
  for (std::size_t a = 0; a < scenario.accounts.size(); ++a)
    account_followers.push_back(
        network.follower_count(static_cast<NodeId>(network.n_citizens() + a)));
  return {std::move(network), std::move(stats), std::move(account_followers)};
}

std::vector<std::string> default_arm_names(const Scenario& base) {
  std::vector<std::string> names;
  for (const auto& arm : base.arms) names.push_back(arm.name);
  if (names.empty()) names = {"broadcast", "reactive", "dialogue"};
  return names;
}

void check_arm_names(const std::vector<std::string>& names, const std::string& what) {
  for (auto it = names.begin(); it != names.end(); ++it) {
    const auto& n = *it;
    if (n.empty() || n == "." || n == ".." || n.find('/') != std::string::npos)
      throw UserError(fmt::format("{}: '{}' is not a valid arm name", what, n));
    if (std::find(names.begin(), it, n) != it)
      throw UserError(fmt::format("{}: arm '{}' is given twice", what, n));
  }
}

std::vector<std::pair<std::string, Scenario>> resolve_arms(const Scenario& base,
                                                           const std::vector<std::string>& names,
                                                           const std::string& source) {
  std::vector<std::pair<std::string, Scenario>> arms;
  const std::string shared = network_part(base, true);
  for (const auto& name : names) {
    Scenario s = arm_scenario(base, name, source);
    if (network_part(s, true) != shared)
      throw UserError(fmt::format(
          "arm '{}' changes the network or the time axis (seed, population, regions, [network], "
          "the accounts' followers or [time]); the arms of a comparison share one network and "
          "time axis",
          name));
    arms.emplace_back(name, std::move(s));
  }
  return arms;
}

std::string network_part(const Scenario& s, bool with_time) {
  // A scenario with everything else at its defaults, written as TOML, so that two scenarios
  // compare field by field.
  Scenario k;
  k.seed = s.seed;
  k.population = s.population;
  k.regions.clear();
  for (const auto& r : s.regions) {
    Region region;
    region.name = r.name;
    region.share = r.share;
    k.regions.push_back(region);
  }
  k.network = s.network;
  if (with_time) k.time = s.time;
  k.accounts.clear();
  for (const auto& a : s.accounts) {
    AccountParams acc;
    acc.name = a.name;
    acc.kind = a.kind;
    acc.follower_share = a.follower_share;
    acc.followers = a.followers;
    acc.region = a.region;
    acc.region_bias = a.region_bias;
    acc.id = a.id;
    k.accounts.push_back(acc);
  }
  return to_toml(k);
}

}  // namespace civsim::io
