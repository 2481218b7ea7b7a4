#pragma once
// Synthetic follower networks.
#include <cstdint>

#include "core/network.hpp"
#include "core/scenario.hpp"

namespace civsim {

// Directed follower graph with heavy-tailed follower counts (a directed Chung-Lu / configuration
// model) plus one government account.
//
// Each citizen v gets an attractiveness weight w_v ~ Pareto(x_min = 1, pdf exponent
// `follower_exponent`), capped so that no citizen expects more than `max_follower_share` * N
// followers. Each citizen u follows d_u distinct others, d_u ~ 1 + Geometric with mean
// `mean_followees`, each followee drawn with probability proportional to w (Walker alias table),
// self-loops and duplicates redrawn. Expected follower counts are then proportional to w, so
// their distribution has a power-law tail with the given exponent. Each citizen follows the
// government account with probability `government.follower_share`.
//
// Every draw is keyed by (seed, replicate 0, purpose, agent, k): the graph depends on the seed
// only, never on the thread count.
Network generate_network(const Scenario& scenario);

}  // namespace civsim
