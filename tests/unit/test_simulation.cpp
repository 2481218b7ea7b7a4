#include <omp.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "core/generator.hpp"
#include "core/simulation.hpp"

using namespace civsim;

namespace {

// Citizens 0..5, government account 6. Messages flow from an account to its followers:
//   6 -> {0, 1, 2};  0 -> {3};  1 -> {3, 4};  3 -> {5}
Network hand_made() {
  return Network(6, {0, 1, 3, 3, 4, 4, 4, 7}, {3, 3, 4, 5, 0, 1, 2});
}

Scenario one_post(double p) {
  Scenario s;
  s.population = 6;
  s.accounts[0].posts_per_day = 1;  // exactly one post, at step 0, within a 6-hour run
  s.diffusion.reshare_probability = p;
  s.time.step_hours = 1;
  s.time.duration_hours = 6;
  return s;
}

std::vector<StepRecord> run_all(const Scenario& s, const Network& net, std::uint32_t rep = 0) {
  Simulation sim(s, net, rep);
  SeriesRecorder rec;
  run(sim, rec);
  return rec.records();
}

}  // namespace

TEST_CASE("posts follow the schedule", "[simulation]") {
  Scenario s = one_post(0);
  s.time.duration_hours = 48;
  s.accounts[0].posts_per_day = 4;
  const auto r = run_all(s, hand_made());
  REQUIRE(r.size() == 48);
  double total = 0;
  for (const auto& x : r) total += x[Series::posts];
  CHECK(total == 8);
  CHECK(r[0][Series::posts] == 1);
  CHECK(r[6][Series::posts] == 1);
  CHECK(r[5][Series::posts] == 0);
}

TEST_CASE("cascade with p = 0 reaches exactly the government's followers", "[simulation]") {
  const auto r = run_all(one_post(0.0), hand_made());
  CHECK(r[0][Series::posts] == 1);
  CHECK(r[0][Series::impressions] == 3);
  CHECK(r[0][Series::reshares] == 0);
  CHECK(r.back()[Series::reach] == 3);
  CHECK(r[0][Series::active_cascades] == 0);
}

TEST_CASE("cascade with p = 1 reaches everyone reachable, one hop per step", "[simulation]") {
  const auto r = run_all(one_post(1.0), hand_made());
  // step 0: 6 -> 0,1,2 (all reshare); step 1: 0 -> 3, 1 -> 3, 1 -> 4; step 2: 3 -> 5;
  // step 3: 4 and 5 have no followers, the cascade ends.
  CHECK(r[0][Series::impressions] == 3);
  CHECK(r[0][Series::reshares] == 3);
  CHECK(r[0][Series::reach] == 3);
  CHECK(r[1][Series::impressions] == 3);
  CHECK(r[1][Series::new_reach] == 2);
  CHECK(r[1][Series::reshares] == 2);
  CHECK(r[2][Series::impressions] == 1);
  CHECK(r[2][Series::reshares] == 1);
  CHECK(r[2][Series::reach] == 6);
  CHECK(r[2][Series::active_cascades] == 1);
  CHECK(r[3][Series::impressions] == 0);
  CHECK(r[3][Series::active_cascades] == 0);
  CHECK(r.back()[Series::reach] == 6);
}

TEST_CASE("reshares occur with the scenario's probability", "[simulation][stat]") {
  // The government account followed by every citizen and no other edges: first-step reshares
  // are Binomial(N, p). Tolerance: 5 standard deviations.
  const std::uint32_t n = 20000;
  std::vector<std::uint64_t> offsets(n + 2, 0);
  offsets[n + 1] = n;
  std::vector<NodeId> followers(n);
  for (NodeId i = 0; i < n; ++i) followers[i] = i;
  const Network net(n, offsets, followers);
  Scenario s = one_post(0.1);
  s.population = n;
  const auto r = run_all(s, net);
  CHECK(r[0][Series::impressions] == n);
  CHECK(r.back()[Series::reach] == n);
  CHECK(std::abs(r[0][Series::reshares] - 2000.0) < 5 * std::sqrt(n * 0.1 * 0.9));
  CHECK(r[1][Series::impressions] == 0);  // resharers have no followers
}

TEST_CASE("series are identical for any thread count, different across replicates",
          "[simulation][threads]") {
  Scenario s;
  s.population = 20000;
  s.network.mean_followees = 20;
  s.accounts[0].follower_share = 0.2;
  s.diffusion.reshare_probability = 0.02;
  s.time.duration_hours = 72;
  const Network net = generate_network(s);
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto one = run_all(s, net);
  omp_set_num_threads(2);
  const auto two = run_all(s, net);
  const auto other = run_all(s, net, 1);
  omp_set_num_threads(saved);
  REQUIRE(one.size() == two.size());
  bool differs = false;
  for (std::size_t i = 0; i < one.size(); ++i) {
    REQUIRE(one[i].value == two[i].value);
    differs = differs || one[i][Series::reshares] != other[i][Series::reshares];
  }
  CHECK(one.back()[Series::reach] > 4000);  // the cascade actually spread beyond the followers
  CHECK(differs);
}
