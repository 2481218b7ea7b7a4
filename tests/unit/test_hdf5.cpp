#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "io/errors.hpp"
#include "io/hdf5.hpp"

using namespace civsim::io;

TEST_CASE("HDF5 wrapper round-trips attributes, datasets and text", "[hdf5]") {
  const auto path =
      std::filesystem::temp_directory_path() / ("civsim_h5_" + std::to_string(getpid()) + ".h5");
  std::filesystem::remove(path);
  {
    h5::Writer w(path);
    w.group("/g");
    w.attribute("/", "name", std::string("héllo"));
    w.attribute("/g", "n", std::int64_t{-5});
    w.attribute("/g", "x", 2.5);
    const std::vector<std::int64_t> ints = {1, 2, 3, 1LL << 40};
    const std::vector<double> reals = {0.5, -1.25};
    w.dataset("/g/ints", ints);
    w.dataset("/g/reals", reals);
    w.dataset("/g/empty", std::vector<double>{});
    w.text_dataset("/text", "line 1\nline 2\n");
    w.close();
  }
  CHECK_THROWS(h5::Writer(path));  // never clobbers
  h5::Reader r(path);
  CHECK(std::get<std::string>(r.attribute("/", "name")) == "héllo");
  CHECK(std::get<std::int64_t>(r.attribute("/g", "n")) == -5);
  CHECK(std::get<double>(r.attribute("/g", "x")) == 2.5);
  CHECK(r.read_int64("/g/ints") == std::vector<std::int64_t>{1, 2, 3, 1LL << 40});
  CHECK(r.read_double("/g/reals") == std::vector<double>{0.5, -1.25});
  CHECK(r.read_double("/g/empty").empty());
  CHECK(r.read_text("/text") == "line 1\nline 2\n");
  CHECK(r.members("/g") == std::vector<std::string>{"empty", "ints", "reals"});
  CHECK(r.attribute_names("/g") == std::vector<std::string>{"n", "x"});
  CHECK(r.exists("/g/ints"));
  CHECK_FALSE(r.exists("/g/nothing"));
  CHECK_FALSE(r.exists("/nothing/deeper"));
  std::filesystem::remove(path);
}

TEST_CASE("HDF5 reader refuses missing and non-HDF5 files as user errors", "[hdf5]") {
  CHECK_THROWS_AS(h5::Reader("/nonexistent/file.h5"), UserError);
  const auto path = std::filesystem::temp_directory_path() /
                    ("civsim_not_h5_" + std::to_string(getpid()) + ".txt");
  { std::ofstream(path) << "plain text\n"; }
  CHECK_THROWS_AS(h5::Reader(path), UserError);
  std::filesystem::remove(path);
}

TEST_CASE("HDF5 wrapper round-trips unsigned and string arrays, and refuses lossy reads",
          "[hdf5]") {
  const auto path = std::filesystem::temp_directory_path() /
                    ("civsim_h5_unsigned_" + std::to_string(getpid()) + ".h5");
  std::filesystem::remove(path);
  const std::vector<std::uint32_t> u32 = {0, 7, 0xffffffffU};
  const std::vector<std::uint64_t> u64 = {0, 1ULL << 40, ~0ULL};
  const std::vector<std::string> names = {"gov", "", "héllo wörld", std::string(300, 'x')};
  {
    h5::Writer w(path);
    w.dataset("/u32", u32);
    w.dataset("/u64", u64);
    w.dataset("/negative", std::vector<std::int64_t>{3, -1});
    w.dataset("/reals", std::vector<double>{1.0});
    w.string_dataset("/names", names);
    w.string_dataset("/no_names", std::vector<std::string>{});
    w.close();
  }
  h5::Reader r(path);
  CHECK(r.read_uint32("/u32") == u32);
  CHECK(r.read_uint64("/u64") == u64);
  CHECK(r.read_uint64("/u32") == std::vector<std::uint64_t>{0, 7, 0xffffffffU});  // widening
  CHECK(r.read_strings("/names") == names);
  CHECK(r.read_strings("/no_names").empty());
  CHECK_THROWS_WITH(r.read_uint32("/u64"), Catch::Contains("too large"));  // 2^40 does not fit
  CHECK_THROWS_WITH(r.read_uint64("/negative"), Catch::Contains("negative"));
  CHECK_THROWS_WITH(r.read_uint64("/reals"), Catch::Contains("not a one-dimensional integer"));
  CHECK_THROWS_WITH(r.read_strings("/u32"), Catch::Contains("not a one-dimensional string"));
  CHECK(r.read_int64("/negative") == std::vector<std::int64_t>{3, -1});  // unchanged behaviour
  std::filesystem::remove(path);
}

TEST_CASE("HDF5 wrapper round-trips N-D datasets, string-array attributes and groups", "[hdf5]") {
  const auto path =
      std::filesystem::temp_directory_path() / ("civsim_h5_nd_" + std::to_string(getpid()) + ".h5");
  std::filesystem::remove(path);
  std::vector<double> cube(2 * 3 * 4);
  for (std::size_t i = 0; i < cube.size(); ++i) cube[i] = 0.5 * static_cast<double>(i);
  const std::vector<std::string> regions = {"north", "süd", ""};
  {
    h5::Writer w(path);
    w.group("/g");
    w.dataset("/g/cube", cube, h5::Shape{2, 3, 4});
    w.dataset("/g/matrix", std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6}, h5::Shape{3, 2});
    w.dataset("/g/ints", std::vector<std::int64_t>{-1, 2}, h5::Shape{1, 2});
    w.dataset("/g/none", std::vector<double>{}, h5::Shape{2, 0});
    w.attribute("/g/cube", "regions", regions);
    w.attribute("/g", "empty_list", std::vector<std::string>{});
    CHECK_THROWS(w.dataset("/g/wrong", cube, h5::Shape{5, 5}));
    w.close();
  }
  h5::Reader r(path);
  CHECK(r.shape("/g/cube") == h5::Shape{2, 3, 4});
  CHECK(r.read_double("/g/cube") == cube);
  CHECK(r.shape("/g/matrix") == h5::Shape{3, 2});
  CHECK_THROWS_AS(r.read_uint64("/g/matrix"), UserError);  // the unsigned readers want 1-D
  CHECK(r.read_int64("/g/ints") == std::vector<std::int64_t>{-1, 2});
  CHECK(r.shape("/g/none") == h5::Shape{2, 0});
  CHECK(std::get<std::vector<std::string>>(r.attribute("/g/cube", "regions")) == regions);
  CHECK(std::get<std::vector<std::string>>(r.attribute("/g", "empty_list")).empty());
  CHECK(r.is_group("/g"));
  CHECK_FALSE(r.is_group("/g/cube"));
  CHECK_FALSE(r.is_group("/nothing"));
  std::filesystem::remove(path);
}
