#pragma once
// The follower network: an immutable compressed-sparse-row (CSR) structure.
//
// Nodes 0..n_citizens-1 are citizens; nodes n_citizens.. are institutional accounts (for now the
// single government account). An edge u -> v means "u follows v"; messages flow v -> u, so the
// CSR stores, for each node v, the sorted list of its followers. This is the layout the cascade
// walks. `to_boost_graph` (network_boost.hpp) gives the same graph as a Boost.Graph
// compressed_sparse_row_graph for Boost's algorithms.
#include <cstdint>
#include <span>
#include <vector>

#include "core/csr.hpp"

namespace civsim {

class Network {
 public:
  Network() = default;
  // Takes CSR arrays: offsets has n_nodes + 1 entries; followers[offsets[v]..offsets[v+1]) are the
  // followers of v, sorted ascending, without duplicates or self-loops (checked).
  Network(std::uint32_t n_citizens, std::vector<std::uint64_t> offsets,
          std::vector<NodeId> followers);

  std::uint32_t n_nodes() const { return static_cast<std::uint32_t>(offsets_.size() - 1); }
  std::uint32_t n_citizens() const { return n_citizens_; }
  std::uint64_t n_edges() const { return followers_.size(); }
  bool is_citizen(NodeId v) const { return v < n_citizens_; }

  std::span<const NodeId> followers(NodeId v) const {
    return {followers_.data() + offsets_[v], followers_.data() + offsets_[v + 1]};
  }
  std::uint64_t follower_count(NodeId v) const { return offsets_[v + 1] - offsets_[v]; }

  const std::vector<std::uint64_t>& offsets() const { return offsets_; }
  const std::vector<NodeId>& follower_array() const { return followers_; }

  // Number of accounts each node follows (out-degree in the follow relation).
  std::vector<std::uint32_t> followee_counts() const;
  // True when u follows v (binary search in v's follower list).
  bool follows(NodeId u, NodeId v) const;

 private:
  std::uint32_t n_citizens_ = 0;
  std::vector<std::uint64_t> offsets_{0};
  std::vector<NodeId> followers_;
};

// Assembles a Network from what generators produce: each citizen's followees (row u: sorted,
// distinct citizens other than u) and, for each institutional account, its followers (sorted
// citizens). Accounts become nodes n_citizens, n_citizens + 1, ... in the given order.
Network assemble_network(const Csr& citizen_followees,
                         const std::vector<std::vector<NodeId>>& account_followers);

}  // namespace civsim
