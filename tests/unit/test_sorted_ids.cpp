#include <algorithm>
#include <catch2/catch.hpp>
#include <iterator>
#include <random>
#include <vector>

#include "core/sorted_ids.hpp"

using civsim::merge_into;
using civsim::NodeId;

namespace {
std::vector<NodeId> sorted_unique(std::vector<NodeId> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}
}  // namespace

TEST_CASE("merge_into gives the union of two sorted lists of unique ids", "[sorted_ids]") {
  SECTION("edge cases") {
    std::vector<NodeId> a;
    merge_into(a, {});
    CHECK(a.empty());
    merge_into(a, {3, 5});
    CHECK(a == std::vector<NodeId>{3, 5});
    merge_into(a, {1});  // before all
    merge_into(a, {9});  // after all
    merge_into(a, {4});  // between
    CHECK(a == std::vector<NodeId>{1, 3, 4, 5, 9});
    merge_into(a, {1, 4, 9});  // all already there
    CHECK(a == std::vector<NodeId>{1, 3, 4, 5, 9});
    merge_into(a, {0, 3, 6, 9, 10});  // some there, some new, at both ends
    CHECK(a == std::vector<NodeId>{0, 1, 3, 4, 5, 6, 9, 10});
  }
  SECTION("random lists against std::set_union") {
    std::mt19937_64 g(7);
    for (int t = 0; t < 20000; ++t) {
      // Small id ranges make many duplicates; the occasional large list few additions to many.
      const bool big = t % 500 == 0;
      const std::size_t n = big ? 50000 : g() % 40, k = big ? 700 : g() % 40;
      const NodeId range = big ? 1000000 : static_cast<NodeId>(1 + g() % 100);
      std::vector<NodeId> a, b;
      for (std::size_t i = 0; i < n; ++i) a.push_back(static_cast<NodeId>(g() % range));
      for (std::size_t i = 0; i < k; ++i) b.push_back(static_cast<NodeId>(g() % range));
      a = sorted_unique(a);
      b = sorted_unique(b);
      std::vector<NodeId> want;
      std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(want));
      merge_into(a, b);
      REQUIRE(a == want);
    }
  }
}
