#include "core/network_stats.hpp"

#include <omp.h>

#include <sys/mman.h>
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

// Edges ahead of the current one whose lookups are prefetched: each reciprocity test chases two
// dependent pointers into random nodes, which out-of-order execution alone cannot overlap.
constexpr std::uint64_t kAhead = 16;

std::uint64_t reciprocated_edges(const Network& net) {
  // A mutual pair {u, v} is two reciprocated edges; look for each pair once, from the edge
  // u -> v with u < v. Integer count: exact in any order.
  std::uint64_t mutual = 0;
  const auto n = static_cast<Index>(net.n_nodes());
  const auto& offsets = net.offsets();
  const auto& followers = net.follower_array();
  const std::uint64_t edges = followers.size();
#pragma omp parallel for schedule(dynamic, 1024) reduction(+ : mutual)
  for (Index vi = 0; vi < n; ++vi) {
    const auto v = static_cast<NodeId>(vi);
    for (std::uint64_t e = offsets[v]; e < offsets[v + 1]; ++e) {
      if (e + 2 * kAhead < edges) __builtin_prefetch(&offsets[followers[e + 2 * kAhead]]);
      if (e + kAhead < edges) __builtin_prefetch(followers.data() + offsets[followers[e + kAhead]]);
      const NodeId u = followers[e];
      if (u < v && net.follows(v, u)) ++mutual;
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
  for (Index vi = 0; vi < static_cast<Index>(n); ++vi) {
    for (const NodeId u : net.followers(static_cast<NodeId>(vi)))
      if (marked[u / 64] >> (u % 64) & 1) {
#pragma omp atomic
        ++count[row_of(u)];
      }
  }
  Csr csr = csr_with_capacity(count);
  std::vector<std::uint64_t> cursor(csr.offsets.begin(), csr.offsets.end() - 1);
#pragma omp parallel for schedule(dynamic, 4096)
  for (Index vi = 0; vi < static_cast<Index>(n); ++vi) {
    for (const NodeId u : net.followers(static_cast<NodeId>(vi)))
      if (marked[u / 64] >> (u % 64) & 1) {
        std::uint64_t slot;
#pragma omp atomic capture
        slot = cursor[row_of(u)]++;
        csr.targets[slot] = static_cast<NodeId>(vi);
      }
  }
  // Slots were claimed in a thread-dependent order; sorting makes each row the same sorted set.
#pragma omp parallel for schedule(dynamic, 64)
  for (Index r = 0; r < static_cast<Index>(samples.size()); ++r)
    std::sort(csr.targets.begin() + static_cast<std::ptrdiff_t>(csr.offsets[r]),
              csr.targets.begin() + static_cast<std::ptrdiff_t>(csr.offsets[r + 1]));
  return csr;
}

// Per-thread scratch: the neighbour list and a bitmap of it over all nodes (n/8 bytes).
struct ClusteringScratch {
  std::vector<NodeId> nb;
  std::vector<std::uint64_t> member;
};

// Local clustering coefficient of s in the undirected simple projection: links among its
// neighbours over k(k-1)/2, 0 when k < 2.
double local_clustering(const Network& net, NodeId s, std::span<const NodeId> followees,
                        ClusteringScratch& scratch) {
  auto& nb = scratch.nb;
  auto& member = scratch.member;
  const auto followers = net.followers(s);
  nb.clear();
  std::set_union(followers.begin(), followers.end(), followees.begin(), followees.end(),
                 std::back_inserter(nb));
  const std::size_t k = nb.size();
  if (k < 2) return 0.0;
  for (const NodeId v : nb) member[v / 64] |= std::uint64_t{1} << (v % 64);
  // Each directed edge y -> z between neighbours is found once, in z's follower list. An
  // undirected link {y, z} is counted from the edge y -> z when y < z, or when its reverse does
  // not exist; so a mutual pair counts once, not twice.
  std::uint64_t links = 0;
  const auto count = [&](NodeId y, NodeId z) {
    if (y < z || !net.follows(z, y)) ++links;
  };
  for (const NodeId z : nb) {
    const auto fz = net.followers(z);
    // A sequential scan against the bitmap costs about one unit per follower; a binary search
    // per neighbour costs a cache miss (~8 units) per probe. Take the cheaper.
    if (fz.size() <= 8 * k * static_cast<std::size_t>(std::bit_width(fz.size()))) {
      for (const NodeId y : fz)
        if (member[y / 64] >> (y % 64) & 1) count(y, z);
    } else {
      for_each_common(fz, nb, [&](NodeId y) { count(y, z); });
    }
  }
  for (const NodeId v : nb) member[v / 64] = 0;
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
    ClusteringScratch scratch{{},
                              std::vector<std::uint64_t>((std::size_t{net.n_nodes()} + 63) / 64)};
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

// Breadth-first searches from up to 64 sources at once, one bit per source (multi-source BFS,
// Then et al., VLDB 2014): searches from different sources mostly reach a node in the same few
// levels, so an edge is walked a few times instead of once per source. Each level pushes the
// frontier's bits along follower lists with an atomic OR (order-free), then collects the nodes
// with new bits as the next frontier. A small frontier records the nodes it reaches as it goes
// (an atomic exchange tells the first pusher), so a level costs its edges even when a graph has
// as many levels as nodes (a long cycle); a large one is collected by a sequential scan of all
// nodes, which also hands the next level its nodes in memory order. Small frontiers run
// serially, sparing the barrier. Counts are integers, so the result is the same for any thread
// count. The word is as narrow as the batch allows (16 sources: 2 bytes per node per array).
template <class Word>
void multi_source_bfs(const Network& net, std::span<const NodeId> sources, std::uint64_t& pairs,
                      std::uint64_t& hops) {
  constexpr std::size_t kParallelFrontier = 4096;
  const NodeId n = net.n_nodes();
  const std::size_t dense = std::max<std::size_t>(kParallelFrontier, n / 64);
  std::vector<Word> seen(n, 0), next(n, 0);
  std::vector<std::pair<NodeId, Word>> frontier;  // node, sources that reached it last level
  for (std::size_t j = 0; j < sources.size(); ++j) {
    seen[sources[j]] = static_cast<Word>(Word{1} << j);
    frontier.emplace_back(sources[j], seen[sources[j]]);  // sources are distinct
  }
  std::vector<NodeId> reached;  // sparse levels: nodes whose `next` became nonzero
  std::vector<std::vector<std::pair<NodeId, Word>>> parts;  // dense levels: per-thread pieces
  for (std::uint64_t depth = 1;; ++depth) {
    const bool sparse = frontier.size() < dense;
    reached.clear();
#pragma omp parallel if (frontier.size() > kParallelFrontier)
    {
      std::vector<NodeId> local;
#pragma omp for schedule(dynamic, 64)
      for (Index i = 0; i < static_cast<Index>(frontier.size()); ++i) {
        const auto [v, bits] = frontier[i];
        for (const NodeId u : net.followers(v)) {
          const auto fresh = static_cast<Word>(bits & ~seen[u]);  // seen is not written here
          if (fresh == 0) continue;
          if (sparse) {
            Word before;
#pragma omp atomic capture
            {
              before = next[u];
              next[u] |= fresh;
            }
            if (before == 0) local.push_back(u);
          } else {
#pragma omp atomic
            next[u] |= fresh;
          }
        }
      }
      if (sparse) {
#pragma omp critical
        reached.insert(reached.end(), local.begin(), local.end());
      }
    }
    std::uint64_t found = 0;
    if (sparse) {
      frontier.resize(reached.size());
      for (std::size_t i = 0; i < reached.size(); ++i) {
        const NodeId u = reached[i];
        frontier[i] = {u, next[u]};
        next[u] = 0;
      }
    } else {
      parts.assign(static_cast<std::size_t>(omp_get_max_threads()), {});
#pragma omp parallel
      {
        auto& part = parts[static_cast<std::size_t>(omp_get_thread_num())];
#pragma omp for schedule(static)
        for (Index u = 0; u < static_cast<Index>(n); ++u)
          if (next[u] != 0) {
            part.emplace_back(static_cast<NodeId>(u), next[u]);
            next[u] = 0;
          }
      }
      frontier.clear();
      for (const auto& part : parts) frontier.insert(frontier.end(), part.begin(), part.end());
    }
    if (frontier.empty()) return;
    for (const auto& [u, fresh] : frontier) {
      seen[u] = static_cast<Word>(seen[u] | fresh);
      found += static_cast<std::uint64_t>(std::popcount(fresh));
    }
    pairs += found;
    hops += depth * found;
  }
}

void path_lengths(const Network& net, const StatsOptions& options, NetworkStats& s) {
  const NodeId n = net.n_nodes();
  const auto sources =
      sample_nodes(options.seed, Purpose::stats_path_source, n, options.path_sources);
  const auto m = sources.size();
  s.path_sources = m;
  if (m == 0 || n < 2) return;
  std::uint64_t pairs = 0, hops = 0;
  for (std::size_t first = 0; first < m; first += 64) {
    const auto batch = std::span(sources).subspan(first, std::min<std::size_t>(64, m - first));
    if (batch.size() <= 16)
      multi_source_bfs<std::uint16_t>(net, batch, pairs, hops);
    else if (batch.size() <= 32)
      multi_source_bfs<std::uint32_t>(net, batch, pairs, hops);
    else
      multi_source_bfs<std::uint64_t>(net, batch, pairs, hops);
  }
  if (pairs > 0) s.mean_path_length = static_cast<double>(hops) / static_cast<double>(pairs);
  s.reachable_share = static_cast<double>(pairs) / (static_cast<double>(m) * (n - 1.0));
}

// ---------------------------------------------------------------------------------------------
// Leading eigenvalue

// Asks the kernel to back a large, not yet touched array with transparent huge pages.
void advise_huge_pages(double* data, std::size_t count) {
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  const auto begin = (reinterpret_cast<std::uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  const auto end = reinterpret_cast<std::uintptr_t>(data + count) & ~(kHuge - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

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
  // x is read at random once per edge: on 2 MiB pages a national-scale x (112 MB) needs few TLB
  // entries. Advice only; the values are the same.
  for (double* data : {x.data(), y.data()}) advise_huge_pages(data, static_cast<std::size_t>(n));
  const std::uint64_t n_edges = net.n_edges();
  // Nodes whose followers all lie in their own component (nearly all, in a graph with a giant
  // component) skip the per-edge component test: one random access per edge instead of two.
  std::vector<std::uint8_t> mixed(static_cast<std::size_t>(n), 0);
  const auto& offsets = net.offsets();
  const auto& followers = net.follower_array();
  // y = M x over the edges inside components; x[v] for every v must be final.
  const auto multiply = [&](Index begin, Index length) {
    for (Index v = begin; v < begin + length; ++v) {
      double acc = x[v];
      const std::uint64_t end = offsets[v + 1];
      if (!mixed[v]) {
        for (std::uint64_t e = offsets[v]; e < end; ++e) {
          if (e + kAhead < n_edges) __builtin_prefetch(&x[followers[e + kAhead]]);
          acc += x[followers[e]];
        }
      } else {
        for (std::uint64_t e = offsets[v]; e < end; ++e) {
          const NodeId u = followers[e];
          if (component[u] == component[v]) acc += x[u];
        }
      }
      y[v] = acc;
    }
  };

  // Start from each node's number of followers in its own component, which is nonzero exactly on
  // components larger than one node: one step of the iteration from the all-ones vector, free
  // because this pass must look at every edge anyway.
  for_blocks(n, [&](Index b, Index begin, Index length) {
    for (Index v = begin; v < begin + length; ++v) {
      std::uint64_t inside = 0;
      for (const NodeId u : net.followers(static_cast<NodeId>(v)))
        inside += component[u] == component[v];
      x[v] = static_cast<double>(inside);
      mixed[v] = inside != net.follower_count(static_cast<NodeId>(v));
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
  int max_iterations = options.eigen_max_iterations;
  const auto visits = static_cast<double>(net.n_edges() + static_cast<std::uint64_t>(n));
  if (options.eigen_max_edge_visits > 0)
    max_iterations = static_cast<int>(std::clamp(std::floor(options.eigen_max_edge_visits / visits),
                                                 1.0, static_cast<double>(max_iterations)));
  for (int it = 1; it <= max_iterations; ++it) {
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
  for (NodeId v = nc; v < n; ++v) s.account_followers += net.follower_count(v);

  if (s.edges > 0)
    s.reciprocity = static_cast<double>(reciprocated_edges(net)) / static_cast<double>(s.edges);
  clustering(net, options, s);
  // Both searches are sequential; with two threads they overlap. They write disjoint fields.
  std::vector<std::uint32_t> component;
#pragma omp parallel sections
  {
#pragma omp section
    weak_components(net, s);
#pragma omp section
    component = strong_components(net, s);
  }
  path_lengths(net, options, s);
  leading_eigenvalue(net, component, options, s);
  return s;
}

}  // namespace civsim
