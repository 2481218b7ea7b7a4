#include <catch2/catch.hpp>
#include <cmath>
#include <set>
#include <vector>

#include "core/rng.hpp"

using namespace civsim;

TEST_CASE("Philox4x64-10 matches the Random123 known-answer vector", "[rng]") {
  // kat_vectors: "philox4x64 10" with zero counter and zero key.
  const auto w = random_words({0, 0, static_cast<Purpose>(0), 0, 0, 0});
  CHECK(w[0] == 0x16554d9eca36314cull);
  CHECK(w[1] == 0xdb20fe9d672d0fdcull);
  CHECK(w[2] == 0xd7e772cee186176bull);
  CHECK(w[3] == 0x7e68b68aec7ba23bull);
}

TEST_CASE("identity fields map to Philox key and counter as documented", "[rng]") {
  const DrawId id{123456789, 7, Purpose::reshare, 11, 22, 33};
  const r123::Philox4x64::key_type key = {{123456789, (7ull << 32) | 5u}};
  const r123::Philox4x64::ctr_type ctr = {{11, 22, 33, 0}};
  const auto expect = r123::Philox4x64{}(ctr, key);
  const auto got = random_words(id);
  for (int i = 0; i < 4; ++i) CHECK(got[i] == expect[i]);
}

TEST_CASE("every identity field selects a different stream", "[rng]") {
  const DrawId base{42, 1, Purpose::reshare, 3, 4, 5};
  std::vector<DrawId> variants(6, base);
  variants[0].seed = 43;
  variants[1].replicate = 2;
  variants[2].purpose = Purpose::network_target;
  variants[3].step = 4;
  variants[4].agent = 5;
  variants[5].k = 6;
  std::set<std::uint64_t> firsts{random_words(base)[0]};
  for (const auto& v : variants) firsts.insert(random_words(v)[0]);
  CHECK(firsts.size() == 7);
  CHECK(random_words(base) == random_words(base));  // pure function
}

TEST_CASE("uniforms are uniform and streams are uncorrelated", "[rng][stat]") {
  // n draws; tolerances are 5 standard errors, so a correct generator fails with p < 1e-6.
  const int n = 200000;
  double sum = 0, sum_xy = 0, sum_y = 0, sum_xx = 0, sum_yy = 0;
  std::vector<int> bins(20, 0);
  for (int i = 0; i < n; ++i) {
    const double x = uniform({7, 0, Purpose::reshare, 0, static_cast<std::uint64_t>(i), 0});
    const double y =
        uniform({7, 0, Purpose::government_follow, 0, static_cast<std::uint64_t>(i), 0});
    REQUIRE(x >= 0.0);
    REQUIRE(x < 1.0);
    sum += x, sum_y += y, sum_xy += x * y, sum_xx += x * x, sum_yy += y * y;
    ++bins[static_cast<int>(x * 20)];
  }
  const double mean = sum / n;
  CHECK(std::abs(mean - 0.5) < 5 * std::sqrt(1.0 / 12.0 / n));
  const double mx = mean, my = sum_y / n;
  const double r =
      (sum_xy / n - mx * my) / std::sqrt((sum_xx / n - mx * mx) * (sum_yy / n - my * my));
  CHECK(std::abs(r) < 5 / std::sqrt(double(n)));
  double chi2 = 0;
  const double expected = n / 20.0;
  for (int b : bins) chi2 += (b - expected) * (b - expected) / expected;
  CHECK(chi2 < 50.0);  // chi-square, 19 degrees of freedom: P(chi2 > 50) ~ 1e-4
}

TEST_CASE("to_index stays in range and covers it", "[rng]") {
  std::vector<int> hits(7, 0);
  for (std::uint64_t i = 0; i < 7000; ++i) {
    const auto j = to_index(random_words({1, 0, Purpose::network_target, 0, i, 0})[0], 7);
    REQUIRE(j < 7);
    ++hits[j];
  }
  for (int h : hits) CHECK(std::abs(h - 1000) < 5 * std::sqrt(1000 * 6.0 / 7.0));
  CHECK(to_index(~0ull, 10) == 9);
  CHECK(to_index(0, 10) == 0);
}
