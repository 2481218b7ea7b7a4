// The classic generators against Boost.Graph's iterators (docs/networks-classic.md, "Boost.Graph
// evaluation"). Each Boost iterator is driven by PhiloxStream, a UniformRandomNumberGenerator whose
// i-th number is a Philox word keyed by (seed, purpose, i), and its edges are turned into the same
// product as ours (a Csr of sorted, distinct, loop-free rows), which is what is timed. Not part of
// the test suite; run with scripts/bench-generators.
#include <fmt/format.h>
#include <omp.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/erdos_renyi_generator.hpp>
#include <boost/graph/rmat_graph_generator.hpp>
#include <boost/graph/small_world_generator.hpp>
#include <chrono>
#include <ctime>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "core/generators_classic.hpp"
#include "core/rng.hpp"

using namespace civsim;

namespace {

using BoostDigraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;

// Number i of the stream is word i % 4 of Philox counter (step kStep, agent 0, k = i / 4), cut to
// 53 bits so that Boost's uniform_01 never rejects a value (every edge then consumes a fixed
// number of draws, which the chunked R-MAT run relies on). The step field keeps these draws apart
// from the generators' own; none of them reaches an output file.
class PhiloxStream {
 public:
  using result_type = std::uint64_t;
  static constexpr std::uint64_t kStep = 0xB0057;

  PhiloxStream(std::uint64_t seed, Purpose purpose, std::uint64_t first = 0)
      : seed_(seed), purpose_(purpose), next_(first) {}
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return (result_type{1} << 53) - 1; }
  result_type operator()() {
    if (next_ / 4 != block_) {
      block_ = next_ / 4;
      words_ = random_words({seed_, 0, purpose_, kStep, 0, block_});
    }
    return words_[next_++ % 4] >> 11;
  }

 private:
  std::uint64_t seed_;
  Purpose purpose_;
  std::uint64_t next_;
  std::uint64_t block_ = std::numeric_limits<std::uint64_t>::max();
  std::array<std::uint64_t, 4> words_{};
};

// Edge list (u << 32 | v, self-loops already removed) -> Csr with sorted, distinct rows.
Csr pairs_to_csr(const std::vector<std::uint64_t>& pairs, std::uint32_t n) {
  Csr csr;
  csr.offsets.assign(std::size_t{n} + 1, 0);
  for (std::uint64_t e : pairs) ++csr.offsets[(e >> 32) + 1];
  for (std::uint32_t r = 0; r < n; ++r) csr.offsets[r + 1] += csr.offsets[r];
  std::vector<std::uint64_t> cursor(csr.offsets.begin(), csr.offsets.end() - 1);
  csr.targets.resize(pairs.size());
  for (std::uint64_t e : pairs) csr.targets[cursor[e >> 32]++] = static_cast<NodeId>(e);
  std::vector<std::uint32_t> used(n);
#pragma omp parallel for schedule(dynamic, 1024)
  for (std::int64_t r = 0; r < static_cast<std::int64_t>(n); ++r) {
    const auto b = csr.targets.begin() + static_cast<std::ptrdiff_t>(csr.offsets[r]);
    const auto e = csr.targets.begin() + static_cast<std::ptrdiff_t>(csr.offsets[r + 1]);
    std::sort(b, e);
    used[static_cast<std::size_t>(r)] = static_cast<std::uint32_t>(std::unique(b, e) - b);
  }
  compact(csr, used);
  return csr;
}

std::uint64_t pack(std::uint64_t u, std::uint64_t v) {
  return (u << 32) | v;
}

Csr boost_sorted_er(std::uint32_t n, double mean, std::uint64_t seed) {
  PhiloxStream gen(seed, Purpose::er_gap);
  using It = boost::sorted_erdos_renyi_iterator<PhiloxStream, BoostDigraph>;
  Csr csr;
  csr.offsets.assign(std::size_t{n} + 1, 0);
  for (It it(gen, n, mean / (n - 1)), end; it != end; ++it) {
    csr.targets.push_back(static_cast<NodeId>(it->second));
    ++csr.offsets[it->first + 1];
  }
  for (std::uint32_t r = 0; r < n; ++r) csr.offsets[r + 1] += csr.offsets[r];
  return csr;
}

Csr boost_small_world(std::uint32_t n, std::uint32_t k, double beta, std::uint64_t seed) {
  PhiloxStream gen(seed, Purpose::ws_rewire);
  using It = boost::small_world_iterator<PhiloxStream, BoostDigraph>;
  std::vector<std::uint64_t> pairs;
  pairs.reserve(std::size_t{n} * k / 2);
  for (It it(gen, n, k, beta), end; it != end; ++it)
    if (it->first != it->second) pairs.push_back(pack(it->first, it->second));
  return pairs_to_csr(pairs, n);
}

// Boost's R-MAT consumes 5 draws per level (quadrant + noise on a, b, c, d) and int_log2(n)
// levels; with PhiloxStream that is a fixed count per edge, so edge i's draws start at
// i * draws_per_edge and chunks of edges can be generated independently, in parallel.
Csr boost_rmat(std::uint32_t n, std::uint64_t attempts, double a, double b, double c,
               std::uint64_t seed, bool permute, bool chunked) {
  using It = boost::rmat_iterator<PhiloxStream, BoostDigraph>;
  const double d = 1 - a - b - c;
  std::vector<std::uint64_t> pairs(attempts, ~std::uint64_t{0});
  if (!chunked) {
    PhiloxStream gen(seed, Purpose::rmat_quadrant);
    // rmat_iterator(m) yields m - 1 edges (the one made in the constructor is counted twice).
    std::uint64_t i = 0;
    for (It it(gen, n, attempts + 1, a, b, c, d, permute), end; it != end && i < attempts; ++it)
      pairs[i++] = it->first == it->second ? ~std::uint64_t{0} : pack(it->first, it->second);
  } else {
    const std::uint64_t per_edge = 5ull * static_cast<std::uint64_t>(int_log2(n));
    constexpr std::uint64_t kChunk = 1 << 16;
    const std::uint64_t n_chunks = (attempts + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(dynamic, 1)
    for (std::int64_t ch = 0; ch < static_cast<std::int64_t>(n_chunks); ++ch) {
      const std::uint64_t first = static_cast<std::uint64_t>(ch) * kChunk;
      const std::uint64_t count = std::min(kChunk, attempts - first);
      PhiloxStream gen(seed, Purpose::rmat_quadrant, first * per_edge);
      std::uint64_t i = first;
      for (It it(gen, n, count + 1, a, b, c, d, false), end; it != end && i < first + count; ++it)
        pairs[i++] = it->first == it->second ? ~std::uint64_t{0} : pack(it->first, it->second);
    }
  }
  pairs.erase(std::remove(pairs.begin(), pairs.end(), ~std::uint64_t{0}), pairs.end());
  return pairs_to_csr(pairs, n);
}

Csr boost_sorted_rmat(std::uint32_t n, std::uint64_t attempts, double a, double b, double c,
                      std::uint64_t seed) {
  PhiloxStream gen(seed, Purpose::rmat_quadrant);
  using It = boost::sorted_rmat_iterator<PhiloxStream, BoostDigraph>;
  Csr csr;
  csr.offsets.assign(std::size_t{n} + 1, 0);
  std::uint64_t last = ~std::uint64_t{0};
  for (It it(gen, n, attempts, a, b, c, 1 - a - b - c, true), end; it != end; ++it) {
    const std::uint64_t e = pack(it->first, it->second);
    if (it->first == it->second || e == last) continue;  // sorted: duplicates are adjacent
    last = e;
    csr.targets.push_back(static_cast<NodeId>(it->second));
    ++csr.offsets[it->first + 1];
  }
  for (std::uint32_t r = 0; r < n; ++r) csr.offsets[r + 1] += csr.offsets[r];
  return csr;
}

Csr boost_unique_rmat(std::uint32_t n, std::uint64_t edges, double a, double b, double c,
                      std::uint64_t seed) {
  PhiloxStream gen(seed, Purpose::rmat_quadrant);
  using It = boost::unique_rmat_iterator<PhiloxStream, BoostDigraph>;
  std::vector<std::uint64_t> pairs;
  for (It it(gen, n, edges, a, b, c, 1 - a - b - c, true), end; it != end; ++it)
    if (it->first != it->second) pairs.push_back(pack(it->first, it->second));
  return pairs_to_csr(pairs, n);
}

std::uint64_t active_citizens(const Csr& g) {
  std::vector<char> seen(g.rows(), 0);
  for (std::uint32_t u = 0; u < g.rows(); ++u)
    if (!g.row(u).empty()) seen[u] = 1;
  for (NodeId v : g.targets) seen[v] = 1;
  return static_cast<std::uint64_t>(std::count(seen.begin(), seen.end(), 1));
}

// Best wall time of `repeats` runs, and the CPU time (all threads) of that run: on a shared
// machine the CPU time of a one-thread run is the better measure of cost.
void time_it(const std::string& name, int threads, int repeats, const std::function<Csr()>& make) {
  omp_set_num_threads(threads);
  double best = 1e300, best_cpu = 0;
  Csr g;
  for (int r = 0; r < repeats; ++r) {
    g = Csr{};
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    g = make();
    const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (wall < best) best = wall, best_cpu = cpu;
  }
  std::uint32_t max_in = 0;
  {
    std::vector<std::uint32_t> in(g.rows(), 0);
    for (NodeId v : g.targets) max_in = std::max(max_in, ++in[v]);
  }
  fmt::print("| {:<46} | {} | {:7.2f} | {:7.2f} | {:>10} | {:>9} | {:>7} |\n", name, threads, best,
             best_cpu, g.entries(), active_citizens(g), max_in);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"classic generators vs Boost.Graph"};
  std::uint32_t n = 1000000;
  double mean = 30;
  int repeats = 2;
  std::string only;
  app.add_option("--n", n, "citizens")->capture_default_str();
  app.add_option("--mean", mean, "mean followees (edges / n)")->capture_default_str();
  app.add_option("--repeats", repeats, "best of this many timings")->capture_default_str();
  bool skip_boost = false;
  app.add_option("--only", only, "er, ws, price or rmat (default: all)");
  app.add_flag("--skip-boost", skip_boost, "time civsim's generators only");
  CLI11_PARSE(app, argc, argv);
  const int all = omp_get_max_threads();
  const std::uint64_t seed = 12345;
  const auto k = static_cast<std::uint32_t>(std::lround(mean / 2)) * 2;
  const auto attempts = static_cast<std::uint64_t>(std::llround(mean * n));
  const double a = 0.57, b = 0.19, c = 0.19;
  auto want = [&](const char* g) { return only.empty() || only == g; };

  fmt::print("n = {}, mean followees = {}, best of {}; seconds to a Csr of sorted distinct rows\n",
             n, mean, repeats);
  fmt::print("| {:<46} | t | wall s  | CPU s   | follows    | active    | max in  |\n",
             "generator");
  fmt::print("|{:-<48}|---|---------|---------|------------|-----------|---------|\n", "");
  for (int t : {1, all}) {
    if (want("er"))
      time_it("civsim erdos_renyi_followees", t, repeats,
              [&] { return erdos_renyi_followees(n, mean, seed); });
    if (want("ws"))
      time_it(fmt::format("civsim watts_strogatz_followees k={} b=0.1", k), t, repeats,
              [&] { return watts_strogatz_followees(n, k, 0.1, seed); });
    if (want("price"))
      time_it(fmt::format("civsim price_followees m={} a={}", k, k), t, repeats,
              [&] { return price_followees(n, k, k, seed); });
    if (want("rmat"))
      time_it("civsim rmat_followees .57/.19/.19", t, repeats,
              [&] { return rmat_followees(n, mean, a, b, c, seed); });
    if (all == 1) break;
  }
  omp_set_num_threads(all);
  if (skip_boost) return 0;
  if (want("er"))
    time_it("boost sorted_erdos_renyi_iterator", 1, repeats,
            [&] { return boost_sorted_er(n, mean, seed); });
  if (want("ws"))
    time_it(fmt::format("boost small_world_iterator k={} b=0.1", 2 * k), 1, repeats,
            [&] { return boost_small_world(n, 2 * k, 0.1, seed); });
  if (want("rmat")) {
    time_it("boost rmat_iterator (permuted)", 1, repeats,
            [&] { return boost_rmat(n, attempts, a, b, c, seed, true, false); });
    time_it("boost rmat_iterator (chunked, unpermuted)", 1, repeats,
            [&] { return boost_rmat(n, attempts, a, b, c, seed, false, true); });
    if (all > 1)
      time_it("boost rmat_iterator (chunked, unpermuted)", all, repeats,
              [&] { return boost_rmat(n, attempts, a, b, c, seed, false, true); });
    time_it("boost sorted_rmat_iterator", 1, 1,
            [&] { return boost_sorted_rmat(n, attempts, a, b, c, seed); });
    time_it(fmt::format("boost unique_rmat_iterator ({} edges)", attempts / 10), 1, 1,
            [&] { return boost_unique_rmat(n, attempts / 10, a, b, c, seed); });
  }
  return 0;
}
