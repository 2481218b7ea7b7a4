// Benchmarks of the core: network generation (edges/s), network statistics (compute_stats, one
// timing) and cascade simulation (agent-steps/s), each with 1 thread and with all threads, in one
// run so that the ratio is meaningful on a noisy shared machine. Not part of the test suite; run
// with scripts/bench.
#include <fmt/format.h>
#include <omp.h>

#include <CLI/CLI.hpp>
#include <chrono>

#include "core/generator.hpp"
#include "core/network_stats.hpp"
#include "core/simulation.hpp"

using namespace civsim;

namespace {

template <class F>
double best_seconds(int repeats, F&& f) {
  double best = 1e300;
  for (int i = 0; i < repeats; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"civsim core benchmarks"};
  std::int64_t population = 1000000;
  double mean_followees = 30;
  int repeats = 3;
  std::int64_t sim_hours = 7 * 24;
  app.add_option("--population", population, "citizens")->capture_default_str();
  app.add_option("--mean-followees", mean_followees, "mean out-degree")->capture_default_str();
  app.add_option("--repeats", repeats, "best of this many timings")->capture_default_str();
  app.add_option("--sim-hours", sim_hours, "simulated hours for the cascade benchmark")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  Scenario s;
  s.seed = 12345;
  s.population = population;
  s.network.mean_followees = mean_followees;
  s.accounts[0].follower_share = 0.05;
  s.diffusion.reshare_probability = 0.01;
  s.time.duration_hours = static_cast<double>(sim_hours);

  const int all = omp_get_max_threads();
  fmt::print(
      "workload: power_law network, N = {}, mean followees = {}; 5% follow the government, "
      "4 posts/day, reshare p = {}, {} h; best of {}\n",
      population, mean_followees, s.diffusion.reshare_probability, sim_hours, repeats);
  double gen[2] = {0, 0}, sim[2] = {0, 0}, stats[2] = {0, 0};
  std::uint64_t edges = 0;
  for (int t : {1, all}) {
    omp_set_num_threads(t);
    Network net;
    const double g = best_seconds(repeats, [&] { net = generate_network(s); });
    edges = net.n_edges();
    const double st = best_seconds(1, [&] { (void)compute_stats(net, {.seed = s.seed}); });
    double deliveries = 0;
    const double c = best_seconds(repeats, [&] {
      Simulation sim_run(s, net);
      SeriesRecorder rec;
      run(sim_run, rec);
      deliveries = 0;
      for (const auto& r : rec.records()) deliveries += r[Series::impressions];
    });
    const double agent_steps = static_cast<double>(population) * static_cast<double>(s.steps());
    fmt::print(
        "threads {}: generate {:.2f} s ({:.3g} edges/s, {} edges) | stats {:.2f} s | "
        "cascade {} steps {:.2f} s ({:.3g} agent-steps/s, {:.3g} deliveries/s)\n",
        t, g, static_cast<double>(edges) / g, edges, st, s.steps(), c, agent_steps / c,
        deliveries / c);
    (t == 1 ? gen[0] : gen[1]) = g;
    (t == 1 ? sim[0] : sim[1]) = c;
    (t == 1 ? stats[0] : stats[1]) = st;
    if (all == 1) break;
  }
  if (all > 1)
    fmt::print("speed-up with {} threads: generate x{:.2f}, stats x{:.2f}, cascade x{:.2f}\n", all,
               gen[0] / gen[1], stats[0] / stats[1], sim[0] / sim[1]);
  return 0;
}
