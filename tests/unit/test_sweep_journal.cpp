// The journal of a sweep in progress (io/sweep_journal.hpp): records survive, a torn last record
// is dropped, a journal of another sweep or build is refused; and the --until-ci rule.
#include <unistd.h>

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "io/errors.hpp"
#include "io/sweep_journal.hpp"

using namespace civsim;
namespace fs = std::filesystem;

namespace {

io::RunRecord record(std::uint64_t point, std::uint32_t replicate) {
  io::RunRecord r;
  r.key = {point, 0, replicate};
  r.seed = 100 + replicate;
  r.host = "node-1";
  r.wall_seconds = 0.5;
  r.series = {1.0, std::nan(""), 3.0};
  r.regions = {4.0};
  r.scalars = {{"final_reach", 42.0 + static_cast<double>(point), "citizens", "reach"}};
  r.scalar_is_key = {1};
  r.cascade_size_hist = {5, 0, 1};
  return r;
}

fs::path temp_journal(const char* name) {
  const auto p = fs::temp_directory_path() / fmt::format("civsim-{}-{}.journal", name, getpid());
  fs::remove(p);
  return p;
}

}  // namespace

TEST_CASE("sweep journal: records round-trip and a torn tail is dropped", "[sweep]") {
  const auto path = temp_journal("torn");
  const io::JournalHeader header{"abc123", "deadbeef", 0, 1};
  {
    io::Journal j(path, header, false);
    for (std::uint32_t r = 0; r < 3; ++r) j.append(record(7, r));
  }
  // A kill in the middle of the last write: its bytes are cut short.
  fs::resize_file(path, fs::file_size(path) - 5);
  {
    io::Journal j(path, header, true);
    REQUIRE(j.records().size() == 2);
    CHECK(j.dropped_bytes() > 0);
    const auto& r = j.records()[1];
    CHECK(r.key == io::RunKey{7, 0, 1});
    CHECK(r.seed == 101);
    CHECK(r.host == "node-1");
    CHECK(std::isnan(r.series[1]));
    CHECK(r.scalars.at(0).value == 49.0);
    CHECK(r.cascade_size_hist == std::vector<std::uint64_t>{5, 0, 1});
    j.append(record(7, 2));  // redone
  }
  CHECK(io::read_journal(path, nullptr).size() == 3);
  // Without --resume an existing journal is an error that says what to do.
  CHECK_THROWS_WITH(io::Journal(path, header, false), Catch::Contains("--resume"));
  // Another sweep, another build or another shard: refused.
  CHECK_THROWS_WITH(io::Journal(path, {"other", "deadbeef", 0, 1}, true),
                    Catch::Contains("different sweep"));
  CHECK_THROWS_WITH(io::Journal(path, {"abc123", "0ther", 0, 1}, true),
                    Catch::Contains("was started by civsim built from git"));
  CHECK_THROWS_WITH(io::Journal(path, {"abc123", "deadbeef", 1, 2}, true),
                    Catch::Contains("shard"));
  fs::remove(path);
}

TEST_CASE("sweep journal: one writer at a time", "[sweep]") {
  const auto path = temp_journal("lock");
  const io::JournalHeader header{"f", "g", 0, 1};
  io::Journal first(path, header, false);
  CHECK_THROWS_WITH(io::Journal(path, header, true), Catch::Contains("in use"));
  fs::remove(path);
}

TEST_CASE("sweep records: later records of a run replace earlier ones", "[sweep]") {
  auto failed = record(1, 0);
  failed.status = "failed";
  const auto out = io::latest_by_key({record(2, 0), failed, record(1, 1), record(1, 0)});
  REQUIRE(out.size() == 3);
  CHECK(out[0].key == io::RunKey{1, 0, 0});
  CHECK(out[0].status == "ok");
  CHECK(out[2].key == io::RunKey{2, 0, 0});
  CHECK_THROWS(io::decode("not a record"));
  // Empty arrays (a failed run; no cascades): found by fuzz_sweep as a null pointer to memcpy.
  io::RunRecord empty;
  empty.status = "failed";
  empty.error = "boom";
  const auto back = io::decode(io::encode(empty));
  CHECK(back.series.empty());
  CHECK(back.cascade_depth_hist.empty());
  CHECK(back.error == "boom");
  CHECK(io::encode(back) == io::encode(empty));
}

TEST_CASE("until-ci: more replicates while the CI is too wide, never beyond the cap", "[sweep]") {
  io::UntilCi u;
  CHECK(u.next(3, {100.0}) == 3);  // off
  u.width = 10;
  u.outcome = "final_reach";
  u.max_replicates = 20;
  CHECK(u.next(4, {5.0, 9.9}) == 4);      // every arm narrow enough
  CHECK(u.next(4, {5.0, 12.0}) == 6);     // 4 (12/10)^2 = 5.76 -> 6
  CHECK(u.next(4, {5.0, 100.0}) == 8);    // at most doubling per round
  CHECK(u.next(18, {5.0, 100.0}) == 20);  // the cap
  CHECK(u.next(20, {5.0, 100.0}) == 20);
  CHECK(u.next(4, {5.0, 10.05}) == 5);  // at least one more
}
