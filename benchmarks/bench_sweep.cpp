// Sweep throughput (issue 7): runs per minute of a small scenario (default.toml's crisis with its
// three strategy arms at 10^4 citizens, 7 days) through the comparison engine (core/compare.hpp,
// what `civsim compare` runs; this branch has no `civsim sweep`), and its bookkeeping overhead:
// the engine's time against the sum of the same runs made bare (Simulation + step loop, nothing
// kept), both on one thread, alternating, so that the overhead is measured under the same load.
// The 2-thread row runs the engine with whole runs in parallel (its choice at this size).
// Prints one table; --json writes it. Never fails on timing.
#include <omp.h>

#include <CLI/CLI.hpp>

#include "bench_common.hpp"
#include "core/compare.hpp"
#include "core/generator.hpp"
#include "core/simulation.hpp"
#include "io/config.hpp"

using namespace civsim;
using namespace civsim::bench;

int main(int argc, char** argv) {
  CLI::App app{"civsim sweep benchmark: comparison engine vs bare runs"};
  std::string scenario_file = "scenarios/default.toml";
  std::int64_t population = 10000;
  int replicates = 40, repeats = 3, threads = omp_get_max_threads();
  std::string json;
  app.add_option("--scenario", scenario_file, "scenario with [[arms]]")->capture_default_str();
  app.add_option("--population", population, "citizens")->capture_default_str();
  app.add_option("--replicates", replicates, "replicates per arm")->capture_default_str();
  app.add_option("--repeats", repeats, "median of this many timings")->capture_default_str();
  app.add_option("--threads", threads, "threads of the parallel row")->capture_default_str();
  app.add_option("--json", json, "write the results to this JSON file");
  CLI11_PARSE(app, argc, argv);

  const Scenario base =
      io::load_scenario(scenario_file, {fmt::format("population={}", population)});
  std::vector<std::pair<std::string, Scenario>> arms;
  for (const Arm& a : base.arms) arms.emplace_back(a.name, io::arm_scenario(base, a.name, ""));
  if (arms.empty()) arms.emplace_back("base", base);
  const Network net = generate_network(base);
  const auto runs = arms.size() * static_cast<std::size_t>(replicates);
  const std::string load = load_average();
  fmt::print(
      "scenario {} at {} citizens ({} edges), {} steps; {} arms x {} replicates = {} runs; median "
      "of {}; load average {} at the start\n\n",
      scenario_file, population, net.n_edges(), base.steps(), arms.size(), replicates, runs,
      repeats, load);

  Json out;
  out.meta("benchmark", Json::str("sweep"));
  out.meta("scenario", Json::str(scenario_file));
  out.meta("population", Json::num(static_cast<double>(population)));
  out.meta("steps", Json::num(static_cast<double>(base.steps())));
  out.meta("runs", Json::num(static_cast<double>(runs)));
  out.meta("load_average_start", Json::str(load));

  // One thread: bare runs and the engine, alternating.
  omp_set_num_threads(1);
  std::vector<double> bare, engine;
  for (int i = 0; i < repeats; ++i) {
    bare.push_back(time_repeats(1, [&] {
                     for (const auto& [name, s] : arms)
                       for (int r = 0; r < replicates; ++r) {
                         Simulation sim(s, net, static_cast<std::uint32_t>(r));
                         while (!sim.done()) (void)sim.step();
                         (void)sim.summary();
                       }
                   }).median);
    engine.push_back(time_repeats(1, [&] {
                       (void)compare_arms(arms, net, replicates, {}, Parallelism::within_runs);
                     }).median);
  }
  const Timing b = summarize(bare), e = summarize(engine);
  omp_set_num_threads(threads);
  const Timing par = time_repeats(
      repeats, [&] { (void)compare_arms(arms, net, replicates, {}, Parallelism::across_runs); });

  const double n_runs = static_cast<double>(runs);
  fmt::print("{:<34} {:>7} {:>10} {:>10} {:>10}\n", "what", "threads", "median s", "runs/min",
             "overhead");
  const auto row = [&](const std::string& what, int t, const Timing& tm, double overhead) {
    fmt::print("{:<34} {:>7} {:>10.3f} {:>10.1f} {:>10}\n", what, t, tm.median,
               n_runs / tm.median * 60.0,
               overhead == overhead ? fmt::format("{:.1f}%", 100 * overhead) : "-");
    out.row({{"what", Json::str(what)},
             {"threads", Json::num(t)},
             {"median_s", Json::num(tm.median)},
             {"runs_per_min", Json::num(n_runs / tm.median * 60.0)},
             {"overhead", Json::num(overhead)},
             {"load_average", Json::str(load_average())}});
  };
  row("bare runs (sum)", 1, b, std::nan(""));
  row("compare engine, one run at a time", 1, e, e.median / b.median - 1.0);
  row("compare engine, runs in parallel", threads, par, par.median * threads / b.median - 1.0);
  fmt::print(
      "\noverhead: engine time / bare time - 1 (the statistics, per-step records and summaries); "
      "for the parallel row, threads x time / bare time - 1, which also counts the threads "
      "slowing each other down (shared caches and memory bandwidth) and any load from other "
      "jobs.\n");
  out.meta("load_average_end", Json::str(load_average()));
  out.meta("peak_rss_bytes", Json::num(peak_rss_bytes()));
  return out.write(json) ? 0 : 1;
}
