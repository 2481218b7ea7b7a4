#include "io/network_file.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <unordered_map>

#include "core/generator.hpp"
#include "io/errors.hpp"
#include "io/hdf5.hpp"

using namespace civsim;
using namespace civsim::io;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

// A fresh folder per test case, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = fs::temp_directory_path() /
            ("civsim_netfile_" + std::to_string(getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  fs::path operator/(const std::string& name) const { return path_ / name; }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(path_)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  fs::path path_;
};

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A generated network like a small scenario's: 10^4 citizens and the government account.
const Network& generated() {
  static const Network net = [] {
    Scenario s;
    s.seed = 7;
    s.population = 10000;
    s.network.mean_followees = 12;
    s.accounts[0].follower_share = 0.3;
    return generate_network(s);
  }();
  return net;
}

// The imported network renumbered to the original node numbers, where ids[k] names the
// original number of imported node k (`original` maps an id to it).
Network renumbered(const ImportedNetwork& in,
                   const std::unordered_map<std::string, NodeId>& original) {
  const Network& net = in.network;
  const NodeId n = net.n_nodes();
  std::vector<NodeId> to(n);
  for (NodeId k = 0; k < n; ++k) to[k] = original.at(in.ids[k]);
  std::vector<std::vector<NodeId>> lists(n);
  for (NodeId v = 0; v < n; ++v)
    for (NodeId u : net.followers(v)) lists[to[v]].push_back(to[u]);
  std::vector<std::uint64_t> offsets{0};
  std::vector<NodeId> followers;
  for (auto& list : lists) {
    std::sort(list.begin(), list.end());
    followers.insert(followers.end(), list.begin(), list.end());
    offsets.push_back(followers.size());
  }
  return Network(net.n_citizens(), std::move(offsets), std::move(followers));
}

std::unordered_map<std::string, NodeId> index_of(const std::vector<std::string>& ids) {
  std::unordered_map<std::string, NodeId> index;
  for (std::size_t k = 0; k < ids.size(); ++k) index[ids[k]] = static_cast<NodeId>(k);
  return index;
}

std::vector<std::string> number_ids(NodeId n) {
  std::vector<std::string> ids;
  for (NodeId k = 0; k < n; ++k) ids.push_back(std::to_string(k));
  return ids;
}

void check_same(const Network& a, const Network& b) {
  CHECK(a.n_citizens() == b.n_citizens());
  CHECK(a.n_nodes() == b.n_nodes());
  CHECK(a.offsets() == b.offsets());
  CHECK(a.follower_array() == b.follower_array());
}

// Follower lists as text, "v: u u u; ...", for compact expectations on small networks.
std::string lists(const ImportedNetwork& in) {
  std::ostringstream out;
  for (NodeId v = 0; v < in.network.n_nodes(); ++v) {
    out << in.ids[v] << ":";
    for (NodeId u : in.network.followers(v)) out << " " << in.ids[u];
    out << ";";
  }
  return out.str();
}

}  // namespace

TEST_CASE("edge list round trip of a generated network", "[network_file]") {
  const Network& net = generated();
  REQUIRE(net.n_nodes() == 10001);
  REQUIRE(net.n_edges() > 100000);
  TempDir dir;
  const auto path = dir / "net.txt";
  write_edge_list(path, net);
  const ImportedNetwork in = read_edge_list(path, {"10000"});
  // Numbers follow first appearance in the file, so compare through the ids.
  check_same(renumbered(in, index_of(number_ids(net.n_nodes()))), net);
  CHECK(in.ids.back() == "10000");  // the account comes last
  CHECK(in.edges_read == net.n_edges());
  CHECK(in.lines == net.n_edges() + 4);  // four header lines
  CHECK(in.duplicates_dropped == 0);
  CHECK(in.self_loops_dropped == 0);
  CHECK(dir.entries() == std::vector<std::string>{"net.txt"});  // no temporary left behind

  const std::string text = read_text(path);
  CHECK_THAT(text, StartsWith("# civsim follower network"));
  CHECK_THAT(text, Contains("src follows dst"));
  CHECK_THAT(text, Contains(fmt::format("# nodes 10001 (citizens 10000, accounts 1), edges {}\n",
                                        net.n_edges())));
  CHECK_THAT(text, Contains("# accounts: 10000\n"));
}

TEST_CASE("edge list round trip with string ids, and read the other way round", "[network_file]") {
  const Network& net = generated();
  std::vector<std::string> ids;
  for (NodeId k = 0; k < net.n_citizens(); ++k) ids.push_back("@user_" + std::to_string(k));
  ids.push_back("Ministère_de_la_Santé");
  TempDir dir;
  write_edge_list(dir / "net.txt", net, &ids);
  const ImportedNetwork in = read_edge_list(dir / "net.txt", {"Ministère_de_la_Santé"});
  check_same(renumbered(in, index_of(ids)), net);

  // The same edges with the columns swapped: "dst src", read as dst_follows_src.
  std::istringstream lines(read_text(dir / "net.txt"));
  std::string line, swapped;
  while (std::getline(lines, line)) {
    if (line[0] == '#') continue;
    const auto space = line.find(' ');
    swapped += line.substr(space + 1) + " " + line.substr(0, space) + "\n";
  }
  write_text(dir / "swapped.txt", swapped);
  const ImportedNetwork back = read_edge_list(dir / "swapped.txt", {"Ministère_de_la_Santé"},
                                              EdgeDirection::dst_follows_src);
  check_same(renumbered(back, index_of(ids)), net);
  // Read with the wrong convention, every edge turns round.
  const ImportedNetwork wrong = read_edge_list(dir / "swapped.txt", {"Ministère_de_la_Santé"});
  const NodeId gov = wrong.network.n_nodes() - 1;
  CHECK(wrong.network.follower_count(gov) == 0);
  CHECK(wrong.network.followee_counts()[gov] == net.follower_count(net.n_citizens()));
}

TEST_CASE("edge list: ids in order of first appearance, accounts last in the given order",
          "[network_file]") {
  TempDir dir;
  write_text(dir / "e.txt", "x gov2\ny gov1\ngov1 x\n7 y\n");
  const ImportedNetwork in = read_edge_list(dir / "e.txt", {"gov1", "gov2"});
  CHECK(in.ids == std::vector<std::string>{"x", "y", "7", "gov1", "gov2"});
  CHECK(in.network.n_citizens() == 3);
  CHECK(lists(in) == "x: gov1;y: 7;7:;gov1: y;gov2: x;");

  const ImportedNetwork reversed =
      read_edge_list(dir / "e.txt", {"gov1", "gov2"}, EdgeDirection::dst_follows_src);
  CHECK(reversed.ids == in.ids);
  CHECK(lists(reversed) == "x: gov2;y: gov1;7: y;gov1: x;gov2:;");
}

TEST_CASE("edge list: duplicates and self-loops are dropped and counted", "[network_file]") {
  TempDir dir;
  write_text(dir / "e.txt", "a b\nb a\na b\nc c\nb a # again\nb c\na b\n");
  const ImportedNetwork in = read_edge_list(dir / "e.txt", {});
  CHECK(in.lines == 7);
  CHECK(in.edges_read == 7);
  CHECK(in.duplicates_dropped == 3);
  CHECK(in.self_loops_dropped == 1);
  CHECK(in.network.n_edges() == 3);
  CHECK(lists(in) == "a: b;b: a;c: b;");  // c keeps its node although its self-loop is gone
}

TEST_CASE("edge list: comments, blank lines, other whitespace, no final newline",
          "[network_file]") {
  TempDir dir;
  const std::string text =
      "\xef\xbb\xbf# a header\n"
      "\n"
      "   \t \n"
      "1 2 # a trailing comment\n"
      "\t3\t\t1\r\n"
      "#2 3\n"
      "  2   3";
  write_text(dir / "e.txt", text);
  const ImportedNetwork in = read_edge_list(dir / "e.txt", {});
  CHECK(in.lines == 7);
  CHECK(in.edges_read == 3);
  CHECK(in.ids == std::vector<std::string>{"1", "2", "3"});
  CHECK(lists(in) == "1: 3;2: 1;3: 2;");

  // Every split into blocks gives the same network: tokens, comments, CRLF and the byte-order
  // mark all cross block boundaries somewhere.
  for (std::size_t block : {1, 2, 3, 5, 8}) {
    const ImportedNetwork b = detail::read_edge_list(
        dir / "e.txt", {}, EdgeDirection::src_follows_dst, {.block_bytes = block});
    CHECK(b.ids == in.ids);
    CHECK(lists(b) == lists(in));
    CHECK(b.lines == 7);
  }
  write_text(dir / "one.txt", "a b");  // shortest file, no newline
  CHECK(read_edge_list(dir / "one.txt", {}).lines == 1);
}

TEST_CASE("malformed edge lists fail with FILE:LINE: and what was expected", "[network_file]") {
  struct Case {
    std::string text;
    int line;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"a b\nc\n", 2, "expected two columns \"src dst\", found one (\"c\")"},
      {"a b\n\nlonely # comment\n", 3, "found one (\"lonely\")"},
      {"a b\nc d e\n", 2, "expected two columns \"src dst\", found a third (\"e\")"},
      {"a b\n# x\nc d e f\n", 3, "found a third"},
      {"a b\nx" + std::string(300, 'y') + " z\n", 2, "an id longer than 256 bytes"},
      {"a b\nc\x01 d\n", 2, "unexpected control byte 0x01"},
      {"a b\nc d\n\x7f d\n", 3, "unexpected control byte 0x7f"},
      {std::string("a b\n\0\0\0\0", 8), 2, "control byte 0x00"},
      {"a b\nc \xff\xfe\n", 2, "the id \"\\xff\\xfe\" is not valid UTF-8"},
      {"a b\nc \xc3\n", 2, "is not valid UTF-8"},  // a cut-off two-byte sequence
      {"a b\nc", 2, "found one (\"c\")"},          // last line without newline
  };
  TempDir dir;
  for (const auto& c : cases) {
    const auto path = dir / "bad.txt";
    write_text(path, c.text);
    const std::string where = path.string() + ":" + std::to_string(c.line) + ": ";
    CAPTURE(c.text);
    for (std::size_t block : {std::size_t{1} << 22, std::size_t{3}}) {
      CAPTURE(block);
      CHECK_THROWS_AS(
          detail::read_edge_list(path, {}, EdgeDirection::src_follows_dst, {.block_bytes = block}),
          UserError);
      CHECK_THROWS_WITH(
          detail::read_edge_list(path, {}, EdgeDirection::src_follows_dst, {.block_bytes = block}),
          StartsWith(where) && Contains(c.says));
    }
  }
  // The id limit (4294967294 distinct ids) at a reachable size.
  write_text(dir / "many.txt", "a b\nb c\nc a\nc d\n");
  CHECK_THROWS_WITH(detail::read_edge_list(dir / "many.txt", {}, EdgeDirection::src_follows_dst,
                                           {.max_nodes = 3}),
                    StartsWith((dir / "many.txt").string() + ":4: more than 3 distinct ids"));
  CHECK(
      detail::read_edge_list(dir / "many.txt", {}, EdgeDirection::src_follows_dst, {.max_nodes = 4})
          .network.n_nodes() == 4);
}

TEST_CASE("edge lists without edges, unreadable files and bad account ids are user errors",
          "[network_file]") {
  TempDir dir;
  const auto path = dir / "e.txt";
  for (const char* text : {"", "\n\n", "# only a comment\n", "\xef\xbb\xbf"}) {
    write_text(path, text);
    CHECK_THROWS_WITH(read_edge_list(path, {}), StartsWith(path.string() + ": no edges"));
  }
  write_text(path, "a b\n");
  CHECK_THROWS_WITH(read_edge_list(path, {"gov"}),
                    Contains(path.string()) && Contains("\"gov\" does not appear"));
  CHECK_THROWS_WITH(read_edge_list(path, {"a", "a"}), Contains("\"a\" is listed twice"));
  CHECK_THROWS_WITH(read_edge_list(path, {"the ministry"}), Contains("contains whitespace"));
  CHECK_THROWS_WITH(read_edge_list(dir / "missing.txt", {}),
                    Contains((dir / "missing.txt").string()) && Contains("No such file"));
  CHECK_THROWS_AS(read_edge_list(dir / "missing.txt", {}), UserError);
  fs::create_directories(dir / "folder");
  CHECK_THROWS_WITH(read_edge_list(dir / "folder", {}), Contains("folder"));
}

TEST_CASE("writers refuse existing files unless forced, and ids that cannot be read back",
          "[network_file]") {
  const Network small(2, {0, 1, 2, 4}, {1, 0, 0, 1});  // 0 and 1 follow each other and node 2
  TempDir dir;
  for (const char* name : {"net.txt", "net.h5"}) {
    const auto path = dir / name;
    const bool text = std::string(name).ends_with(".txt");
    const auto write = [&](const std::vector<std::string>* ids, bool force) {
      if (text)
        write_edge_list(path, small, ids, force);
      else
        write_network_h5(path, small, ids, force);
    };
    write_text(path, "precious\n");
    CHECK_THROWS_WITH(write(nullptr, false), Contains("already exists"));
    CHECK(read_text(path) == "precious\n");
    write(nullptr, true);
    CHECK(read_text(path) != "precious\n");
    const std::vector<std::string> spaced = {"a", "b c", "gov"}, twice = {"a", "b", "a"};
    CHECK_THROWS_WITH(write(&spaced, true),
                      Contains(path.string()) && Contains("\"b c\" of node 1 contains whitespace"));
    CHECK_THROWS_WITH(write(&twice, true), Contains("\"a\" is given to two nodes"));
    const std::vector<std::string> control = {"a", std::string("b\0c", 3), "gov"};
    CHECK_THROWS_WITH(write(&control, true),
                      Contains("\"b\\x00c\" of node 1 contains the control byte 0x00"));
    const std::vector<std::string> one = {"a"};
    CHECK_THROWS_AS(write(&one, true), std::invalid_argument);  // a caller's bug
    CHECK(read_text(path) != "precious\n");                     // the forced file is still there
  }
  CHECK(dir.entries() == std::vector<std::string>{"net.h5", "net.txt"});
  // A missing folder is created.
  write_edge_list(dir / "sub" / "dir" / "net.txt", small);
  CHECK(fs::exists(dir / "sub" / "dir" / "net.txt"));
}

TEST_CASE("HDF5 network file round trip", "[network_file]") {
  const Network& net = generated();
  TempDir dir;
  write_network_h5(dir / "net.h5", net);
  const ImportedNetwork in = read_network_h5(dir / "net.h5");
  check_same(in.network, net);  // exactly the same numbering: no relabelling needed
  CHECK(in.ids.empty());
  CHECK(in.edges_read == net.n_edges());

  std::vector<std::string> ids = number_ids(net.n_nodes());
  ids.back() = "government";
  write_network_h5(dir / "ids.h5", net, &ids);
  const ImportedNetwork with_ids = read_network_h5(dir / "ids.h5");
  check_same(with_ids.network, net);
  CHECK(with_ids.ids == ids);

  h5::Reader r(dir / "ids.h5");
  CHECK(std::get<std::string>(r.attribute("/", "filetype")) == "civsim-network");
  CHECK(std::get<std::string>(r.attribute("/", "format_version")) == "1.0");
  CHECK(std::get<std::int64_t>(r.attribute("/", "n_citizens")) == 10000);
  CHECK(std::get<std::int64_t>(r.attribute("/", "n_accounts")) == 1);
  CHECK(dir.entries() == std::vector<std::string>{"ids.h5", "net.h5"});
}

TEST_CASE("HDF5 network files that are not valid networks are user errors naming the file",
          "[network_file]") {
  TempDir dir;
  int count = 0;
  // Writes a network file by hand, with whatever the case changes.
  const auto make = [&](const std::string& filetype, const std::string& version,
                        std::vector<std::uint64_t> offsets, std::vector<std::uint32_t> followers,
                        std::int64_t n_citizens = 2) {
    const auto path = dir / ("case" + std::to_string(count++) + ".h5");
    h5::Writer w(path);
    w.attribute("/", "filetype", filetype);
    w.attribute("/", "format_version", version);
    w.attribute("/", "n_citizens", n_citizens);
    w.attribute("/", "n_accounts", std::int64_t{1});
    w.dataset("/offsets", offsets);
    w.dataset("/followers", followers);
    w.close();
    return path;
  };
  const auto good = make("civsim-network", "1.3", {0, 1, 2, 4}, {1, 0, 0, 1});
  CHECK(read_network_h5(good).network.n_edges() == 4);  // a later minor version reads
  const struct {
    fs::path path;
    std::string says;
  } cases[] = {
      {make("civsim-run", "1.0", {0, 1, 2, 4}, {1, 0, 0, 1}), "is not a civsim network file"},
      {make("civsim-network", "2.0", {0, 1, 2, 4}, {1, 0, 0, 1}), "format version '2.0'"},
      {make("civsim-network", "1.0", {0, 1, 4}, {1, 0, 0, 1}), "/offsets has 3 entries"},
      {make("civsim-network", "1.0", {0, 1, 2, 4}, {1, 0, 1, 0}), "does not hold a valid network"},
      {make("civsim-network", "1.0", {0, 1, 2, 4}, {1, 0, 0, 7}), "does not hold a valid network"},
      {make("civsim-network", "1.0", {0, 1, 2, 5}, {1, 0, 0, 1}), "does not hold a valid network"},
      {make("civsim-network", "1.0", {0, 1, 2, 4}, {1, 0, 0, 1}, -1), "'n_citizens' is missing"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.says);
    CHECK_THROWS_AS(read_network_h5(c.path), UserError);
    CHECK_THROWS_WITH(read_network_h5(c.path), Contains(c.path.string()) && Contains(c.says));
  }
  {  // followers stored as signed integers with a negative value; ids of the wrong count
    h5::Writer w(dir / "signed.h5");
    w.attribute("/", "filetype", std::string("civsim-network"));
    w.attribute("/", "format_version", std::string("1.0"));
    w.attribute("/", "n_citizens", std::int64_t{2});
    w.attribute("/", "n_accounts", std::int64_t{0});
    w.dataset("/offsets", std::vector<std::uint64_t>{0, 1, 2});
    w.dataset("/followers", std::vector<std::int64_t>{1, -1});
    w.close();
  }
  CHECK_THROWS_WITH(read_network_h5(dir / "signed.h5"),
                    Contains("signed.h5") && Contains("/followers"));
  {
    h5::Writer w(dir / "ids.h5");
    w.attribute("/", "filetype", std::string("civsim-network"));
    w.attribute("/", "format_version", std::string("1.0"));
    w.attribute("/", "n_citizens", std::int64_t{2});
    w.attribute("/", "n_accounts", std::int64_t{0});
    w.dataset("/offsets", std::vector<std::uint64_t>{0, 1, 2});
    w.dataset("/followers", std::vector<std::uint32_t>{1, 0});
    w.string_dataset("/ids", std::vector<std::string>{"only one"});
    w.close();
  }
  CHECK_THROWS_WITH(read_network_h5(dir / "ids.h5"), Contains("/ids has 1 entries"));
  CHECK_THROWS_WITH(read_network_h5(dir / "missing.h5"), Contains("missing.h5"));
  write_text(dir / "text.h5", "a b\n");
  CHECK_THROWS_WITH(read_network_h5(dir / "text.h5"), Contains("is not an HDF5 file"));
}

TEST_CASE("edge list: any split into blocks gives the same network or the same error",
          "[network_file]") {
  // Random short files: mostly well-formed lines, some with stray pieces (bad bytes, extra or
  // missing columns), so that both networks and errors come out.
  const std::vector<std::string> ids = {"a", "b", "7", "é", "gov", "x"};
  const std::vector<std::string> spaces = {" ", "\t", "  ", " \t"};
  const std::vector<std::string> ends = {"\n", "\r\n", " # note\n", "#\n", "\n\n"};
  const std::vector<std::string> stray = {"a", " ", "\n", "#", "\xff", "\x01", "é"};
  std::uint64_t state = 42;
  const auto next = [&](std::size_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::size_t>(state >> 33) % n;
  };
  const auto outcome = [](const fs::path& path, std::size_t block) -> std::string {
    try {
      const auto in =
          detail::read_edge_list(path, {}, EdgeDirection::src_follows_dst, {.block_bytes = block});
      return lists(in) + fmt::format(" lines {} read {} dup {} loops {}", in.lines, in.edges_read,
                                     in.duplicates_dropped, in.self_loops_dropped);
    } catch (const UserError& e) {
      return std::string("error: ") + e.what();
    }
  };
  TempDir dir;
  const auto path = dir / "random.txt";
  int networks = 0;
  for (int trial = 0; trial < 300; ++trial) {
    std::string text;
    for (std::size_t line = next(8); line > 0; --line) {
      text += ids[next(ids.size())] + spaces[next(spaces.size())] + ids[next(ids.size())];
      if (next(15) == 0) text += stray[next(stray.size())];
      text += ends[next(ends.size())];
    }
    write_text(path, text);
    const std::string whole = outcome(path, std::size_t{1} << 22);
    CAPTURE(text, whole);
    for (std::size_t block : {1, 2, 5}) CHECK(outcome(path, block) == whole);
    networks += whole.starts_with("error") ? 0 : 1;
  }
  CHECK(networks > 100);  // valid files as well as errors
  CHECK(networks < 290);
}
