#include "core/network.hpp"

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <string>

namespace civsim {

Network::Network(std::uint32_t n_citizens, std::vector<std::uint64_t> offset_array,
                 std::vector<NodeId> follower_array)
    : n_citizens_(n_citizens),
      offsets_(std::move(offset_array)),
      followers_(std::move(follower_array)) {
  if (offsets_.empty() || offsets_.front() != 0 || offsets_.back() != followers_.size())
    throw std::invalid_argument("Network: offsets do not describe the follower array");
  if (n_citizens_ > n_nodes()) throw std::invalid_argument("Network: more citizens than nodes");
  const NodeId n = n_nodes();
  for (NodeId v = 0; v < n; ++v) {
    if (offsets_[v] > offsets_[v + 1]) throw std::invalid_argument("Network: offsets decrease");
    const auto f = followers(v);
    for (std::size_t i = 0; i < f.size(); ++i) {
      if (f[i] >= n || f[i] == v || (i > 0 && f[i] <= f[i - 1]))
        throw std::invalid_argument("Network: follower list of node " + std::to_string(v) +
                                    " is not sorted, unique, in range and loop-free");
    }
  }
}

std::vector<std::uint32_t> Network::followee_counts() const {
  std::vector<std::uint32_t> counts(n_nodes(), 0);
  for (NodeId u : followers_) ++counts[u];
  return counts;
}

bool Network::follows(NodeId u, NodeId v) const {
  const auto f = followers(v);
  return std::binary_search(f.begin(), f.end(), u);
}

Csr csr_with_capacity(const std::vector<std::uint32_t>& capacity) {
  Csr csr;
  csr.offsets.assign(capacity.size() + 1, 0);
  for (std::size_t r = 0; r < capacity.size(); ++r)
    csr.offsets[r + 1] = csr.offsets[r] + capacity[r];
  csr.targets.resize(csr.offsets.back());
  return csr;
}

void compact(Csr& csr, const std::vector<std::uint32_t>& used) {
  bool full = true;
  for (std::uint32_t r = 0; r < csr.rows() && full; ++r)
    full = csr.offsets[r] + used[r] == csr.offsets[r + 1];
  if (full) return;
  std::uint64_t write = 0;
  for (std::uint32_t r = 0; r < csr.rows(); ++r) {
    const std::uint64_t begin = csr.offsets[r];
    std::copy(csr.targets.begin() + static_cast<std::ptrdiff_t>(begin),
              csr.targets.begin() + static_cast<std::ptrdiff_t>(begin + used[r]),
              csr.targets.begin() + static_cast<std::ptrdiff_t>(write));
    csr.offsets[r] = write;
    write += used[r];
  }
  csr.offsets.back() = write;
  csr.targets.resize(write);
  csr.targets.shrink_to_fit();
}

Network assemble_network(const Csr& citizen_followees,
                         const std::vector<std::vector<NodeId>>& account_followers) {
  const std::uint32_t nc = citizen_followees.rows();
  const auto n_nodes = static_cast<std::uint32_t>(nc + account_followers.size());
  // Transpose the citizens' followee lists by counting sort, in parallel: threads claim slots in
  // any order, and sorting each follower list afterwards makes the result unique.
  const auto n_rows = static_cast<std::int64_t>(nc);
  std::vector<std::uint64_t> offsets(n_nodes + 1, 0);
  // The counters are updated at random (each follow's followee): prefetch a few follows ahead.
  const auto& targets = citizen_followees.targets;
  const std::uint64_t n_follows = targets.size();
  constexpr std::uint64_t kAhead = 16;
#pragma omp parallel for schedule(dynamic, 1024)
  for (std::int64_t u = 0; u < n_rows; ++u) {
    const auto r = static_cast<std::size_t>(u);
    for (std::uint64_t e = citizen_followees.offsets[r]; e < citizen_followees.offsets[r + 1];
         ++e) {
      if (e + kAhead < n_follows) __builtin_prefetch(&offsets[targets[e + kAhead] + 1], 1);
      std::atomic_ref<std::uint64_t>(offsets[targets[e] + 1])
          .fetch_add(1, std::memory_order_relaxed);
    }
  }
  for (std::size_t a = 0; a < account_followers.size(); ++a)
    offsets[nc + a + 1] = account_followers[a].size();
  for (std::uint32_t v = 0; v < n_nodes; ++v) offsets[v + 1] += offsets[v];
  std::vector<NodeId> followers(offsets[n_nodes]);
  std::vector<std::uint64_t> cursor(offsets.begin(), offsets.begin() + nc);
#pragma omp parallel for schedule(dynamic, 1024)
  for (std::int64_t u = 0; u < n_rows; ++u) {
    const auto r = static_cast<std::size_t>(u);
    for (std::uint64_t e = citizen_followees.offsets[r]; e < citizen_followees.offsets[r + 1];
         ++e) {
      if (e + kAhead < n_follows) __builtin_prefetch(&cursor[targets[e + kAhead]], 1);
      followers[std::atomic_ref<std::uint64_t>(cursor[targets[e]])
                    .fetch_add(1, std::memory_order_relaxed)] = static_cast<NodeId>(u);
    }
  }
#pragma omp parallel for schedule(dynamic, 256)
  for (std::int64_t v = 0; v < n_rows; ++v)
    std::sort(followers.begin() + static_cast<std::ptrdiff_t>(offsets[v]),
              followers.begin() + static_cast<std::ptrdiff_t>(offsets[v + 1]));
  for (std::size_t a = 0; a < account_followers.size(); ++a)
    std::copy(account_followers[a].begin(), account_followers[a].end(),
              followers.begin() + static_cast<std::ptrdiff_t>(offsets[nc + a]));
  return Network(nc, std::move(offsets), std::move(followers));
}

}  // namespace civsim
