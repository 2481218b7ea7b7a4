#include "io/experiment.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "io/config.hpp"
#include "io/errors.hpp"
#include "io/network_file.hpp"

namespace civsim::io {
namespace {

// What arms must share: the follower network (population, seed, regions' shares, network
// parameters, accounts' followers) and the time axis. As a scenario with everything else at its
// defaults, written as TOML, so that two arms compare field by field.
std::string shared_part(const Scenario& s) {
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
  k.time = s.time;
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

}  // namespace

NetworkBuild build_network_with_stats(Scenario& scenario) {
  Network network = build_network(scenario);
  NetworkStats stats = compute_stats(network, {.seed = scenario.seed});
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
  const std::string shared = shared_part(base);
  for (const auto& name : names) {
    Scenario s = arm_scenario(base, name, source);
    if (shared_part(s) != shared)
      throw UserError(fmt::format(
          "arm '{}' changes the network or the time axis (seed, population, regions, [network], "
          "the accounts' followers or [time]); the arms of a comparison share one network and "
          "time axis",
          name));
    arms.emplace_back(name, std::move(s));
  }
  return arms;
}

}  // namespace civsim::io
