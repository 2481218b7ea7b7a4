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
