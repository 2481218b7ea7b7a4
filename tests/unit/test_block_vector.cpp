#include <catch2/catch.hpp>
#include <string>

#include "core/block_vector.hpp"

using civsim::BlockVector;

TEST_CASE("BlockVector keeps its elements in place and in order across blocks", "[block_vector]") {
  BlockVector<std::string, 3> v;  // blocks of 8
  CHECK(v.empty());
  v.push_back("first");
  const std::string* first = &v[0];
  for (int i = 1; i < 100; ++i) v.push_back(std::to_string(i));
  REQUIRE(v.size() == 100);
  CHECK(&v[0] == first);  // 12 blocks later, not moved
  CHECK(v[0] == "first");
  for (int i = 1; i < 100; ++i) CHECK(v[static_cast<std::size_t>(i)] == std::to_string(i));
  CHECK(v.back() == "99");
  v[8] = "changed";  // the first element of the second block
  CHECK(v[8] == "changed");
  CHECK(v[7] == "7");
  CHECK(v[9] == "9");
}
