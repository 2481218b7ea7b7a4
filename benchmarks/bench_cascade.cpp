// The independent-cascade benchmark (issue 7): civsim's diffusion against reference kernels on the
// same graph, measured in one process so that the ratios hold on a noisy shared machine.
//
// Graph: civsim's power_law generator (N nodes, mean followees 30, follower exponent 2.2); the
// 10 nodes with the most followers are merged into one seed node (an institutional account whose
// followers are the union of the hubs' followers), so that civsim, whose cascades start from an
// account's post, and the reference kernels run the same cascade on the same graph.
//
// - scan: a sequential pass over the CSR follower array (the memory-bandwidth bound), 1 and T
//   threads;
// - reference IC: a push independent cascade from the seed, frontier by frontier, one Philox4x64
//   draw (the generator civsim uses) per edge trial whose target is not yet active, 1 and T
//   threads;
// - civsim IC: the model on a textbook platform (organic and citizen reach 1, activity so high
//   that every post is seen in the step it is published, flat diurnal profile, no likes, comments,
//   questions, rumours, trust updates or follows), so that it is exactly an independent cascade in
//   which a step is a hop. Timed from after the Simulation is constructed to its last step; the
//   construction (initial citizen draws) is shown separately.
//
// Prints one table and optionally writes JSON (--json). Never fails on timing.
#include <omp.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdio>
#include <numeric>

#include "bench_common.hpp"
#include "core/generator.hpp"
#include "core/rng.hpp"
#include "core/simulation.hpp"

using namespace civsim;
using namespace civsim::bench;

namespace {

// The graph with its `hubs` most-followed nodes merged into one account node (the last node).
Network merge_hubs(const Network& g, int hubs) {
  const std::uint32_t n = g.n_nodes();
  std::vector<NodeId> order(n);
  std::iota(order.begin(), order.end(), 0);
  const auto k = static_cast<std::size_t>(hubs);
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                    [&](NodeId a, NodeId b) {
                      const auto da = g.follower_count(a), db = g.follower_count(b);
                      return da != db ? da > db : a < b;
                    });
  std::vector<char> is_hub(n, 0);
  for (std::size_t i = 0; i < k; ++i) is_hub[order[i]] = 1;
  std::vector<NodeId> new_id(n, 0);
  NodeId next = 0;
  for (NodeId v = 0; v < n; ++v)
    if (!is_hub[v]) new_id[v] = next++;
  const NodeId account = next;  // citizens are 0 .. account - 1
  std::vector<std::uint64_t> offsets{0};
  std::vector<NodeId> followers;
  followers.reserve(g.n_edges());
  for (NodeId v = 0; v < n; ++v) {
    if (is_hub[v]) continue;
    for (const NodeId u : g.followers(v))
      if (!is_hub[u]) followers.push_back(new_id[u]);  // the map keeps the order
    offsets.push_back(followers.size());
  }
  std::vector<NodeId> merged;
  for (std::size_t i = 0; i < k; ++i)
    for (const NodeId u : g.followers(order[i]))
      if (!is_hub[u]) merged.push_back(new_id[u]);
  std::sort(merged.begin(), merged.end());
  merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
  followers.insert(followers.end(), merged.begin(), merged.end());
  offsets.push_back(followers.size());
  return Network(account, std::move(offsets), std::move(followers));
}

// Sequential pass over every follower id.
std::uint64_t scan(const Network& g) {
  const auto& f = g.follower_array();
  const auto m = static_cast<std::int64_t>(f.size());
  std::uint64_t sum = 0;
#pragma omp parallel for schedule(static) reduction(+ : sum)
  for (std::int64_t i = 0; i < m; ++i) sum += f[static_cast<std::size_t>(i)];
  return sum;
}

struct IcResult {
  std::uint64_t activated = 0;  // nodes activated, the seed excluded
  std::uint64_t trials = 0;     // edges scanned out of active nodes
  std::uint64_t draws = 0;      // random draws (edge trials whose target was not yet active)
  int rounds = 0;
  std::vector<double> round_s;  // time of each round
};

// Push independent cascade: one counter-based draw per edge trial, keyed by (edge source, target),
// so the activated set does not depend on the thread count or the visiting order.
IcResult reference_ic(const Network& g, NodeId seed_node, double p, std::uint64_t seed) {
  const std::uint32_t n = g.n_nodes();
  std::vector<std::uint64_t> active((n + 63) / 64, 0);
  const auto test = [&](NodeId u) {
    return (std::atomic_ref<std::uint64_t>(active[u / 64]).load(std::memory_order_relaxed) >>
            (u % 64)) &
           1u;
  };
  const auto test_and_set = [&](NodeId u) {
    const std::uint64_t mask = std::uint64_t{1} << (u % 64);
    return (std::atomic_ref<std::uint64_t>(active[u / 64])
                .fetch_or(mask, std::memory_order_relaxed) &
            mask) == 0;
  };
  test_and_set(seed_node);
  IcResult out;
  std::vector<NodeId> frontier{seed_node}, next;
  struct Task {
    NodeId v;
    std::uint64_t begin, end;
  };
  std::vector<Task> tasks;
  constexpr std::uint64_t kTask = 4096;  // edges per task: splits hubs across threads
  while (!frontier.empty()) {
    const auto t0 = std::chrono::steady_clock::now();
    tasks.clear();
    for (const NodeId v : frontier) {
      const std::uint64_t d = g.follower_count(v);
      for (std::uint64_t b = 0; b < d; b += kTask) tasks.push_back({v, b, std::min(d, b + kTask)});
    }
    next.clear();
    std::uint64_t trials = 0, draws = 0;
    const auto n_tasks = static_cast<std::int64_t>(tasks.size());
#pragma omp parallel reduction(+ : trials, draws)
    {
      std::vector<NodeId> local;
#pragma omp for schedule(dynamic, 8) nowait
      for (std::int64_t t = 0; t < n_tasks; ++t) {
        const Task& task = tasks[static_cast<std::size_t>(t)];
        const auto f = g.followers(task.v);
        for (std::uint64_t i = task.begin; i < task.end; ++i) {
          const NodeId u = f[i];
          ++trials;
          if (test(u)) continue;
          ++draws;
          const auto w = random_words({seed, 0, Purpose::reshare, task.v, u, 0});
          if (to_unit(w[0]) < p && test_and_set(u)) local.push_back(u);
        }
      }
#pragma omp critical(bench_ic)
      next.insert(next.end(), local.begin(), local.end());
    }
    out.trials += trials;
    out.draws += draws;
    out.activated += next.size();
    ++out.rounds;
    frontier.swap(next);
    out.round_s.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return out;
}

// The model on a textbook platform: an exact independent cascade from the account's one post.
Scenario textbook_ic(const Network& g, double p, std::uint64_t seed, double hours) {
  Scenario s;
  s.name = "bench_cascade";
  s.seed = seed;
  s.population = g.n_citizens();
  s.regions[0].trust_mean = 1.0;    // no initial draws needed; unused (trust_sensitivity 0)
  s.regions[0].concern_mean = 0.0;  // nobody is concerned: no questions, no concern updates
  s.accounts.resize(1);
  s.accounts[0].name = "hubs";
  s.accounts[0].kind = AccountKind::government;
  s.accounts[0].strategy = Strategy::broadcast;
  s.accounts[0].posts_per_day = 1e-4;  // exactly one post, at step 0
  s.citizens.sessions_per_day = 1e6;   // everyone in the feed sees a post in its first step
  s.citizens.activity_sigma = 0;
  s.citizens.diurnal = Diurnal::flat;
  s.platform.organic_reach = 1;
  s.platform.citizen_reach = 1;
  s.platform.engagement_weight = 0;
  for (auto& r : s.reactions.by_type) r = {0.0, 0.0, 1.0};
  s.reactions.trust_sensitivity = 0;
  s.reactions.concern_sensitivity = 0;
  s.diffusion.model = DiffusionModel::independent_cascade;
  s.diffusion.reshare_probability = p;
  s.questions.ask_rate_per_day = 0;
  s.trust.updates = false;
  s.following = {0, 0, 0, 0};
  s.time.step_hours = 1;
  s.time.duration_hours = hours;
  return s;
}

struct CivsimIc {
  double construct = 0, steps = 0;  // seconds
  std::uint64_t reshares = 0, impressions = 0;
  int hops = 0;               // steps with a delivery
  std::vector<double> hop_s;  // time of each step with a delivery
};

CivsimIc civsim_ic(const Scenario& s, const Network& g) {
  CivsimIc out;
  const auto t0 = std::chrono::steady_clock::now();
  Simulation sim(s, g);
  const auto t1 = std::chrono::steady_clock::now();
  while (!sim.done()) {
    const auto ts = std::chrono::steady_clock::now();
    const StepRecord r = sim.step();
    if (r[Series::impressions] > 0)
      out.hop_s.push_back(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - ts).count());
    out.reshares += static_cast<std::uint64_t>(r[Series::reshares]);
    out.impressions += static_cast<std::uint64_t>(r[Series::impressions]);
    if (r[Series::impressions] > 0) ++out.hops;
  }
  const auto t2 = std::chrono::steady_clock::now();
  out.construct = std::chrono::duration<double>(t1 - t0).count();
  out.steps = std::chrono::duration<double>(t2 - t1).count();
  return out;
}

// Writes the graph for scripts/bench-peers: uint64 n_nodes, n_edges, seed node, then the offsets
// (uint64, n_nodes + 1) and the follower ids (uint32, n_edges). Little-endian.
bool export_graph(const Network& g, NodeId seed_node, const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
  const std::uint64_t head[3] = {g.n_nodes(), g.n_edges(), seed_node};
  bool ok = std::fwrite(head, sizeof head, 1, f) == 1;
  ok = ok && std::fwrite(g.offsets().data(), 8, g.offsets().size(), f) == g.offsets().size();
  ok = ok && std::fwrite(g.follower_array().data(), 4, g.n_edges(), f) == g.n_edges();
  return std::fclose(f) == 0 && ok;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"civsim independent-cascade benchmark: reference kernels vs civsim on one graph"};
  std::int64_t population = 1000000;
  double mean_followees = 30, exponent = 2.2;
  int hubs = 10, repeats = 5, threads = omp_get_max_threads();
  std::vector<double> probabilities{0.01, 0.05};
  std::uint64_t seed = 7;
  std::string json, export_path;
  bool only_reference = false, hop_times = false;
  app.add_option("--population", population, "nodes of the power-law graph")->capture_default_str();
  app.add_option("--mean-followees", mean_followees, "mean out-degree")->capture_default_str();
  app.add_option("--exponent", exponent, "follower-count tail exponent")->capture_default_str();
  app.add_option("--hubs", hubs, "most-followed nodes merged into the seed")->capture_default_str();
  app.add_option("--p", probabilities, "cascade probabilities")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--repeats", repeats, "median of this many timings")->capture_default_str();
  app.add_option("--threads", threads, "threads of the parallel columns")->capture_default_str();
  app.add_option("--seed", seed, "graph and cascade seed")->capture_default_str();
  app.add_option("--json", json, "write the results to this JSON file");
  app.add_flag("--only-reference", only_reference, "skip civsim (e.g. to profile the kernel)");
  app.add_flag("--hop-times", hop_times,
               "also print the median time of each round (reference) and hop (civsim)");
  app.add_option("--export", export_path, "write the graph for scripts/bench-peers and stop");
  CLI11_PARSE(app, argc, argv);
  if (population < 100 || hubs < 1 || repeats < 1 || threads < 1) {
    fmt::print(stderr, "bench_cascade: need population >= 100, hubs, repeats, threads >= 1\n");
    return 2;
  }

  Scenario gs;
  gs.seed = seed;
  gs.population = population;
  gs.network.generator = NetworkGenerator::power_law;
  gs.network.mean_followees = mean_followees;
  gs.network.follower_exponent = exponent;
  gs.accounts.clear();
  omp_set_num_threads(threads);
  const auto g0 = std::chrono::steady_clock::now();
  const Network g = merge_hubs(generate_network(gs), hubs);
  const double gen = std::chrono::duration<double>(std::chrono::steady_clock::now() - g0).count();
  const NodeId seed_node = g.n_citizens();
  if (!export_path.empty()) {
    if (!export_graph(g, seed_node, export_path)) {
      fmt::print(stderr, "bench_cascade: cannot write {}\n", export_path);
      return 1;
    }
    fmt::print("wrote {} ({} nodes, {} edges, seed node {} with {} followers)\n", export_path,
               g.n_nodes(), g.n_edges(), seed_node, g.follower_count(seed_node));
    return 0;
  }
  const std::string load = load_average();
  fmt::print(
      "graph: power_law, {} nodes ({} citizens + 1 seed account merging the {} most-followed "
      "nodes, {} followers), {} edges, mean followees {}, exponent {}; built in {:.1f} s\n",
      g.n_nodes(), g.n_citizens(), hubs, g.follower_count(seed_node), g.n_edges(), mean_followees,
      exponent, gen);
  fmt::print("median of {} repeats; load average {} at the start; threads 1 and {}\n\n", repeats,
             load, threads);

  Json out;
  out.meta("benchmark", Json::str("cascade"));
  out.meta("nodes", Json::num(g.n_nodes()));
  out.meta("edges", Json::num(static_cast<double>(g.n_edges())));
  out.meta("seed_followers", Json::num(static_cast<double>(g.follower_count(seed_node))));
  out.meta("load_average_start", Json::str(load));
  out.meta("repeats", Json::num(repeats));
  out.meta("threads", Json::num(threads));

  fmt::print("{:<28} {:>5} {:>7} {:>10} {:>10} {:>12} {:>12} {:>9}\n", "kernel", "p", "threads",
             "median s", "best s", "edge trials", "trials/s", "size");
  const auto print_row = [&](const std::string& kernel, double p, int t, const Timing& tm,
                             double trials, double size, double ratio) {
    fmt::print("{:<28} {:>5} {:>7} {:>10.4f} {:>10.4f} {:>12.4g} {:>12.4g} {:>9.6g}{}\n", kernel,
               p > 0 ? fmt::format("{:g}", p) : "-", t, tm.median, tm.best, trials,
               trials / tm.median, size,
               ratio > 0 ? fmt::format("  x{:.2f} of reference", ratio) : "");
    out.row({{"kernel", Json::str(kernel)},
             {"p", Json::num(p)},
             {"threads", Json::num(t)},
             {"median_s", Json::num(tm.median)},
             {"best_s", Json::num(tm.best)},
             {"edge_trials", Json::num(trials)},
             {"size", Json::num(size)},
             {"ratio_to_reference", Json::num(ratio > 0 ? ratio : std::nan(""))},
             {"load_average", Json::str(load_average())}});
  };

  for (const int t : {1, threads}) {
    omp_set_num_threads(t);
    std::uint64_t sink = 0;
    const Timing tm = time_repeats(repeats, [&] { sink += scan(g); });
    print_row("CSR scan", 0, t, tm, static_cast<double>(g.n_edges()), 0, 0);
    if (sink == 1) fmt::print(" ");
    if (threads == 1) break;
  }
  for (const double p : probabilities) {
    const Scenario s = textbook_ic(g, p, seed, 48);
    for (const int t : {1, threads}) {
      omp_set_num_threads(t);
      // Repeats alternate between the kernels, so that both see the same load.
      IcResult ref;
      CivsimIc c;
      std::vector<double> rt, ct, init;
      std::vector<std::vector<double>> rounds, hops;  // per repeat
      for (int i = 0; i < repeats; ++i) {
        rt.push_back(time_repeats(1, [&] { ref = reference_ic(g, seed_node, p, seed); }).median);
        rounds.push_back(ref.round_s);
        if (only_reference) continue;
        c = civsim_ic(s, g);
        ct.push_back(c.steps);
        init.push_back(c.construct);
        hops.push_back(c.hop_s);
      }
      if (hop_times) {
        // The median over repeats of each round's (hop's) time, in ms.
        const auto medians = [](const std::vector<std::vector<double>>& runs) {
          std::string text;
          for (std::size_t k = 0;; ++k) {
            std::vector<double> v;
            for (const auto& r : runs)
              if (k < r.size()) v.push_back(1e3 * r[k]);
            if (v.empty()) return text;
            text += fmt::format(" {:.3f}", summarize(v).median);
          }
        };
        fmt::print("  p={:g}, threads {}: reference rounds (ms){}\n", p, t, medians(rounds));
        if (!only_reference)
          fmt::print("  p={:g}, threads {}: civsim hops (ms)     {}\n", p, t, medians(hops));
      }
      const Timing rtm = summarize(rt);
      print_row(fmt::format("reference IC ({} rounds)", ref.rounds), p, t, rtm,
                static_cast<double>(ref.trials), static_cast<double>(ref.activated), 0);
      if (!only_reference) {
        const Timing ctm = summarize(ct);
        print_row(fmt::format("civsim IC ({} hops)", c.hops), p, t, ctm,
                  static_cast<double>(c.impressions), static_cast<double>(c.reshares),
                  ctm.median / rtm.median);
        print_row("civsim IC: construction", p, t, summarize(init), 0, 0, 0);
      }
      if (threads == 1) break;
    }
  }
  fmt::print(
      "\nedge trials: edges scanned out of active nodes (civsim: impressions, one per follower of "
      "each sharer); size: nodes activated (civsim: reshares). Both kernels run the same process "
      "on the same graph with different random streams, so sizes agree in distribution only.\n");
  out.meta("load_average_end", Json::str(load_average()));
  out.meta("peak_rss_bytes", Json::num(peak_rss_bytes()));
  if (!out.write(json)) {
    fmt::print(stderr, "bench_cascade: cannot write {}\n", json);
    return 1;
  }
  return 0;
}
