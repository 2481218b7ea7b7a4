// Network statistics against graphs whose values are known in closed form, against brute-force
// references on a small generated graph, and for thread-count independence.
#include <omp.h>

#include <Eigen/Dense>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/connected_components.hpp>
#include <boost/graph/strong_components.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <queue>
#include <set>
#include <utility>
#include <vector>

#include "core/generator.hpp"
#include "core/network_boost.hpp"
#include "core/network_stats.hpp"

using namespace civsim;

namespace {

// A network from "u follows v" pairs; nodes >= n_citizens are accounts.
Network from_follows(NodeId n_citizens, NodeId n_nodes,
                     const std::vector<std::pair<NodeId, NodeId>>& follows) {
  std::vector<std::vector<NodeId>> followers(n_nodes);
  for (const auto& [u, v] : follows) followers[v].push_back(u);
  std::vector<std::uint64_t> offsets{0};
  std::vector<NodeId> flat;
  for (auto& f : followers) {
    std::sort(f.begin(), f.end());
    flat.insert(flat.end(), f.begin(), f.end());
    offsets.push_back(flat.size());
  }
  return Network(n_citizens, std::move(offsets), std::move(flat));
}

Network directed_cycle(NodeId n) {
  std::vector<std::pair<NodeId, NodeId>> follows;
  for (NodeId u = 0; u < n; ++u) follows.emplace_back(u, (u + 1) % n);
  return from_follows(n, n, follows);
}

Network complete_graph(NodeId n) {
  std::vector<std::pair<NodeId, NodeId>> follows;
  for (NodeId u = 0; u < n; ++u)
    for (NodeId v = 0; v < n; ++v)
      if (u != v) follows.emplace_back(u, v);
  return from_follows(n, n, follows);
}

Scenario generated(std::int64_t n, double mean_followees, std::uint64_t seed = 7) {
  Scenario s;
  s.seed = seed;
  s.population = n;
  s.network.mean_followees = mean_followees;
  s.accounts[0].follower_share = 0.2;
  return s;
}

// Options that use every node for clustering and, if `all_sources`, as a path source: exact
// values (a search from every node is quadratic, so only on small graphs).
StatsOptions exact(bool all_sources) {
  return {.seed = 1, .clustering_samples = 1u << 30, .path_sources = all_sources ? 1u << 30 : 1};
}

}  // namespace

TEST_CASE("directed cycle", "[stats]") {
  const NodeId n = 10;
  const NetworkStats s = compute_stats(directed_cycle(n), {.seed = 1});
  CHECK(s.nodes == n);
  CHECK(s.citizens == n);
  CHECK(s.accounts == 0);
  CHECK(s.edges == n);
  for (const auto* d : {&s.followers, &s.followees}) {
    CHECK(d->mean == 1.0);
    CHECK(d->median == 1);
    CHECK(d->p90 == 1);
    CHECK(d->p99 == 1);
    CHECK(d->max == 1);
    CHECK(d->zero == 0);
  }
  CHECK(s.follower_bins.lower == std::vector<std::uint64_t>{0, 1});
  CHECK(s.follower_bins.count == std::vector<std::uint64_t>{0, n});
  CHECK(s.reciprocity == 0.0);
  // Every node has two neighbours that are not linked (n > 3): coefficient 0. Defaults sample all
  // 10 nodes, so there is no sampling error.
  CHECK(s.clustering_samples == n);
  CHECK(s.clustering == 0.0);
  CHECK(s.clustering_stderr == 0.0);
  CHECK(s.weak_components == 1);
  CHECK(s.largest_weak_component == n);
  CHECK(s.strong_components == 1);
  CHECK(s.largest_strong_component == n);
  // From any node the others lie 1 .. n-1 hops away: mean n/2, exact in floating point.
  CHECK(s.path_sources == n);
  CHECK(s.mean_path_length == n / 2.0);
  CHECK(s.reachable_share == 1.0);
  // Eigenvalues are the n-th roots of unity: without the shift, power iteration would cycle.
  // The uniform start vector is the Perron vector, so one iteration converges to rounding.
  CHECK(s.eigen_converged);
  CHECK(s.eigen_iterations == 1);
  CHECK(s.leading_eigenvalue == Approx(1.0).margin(1e-12));
}

TEST_CASE("complete directed graph", "[stats]") {
  const NodeId n = 6;
  const NetworkStats s = compute_stats(complete_graph(n), {.seed = 1});
  CHECK(s.edges == n * (n - 1));
  CHECK(s.followers.mean == n - 1.0);
  CHECK(s.followees.median == n - 1);
  CHECK(s.followees.zero == 0);
  // n - 1 = 5 lies in [4, 8): bins 0, [1,2), [2,4), [4,8).
  CHECK(s.followee_bins.lower == std::vector<std::uint64_t>{0, 1, 2, 4});
  CHECK(s.followee_bins.count == std::vector<std::uint64_t>{0, 0, 0, n});
  CHECK(s.reciprocity == 1.0);
  CHECK(s.clustering == 1.0);
  CHECK(s.strong_components == 1);
  CHECK(s.largest_strong_component == n);
  CHECK(s.mean_path_length == 1.0);
  CHECK(s.reachable_share == 1.0);
  CHECK(s.eigen_converged);
  CHECK(s.leading_eigenvalue == Approx(n - 1.0).margin(1e-12));
}

TEST_CASE("star: every citizen follows one account", "[stats]") {
  const NodeId n = 8;  // citizens; the account is node n
  std::vector<std::pair<NodeId, NodeId>> follows;
  for (NodeId u = 0; u < n; ++u) follows.emplace_back(u, n);
  const NetworkStats s = compute_stats(from_follows(n, n + 1, follows), {.seed = 1});
  CHECK(s.nodes == n + 1);
  CHECK(s.accounts == 1);
  CHECK(s.account_followers == n);
  // Citizens have no followers and follow exactly one account.
  CHECK(s.followers.max == 0);
  CHECK(s.followers.zero == n);
  CHECK(s.follower_bins.lower == std::vector<std::uint64_t>{0});
  CHECK(s.follower_bins.count == std::vector<std::uint64_t>{n});
  CHECK(s.followees.mean == 1.0);
  CHECK(s.followees.zero == 0);
  CHECK(s.followee_bins.lower == std::vector<std::uint64_t>{0, 1});
  CHECK(s.followee_bins.count == std::vector<std::uint64_t>{0, n});
  CHECK(s.reciprocity == 0.0);
  CHECK(s.clustering == 0.0);  // leaves have one neighbour, the hub's neighbours are unlinked
  CHECK(s.weak_components == 1);
  CHECK(s.largest_weak_component == n + 1);
  CHECK(s.strong_components == n + 1);
  CHECK(s.largest_strong_component == 1);
  // Only the account reaches anyone, each citizen in one hop: n of (n + 1) n pairs.
  CHECK(s.path_sources == n + 1);
  CHECK(s.mean_path_length == 1.0);
  CHECK(s.reachable_share == Approx(1.0 / (n + 1)).epsilon(1e-15));
  // Acyclic: the adjacency matrix is nilpotent, so λ = 0 exactly and no iteration is needed.
  CHECK(s.leading_eigenvalue == 0.0);
  CHECK(s.eigen_converged);
  CHECK(s.eigen_iterations == 0);
}

TEST_CASE("a cycle feeding a complete graph: spectrum of the larger component", "[stats]") {
  // Nodes 0-2 form a directed 3-cycle (λ = 1); node 0 also follows node 3 of a complete directed
  // graph on 3..6 (λ = 3). The spectrum is the union of the components' spectra, so λ = 3.
  std::vector<std::pair<NodeId, NodeId>> follows{{0, 1}, {1, 2}, {2, 0}, {0, 3}};
  for (NodeId u = 3; u < 7; ++u)
    for (NodeId v = 3; v < 7; ++v)
      if (u != v) follows.emplace_back(u, v);
  const NetworkStats s = compute_stats(from_follows(7, 7, follows), {.seed = 1});
  CHECK(s.strong_components == 2);
  CHECK(s.largest_strong_component == 4);
  CHECK(s.weak_components == 1);
  CHECK(s.eigen_converged);
  CHECK(s.leading_eigenvalue == Approx(3.0).epsilon(1e-6));
  // Messages flow from 3..6 to 0 and on around the cycle; nothing flows back: from 0-2 only the
  // two other cycle nodes are reachable, from 3-6 all six others.
  CHECK(s.reachable_share == Approx((3 * 2 + 4 * 6) / 42.0).epsilon(1e-15));
}

TEST_CASE("empty network", "[stats]") {
  const NetworkStats s = compute_stats(Network{}, {.seed = 1});
  CHECK(s.nodes == 0);
  CHECK(s.follower_bins.count == std::vector<std::uint64_t>{0});
  CHECK(s.strong_components == 0);
  CHECK(s.leading_eigenvalue == 0.0);
  CHECK(s.path_sources == 0);
}

TEST_CASE("degree quantiles and log bins", "[stats]") {
  // Citizen i is followed by citizens 0 .. i-1: follower counts 0, 1, ..., 19 and, mirrored,
  // followee counts 19, 18, ..., 0.
  const NodeId n = 20;
  std::vector<std::pair<NodeId, NodeId>> follows;
  for (NodeId v = 0; v < n; ++v)
    for (NodeId u = 0; u < v; ++u) follows.emplace_back(u, v);
  const NetworkStats s = compute_stats(from_follows(n, n, follows), {.seed = 1});
  for (const auto* d : {&s.followers, &s.followees}) {
    CHECK(d->mean == 9.5);
    CHECK(d->median == 10);  // position floor(0.5 * 20) = 10 of 0..19
    CHECK(d->p90 == 18);     // position 18
    CHECK(d->p99 == 19);     // position floor(19.8) = 19
    CHECK(d->max == 19);
    CHECK(d->zero == 1);
  }
  for (const auto* b : {&s.follower_bins, &s.followee_bins}) {
    CHECK(b->lower == std::vector<std::uint64_t>{0, 1, 2, 4, 8, 16});
    CHECK(b->count == std::vector<std::uint64_t>{1, 1, 2, 4, 8, 4});
  }
  CHECK(s.strong_components == n);  // acyclic
  CHECK(s.leading_eigenvalue == 0.0);
}

TEST_CASE("components are found without recursion on a long cycle", "[stats]") {
  // A depth-first search 1e5 nodes deep: a recursive implementation would need ~1e5 stack
  // frames. Every statistic keeps its closed form.
  const NodeId n = 100000;
  const NetworkStats s = compute_stats(directed_cycle(n), {.seed = 3, .path_sources = 4});
  CHECK(s.strong_components == 1);
  CHECK(s.largest_strong_component == n);
  CHECK(s.weak_components == 1);
  CHECK(s.path_sources == 4);
  CHECK(s.mean_path_length == n / 2.0);
  CHECK(s.clustering_samples == 10000);
  CHECK(s.clustering == 0.0);
  CHECK(s.leading_eigenvalue == Approx(1.0).margin(1e-12));
}

TEST_CASE("exact statistics match brute-force references on a generated graph", "[stats]") {
  auto sc = generated(400, 6);
  sc.network.max_follower_share = 0.2;
  const Network net = generate_network(sc);
  auto options = exact(true);
  options.eigen_tolerance = 1e-12;
  options.eigen_max_iterations = 5000;
  const NetworkStats s = compute_stats(net, options);
  const NodeId n = net.n_nodes();
  const NodeId nc = net.n_citizens();
  REQUIRE(n == 401);

  // Dense adjacency: a[u][v] when u follows v.
  std::vector<std::vector<char>> a(n, std::vector<char>(n, 0));
  for (NodeId v = 0; v < n; ++v)
    for (NodeId u : net.followers(v)) a[u][v] = 1;

  SECTION("degrees and reciprocity") {
    std::vector<std::uint64_t> in(nc, 0), out(nc, 0);
    std::uint64_t mutual = 0;
    for (NodeId u = 0; u < n; ++u)
      for (NodeId v = 0; v < n; ++v) {
        if (u < nc) out[u] += a[u][v];
        if (v < nc) in[v] += a[u][v];
        mutual += a[u][v] && a[v][u];
      }
    std::sort(in.begin(), in.end());
    std::sort(out.begin(), out.end());
    CHECK(s.followers.median == in[nc / 2]);
    CHECK(s.followers.p90 == in[nc * 9 / 10]);
    CHECK(s.followers.p99 == in[nc * 99 / 100]);
    CHECK(s.followers.max == in.back());
    CHECK(s.followees.median == out[nc / 2]);
    CHECK(s.followees.max == out.back());
    std::uint64_t binned = 0;
    for (auto c : s.follower_bins.count) binned += c;
    CHECK(binned == nc);
    CHECK(s.reciprocity == Approx(double(mutual) / double(net.n_edges())).epsilon(1e-15));
  }

  SECTION("clustering of the undirected projection") {
    double sum = 0;
    for (NodeId v = 0; v < n; ++v) {
      std::vector<NodeId> nb;
      for (NodeId u = 0; u < n; ++u)
        if (a[u][v] || a[v][u]) nb.push_back(u);
      std::uint64_t links = 0;
      for (std::size_t i = 0; i < nb.size(); ++i)
        for (std::size_t j = i + 1; j < nb.size(); ++j) links += a[nb[i]][nb[j]] || a[nb[j]][nb[i]];
      const double k = double(nb.size());
      if (nb.size() >= 2) sum += double(links) / (k * (k - 1) / 2);
    }
    CHECK(s.clustering_samples == n);
    CHECK(s.clustering > 0.0);
    CHECK(s.clustering == Approx(sum / n).epsilon(1e-12));
    CHECK(s.clustering_stderr == 0.0);
  }

  SECTION("components agree with Boost.Graph") {
    const BoostGraph g = to_boost_graph(net);
    std::vector<NodeId> scc(n);
    const auto n_scc = boost::strong_components(
        g, boost::make_iterator_property_map(scc.begin(), boost::get(boost::vertex_index, g)));
    std::map<NodeId, std::uint64_t> scc_size;
    for (NodeId c : scc) ++scc_size[c];
    std::uint64_t largest = 0;
    for (const auto& [c, size] : scc_size) largest = std::max(largest, size);
    CHECK(s.strong_components == n_scc);
    CHECK(s.largest_strong_component == largest);
    CHECK(s.strong_components > 1);
    CHECK(s.largest_strong_component > 1);

    boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS> und(n);
    for (NodeId v = 0; v < n; ++v)
      for (NodeId u : net.followers(v)) boost::add_edge(u, v, und);
    std::vector<int> wcc(n);
    const auto n_wcc = boost::connected_components(und, wcc.data());
    std::map<int, std::uint64_t> wcc_size;
    for (int c : wcc) ++wcc_size[c];
    largest = 0;
    for (const auto& [c, size] : wcc_size) largest = std::max(largest, size);
    CHECK(s.weak_components == std::uint64_t(n_wcc));
    CHECK(s.largest_weak_component == largest);
  }

  SECTION("path lengths from every node") {
    std::uint64_t pairs = 0, hops = 0;
    for (NodeId src = 0; src < n; ++src) {
      std::vector<int> dist(n, -1);
      std::queue<NodeId> q;
      dist[src] = 0;
      q.push(src);
      while (!q.empty()) {
        const NodeId v = q.front();
        q.pop();
        for (NodeId u = 0; u < n; ++u)
          if (a[u][v] && dist[u] < 0) dist[u] = dist[v] + 1, q.push(u);  // messages flow v -> u
      }
      for (NodeId t = 0; t < n; ++t)
        if (t != src && dist[t] > 0) ++pairs, hops += std::uint64_t(dist[t]);
    }
    CHECK(s.path_sources == n);
    CHECK(s.mean_path_length == Approx(double(hops) / double(pairs)).epsilon(1e-15));
    CHECK(s.reachable_share == Approx(double(pairs) / (double(n) * (n - 1))).epsilon(1e-15));
  }

  SECTION("leading eigenvalue agrees with a dense eigensolver") {
    Eigen::MatrixXd dense(n, n);
    for (NodeId u = 0; u < n; ++u)
      for (NodeId v = 0; v < n; ++v) dense(u, v) = a[u][v];
    const Eigen::VectorXcd ev = Eigen::EigenSolver<Eigen::MatrixXd>(dense, false).eigenvalues();
    const double rho = ev.cwiseAbs().maxCoeff();
    INFO("spectral radius " << rho << ", power iterations " << s.eigen_iterations);
    CHECK(rho > 1.0);
    CHECK(s.eigen_converged);
    // The dense solver is accurate to ~1e-12 here; the power iteration's relative residual is
    // held to 1e-12, which bounds the eigenvalue error far below the 1e-8 allowed.
    CHECK(s.leading_eigenvalue == Approx(rho).epsilon(1e-8));
  }
}

TEST_CASE("sampled clustering agrees with the exact value", "[stats]") {
  const Network net = generate_network(generated(20000, 10));
  const NetworkStats all = compute_stats(net, exact(false));
  REQUIRE(all.clustering_samples == net.n_nodes());
  REQUIRE(all.clustering > 0.0);
  CHECK(all.clustering_stderr == 0.0);
  for (std::uint64_t seed : {1, 2}) {
    const NetworkStats sampled =
        compute_stats(net, {.seed = seed, .clustering_samples = 2000, .path_sources = 1});
    INFO("seed " << seed << ": exact " << all.clustering << ", sampled " << sampled.clustering
                 << " +- " << sampled.clustering_stderr);
    CHECK(sampled.clustering_samples == 2000);
    CHECK(sampled.clustering != all.clustering);
    // The standard error is a real spread, not a bug's 0 or NaN; a sample mean of 2000 lies
    // within 4 standard errors of the population mean except with probability ~6e-5 (normal
    // approximation), and the draws are fixed by the seed, so this cannot flake.
    CHECK(sampled.clustering_stderr > 0.0);
    CHECK(sampled.clustering_stderr < all.clustering);
    CHECK(std::abs(sampled.clustering - all.clustering) <= 4 * sampled.clustering_stderr);
  }
}

TEST_CASE("statistics do not depend on the thread count", "[stats][threads]") {
  // Defaults sample 10,000 of 30,001 nodes, so the sampled paths run too.
  const Network net = generate_network(generated(30000, 15));
  const StatsOptions options{.seed = 11, .path_sources = 8};
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const NetworkStats one = compute_stats(net, options);
  omp_set_num_threads(2);
  const NetworkStats two = compute_stats(net, options);
  omp_set_num_threads(saved);
  CHECK(one.clustering_samples == 10000);
  CHECK(one.path_sources == 8);
  CHECK(one.eigen_converged);
  CHECK(one.leading_eigenvalue > 1.0);
  CHECK(one.largest_strong_component > 1000);
  CHECK(one.reciprocity > 0.0);
  CHECK(one == two);  // every field, floating-point ones bit for bit
}

TEST_CASE("every option is honoured", "[stats]") {
  const Network net = generate_network(generated(5000, 8));
  const NetworkStats base = compute_stats(net, {.seed = 5, .clustering_samples = 500});
  REQUIRE(base.eigen_converged);
  REQUIRE(base.eigen_iterations > 2);

  SECTION("seed picks the samples") {
    const NetworkStats other = compute_stats(net, {.seed = 6, .clustering_samples = 500});
    CHECK(other.clustering != base.clustering);
    CHECK(other.mean_path_length != base.mean_path_length);
    CHECK(other.leading_eigenvalue == base.leading_eigenvalue);  // not sampled
    CHECK(other.strong_components == base.strong_components);
  }
  SECTION("sample sizes") {
    const NetworkStats s =
        compute_stats(net, {.seed = 5, .clustering_samples = 0, .path_sources = 0});
    CHECK(s.clustering_samples == 0);
    CHECK(s.clustering == 0.0);
    CHECK(s.path_sources == 0);
    CHECK(s.mean_path_length == 0.0);
    CHECK(s.reachable_share == 0.0);
    CHECK(compute_stats(net, {.seed = 5, .path_sources = 3}).path_sources == 3);
  }
  SECTION("eigenvalue budget and tolerance") {
    const NetworkStats capped =
        compute_stats(net, {.seed = 5, .clustering_samples = 500, .eigen_max_iterations = 2});
    CHECK_FALSE(capped.eigen_converged);
    CHECK(capped.eigen_iterations == 2);
    const NetworkStats loose =
        compute_stats(net, {.seed = 5, .clustering_samples = 500, .eigen_tolerance = 1e-2});
    CHECK(loose.eigen_converged);
    CHECK(loose.eigen_iterations < base.eigen_iterations);
    CHECK(loose.eigen_tolerance == 1e-2);
    CHECK(loose.leading_eigenvalue == Approx(base.leading_eigenvalue).epsilon(1e-2));
    const NetworkStats strict = compute_stats(
        net,
        {.seed = 5, .clustering_samples = 500, .eigen_tolerance = 0.0, .eigen_max_iterations = 40});
    CHECK_FALSE(strict.eigen_converged);
    CHECK(strict.eigen_iterations == 40);
    CHECK_THROWS(compute_stats(net, {.seed = 5, .eigen_max_iterations = 0}));
  }
}
