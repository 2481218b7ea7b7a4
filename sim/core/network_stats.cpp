#include "core/network_stats.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>
#include <span>
#include <stdexcept>
#include <unordered_set>

#include "core/rng.hpp"

namespace civsim {
namespace {

using Index = std::int64_t;  // signed loop index for OpenMP

// ---------------------------------------------------------------------------------------------
// Degrees

// Summary and log-binned histogram of counts, by a counting pass (linear, no sort).
void summarize_degrees(std::span<const std::uint32_t> degree, DegreeSummary& summary,
                       LogBins& bins) {
  const auto n = static_cast<Index>(degree.size());
  std::uint64_t sum = 0;
  std::uint32_t max = 0;
#pragma omp parallel for schedule(static) reduction(+ : sum) reduction(max : max)
  for (Index i = 0; i < n; ++i) {
    sum += degree[i];
    max = std::max(max, degree[i]);
  }
  std::vector<std::uint64_t> histogram(std::size_t{max} + 1, 0);
  for (const std::uint32_t d : degree) ++histogram[d];

  summary = DegreeSummary{};
  summary.max = max;
  summary.zero = histogram[0];
  if (n > 0) summary.mean = static_cast<double>(sum) / static_cast<double>(n);
  // Quantile `per_mille`/1000: the count at 0-based position floor(q n) of the sorted counts, i.e.
  // the smallest d with more than floor(q n) counts <= d. Integer arithmetic, so no rounding.
  const auto quantile = [&](std::uint64_t per_mille) -> std::uint64_t {
    if (n == 0) return 0;
    const std::uint64_t position = static_cast<std::uint64_t>(n) * per_mille / 1000;
    std::uint64_t below = 0;
    for (std::size_t d = 0; d < histogram.size(); ++d) {
      below += histogram[d];
      if (below > position) return d;
    }
    return max;
  };
  summary.median = quantile(500);
  summary.p90 = quantile(900);
  summary.p99 = quantile(990);

  // Bin k holds counts with bit_width(d) == k: 0 -> bin 0, [2^(k-1), 2^k) -> bin k.
  const auto n_bins = static_cast<std::size_t>(std::bit_width(max)) + 1;
  bins.lower.assign(n_bins, 0);
  bins.count.assign(n_bins, 0);
  for (std::size_t k = 1; k < n_bins; ++k) bins.lower[k] = std::uint64_t{1} << (k - 1);
  for (std::size_t d = 0; d < histogram.size(); ++d)
    bins.count[static_cast<std::size_t>(std::bit_width(d))] += histogram[d];
}

// ---------------------------------------------------------------------------------------------
// Deterministic samples

// m distinct nodes of 0..n-1 (all when m >= n), ascending: Floyd's algorithm, one counter-based
// draw per step (agent field = step j), so the sample depends on the seed only.
std::vector<NodeId> sample_nodes(std::uint64_t seed, Purpose purpose, NodeId n, std::uint64_t m) {
  std::vector<NodeId> out;
  if (m >= n) {
    out.resize(n);
    std::iota(out.begin(), out.end(), NodeId{0});
    return out;
  }
  std::unordered_set<NodeId> chosen;
  chosen.reserve(2 * m);
  out.reserve(m);
  for (std::uint64_t j = n - m; j < n; ++j) {
    const DrawId id{.seed = seed, .replicate = 0, .purpose = purpose, .step = 0, .agent = j};
    const auto t = static_cast<NodeId>(to_index(random_words(id)[0], j + 1));
    const NodeId pick = chosen.insert(t).second ? t : static_cast<NodeId>(j);
    if (pick != t) chosen.insert(pick);
    out.push_back(pick);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reciprocity

std::uint64_t reciprocated_edges(const Network& net) {
  // A mutual pair {u, v} is two reciprocated edges; look for each pair once, from the edge
  // u -> v with u < v (a prefix of v's sorted follower list). Integer count: exact in any order.
  std::uint64_t mutual = 0;
  const auto n = static_cast<Index>(net.n_nodes());
#pragma omp parallel for schedule(dynamic, 1024) reduction(+ : mutual)
  for (Index vi = 0; vi < n; ++vi) {
    const auto v = static_cast<NodeId>(vi);
    for (const NodeId u : net.followers(v)) {
      if (u > v) break;
      if (net.follows(v, u)) ++mutual;
    }
  }
  return 2 * mutual;
}

// ---------------------------------------------------------------------------------------------
// Clustering

// Calls f(x) for every x in both sorted ranges, ascending; walks the shorter range and searches
// the longer, so a hub's long follower list costs only a logarithm per lookup.
template <class F>
void for_each_common(std::span<const NodeId> a, std::span<const NodeId> b, F&& f) {
  if (a.size() > b.size()) std::swap(a, b);
  auto it = b.begin();
  for (const NodeId x : a) {
    it = std::lower_bound(it, b.end(), x);
    if (it == b.end()) return;
    if (*it == x) f(x);
  }
}

// The followees of each sampled node, as sorted rows in sample order. The network stores follower
// lists only, so this is one pass over all edges that keeps those leaving a sampled node.
Csr sampled_followees(const Network& net, const std::vector<NodeId>& samples) {
  const NodeId n = net.n_nodes();
  std::vector<std::uint64_t> marked((std::size_t{n} + 63) / 64, 0);
  for (const NodeId s : samples) marked[s / 64] |= std::uint64_t{1} << (s % 64);
  const auto row_of = [&](NodeId u) {
    return static_cast<std::size_t>(std::lower_bound(samples.begin(), samples.end(), u) -
                                    samples.begin());
  };
  std::vector<std::uint32_t> count(samples.size(), 0);
#pragma omp parallel for schedule(dynamic, 4096)
  for (Index vi = 0; vi < static_cast<Index>(n); ++vi)
    for (const NodeId u : net.followers(static_cast<NodeId>(vi)))
      if (marked[u / 64] >> (u % 64) & 1) {
#pragma omp atomic
        ++count[row_of(u)];
      }
  Csr csr = csr_with_capacity(count);
  std::vector<std::uint64_t> cursor(csr.offsets.begin(), csr.offsets.end() - 1);
#pragma omp parallel for schedule(dynamic, 4096)
  for (Index vi = 0; vi < static_cast<Index>(n); ++vi)
    for (const NodeId u : net.followers(static_cast<NodeId>(vi)))
      if (marked[u / 64] >> (u % 64) & 1) {
        std::uint64_t slot;
#pragma omp atomic capture
        slot = cursor[row_of(u)]++;
        csr.targets[slot] = static_cast<NodeId>(vi);
      }
      // Slots were claimed in a thread-dependent order; sorting makes every row the same set,
      // sorted.
#pragma omp parallel for schedule(dynamic, 64)
  for (Index r = 0; r < static_cast<Index>(samples.size()); ++r)
    std::sort(csr.targets.begin() + static_cast<std::ptrdiff_t>(csr.offsets[r]),
              csr.targets.begin() + static_cast<std::ptrdiff_t>(csr.offsets[r + 1]));
  return csr;
}

// Local clustering coefficient of s in the undirected simple projection: links among its
// neighbours over k(k-1)/2, 0 when k < 2. `nb` is scratch space.
double local_clustering(const Network& net, NodeId s, std::span<const NodeId> followees,
                        std::vector<NodeId>& nb) {
  const auto followers = net.followers(s);
  nb.clear();
  std::set_union(followers.begin(), followers.end(), followees.begin(), followees.end(),
                 std::back_inserter(nb));
  const std::size_t k = nb.size();
  if (k < 2) return 0.0;
  // Each directed edge y -> z between neighbours is found once, in z's follower list. An
  // undirected link {y, z} is counted from the edge y -> z when y < z, or when its reverse does
  // not exist; so a mutual pair counts once, not twice.
  std::uint64_t links = 0;
  for (const NodeId z : nb)
    for_each_common(net.followers(z), nb, [&](NodeId y) {
      if (y < z || !net.follows(z, y)) ++links;
    });
  return static_cast<double>(links) / (0.5 * static_cast<double>(k) * static_cast<double>(k - 1));
}

void clustering(const Network& net, const StatsOptions& options, NetworkStats& s) {
  const auto samples = sample_nodes(options.seed, Purpose::stats_clustering_sample, net.n_nodes(),
                                    options.clustering_samples);
  const auto m = samples.size();
  s.clustering_samples = m;
  if (m == 0) return;
  const Csr followees = sampled_followees(net, samples);
  std::vector<double> local(m);
#pragma omp parallel
  {
    std::vector<NodeId> scratch;
#pragma omp for schedule(dynamic, 16)
    for (Index i = 0; i < static_cast<Index>(m); ++i)
      local[i] =
          local_clustering(net, samples[i], followees.row(static_cast<std::uint32_t>(i)), scratch);
  }
  // Sums in sample order, whatever the thread count.
  double sum = 0;
  for (const double c : local) sum += c;
  const double mean = sum / static_cast<double>(m);
  s.clustering = mean;
  const double n = net.n_nodes();
  if (m > 1 && static_cast<double>(m) < n) {
    double squares = 0;
    for (const double c : local) squares += (c - mean) * (c - mean);
    const double variance = squares / static_cast<double>(m - 1);
    const double fpc = (n - static_cast<double>(m)) / (n - 1);
    s.clustering_stderr = std::sqrt(variance / static_cast<double>(m) * fpc);
  }
}

// ---------------------------------------------------------------------------------------------
// Components

// Weakly connected components: union-find with union by size and path halving over every edge,
// O(E α(V)). The partition does not depend on the edge order.
void weak_components(const Network& net, NetworkStats& s) {
  const NodeId n = net.n_nodes();
  std::vector<NodeId> parent(n);
  std::iota(parent.begin(), parent.end(), NodeId{0});
  std::vector<NodeId> size(n, 1);
  const auto find = [&](NodeId v) {
    while (parent[v] != v) v = parent[v] = parent[parent[v]];
    return v;
  };
  for (NodeId v = 0; v < n; ++v)
    for (const NodeId u : net.followers(v)) {
      NodeId a = find(u), b = find(v);
      if (a == b) continue;
      if (size[a] < size[b]) std::swap(a, b);
      parent[b] = a;
      size[a] += size[b];
    }
  for (NodeId v = 0; v < n; ++v)
    if (parent[v] == v) {
      ++s.weak_components;
      s.largest_weak_component = std::max<std::uint64_t>(s.largest_weak_component, size[v]);
    }
}

// Strongly connected components by Pearce's space-efficient variant of Tarjan's algorithm
// ("A space-efficient algorithm for finding strongly connected components", IPL 116, 2016),
// with an explicit stack instead of recursion. Follower lists serve as successor lists (a graph
// and its transpose have the same SCCs), so no transposed copy is needed. Extra memory: the
// returned labels (4 bytes per node) plus the DFS and component stacks (at most 16 bytes per
// node). Returns each node's component label, in [1, n].
std::vector<std::uint32_t> strong_components(const Network& net, NetworkStats& s) {
  const NodeId n = net.n_nodes();
  // rindex[v]: 0 = unvisited; while v is open, its visit index, lowered to the lowest index it
  // reaches; once its component is complete, the component's label c. Labels count down from n
  // and open indices are at most the number of open nodes, so the two ranges never overlap.
  std::vector<std::uint32_t> rindex(n, 0);
  struct Frame {
    NodeId v;
    std::uint32_t next;  // position in v's follower list
    bool root;           // no lower index reached yet
  };
  std::vector<Frame> dfs;
  std::vector<NodeId> open;  // visited nodes not yet assigned to a component
  std::uint64_t index = 1;   // wider than a label: it reaches n + 1
  std::uint32_t label = n;
  for (NodeId start = 0; start < n; ++start) {
    if (rindex[start] != 0) continue;
    rindex[start] = static_cast<std::uint32_t>(index++);
    dfs.push_back({start, 0, true});
    while (!dfs.empty()) {
      Frame& f = dfs.back();
      const auto succ = net.followers(f.v);
      if (f.next < succ.size()) {
        const NodeId w = succ[f.next];
        if (rindex[w] == 0) {  // descend; f.next stays on w, to fold in w's result on return
          rindex[w] = static_cast<std::uint32_t>(index++);
          dfs.push_back({w, 0, true});
          continue;
        }
        if (rindex[w] < rindex[f.v]) {
          rindex[f.v] = rindex[w];
          f.root = false;
        }
        ++f.next;
        continue;
      }
      const NodeId v = f.v;
      const bool root = f.root;
      dfs.pop_back();
      if (!root) {
        open.push_back(v);
        continue;
      }
      // v roots a component: it and the open nodes visited after it.
      --index;
      std::uint64_t size = 1;
      while (!open.empty() && rindex[v] <= rindex[open.back()]) {
        rindex[open.back()] = label;
        open.pop_back();
        --index;
        ++size;
      }
      rindex[v] = label--;
      ++s.strong_components;
      s.largest_strong_component = std::max(s.largest_strong_component, size);
    }
  }
  return rindex;
}

// ---------------------------------------------------------------------------------------------
// Path lengths

void path_lengths(const Network& net, const StatsOptions& options, NetworkStats& s) {
  const NodeId n = net.n_nodes();
  const auto sources =
      sample_nodes(options.seed, Purpose::stats_path_source, n, options.path_sources);
  const auto m = sources.size();
  s.path_sources = m;
  if (m == 0 || n < 2) return;
  std::vector<std::uint64_t> reached(m, 0), hops(m, 0);
#pragma omp parallel
  {
    // Level-synchronous BFS with a bitmap of visited nodes (n/8 bytes, cache-friendly) and one
    // queue; per-thread buffers, reused across sources.
    std::vector<NodeId> queue(n);
    std::vector<std::uint64_t> seen((std::size_t{n} + 63) / 64);
#pragma omp for schedule(dynamic, 1)
    for (Index i = 0; i < static_cast<Index>(m); ++i) {
      std::fill(seen.begin(), seen.end(), 0);
      const NodeId src = sources[i];
      seen[src / 64] |= std::uint64_t{1} << (src % 64);
      queue[0] = src;
      std::size_t head = 0, tail = 1;
      std::uint64_t depth = 0, sum = 0;
      while (head < tail) {
        ++depth;
        const std::size_t level_end = tail;
        for (; head < level_end; ++head)
          for (const NodeId u : net.followers(queue[head])) {
            std::uint64_t& word = seen[u / 64];
            const std::uint64_t bit = std::uint64_t{1} << (u % 64);
            if (word & bit) continue;
            word |= bit;
            queue[tail++] = u;
            sum += depth;
          }
      }
      reached[i] = tail - 1;
      hops[i] = sum;
    }
  }
  std::uint64_t pairs = 0, total = 0;
  for (std::size_t i = 0; i < m; ++i) pairs += reached[i], total += hops[i];
  if (pairs > 0) s.mean_path_length = static_cast<double>(total) / static_cast<double>(pairs);
  s.reachable_share = static_cast<double>(pairs) / (static_cast<double>(m) * (n - 1.0));
}

// ---------------------------------------------------------------------------------------------
// Leading eigenvalue

// Runs f(block, begin, length) over fixed blocks of nodes in parallel. Per-block partial sums,
// merged in block order by `ordered_sum`, give the same bits for any thread count.
constexpr Index kBlock = 4096;

template <class F>
void for_blocks(Index n, F&& f) {
  const Index blocks = (n + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(dynamic, 1)
  for (Index b = 0; b < blocks; ++b) f(b, b * kBlock, std::min(kBlock, n - b * kBlock));
}

double ordered_sum(const std::vector<double>& partial) {
  double sum = 0;
  for (const double p : partial) sum += p;
  return sum;
}

// Power iteration on M = A + I. The shift makes the Perron root ρ + 1 the only eigenvalue of
// largest modulus (|μ + 1| < ρ + 1 for every other eigenvalue μ ≠ ρ), so periodic graphs such as
// cycles converge. The spectrum of a directed graph is the union of the spectra of its strongly
// connected components, so the iteration keeps only edges inside a component and starts on the
// nodes of components larger than one node: M is then block diagonal with primitive blocks and
// no Jordan coupling between them, and an acyclic graph has ρ = 0 without iterating.
// Two parallel passes per iteration, so a busy machine pays few barriers.
void leading_eigenvalue(const Network& net, const std::vector<std::uint32_t>& component,
                        const StatsOptions& options, NetworkStats& s) {
  const Index n = net.n_nodes();
  const auto blocks = static_cast<std::size_t>((n + kBlock - 1) / kBlock);
  std::vector<double> partial_a(blocks), partial_b(blocks);
  Eigen::VectorXd x(n), y(n);
  // y = M x over the edges inside components; x[v] for every v must be final.
  const auto multiply = [&](Index begin, Index length) {
    for (Index v = begin; v < begin + length; ++v) {
      double acc = x[v];
      for (const NodeId u : net.followers(static_cast<NodeId>(v)))
        if (component[u] == component[v]) acc += x[u];
      y[v] = acc;
    }
  };

  // Start on the nodes with a follower in their own component: those of components > 1 node.
  for_blocks(n, [&](Index b, Index begin, Index length) {
    for (Index v = begin; v < begin + length; ++v) {
      const auto f = net.followers(static_cast<NodeId>(v));
      x[v] = std::any_of(f.begin(), f.end(), [&](NodeId u) { return component[u] == component[v]; })
                 ? 1.0
                 : 0.0;
    }
    partial_a[b] = x.segment(begin, length).squaredNorm();
  });
  const double norm0 = std::sqrt(ordered_sum(partial_a));
  s.eigen_tolerance = options.eigen_tolerance;
  s.leading_eigenvalue = 0;
  s.eigen_iterations = 0;
  s.eigen_converged = true;
  if (norm0 == 0) return;  // no cycle: A is nilpotent
  x /= norm0;
  s.eigen_converged = false;
  for (int it = 1; it <= options.eigen_max_iterations; ++it) {
    for_blocks(n, [&](Index b, Index begin, Index length) {
      multiply(begin, length);
      partial_a[b] = x.segment(begin, length).dot(y.segment(begin, length));
      partial_b[b] = y.segment(begin, length).squaredNorm();
    });
    // x has unit norm, so mu = x.Mx is the eigenvalue estimate of M (the Rayleigh quotient) and
    // |Mx - mu x| / mu its relative residual. The residual is summed directly rather than as
    // |Mx|^2 - mu^2, which cancels catastrophically near convergence.
    const double mu = ordered_sum(partial_a);
    const double norm = std::sqrt(ordered_sum(partial_b));
    for_blocks(n, [&](Index b, Index begin, Index length) {
      partial_a[b] = (y.segment(begin, length) - mu * x.segment(begin, length)).squaredNorm();
      x.segment(begin, length) = y.segment(begin, length) / norm;  // the next iterate
    });
    const double residual = std::sqrt(ordered_sum(partial_a));
    s.leading_eigenvalue = mu - 1.0;
    s.eigen_iterations = it;
    if (residual <= options.eigen_tolerance * mu) {
      s.eigen_converged = true;
      return;
    }
  }
}

}  // namespace

NetworkStats compute_stats(const Network& net, const StatsOptions& options) {
  if (options.eigen_max_iterations < 1)
    throw std::invalid_argument("compute_stats: eigen_max_iterations must be at least 1");
  NetworkStats s;
  const NodeId n = net.n_nodes();
  const NodeId nc = net.n_citizens();
  s.nodes = n;
  s.citizens = nc;
  s.accounts = n - nc;
  s.edges = net.n_edges();

  {
    std::vector<std::uint32_t> followers(nc);
#pragma omp parallel for schedule(static)
    for (Index v = 0; v < static_cast<Index>(nc); ++v)
      followers[v] = static_cast<std::uint32_t>(net.follower_count(static_cast<NodeId>(v)));
    summarize_degrees(followers, s.followers, s.follower_bins);
    const auto followees = net.followee_counts();
    summarize_degrees(std::span(followees).first(nc), s.followees, s.followee_bins);
  }
  for (NodeId v = nc; v < n; ++v) s.government_followers += net.follower_count(v);

  if (s.edges > 0)
    s.reciprocity = static_cast<double>(reciprocated_edges(net)) / static_cast<double>(s.edges);
  clustering(net, options, s);
  weak_components(net, s);
  const auto component = strong_components(net, s);
  path_lengths(net, options, s);
  leading_eigenvalue(net, component, options, s);
  return s;
}

}  // namespace civsim
