#include "core/generator.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <numeric>
#include <span>
#include <stdexcept>
#include <vector>

#include "core/generators_classic.hpp"
#include "core/rng.hpp"

namespace civsim {
namespace {

// Vose's alias method: O(n) build, O(1) sample from one 64-bit word pair.
class AliasTable {
 public:
  explicit AliasTable(std::span<const double> weights) {
    const std::size_t n = weights.size();
    std::vector<double> prob_(n);
    std::vector<std::uint32_t> alias_(n);
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
    entries_.resize(n);
    for (std::size_t i = 0; i < n; ++i) entries_[i] = {prob_[i], alias_[i]};
  }

  // The slot an index word picks; sampling reads only entry `slot` (so it can be prefetched).
  std::uint32_t slot(std::uint64_t index_word) const {
    return static_cast<std::uint32_t>(to_index(index_word, entries_.size()));
  }
  void prefetch(std::uint32_t i) const { __builtin_prefetch(&entries_[i]); }
  std::uint32_t resolve(std::uint32_t i, std::uint64_t coin_word) const {
    return to_unit(coin_word) < entries_[i].prob ? i : entries_[i].alias;
  }
  std::uint32_t sample(std::uint64_t index_word, std::uint64_t coin_word) const {
    return resolve(slot(index_word), coin_word);
  }

 private:
  // Probability and alias side by side: one cache line per draw (the tables of a national-scale
  // network are far larger than the caches, so every draw is a miss).
  struct Entry {
    double prob;
    std::uint32_t alias;
  };
  std::vector<Entry> entries_;
};

std::vector<double> follower_weights(const Scenario& sc, double mean_followees) {
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
  const double total_edges = mean_followees * static_cast<double>(n);
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

std::uint32_t followee_count(const Scenario& sc, double m, std::uint64_t u,
                             std::uint32_t max_count) {
  if (m <= 1.0) return std::min<std::uint32_t>(1, max_count);
  // 1 + Geometric(p) on {0,1,...} with p = 1/m has mean m.
  const double u01 =
      to_unit_open0(random_words({sc.seed, 0, Purpose::network_followees, 0, u, 0})[0]);
  const double extra = std::floor(std::log(u01) / std::log1p(-1.0 / m));
  return static_cast<std::uint32_t>(std::min<double>(1.0 + extra, max_count));
}

// First citizen id of each region, plus the population at the end.
std::vector<std::uint32_t> region_starts(const Scenario& sc) {
  std::vector<std::uint32_t> starts{0};
  for (std::int64_t size : sc.region_sizes())
    starts.push_back(starts.back() + static_cast<std::uint32_t>(size));
  return starts;
}

std::size_t region_of(const std::vector<std::uint32_t>& starts, NodeId u) {
  return static_cast<std::size_t>(std::upper_bound(starts.begin(), starts.end(), u) -
                                  starts.begin() - 1);
}

// Draws followees by weight: from the whole population, or — with homophily h — from the
// follower's own region with probability h and otherwise from the other regions by their weight.
class FolloweeSampler {
 public:
  FolloweeSampler(const Scenario& sc, const std::vector<double>& w)
      : homophily_(sc.network.homophily), starts_(region_starts(sc)) {
    if (homophily_ < 0) {
      tables_.emplace_back(std::span<const double>(w));
      return;
    }
    for (std::size_t r = 0; r + 1 < starts_.size(); ++r) {
      const std::span<const double> part(w.data() + starts_[r], starts_[r + 1] - starts_[r]);
      tables_.emplace_back(part);
      region_weight_.push_back(std::accumulate(part.begin(), part.end(), 0.0));
    }
  }

  struct Pending {
    std::uint32_t table, slot;
    std::uint64_t coin;
  };

  // Draws until `row` holds `want` candidates or k reaches `budget` (duplicates and self-loops
  // possible): the same draws, in the same order, as drawing one random block at a time while
  // row.size() < want and k < budget. The random words of the whole round are made first and the
  // alias-table entries they pick prefetched, so that the table lookups (cache misses) overlap.
  void draw_round(const Scenario& sc, NodeId u, std::uint64_t& k, std::uint64_t budget,
                  std::size_t want, std::vector<NodeId>& row, std::vector<Pending>& pending) const {
    pending.clear();
    const auto add = [&](std::size_t table, std::uint64_t index_word, std::uint64_t coin) {
      const std::uint32_t slot = tables_[table].slot(index_word);
      tables_[table].prefetch(slot);
      pending.push_back({static_cast<std::uint32_t>(table), slot, coin});
    };
    std::size_t size = row.size();
    while (size < want && k < budget) {
      const auto r = random_words({sc.seed, 0, Purpose::network_target, 0, u, k++});
      if (homophily_ < 0) {  // two independent draws per random block
        add(0, r[0], r[1]);
        if (++size < want) add(0, r[2], r[3]), ++size;
      } else {
        add(region_target(u, r), r[2], r[3]);
        ++size;
      }
    }
    for (const Pending& p : pending)
      row.push_back(starts_[homophily_ < 0 ? 0 : p.table] +
                    tables_[p.table].resolve(p.slot, p.coin));
  }

  // The region a homophilous draw with words r picks its followee from.
  std::size_t region_target(NodeId u, const std::array<std::uint64_t, 4>& r) const {
    const std::size_t own = region_of(starts_, u);
    std::size_t target = own;
    if (to_unit(r[0]) >= homophily_) {  // another region, chosen by its total weight
      double others = 0;
      for (std::size_t s = 0; s < region_weight_.size(); ++s)
        if (s != own) others += region_weight_[s];
      double pick = to_unit(r[1]) * others;
      for (std::size_t s = 0; s < region_weight_.size(); ++s) {
        if (s == own) continue;
        target = s;
        if ((pick -= region_weight_[s]) < 0) break;
      }
    }
    return target;
  }

 private:
  double homophily_;
  std::vector<std::uint32_t> starts_;
  std::vector<AliasTable> tables_;
  std::vector<double> region_weight_;
};

// Each citizen's followees: d_u distinct citizens drawn by weight (see generator.hpp).
Csr power_law_followees(const Scenario& sc, double mean_followees) {
  const auto nc = static_cast<std::uint32_t>(sc.population);
  const std::vector<double> weights = follower_weights(sc, mean_followees);
  const FolloweeSampler sampler(sc, weights);
  std::vector<std::uint32_t> degree(nc);
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(nc); ++i)
    degree[i] = followee_count(sc, mean_followees, static_cast<std::uint64_t>(i), nc - 1);

  Csr csr = csr_with_capacity(degree);
  std::vector<std::uint32_t> used(nc);
#pragma omp parallel
  {
    std::vector<NodeId> row;
    std::vector<FolloweeSampler::Pending> pending;
#pragma omp for schedule(dynamic, 256)
    for (std::int64_t i = 0; i < static_cast<std::int64_t>(nc); ++i) {
      const auto u = static_cast<NodeId>(i);
      const std::uint32_t want = degree[u];
      row.clear();
      std::uint64_t k = 0;
      // Draw in rounds; drop self-loops and duplicates and draw again. The budget bounds the work
      // when a citizen wants nearly every heavy node; it then keeps fewer followees (see stats).
      const std::uint64_t budget = 10ull * want + 32;
      while (row.size() < want && k < budget) {
        sampler.draw_round(sc, u, k, budget, want, row, pending);
        std::erase(row, u);
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

// Adds follow-backs: for each follow u -> v, v follows u back with probability q (one draw per
// edge). Reciprocity of the result is about 2q / (1 + q).
Csr add_follow_backs(const Scenario& sc, Csr followees, double q) {
  const std::uint32_t nc = followees.rows();
  std::vector<std::uint32_t> back_count(nc, 0);
  const auto backs = [&](NodeId u, NodeId v) {
    return bernoulli({sc.seed, 0, Purpose::network_follow_back, 0, u, v}, q);
  };
  const auto n = static_cast<std::int64_t>(nc);
  // Each edge's draw is made once; the outcome is kept in a bitmap over edges (E / 8 bytes) for
  // the second pass.
  std::vector<std::uint64_t> back_bits((followees.entries() + 63) / 64, 0);
#pragma omp parallel for schedule(dynamic, 1024)
  for (std::int64_t i = 0; i < n; ++i) {
    const auto row = static_cast<std::size_t>(i);
    for (std::uint64_t e = followees.offsets[row]; e < followees.offsets[row + 1]; ++e) {
      const NodeId v = followees.targets[e];
      if (!backs(static_cast<NodeId>(i), v)) continue;
      std::atomic_ref<std::uint32_t>(back_count[v]).fetch_add(1, std::memory_order_relaxed);
      std::atomic_ref<std::uint64_t>(back_bits[e / 64])
          .fetch_or(std::uint64_t{1} << (e % 64), std::memory_order_relaxed);
    }
  }
  Csr back = csr_with_capacity(back_count);
  {
    // Threads claim slots in any order; sorting each list afterwards makes the result unique.
    std::vector<std::uint64_t> cursor(back.offsets.begin(), back.offsets.end() - 1);
#pragma omp parallel for schedule(dynamic, 1024)
    for (std::int64_t i = 0; i < n; ++i) {
      const auto row = static_cast<std::size_t>(i);
      for (std::uint64_t e = followees.offsets[row]; e < followees.offsets[row + 1]; ++e)
        if ((back_bits[e / 64] >> (e % 64)) & 1u)
          back.targets[std::atomic_ref<std::uint64_t>(cursor[followees.targets[e]])
                           .fetch_add(1, std::memory_order_relaxed)] = static_cast<NodeId>(i);
    }
#pragma omp parallel for schedule(dynamic, 1024)
    for (std::int64_t v = 0; v < n; ++v)
      std::sort(back.targets.begin() + static_cast<std::ptrdiff_t>(back.offsets[v]),
                back.targets.begin() + static_cast<std::ptrdiff_t>(back.offsets[v + 1]));
  }
  std::vector<std::uint32_t> capacity(nc);
  for (std::uint32_t v = 0; v < nc; ++v)
    capacity[v] = static_cast<std::uint32_t>(followees.row(v).size() + back.row(v).size());
  Csr merged = csr_with_capacity(capacity);
  std::vector<std::uint32_t> used(nc);
#pragma omp parallel for schedule(dynamic, 1024)
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(nc); ++i) {
    const auto v = static_cast<std::uint32_t>(i);
    const auto a = followees.row(v), b = back.row(v);
    auto out = merged.targets.begin() + static_cast<std::ptrdiff_t>(merged.offsets[v]);
    used[v] = static_cast<std::uint32_t>(
        std::set_union(a.begin(), a.end(), b.begin(), b.end(), out) - out);
  }
  compact(merged, used);
  return merged;
}

// Followers of each institutional account: exactly its follower target, chosen uniformly among
// citizens (the smallest random keys), or with a regional bias split between its region and the
// rest. Sorted ascending.
std::vector<std::vector<NodeId>> account_followers(const Scenario& sc) {
  const auto nc = static_cast<std::uint32_t>(sc.population);
  const auto starts = region_starts(sc);
  std::vector<std::vector<NodeId>> out;
  for (std::size_t a = 0; a < sc.accounts.size(); ++a) {
    const auto& acc = sc.accounts[a];
    const std::int64_t target = acc.follower_target(sc.population);
    std::size_t region = starts.size();
    for (std::size_t r = 0; r < sc.regions.size(); ++r)
      if (sc.regions[r].name == acc.region) region = r;
    const bool biased = region < starts.size() && acc.region_bias >= 0;
    std::vector<std::pair<std::uint64_t, NodeId>> keyed(nc);
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < static_cast<std::int64_t>(nc); ++i) {
      const auto u = static_cast<NodeId>(i);
      keyed[i] = {random_words({sc.seed, 0, Purpose::account_follow, 0, u, a})[0], u};
    }
    // The region is a contiguous id block: split the keyed citizens into inside and outside.
    const NodeId lo = biased ? starts[region] : 0, hi = biased ? starts[region + 1] : 0;
    std::vector<std::pair<std::uint64_t, NodeId>> inside(keyed.begin() + lo, keyed.begin() + hi);
    keyed.erase(keyed.begin() + lo, keyed.begin() + hi);
    std::vector<std::pair<std::uint64_t, NodeId>>& outside = keyed;
    std::int64_t want_inside =
        biased ? std::llround(acc.region_bias * static_cast<double>(target)) : 0;
    want_inside = std::min<std::int64_t>(want_inside, static_cast<std::int64_t>(inside.size()));
    const std::int64_t want_outside =
        std::min<std::int64_t>(target - want_inside, static_cast<std::int64_t>(outside.size()));
    std::vector<NodeId> chosen;
    for (auto [pool, want] : {std::pair{&inside, want_inside}, std::pair{&outside, want_outside}}) {
      const auto mid = pool->begin() + want;
      std::nth_element(pool->begin(), mid, pool->end());
      for (auto it = pool->begin(); it != mid; ++it) chosen.push_back(it->second);
    }
    std::sort(chosen.begin(), chosen.end());
    out.push_back(std::move(chosen));
  }
  return out;
}

}  // namespace

std::uint64_t estimate_network_bytes(const Scenario& sc) {
  const auto n = static_cast<double>(sc.population);
  const double r = sc.network.reciprocity, q = r / (2.0 - r);
  const double edges = n * sc.network.mean_followees;
  double account_edges = 0;
  for (const auto& acc : sc.accounts)
    account_edges += static_cast<double>(acc.follower_target(sc.population));
  // Per citizen: weights 8, alias table 12, degree and used counts 8, two offset arrays 16,
  // region and cursor bookkeeping 8 => 52 bytes. Per edge: the followee CSR and the follower CSR
  // coexist during assembly (4 + 4 bytes), follow-backs need their own list and a merged copy.
  // Account follower choice holds a 16-byte key per citizen while it runs.
  const double bytes = 52.0 * n + edges * (8.0 + 12.0 * q) + 4.0 * account_edges +
                       (sc.accounts.empty() ? 0.0 : 16.0 * n);
  return static_cast<std::uint64_t>(bytes * 1.1);  // allocator slack
}

Network generate_network(const Scenario& sc) {
  if (sc.population < 2 || sc.population > std::int64_t{1} << 31)
    throw std::invalid_argument("generate_network: population out of range");
  const auto nc = static_cast<std::uint32_t>(sc.population);
  Csr followees;
  switch (sc.network.generator) {
    case NetworkGenerator::power_law: {
      // Follow-backs add q * E edges; draw fewer first so the mean stays `mean_followees`.
      const double r = sc.network.reciprocity;
      const double q = r / (2.0 - r);
      followees = power_law_followees(sc, sc.network.mean_followees / (1.0 + q));
      if (q > 0) followees = add_follow_backs(sc, std::move(followees), q);
      break;
    }
    case NetworkGenerator::erdos_renyi:
      followees = erdos_renyi_followees(nc, sc.network.mean_followees, sc.seed);
      break;
    case NetworkGenerator::watts_strogatz: {
      // k nearest neighbours, k even: mean_followees rounded to the nearest even integer >= 2.
      const auto k = static_cast<std::uint32_t>(
          std::max(2.0, 2.0 * std::round(sc.network.mean_followees / 2.0)));
      followees = watts_strogatz_followees(nc, k, sc.network.rewiring, sc.seed);
      break;
    }
    case NetworkGenerator::price:
      followees = price_followees(
          nc, static_cast<std::uint32_t>(std::max(1.0, std::round(sc.network.mean_followees))),
          sc.network.attachment_offset, sc.seed);
      break;
    case NetworkGenerator::rmat:
      followees = rmat_followees(nc, sc.network.mean_followees, sc.network.rmat_a,
                                 sc.network.rmat_b, sc.network.rmat_c, sc.seed);
      break;
    case NetworkGenerator::edge_list:
      throw std::invalid_argument(
          "generate_network: edge_list networks are read by the I/O library (build_network)");
  }
  return assemble_network(followees, account_followers(sc));
}

}  // namespace civsim
