#include <omp.h>

#include <bit>
#include <catch2/catch.hpp>
#include <cstdint>
#include <utility>
#include <vector>

#include "core/compare.hpp"
#include "core/generator.hpp"

using namespace civsim;

namespace {

Scenario small_scenario() {
  Scenario s;
  s.population = 5000;
  s.network.mean_followees = 10;
  s.accounts[0].follower_share = 0.2;
  s.diffusion.reshare_probability = 0.03;
  s.time.duration_hours = 24;
  return s;
}

std::vector<std::pair<std::string, Scenario>> three_arms(const Scenario& base) {
  Scenario reactive = base;
  reactive.accounts[0].strategy = Strategy::reactive;
  // The same scenario as the first arm but for a parameter the model never reads.
  Scenario copy = base;
  copy.name = "a copy under another name";
  return {{"broadcast", base}, {"reactive", reactive}, {"broadcast-copy", copy}};
}

// Bitwise equality, so that NaN values compare equal to themselves.
bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::bit_cast<std::uint64_t>(a[i]) != std::bit_cast<std::uint64_t>(b[i])) return false;
  return true;
}

void require_identical(const Comparison& x, const Comparison& y) {
  REQUIRE(x.runs.size() == y.runs.size());
  for (std::size_t k = 0; k < kNumSeries; ++k) {
    const auto s = static_cast<Series>(k);
    REQUIRE(same_bits(x.series_block(s), y.series_block(s)));
    REQUIRE(same_bits(x.stats[k].mean, y.stats[k].mean));
    REQUIRE(same_bits(x.stats[k].ci_low, y.stats[k].ci_low));
    REQUIRE(same_bits(x.stats[k].diff_ci_high, y.stats[k].diff_ci_high));
    REQUIRE(x.stats[k].n == y.stats[k].n);
  }
  for (std::size_t k = 0; k < region_series().size(); ++k)
    REQUIRE(same_bits(x.region_block(k), y.region_block(k)));
  REQUIRE(x.scalars.size() == y.scalars.size());
  for (std::size_t i = 0; i < x.scalars.size(); ++i)
    REQUIRE(same_bits(x.scalars[i].values, y.scalars[i].values));
}

}  // namespace

TEST_CASE("compare_arms gives bit-identical results across runs in parallel and one by one",
          "[compare][threads]") {
  const Scenario base = small_scenario();
  const Network net = generate_network(base);
  const auto arms = three_arms(base);
  const int saved_threads = omp_get_max_threads();
  const int saved_levels = omp_get_max_active_levels();
  omp_set_num_threads(2);
  std::vector<std::size_t> seen;
  const auto across = compare_arms(
      arms, net, 3,
      [&](std::size_t done, std::size_t total) { seen.push_back(done * 100 + total); },
      Parallelism::across_runs);
  CHECK(omp_get_max_active_levels() == saved_levels);  // nested setting restored
  const auto within = compare_arms(arms, net, 3, {}, Parallelism::within_runs);
  omp_set_num_threads(1);
  const auto serial = compare_arms(arms, net, 3, {}, Parallelism::across_runs);
  omp_set_num_threads(saved_threads);

  CHECK(across.parallelism == Parallelism::across_runs);
  CHECK(within.parallelism == Parallelism::within_runs);
  CHECK(seen == std::vector<std::size_t>{109, 209, 309, 409, 509, 609, 709, 809, 909});
  require_identical(across, within);
  require_identical(across, serial);
  // The automatic choice for a network this small runs whole simulations side by side.
  CHECK(compare_arms(arms, net, 1).parallelism == Parallelism::across_runs);
}

TEST_CASE("compare_arms runs each replicate with its own random numbers, shared by the arms",
          "[compare]") {
  const Scenario base = small_scenario();
  const Network net = generate_network(base);
  const auto c = compare_arms(three_arms(base), net, 4);
  REQUIRE(c.arms == std::vector<std::string>{"broadcast", "reactive", "broadcast-copy"});
  REQUIRE(c.replicates == 4);
  REQUIRE(c.n_steps == 24);
  REQUIRE(c.runs.size() == 12);
  REQUIRE(c.time_hours.size() == 24);
  CHECK(c.time_hours.back() == 24.0);

  // Replicates differ from each other ...
  const auto reach = [&](std::size_t a, std::size_t r) {
    return c.run(a, r).records.back()[Series::reach];
  };
  CHECK(reach(0, 0) != reach(0, 1));
  // ... and an arm identical to the first but for an unused parameter repeats it exactly.
  const auto block = c.series_block(Series::reach);
  const std::size_t per_arm = c.replicates * c.n_steps;
  CHECK(std::vector<double>(block.begin(), block.begin() + per_arm) ==
        std::vector<double>(block.begin() + 2 * per_arm, block.end()));

  const auto& st = c.stats[series_index(Series::reach)];
  for (std::size_t a = 0; a < 3; ++a)
    for (std::size_t t = 0; t < c.n_steps; ++t) {
      const std::size_t i = a * c.n_steps + t;
      CHECK(st.n[i] == 4);
      CHECK(st.ci_low[i] <= st.mean[i]);
      CHECK(st.mean[i] <= st.ci_high[i]);
      if (a != 1) {  // arm 0 with itself, and the copy: differences exactly 0
        CHECK(st.diff_mean[i] == 0.0);
        CHECK(st.diff_ci_low[i] == 0.0);
        CHECK(st.diff_ci_high[i] == 0.0);
        CHECK(st.diff_n[i] == 4);
      }
    }
  // The mean at the last step is the mean of the replicates' final reach.
  const double mean = (reach(1, 0) + reach(1, 1) + reach(1, 2) + reach(1, 3)) / 4;
  CHECK(st.mean[1 * c.n_steps + c.n_steps - 1] == Approx(mean).epsilon(1e-15));

  // Key outcomes are per-run scalars with paired differences.
  const ScalarStats* final_reach = c.scalar("final_reach");
  REQUIRE(final_reach != nullptr);
  CHECK(final_reach->key);
  CHECK(final_reach->info.units == "citizens");
  REQUIRE(final_reach->values.size() == 12);
  CHECK(final_reach->values[1 * 4 + 2] == reach(1, 2));
  CHECK(final_reach->by_arm[1].mean == Approx(mean).epsilon(1e-15));
  CHECK(final_reach->diff[0].mean == 0.0);
  CHECK(final_reach->diff[2].half_width == 0.0);
  CHECK(final_reach->diff[1].n == 4);
  CHECK(c.scalars.front().info.name == "final_reach");
}

TEST_CASE("compare_arms refuses arms that cannot be compared", "[compare]") {
  const Scenario base = small_scenario();
  const Network net = generate_network(base);
  Scenario longer = base;
  longer.time.duration_hours = 48;
  CHECK_THROWS_AS(compare_arms({{"a", base}, {"b", longer}}, net, 2), std::invalid_argument);
  CHECK_THROWS_AS(compare_arms({{"a", base}}, net, 0), std::invalid_argument);
  CHECK_THROWS_AS(compare_arms({}, net, 2), std::invalid_argument);
}

TEST_CASE("compare_arms stops between steps when its stop flag is set", "[compare]") {
  const Scenario base = small_scenario();
  const Network net = generate_network(base);
  for (const auto mode : {Parallelism::across_runs, Parallelism::within_runs}) {
    std::atomic<bool> stop = true;
    CHECK_THROWS_AS(compare_arms(three_arms(base), net, 2, {}, mode, &stop), Interrupted);
    // Set after the first finished run (as the Python module does on Ctrl-C): the runs still
    // going stop at their next step, those not started are skipped.
    stop = false;
    std::size_t reported = 0;
    CHECK_THROWS_AS(compare_arms(
                        three_arms(base), net, 2,
                        [&](std::size_t, std::size_t) { ++reported, stop = true; }, mode, &stop),
                    Interrupted);
    CHECK(reported >= 1);
  }
  std::atomic<bool> never = false;
  CHECK(compare_arms(three_arms(base), net, 2, {}, Parallelism::automatic, &never).runs.size() ==
        6);
}
