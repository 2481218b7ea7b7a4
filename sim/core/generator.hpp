#pragma once
// Synthetic follower networks.
#include <cstdint>

#include "core/network.hpp"
#include "core/scenario.hpp"

namespace civsim {

// Builds the synthetic follower network a scenario describes: citizens' follows from
// `network.generator`, then one node per institutional account (in `accounts` order) with its
// follower count. The edge_list generator is not handled here: the core never reads files, the
// I/O library does (io/network_file.hpp).
//
// power_law: a directed Chung-Lu (expected-degree) graph. Each citizen v gets an attractiveness
// weight w_v ~ Pareto(x_min = 1, pdf exponent `follower_exponent`), capped so that no citizen
// expects more than `max_follower_share` * N followers. Each citizen u follows d_u distinct others,
// d_u ~ 1 + Geometric, each drawn with probability proportional to w (Walker alias tables) — with
// `homophily` h from its own region with probability h, else from the other regions — self-loops
// and duplicates redrawn. With `reciprocity` r, each follow is then returned with probability
// q = r / (2 - r), having first drawn E / (1 + q) follows so the mean stays `mean_followees`.
//
// Every draw is keyed by (seed, replicate 0, purpose, agent, k): the graph depends on the seed
// only, never on the thread count. docs/networks.md documents every generator.
Network generate_network(const Scenario& scenario);

// Upper estimate of the peak memory (bytes) that generating and holding the scenario's network
// takes, so that callers can refuse a scenario that cannot fit before allocating anything.
std::uint64_t estimate_network_bytes(const Scenario& scenario);

}  // namespace civsim
