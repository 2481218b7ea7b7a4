#pragma once
// What running a scenario needs beyond the core and the file formats: the network with its
// statistics, and the arms of a comparison resolved and checked. The command line (`civsim run`,
// `civsim compare`) and the Python module (sim/python) both call these, so they build the same
// network and accept the same arms.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/network.hpp"
#include "core/network_stats.hpp"
#include "core/scenario.hpp"

namespace civsim::io {

// The network of a scenario with the statistics a run file records and each account's follower
// count. For an edge list, sets the scenario's population to the file's citizens (build_network).
struct NetworkBuild {
  Network network;
  NetworkStats stats;
  std::vector<std::uint64_t> account_followers;  // [account], in scenario order
};
NetworkBuild build_network_with_stats(Scenario& scenario);

// The arms a comparison runs when none are named: the scenario's [[arms]] if it has any, else the
// three strategies broadcast, reactive, dialogue.
std::vector<std::string> default_arm_names(const Scenario& base);

// Refuses empty names, names that cannot be HDF5 group names ("." "..", a '/') and repeats, as a
// UserError whose message starts with `what` (e.g. "--arms").
void check_arm_names(const std::vector<std::string>& names, const std::string& what);

// Each named arm's scenario (io::arm_scenario, errors naming `source`), checked to share the
// network and the time axis with `base`: a UserError otherwise. Call it once before the network
// is built, so a bad arm costs nothing, and again after (an edge list fixes the population).
std::vector<std::pair<std::string, Scenario>> resolve_arms(const Scenario& base,
                                                           const std::vector<std::string>& names,
                                                           const std::string& source);

// The part of a scenario that decides its follower network (seed, population, regions' names
// and shares, [network], the accounts' follower keys), plus the time axis when `with_time`:
// scenarios that agree on it can share one network (arms, calibration evaluations, sweep runs).
std::string network_part(const Scenario& scenario, bool with_time = false);

}  // namespace civsim::io
