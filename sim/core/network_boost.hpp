#pragma once
// The follower network as a Boost.Graph compressed_sparse_row_graph, for Boost's algorithms.
// Same vertex ids; an edge v -> u for each follower u of v (the direction messages flow).
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <utility>
#include <vector>

#include "core/network.hpp"

namespace civsim {

using BoostGraph =
    boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, boost::no_property,
                                       boost::no_property, NodeId, std::uint64_t>;

inline BoostGraph to_boost_graph(const Network& net) {
  std::vector<std::pair<NodeId, NodeId>> edges;
  edges.reserve(net.n_edges());
  for (NodeId v = 0; v < net.n_nodes(); ++v)
    for (NodeId u : net.followers(v)) edges.emplace_back(v, u);
  return BoostGraph(boost::edges_are_sorted, edges.begin(), edges.end(), net.n_nodes());
}

}  // namespace civsim
