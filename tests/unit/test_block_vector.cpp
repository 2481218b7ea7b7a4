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

TEST_CASE("BlockVector resize fills by index and clear keeps the blocks", "[block_vector]") {
  BlockVector<int, 2> v;  // blocks of 4
  v.resize(10);           // three blocks, filled by index
  REQUIRE(v.size() == 10);
  for (int i = 0; i < 10; ++i) v[static_cast<std::size_t>(i)] = i * i;
  const int* last = &v[9];
  v.resize(11);  // within the third block
  v[10] = 100;
  CHECK(&v[9] == last);  // growing moved nothing
  for (int i = 0; i < 11; ++i) CHECK(v[static_cast<std::size_t>(i)] == i * i);

  v.clear();
  CHECK(v.empty());
  v.push_back(7);  // reuses the first block
  v.resize(3);
  v[1] = 8;
  v[2] = 9;
  CHECK(v.size() == 3);
  CHECK(v[0] == 7);
  CHECK(v[1] == 8);
  CHECK(v.back() == 9);
  v.resize(12);  // past the blocks kept: one more
  v[11] = 11;
  CHECK(&v[9] == last);  // the kept blocks are the same memory
  CHECK(v[11] == 11);
  CHECK(v[0] == 7);
}
