#include "core/generators_classic.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include <omp.h>

#include "core/rng.hpp"

namespace civsim {
namespace {

constexpr std::uint64_t kMaxCitizens = std::uint64_t{1} << 31;  // as generate_network

void check_population(const char* who, std::uint32_t n) {
  if (n < 2 || n > kMaxCitizens)
    throw std::invalid_argument(std::string(who) + ": n must be in [2, 2^31], got " +
                                std::to_string(n));
}

void check_probability(const char* who, const char* name, double p) {
  if (!(p >= 0.0 && p <= 1.0))  // also rejects NaN
    throw std::invalid_argument(std::string(who) + ": " + name + " must be in [0, 1], got " +
                                std::to_string(p));
}

void check_mean(const char* who, std::uint32_t n, double mean) {
  if (!(mean >= 0.0 && mean <= static_cast<double>(n - 1)))
    throw std::invalid_argument(std::string(who) + ": mean_followees must be in [0, n - 1] = [0, " +
                                std::to_string(n - 1) + "], got " + std::to_string(mean));
}

// Fills rows whose lengths are not known in advance, in parallel: fixed blocks of rows (the block
// size does not depend on the thread count) each append their rows to their own buffer, then the
// buffers are stitched in row order. fill_row(u, out) appends row u, sorted, to out.
template <class FillRow>
Csr rows_in_blocks(std::uint32_t n, const FillRow& fill_row) {
  constexpr std::uint32_t kBlock = 4096;
  const std::uint32_t n_blocks = (n + kBlock - 1) / kBlock;
  std::vector<std::vector<NodeId>> buffers(n_blocks);
  Csr csr;
  csr.offsets.assign(std::size_t{n} + 1, 0);
#pragma omp parallel for schedule(dynamic, 1)
  for (std::int64_t b = 0; b < static_cast<std::int64_t>(n_blocks); ++b) {
    const auto first = static_cast<std::uint32_t>(b) * kBlock;
    const std::uint32_t last = std::min(n, first + kBlock);
    auto& out = buffers[static_cast<std::size_t>(b)];
    for (std::uint32_t u = first; u < last; ++u) {
      fill_row(u, out);
      csr.offsets[std::size_t{u} + 1] = out.size();  // end of row u within the block
    }
  }
  std::uint64_t base = 0;
  for (std::uint32_t b = 0; b < n_blocks; ++b) {
    const std::uint32_t first = b * kBlock, last = std::min(n, first + kBlock);
    for (std::uint32_t u = first; u < last; ++u) csr.offsets[std::size_t{u} + 1] += base;
    base = csr.offsets[last];
  }
  csr.targets.resize(base);
#pragma omp parallel for schedule(dynamic, 1)
  for (std::int64_t b = 0; b < static_cast<std::int64_t>(n_blocks); ++b) {
    auto& buf = buffers[static_cast<std::size_t>(b)];
    const std::uint64_t begin = csr.offsets[static_cast<std::size_t>(b) * kBlock];
    std::copy(buf.begin(), buf.end(), csr.targets.begin() + static_cast<std::ptrdiff_t>(begin));
    std::vector<NodeId>().swap(buf);
  }
  return csr;
}

// Index of the r-th (from 0) integer that is not in `excluded` (sorted, distinct).
std::uint64_t nth_not_excluded(std::uint64_t r, const std::vector<NodeId>& excluded) {
  for (NodeId e : excluded) {
    if (e > r) break;
    ++r;
  }
  return r;
}

}  // namespace

// Geometric skipping (Batagelj & Brandes 2005): the gap to the next followee among the n - 1
// candidates of a row is Geometric(p), one logarithm per follow instead of n coin flips. The
// j-th gap of row u is word j % 4 of draw (er_gap, agent u, k = j / 4).
Csr erdos_renyi_followees(std::uint32_t n, double mean_followees, std::uint64_t seed) {
  constexpr const char* who = "erdos_renyi_followees";
  check_population(who, n);
  check_mean(who, n, mean_followees);
  const std::uint64_t candidates = n - 1;
  const double p = std::min(1.0, mean_followees / static_cast<double>(candidates));
  const double log_q = std::log1p(-p);
  return rows_in_blocks(n, [&](std::uint32_t u, std::vector<NodeId>& out) {
    if (p <= 0.0) return;
    if (p >= 1.0) {
      for (NodeId v = 0; v < n; ++v)
        if (v != u) out.push_back(v);
      return;
    }
    std::array<std::uint64_t, 4> words{};
    std::uint64_t j = 0, x = 0;  // x: next candidate position; candidate x is citizen x + (x >= u)
    for (;; ++j) {
      if (j % 4 == 0) words = random_words({seed, 0, Purpose::er_gap, 0, u, j / 4});
      const double gap = std::floor(std::log(to_unit_open0(words[j % 4])) / log_q);
      if (!(gap < static_cast<double>(candidates - x))) break;
      x += static_cast<std::uint64_t>(gap);
      out.push_back(static_cast<NodeId>(x < u ? x : x + 1));
      ++x;
    }
  });
}

// Row u starts as the lattice {u +- 1, ..., u +- k/2} (mod n), kept sorted. Follow j (lattice
// offsets -k/2..-1, 1..k/2 in that order) is rewired when word 0 of draw (ws_rewire, step 0,
// agent u, k = j) is below `rewiring`; its new target is drawn uniformly from the citizens u does
// not follow (not u, not the old target): by rejection, from words 1-3 of that draw and then, if
// needed, of draws with step r = 1, 2, ...; or, when the row covers more than half the citizens,
// by one index (word 1) into the sorted complement.
Csr watts_strogatz_followees(std::uint32_t n, std::uint32_t k, double rewiring,
                             std::uint64_t seed) {
  constexpr const char* who = "watts_strogatz_followees";
  check_population(who, n);
  check_probability(who, "rewiring", rewiring);
  if (k % 2 != 0 || k >= n)
    throw std::invalid_argument(std::string(who) + ": k must be even and < n = " +
                                std::to_string(n) + ", got " + std::to_string(k));
  Csr csr = csr_with_capacity(std::vector<std::uint32_t>(n, k));
  // Citizens that can take a rewired follow: n - 1 minus the k - 1 other followees and the old
  // target. With none (k = n - 1) a follow has nowhere to go and stays.
  const std::uint64_t free_targets = std::uint64_t{n} - 1 - k;
  const bool sparse = 2 * (std::uint64_t{k} + 1) <= n;
  const std::int64_t half = k / 2;
#pragma omp parallel
  {
    std::vector<NodeId> lattice(k), row, excluded;
#pragma omp for schedule(static)
    for (std::int64_t i = 0; i < static_cast<std::int64_t>(n); ++i) {
      const auto u = static_cast<NodeId>(i);
      for (std::int64_t j = 0; j < static_cast<std::int64_t>(k); ++j) {
        const std::int64_t offset = j < half ? j - half : j - half + 1;
        lattice[static_cast<std::size_t>(j)] = static_cast<NodeId>((i + offset + n) % n);
      }
      row = lattice;
      std::sort(row.begin(), row.end());
      for (std::uint32_t j = 0; j < k && rewiring > 0.0 && free_targets > 0; ++j) {
        const auto draw = random_words({seed, 0, Purpose::ws_rewire, 0, u, j});
        if (!(to_unit(draw[0]) < rewiring)) continue;
        const NodeId old = lattice[j];
        row.erase(std::lower_bound(row.begin(), row.end(), old));
        NodeId pick = 0;
        if (sparse) {
          // At least half of all citizens are free, so each candidate is accepted with
          // probability >= 1/2.
          std::array<std::uint64_t, 4> words = draw;
          for (std::uint64_t w = 1, round = 0;; ++w) {
            if (w == 4) words = random_words({seed, 0, Purpose::ws_rewire, ++round, u, j}), w = 0;
            const auto c = static_cast<NodeId>(to_index(words[w], n));
            if (c != u && c != old && !std::binary_search(row.begin(), row.end(), c)) {
              pick = c;
              break;
            }
          }
        } else {
          excluded = row;
          excluded.insert(std::lower_bound(excluded.begin(), excluded.end(), u), u);
          excluded.insert(std::lower_bound(excluded.begin(), excluded.end(), old), old);
          pick = static_cast<NodeId>(nth_not_excluded(to_index(draw[1], free_targets), excluded));
        }
        row.insert(std::lower_bound(row.begin(), row.end(), pick), pick);
      }
      std::copy(row.begin(), row.end(),
                csr.targets.begin() + static_cast<std::ptrdiff_t>(csr.offsets[u]));
    }
  }
  return csr;
}

// With E_t follows made by citizens before t, P(follow j) = (q_j + a) / (E_t + a t) is the mixture
// "copy the target of a uniformly chosen earlier follow" (probability E_t / (E_t + a t)) or "pick
// a uniform earlier citizen", so each choice costs O(1). E_t = sum_{s<t} min(s, m) is known in
// advance, so the CSR offsets are too. Attempt pairs come from draws (price_choice, step 0, agent
// t, k = 0, 1, ...): words 0/2 choose the branch, words 1/3 the follow or citizen. Duplicates are
// redrawn; if 20 m + 64 attempts do not complete the row (only when nearly all weight sits on
// citizens t already follows), the rest is drawn exactly from the remaining weights, slot s by
// draw (price_choice, step 1, agent t, k = s).
Csr price_followees(std::uint32_t n, std::uint32_t m, double attachment_offset,
                    std::uint64_t seed) {
  constexpr const char* who = "price_followees";
  check_population(who, n);
  if (m < 1 || m >= n)
    throw std::invalid_argument(std::string(who) + ": m must be in [1, n - 1], got " +
                                std::to_string(m));
  if (!(attachment_offset > 0.0 && std::isfinite(attachment_offset)))
    throw std::invalid_argument(std::string(who) +
                                ": attachment_offset must be positive and finite, got " +
                                std::to_string(attachment_offset));
  const double a = attachment_offset;
  std::vector<std::uint32_t> degree(n);
  for (std::uint32_t t = 0; t < n; ++t) degree[t] = std::min(t, m);
  Csr csr = csr_with_capacity(degree);
  std::vector<std::uint32_t> followers(n, 0);  // only the exact fallback needs these
  std::vector<NodeId> row;
  row.reserve(m);
  const std::uint64_t budget = 20ull * m + 64;
  for (std::uint32_t t = 0; t < n; ++t) {
    const std::uint64_t earlier = csr.offsets[t];  // E_t
    row.clear();
    if (t <= m) {
      for (NodeId v = 0; v < t; ++v) row.push_back(v);
    } else {
      const double p_copy = static_cast<double>(earlier) /
                            (static_cast<double>(earlier) + a * static_cast<double>(t));
      auto choose = [&](std::uint64_t branch, std::uint64_t pick) {
        const NodeId v = to_unit(branch) < p_copy ? csr.targets[to_index(pick, earlier)]
                                                  : static_cast<NodeId>(to_index(pick, t));
        const auto at = std::lower_bound(row.begin(), row.end(), v);
        if (at == row.end() || *at != v) row.insert(at, v);
      };
      for (std::uint64_t k = 0; row.size() < m && 2 * k < budget; ++k) {
        const auto w = random_words({seed, 0, Purpose::price_choice, 0, t, k});
        choose(w[0], w[1]);
        if (row.size() < m) choose(w[2], w[3]);
      }
      for (std::uint64_t s = row.size(); s < m; ++s) {
        double total = 0;
        for (NodeId v = 0; v < t; ++v)
          if (!std::binary_search(row.begin(), row.end(), v)) total += followers[v] + a;
        double x = to_unit(random_words({seed, 0, Purpose::price_choice, 1, t, s})[0]) * total;
        NodeId pick = 0;  // if rounding leaves x >= 0 at the end: the last free citizen
        for (NodeId v = 0; v < t; ++v) {
          if (std::binary_search(row.begin(), row.end(), v)) continue;
          pick = v;
          x -= followers[v] + a;
          if (x < 0) break;
        }
        row.insert(std::lower_bound(row.begin(), row.end(), pick), pick);
      }
    }
    for (NodeId v : row) ++followers[v];
    std::copy(row.begin(), row.end(), csr.targets.begin() + static_cast<std::ptrdiff_t>(earlier));
  }
  return csr;
}

// Attempt i descends s levels; level l uses 32 bits (half l % 2 of word (l / 2) % 4 of draw
// (rmat_quadrant, agent i, k = l / 8)), compared with a, a + b, a + b + c scaled to 2^32 (so the
// quadrant probabilities are exact to 2^-32). Attempts are kept in an array indexed by i, bucketed
// by row with atomic counters, then each row is sorted and deduplicated: the order in which
// threads fill a row is lost in the sort, so the result does not depend on the thread count.
Csr rmat_followees(std::uint32_t n, double mean_followees, double a, double b, double c,
                   std::uint64_t seed, RmatShortfall* shortfall) {
  constexpr const char* who = "rmat_followees";
  check_population(who, n);
  check_mean(who, n, mean_followees);
  check_probability(who, "a", a);
  check_probability(who, "b", b);
  check_probability(who, "c", c);
  if (a + b + c > 1.0 + 1e-12)
    throw std::invalid_argument(std::string(who) + ": a + b + c must be <= 1, got " +
                                std::to_string(a + b + c));
  const auto attempts =
      static_cast<std::uint64_t>(std::llround(mean_followees * static_cast<double>(n)));
  unsigned levels = 0;
  while ((std::uint64_t{1} << levels) < n) ++levels;
  const auto scaled = [](double x) {
    return static_cast<std::uint64_t>(std::min(1.0, x) * 0x1.0p32);
  };
  const std::uint64_t t_a = scaled(a), t_ab = scaled(a + b), t_abc = scaled(a + b + c);

  // Rows are grouped in buckets of 2^shift (at most 4096 buckets); each thread appends the
  // attempts it keeps to its own list per bucket, so no two threads write the same memory and a
  // bucket's rows fit in cache when they are placed.
  const unsigned shift = levels <= 24 ? 12 : levels - 12;
  const std::uint32_t n_buckets = ((n - 1) >> shift) + 1;
  std::vector<std::vector<std::vector<std::uint64_t>>> parts;  // [thread][bucket]: u << 32 | v
  std::uint64_t out_of_range = 0, self_loops = 0;
#pragma omp parallel reduction(+ : out_of_range, self_loops)
  {
#pragma omp single
    parts.resize(static_cast<std::size_t>(omp_get_num_threads()),
                 std::vector<std::vector<std::uint64_t>>(n_buckets));
    auto& mine = parts[static_cast<std::size_t>(omp_get_thread_num())];
#pragma omp for schedule(static)
    for (std::int64_t i = 0; i < static_cast<std::int64_t>(attempts); ++i) {
      std::uint64_t u = 0, v = 0;
      for (unsigned l = 0, call = 0; l < levels; ++call) {
        for (const std::uint64_t w : random_words(
                 {seed, 0, Purpose::rmat_quadrant, 0, static_cast<std::uint64_t>(i), call})) {
          for (unsigned half = 0; half < 2 && l < levels; ++half, ++l) {
            const std::uint64_t x = half ? w >> 32 : w & 0xffffffffu;
            // Quadrants a, b, c, d = (row, column bits) 00, 01, 10, 11, without branches.
            u = (u << 1) | (x >= t_ab);
            v = (v << 1) | ((x >= t_a) ^ (x >= t_ab) ^ (x >= t_abc));
          }
        }
      }
      if (u >= n || v >= n)
        ++out_of_range;
      else if (u == v)
        ++self_loops;
      else
        mine[u >> shift].push_back((u << 32) | v);
    }
  }

  Csr csr;
  std::vector<std::uint64_t> bucket_begin(std::size_t{n_buckets} + 1, 0);
  for (std::uint32_t k = 0; k < n_buckets; ++k) {
    bucket_begin[k + 1] = bucket_begin[k];
    for (const auto& p : parts) bucket_begin[k + 1] += p[k].size();
  }
  const std::uint64_t valid = bucket_begin[n_buckets];
  csr.offsets.assign(std::size_t{n} + 1, 0);
  csr.offsets[n] = valid;
  csr.targets.resize(valid);
  std::vector<std::uint32_t> used(n);
#pragma omp parallel
  {
    std::vector<std::uint64_t> cursor;
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t bi = 0; bi < static_cast<std::int64_t>(n_buckets); ++bi) {
      const auto k = static_cast<std::uint32_t>(bi);
      const std::uint32_t first = k << shift;
      const std::uint32_t last =
          static_cast<std::uint32_t>(std::min<std::uint64_t>(n, (std::uint64_t{k} + 1) << shift));
      // Counting sort of the bucket's attempts by row, then each row sorted and deduplicated.
      cursor.assign(last - first + 1, 0);
      for (const auto& p : parts)
        for (std::uint64_t e : p[k]) ++cursor[(e >> 32) - first + 1];
      cursor[0] = bucket_begin[k];
      for (std::uint32_t r = first; r < last; ++r) {
        cursor[r - first + 1] += cursor[r - first];
        csr.offsets[r] = cursor[r - first];
      }
      for (auto& p : parts) {
        for (std::uint64_t e : p[k])
          csr.targets[cursor[(e >> 32) - first]++] = static_cast<NodeId>(e & 0xffffffffu);
        std::vector<std::uint64_t>().swap(p[k]);
      }
      for (std::uint32_t r = first; r < last; ++r) {
        const auto begin = csr.targets.begin() + static_cast<std::ptrdiff_t>(csr.offsets[r]);
        // The scatter left each cursor at the end of its row.
        const auto end = csr.targets.begin() + static_cast<std::ptrdiff_t>(cursor[r - first]);
        std::sort(begin, end);
        used[r] = static_cast<std::uint32_t>(std::unique(begin, end) - begin);
      }
    }
  }
  compact(csr, used);
  if (shortfall) *shortfall = {attempts, out_of_range, self_loops, valid - csr.entries()};
  return csr;
}

}  // namespace civsim
