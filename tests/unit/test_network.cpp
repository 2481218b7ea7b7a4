#include <omp.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <iterator>

#include "core/generator.hpp"
#include "core/network_boost.hpp"
#include "core/network_stats.hpp"

using namespace civsim;

namespace {

Scenario small_scenario(std::int64_t n, double exponent, double mean_followees) {
  Scenario s;
  s.seed = 99;
  s.population = n;
  s.network.follower_exponent = exponent;
  s.network.mean_followees = mean_followees;
  s.network.max_follower_share = 1.0;
  s.accounts[0].follower_share = 0.25;
  return s;
}

// Discrete power-law MLE (Clauset, Shalizi & Newman 2009, eq. 3.7) for k >= k_min.
double tail_exponent(const Network& net, std::uint64_t k_min, std::size_t* n_tail) {
  double sum_log = 0;
  std::size_t n = 0;
  for (NodeId v = 0; v < net.n_citizens(); ++v) {
    const auto k = net.follower_count(v);
    if (k >= k_min) sum_log += std::log(double(k) / (double(k_min) - 0.5)), ++n;
  }
  *n_tail = n;
  return 1.0 + double(n) / sum_log;
}

}  // namespace

TEST_CASE("Network validates its CSR arrays", "[network]") {
  // Node 2 has followers 0 and 1; node 0 is followed by 1.
  Network ok(2, {0, 1, 1, 3}, {1, 0, 1});
  CHECK(ok.n_nodes() == 3);
  CHECK(ok.n_edges() == 3);
  CHECK(ok.follows(1, 0));
  CHECK_FALSE(ok.follows(0, 1));
  CHECK(ok.followee_counts() == std::vector<std::uint32_t>{1, 2, 0});
  CHECK_THROWS(Network(2, {0, 1, 1, 3}, {1, 1, 0}));  // unsorted
  CHECK_THROWS(Network(2, {0, 1, 1, 3}, {0, 0, 1}));  // self-loop of node 0
  CHECK_THROWS(Network(2, {0, 1, 1, 3}, {1, 1, 1}));  // duplicate
  CHECK_THROWS(Network(2, {0, 1, 1, 4}, {1, 0, 1}));  // offsets past the end
}

TEST_CASE("same seed gives the same graph, another seed another graph", "[network]") {
  auto s = small_scenario(20000, 2.2, 15);
  const Network a = generate_network(s);
  const Network b = generate_network(s);
  CHECK(a.offsets() == b.offsets());
  CHECK(a.follower_array() == b.follower_array());
  s.seed = 100;
  const Network c = generate_network(s);
  CHECK(a.follower_array() != c.follower_array());
}

TEST_CASE("the graph does not depend on the thread count", "[network][threads]") {
  const auto s = small_scenario(30000, 2.2, 20);
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const Network one = generate_network(s);
  omp_set_num_threads(2);
  const Network two = generate_network(s);
  omp_set_num_threads(saved);
  CHECK(one.offsets() == two.offsets());
  CHECK(one.follower_array() == two.follower_array());
}

TEST_CASE("generated graph has the requested degree statistics", "[network][stat]") {
  const double mean = 20;
  for (double gamma : {2.5, 3.0}) {
    DYNAMIC_SECTION("follower exponent " << gamma) {
      const auto s = small_scenario(100000, gamma, mean);
      const Network net = generate_network(s);
      const NetworkStats st = compute_stats(net, {.seed = s.seed});
      CHECK(st.citizens == 100000);
      CHECK(st.nodes == 100001);
      // Followees per citizen: 1 + geometric with mean `mean` among citizens, plus the government
      // account for a quarter of them. sd ~ mean, so the standard error of the sample mean is
      // ~0.063; the margin is 5 standard errors.
      CHECK(st.followees.mean == Approx(mean + 0.25).margin(0.32));
      // The government account gets exactly its follower target.
      CHECK(net.follower_count(net.n_citizens()) == 25000);
      // Follower-count tail exponent by maximum likelihood above k_min = 60. Its standard error is
      // (gamma - 1) / sqrt(n_tail) < 0.05 here; the tolerance also absorbs the finite-size and
      // Poisson-smoothing bias of a Chung-Lu graph.
      std::size_t n_tail = 0;
      const double alpha = tail_exponent(net, 60, &n_tail);
      INFO("tail size " << n_tail << ", estimated exponent " << alpha);
      CHECK(n_tail > 300);
      CHECK(alpha == Approx(gamma).margin(0.15));
    }
  }
}

TEST_CASE("the follower cap bounds the largest follower counts", "[network]") {
  auto s = small_scenario(50000, 2.1, 20);
  s.network.max_follower_share = 0.01;  // expected followers at most 500
  const NetworkStats st = compute_stats(generate_network(s), {.seed = s.seed});
  // Realised counts are Poisson around the capped expectation: 500 + 5 * sqrt(500) < 612.
  CHECK(st.followers.max < 612);
  CHECK(st.followers.max > 400);
}

TEST_CASE("Boost.Graph view has the same adjacency", "[network][boost]") {
  const Network net = generate_network(small_scenario(2000, 2.2, 8));
  const BoostGraph g = to_boost_graph(net);
  REQUIRE(boost::num_vertices(g) == net.n_nodes());
  REQUIRE(boost::num_edges(g) == net.n_edges());
  for (NodeId v = 0; v < net.n_nodes(); ++v) {
    REQUIRE(boost::out_degree(v, g) == net.follower_count(v));
    auto [it, end] = boost::adjacent_vertices(v, g);
    const auto f = net.followers(v);
    REQUIRE(std::equal(it, end, f.begin(), f.end()));
  }
}

TEST_CASE("reciprocity reaches the requested share of mutual follows", "[network][stat]") {
  for (double r : {0.22, 0.5}) {
    DYNAMIC_SECTION("reciprocity " << r) {
      auto s = small_scenario(50000, 2.2, 20);
      s.network.reciprocity = r;
      const Network net = generate_network(s);
      const NetworkStats st = compute_stats(net, {.seed = 1});
      // Citizen edges only: the government account's followers are never reciprocated, so
      // measure among citizens. Follow-backs are one Bernoulli draw per edge (1e6 edges):
      // the binomial noise is ~1e-3; the tolerance 0.02 also covers follow-backs that already
      // existed (rare, ~mean/N).
      std::uint64_t citizen_edges = 0, mutual = 0;
      for (NodeId v = 0; v < net.n_citizens(); ++v)
        for (NodeId u : net.followers(v)) {
          ++citizen_edges;
          if (net.follows(v, u)) ++mutual;
        }
      CHECK(double(mutual) / double(citizen_edges) == Approx(r).margin(0.02));
      // Mean followees among citizens stays near the target (+0.25 for the government account).
      CHECK(st.followees.mean == Approx(20 + 0.25).epsilon(0.03));
    }
  }
}

TEST_CASE("homophily puts the requested share of follows inside the region", "[network][stat]") {
  auto s = small_scenario(40000, 2.5, 15);
  s.regions = {{"north", 0.2}, {"south", 0.8}};
  s.network.homophily = 0.7;
  const Network net = generate_network(s);
  const std::uint32_t north_end = 8000;  // contiguous blocks: north is citizens [0, 8000)
  std::uint64_t from_north = 0, inside_north = 0, from_south = 0, inside_south = 0;
  for (NodeId v = 0; v < net.n_citizens(); ++v)
    for (NodeId u : net.followers(v)) {
      if (!net.is_citizen(u)) continue;
      const bool u_north = u < north_end, v_north = v < north_end;
      (u_north ? from_north : from_south)++;
      if (u_north && v_north) ++inside_north;
      if (!u_north && !v_north) ++inside_south;
    }
  // Per-draw share is exactly h before duplicates are removed; dedup slightly favours the larger
  // pool. 1e5+ follows per group: binomial noise < 0.005; tolerance 0.03 covers the dedup bias.
  CHECK(double(inside_north) / double(from_north) == Approx(0.7).margin(0.03));
  CHECK(double(inside_south) / double(from_south) == Approx(0.7).margin(0.03));
  // Without homophily the share inside north would be about its weight share, ~0.2.
}

TEST_CASE("accounts get exact follower counts, with regional bias", "[network]") {
  auto s = small_scenario(20000, 2.2, 10);
  s.regions = {{"north", 0.1}, {"south", 0.9}};
  s.accounts.resize(3);
  s.accounts[0].followers = 3752;
  s.accounts[1].name = "municipality";
  s.accounts[1].follower_share = 0.05;  // 1000
  s.accounts[1].region = "north";
  s.accounts[1].region_bias = 0.9;
  s.accounts[2].name = "paper";
  s.accounts[2].kind = AccountKind::media;
  s.accounts[2].follower_share = 0.5;
  const Network net = generate_network(s);
  REQUIRE(net.n_nodes() == 20003);
  CHECK(net.follower_count(20000) == 3752);
  CHECK(net.follower_count(20002) == 10000);
  const auto muni = net.followers(20001);
  REQUIRE(muni.size() == 1000);
  CHECK(std::count_if(muni.begin(), muni.end(), [](NodeId u) { return u < 2000; }) == 900);
  // Different accounts draw different followers.
  const auto a = net.followers(20000), c = net.followers(20002);
  std::vector<NodeId> common;
  std::set_intersection(a.begin(), a.end(), c.begin(), c.end(), std::back_inserter(common));
  // Independent choice: expected overlap 3752 * 0.5 = 1876, sd ~ 31.
  CHECK(std::abs(double(common.size()) - 1876.0) < 5 * 31.0);
}
