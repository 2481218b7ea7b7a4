#include "core/generator.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "core/rng.hpp"

namespace civsim {
namespace {

// Vose's alias method: O(n) build, O(1) sample from one 64-bit word pair.
class AliasTable {
 public:
  explicit AliasTable(const std::vector<double>& weights) {
    const std::size_t n = weights.size();
    prob_.resize(n);
    alias_.resize(n);
    const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
    std::vector<double> scaled(n);
    std::vector<std::uint32_t> small, large;
    for (std::size_t i = 0; i < n; ++i) {
      scaled[i] = weights[i] * static_cast<double>(n) / total;
      (scaled[i] < 1.0 ? small : large).push_back(static_cast<std::uint32_t>(i));
    }
    while (!small.empty() && !large.empty()) {
      const std::uint32_t s = small.back(), l = large.back();
      small.pop_back();
      prob_[s] = scaled[s];
      alias_[s] = l;
      scaled[l] = (scaled[l] + scaled[s]) - 1.0;
      if (scaled[l] < 1.0) {
        large.pop_back();
        small.push_back(l);
      }
    }
    for (std::uint32_t i : large) prob_[i] = 1.0, alias_[i] = i;
    for (std::uint32_t i : small) prob_[i] = 1.0, alias_[i] = i;  // rounding leftovers
  }

  std::uint32_t sample(std::uint64_t index_word, std::uint64_t coin_word) const {
    const auto i = static_cast<std::uint32_t>(to_index(index_word, prob_.size()));
    return to_unit(coin_word) < prob_[i] ? i : alias_[i];
  }

 private:
  std::vector<double> prob_;
  std::vector<std::uint32_t> alias_;
};

std::vector<double> follower_weights(const Scenario& sc) {
  const auto n = static_cast<std::size_t>(sc.population);
  const double gamma = sc.network.follower_exponent;
  std::vector<double> w(n);
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(n); ++i) {
    const double u = to_unit_open0(random_words(
        {sc.seed, 0, Purpose::network_weight, 0, static_cast<std::uint64_t>(i), 0})[0]);
    w[i] = std::pow(u, -1.0 / (gamma - 1.0));
  }
  // Cap: expected followers of v are mean_followees * N * w_v / sum(w). Clamping lowers sum(w),
  // so iterate to a fixed point (a few rounds suffice).
  const double cap_followers =
      std::max(1.0, sc.network.max_follower_share * static_cast<double>(n));
  const double total_edges = sc.network.mean_followees * static_cast<double>(n);
  for (int round = 0; round < 8; ++round) {
    const double sum = std::accumulate(w.begin(), w.end(), 0.0);
    const double w_cap = cap_followers * sum / total_edges;
    bool changed = false;
    for (double& x : w)
      if (x > w_cap) x = w_cap, changed = true;
    if (!changed) break;
  }
  return w;
}

std::uint32_t followee_count(const Scenario& sc, std::uint64_t u, std::uint32_t max_count) {
  const double m = sc.network.mean_followees;
  if (m <= 1.0) return std::min<std::uint32_t>(1, max_count);
  // 1 + Geometric(p) on {0,1,...} with p = 1/m has mean m.
  const double u01 =
      to_unit_open0(random_words({sc.seed, 0, Purpose::network_followees, 0, u, 0})[0]);
  const double extra = std::floor(std::log(u01) / std::log1p(-1.0 / m));
  return static_cast<std::uint32_t>(std::min<double>(1.0 + extra, max_count));
}

// Each citizen's followees: d_u distinct citizens drawn by weight (see generator.hpp).
Csr power_law_followees(const Scenario& sc) {
  const auto nc = static_cast<std::uint32_t>(sc.population);
  const AliasTable table(follower_weights(sc));
  std::vector<std::uint32_t> degree(nc);
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(nc); ++i)
    degree[i] = followee_count(sc, static_cast<std::uint64_t>(i), nc - 1);

  Csr csr = csr_with_capacity(degree);
  std::vector<std::uint32_t> used(nc);
#pragma omp parallel
  {
    std::vector<NodeId> row;
#pragma omp for schedule(dynamic, 256)
    for (std::int64_t i = 0; i < static_cast<std::int64_t>(nc); ++i) {
      const auto u = static_cast<NodeId>(i);
      const std::uint32_t want = degree[u];
      row.clear();
      std::uint64_t k = 0;
      // Draw in rounds; redraw self-loops and duplicates. The attempt budget bounds the work when
      // a citizen wants nearly every heavy node; it then keeps fewer followees (counted in stats).
      const std::uint64_t budget = 20ull * want + 64;
      while (row.size() < want && 2 * k < budget) {
        while (row.size() < want && 2 * k < budget) {
          const auto r = random_words({sc.seed, 0, Purpose::network_target, 0, u, k++});
          const NodeId a = table.sample(r[0], r[1]);
          const NodeId b = table.sample(r[2], r[3]);
          if (a != u) row.push_back(a);
          if (b != u && row.size() < want) row.push_back(b);
        }
        std::sort(row.begin(), row.end());
        row.erase(std::unique(row.begin(), row.end()), row.end());
      }
      std::copy(row.begin(), row.end(),
                csr.targets.begin() + static_cast<std::ptrdiff_t>(csr.offsets[u]));
      used[u] = static_cast<std::uint32_t>(row.size());
    }
  }
  compact(csr, used);
  return csr;
}

// Followers of the government account: each citizen independently with the follower share.
std::vector<NodeId> government_followers(const Scenario& sc) {
  const auto nc = static_cast<std::uint32_t>(sc.population);
  std::vector<NodeId> out;
  for (NodeId u = 0; u < nc; ++u)
    if (bernoulli({sc.seed, 0, Purpose::government_follow, 0, u, 0}, sc.government.follower_share))
      out.push_back(u);
  return out;
}

}  // namespace

Network generate_network(const Scenario& sc) {
  if (sc.population < 2 || sc.population > std::int64_t{1} << 31)
    throw std::invalid_argument("generate_network: population out of range");
  return assemble_network(power_law_followees(sc), {government_followers(sc)});
}

}  // namespace civsim
