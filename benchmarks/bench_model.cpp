// Benchmark of the full government-citizen model (core/simulation.cpp) on a power-law network:
// per strategy arm (broadcast, reactive, dialogue) the full model and a "diffusion only" run of
// the same scenario (questions, rumour, trust updates and following off), each with 1 thread and
// with --threads threads, in one run so that the ratios are meaningful on a noisy shared machine.
// Prints one table: seconds per simulated day, agent-steps/s (citizens x steps / s), the thread
// speed-up and the full / diffusion-only time ratio. Network generation is timed once and not
// included. With --scenario the workload is a scenario file's instead of the built-in stress case
// (a national shock: every citizen's concern jumps). Not part of the test suite; run with
// scripts/bench.
#include <fmt/format.h>
#include <omp.h>

#include <CLI/CLI.hpp>
#include <array>
#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "core/generator.hpp"
#include "core/simulation.hpp"
#include "io/config.hpp"
#include "io/errors.hpp"
#include "io/experiment.hpp"
#include "io/network_file.hpp"

using namespace civsim;
using civsim::bench::Json;
using civsim::bench::load_average;

namespace {

struct Timing {
  double seconds = 0;  // best of the repeats: the whole run
  double setup = 0;    // of which building the simulation's state (the citizens' initial draws)
  double impressions = 0, questions = 0, peak_believers = 0;
};

// One timed run.
Timing time_run(const Scenario& s, const Network& net) {
  Timing t;
  const auto t0 = std::chrono::steady_clock::now();
  Simulation sim(s, net);
  t.setup = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  SeriesRecorder rec;
  run(sim, rec);
  t.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (const auto& r : rec.records()) {
    t.impressions += r[Series::impressions];
    t.questions += r[Series::questions_asked];
    t.peak_believers = std::max(t.peak_believers, r[Series::rumour_believers]);
  }
  return t;
}

Scenario full_model(std::int64_t population, double days, Strategy strategy, double followees) {
  Scenario s;
  s.name = "bench_model";
  s.seed = 12345;
  s.population = population;
  s.network.generator = NetworkGenerator::power_law;
  s.network.mean_followees = followees;
  s.accounts[0].follower_share = 0.3;
  s.accounts[0].strategy = strategy;
  s.time.duration_hours = days * 24;
  Event shock;
  shock.type = EventType::shock;
  shock.at_hours = 6;
  Event rumour;
  rumour.type = EventType::rumour;
  rumour.at_hours = 8;
  s.events = {shock, rumour};
  s.rumour.model = RumourModel::hoax;
  return s;
}

// The same scenario with questions, the rumour, trust updates and following off (the shock
// stays: it still raises concern, which then decays).
Scenario diffusion_only(Scenario s) {
  s.questions.ask_rate_per_day = 0;
  std::erase_if(s.events, [](const Event& e) { return e.type == EventType::rumour; });
  s.trust.updates = false;
  s.following.follow_probability = 0;
  s.following.unfollow_probability = 0;
  s.following.fatigue_unfollow = 0;
  return s;
}

}  // namespace

int run_benchmark(int argc, char** argv) {
  CLI::App app{"civsim model benchmark: full model per strategy arm vs diffusion only"};
  std::int64_t population = 100000;
  double followees = 30;
  double days = 7;
  int repeats = 1;
  int threads = omp_get_max_threads();
  std::vector<std::string> arm_names{"broadcast", "reactive", "dialogue"};
  std::string json;
  bool skip_one = false;
  std::string scenario_file;
  std::vector<std::string> sets;
  app.add_option("--population", population, "citizens")->capture_default_str();
  app.add_option("--mean-followees", followees, "mean followees (edges per citizen)")
      ->capture_default_str();
  app.add_option("--days", days, "simulated days (1-hour steps)")->capture_default_str();
  app.add_option("--repeats", repeats, "best of this many timings (interleaved)")
      ->capture_default_str();
  app.add_option("--threads", threads, "threads for the parallel columns (the other is 1)")
      ->capture_default_str();
  app.add_option("--arms", arm_names, "strategy arms to run")
      ->delimiter(',')
      ->capture_default_str();
  app.add_flag("--skip-one-thread", skip_one, "only the --threads columns (large populations)");
  app.add_option("--json", json, "write the results to this JSON file");
  app.add_option(
      "--scenario", scenario_file,
      "a scenario file's workload instead of the built-in stress case (its population "
      "and duration unless --population/--days are given; --arms names its [[arms]] or strategies, "
      "by default its [[arms]] as in civsim compare)");
  app.add_option("--set", sets, "KEY=VALUE override of the scenario file (repeatable)");
  CLI11_PARSE(app, argc, argv);
  const bool from_file = !scenario_file.empty();
  if (!from_file && !sets.empty()) {
    fmt::print(stderr, "bench_model: --set needs --scenario\n");
    return 2;
  }
  if (from_file && app.count("--mean-followees")) {
    fmt::print(stderr,
               "bench_model: with --scenario, use --set network.mean_followees=X instead of "
               "--mean-followees\n");
    return 2;
  }
  std::vector<Strategy> arms;
  for (const auto& a : from_file ? std::vector<std::string>{} : arm_names) {
    if (a == "broadcast")
      arms.push_back(Strategy::broadcast);
    else if (a == "reactive")
      arms.push_back(Strategy::reactive);
    else if (a == "dialogue")
      arms.push_back(Strategy::dialogue);
    else {
      fmt::print(stderr, "bench_model: unknown arm {}\n", a);
      return 2;
    }
  }
  if (population < 2 || days <= 0 || repeats < 1 || threads < 1) {
    fmt::print(stderr, "bench_model: need population >= 2, days > 0, repeats >= 1, threads >= 1\n");
    return 2;
  }

  Scenario base = full_model(population, days, Strategy::broadcast, followees);
  if (from_file) {
    base = io::load_scenario(scenario_file, sets);
    if (app.count("--population")) base.population = population;
    if (app.count("--days")) base.time.duration_hours = days * 24;
    population = base.population;
    days = base.time.duration_hours / 24;
    if (!app.count("--arms")) arm_names = io::default_arm_names(base);
    // Fail on a bad arm name before the network is built.
    for (const auto& a : arm_names) io::arm_scenario(base, a, scenario_file);
  }
  // The scenario of one arm: the file's arm of that name, or the built-in case's strategy.
  const auto arm_scenario = [&](std::size_t i) {
    return from_file ? io::arm_scenario(base, arm_names[i], scenario_file)
                     : full_model(population, days, arms[i], followees);
  };
  omp_set_num_threads(threads);
  const auto g0 = std::chrono::steady_clock::now();
  const Network net = io::build_network(base);
  population = base.population;  // an edge list fixes it
  const double gen = std::chrono::duration<double>(std::chrono::steady_clock::now() - g0).count();
  const double network_bytes = static_cast<double>(net.offsets().size() * sizeof(std::uint64_t) +
                                                   net.n_edges() * sizeof(NodeId));
  const std::string load = load_average();
  Json out;
  out.meta("benchmark", Json::str("model"));
  out.meta("population", Json::num(static_cast<double>(population)));
  out.meta("workload", Json::str(from_file ? scenario_file : "built-in stress case"));
  if (!from_file) out.meta("mean_followees", Json::num(followees));
  out.meta("edges", Json::num(static_cast<double>(net.n_edges())));
  out.meta("days", Json::num(days));
  out.meta("steps", Json::num(static_cast<double>(base.steps())));
  out.meta("threads", Json::num(threads));
  out.meta("generate_s", Json::num(gen));
  out.meta("network_bytes", Json::num(network_bytes));
  out.meta("load_average_start", Json::str(load));
  const double gauge_start = threads > 1 ? civsim::bench::parallel_gauge(threads) : 1.0;
  out.meta("parallel_gauge_start", Json::num(gauge_start));
  const double agent_steps = static_cast<double>(population) * static_cast<double>(base.steps());

  if (from_file)
    fmt::print(
        "workload: scenario {} ({}), N = {} citizens, {} follows; {} days in {}-hour steps ({} "
        "steps); network built in {:.2f} s with {} threads (not included); best of {}; load "
        "average {} at the start\n",
        scenario_file, base.name, population, net.n_edges(), days, base.time.step_hours,
        base.steps(), gen, threads, repeats, load);
  else
    fmt::print(
        "workload: built-in stress case: power_law network, N = {} citizens, mean followees {} ({} "
        "follows), 1 government account followed by 30% of citizens (4 posts/day); a national "
        "shock at 6 h (every citizen's concern jumps), hoax rumour (10 seeds) at 8 h; {} days in "
        "1-hour steps ({} steps); other parameters at their defaults; network generated in {:.2f} "
        "s with {} threads (not included); best of {}; load average {} at the start\n",
        population, followees, net.n_edges(), days, base.steps(), gen, threads, repeats, load);
  fmt::print(
      "diffusion only: the same scenario with questions (ask rate 0), the rumour, trust updates "
      "and following off; the shock stays\n");
  if (threads > 1)
    fmt::print(
        "parallel gauge: {} threads run a loop of Philox draws that shares nothing {:.2f}x as fast "
        "as one thread right now (the machine's bound for a speed-up)\n",
        threads, gauge_start);
  fmt::print("\n");
  fmt::print("{:<10} {:<15} {:>10} {:>13} {:>10} {:>13} {:>8} {:>10} {:>10} {:>11} {:>10}\n", "arm",
             "run", "s/day 1t", "a-steps/s 1t", fmt::format("s/day {}t", threads),
             fmt::format("a-steps/s {}t", threads), "speed-up", "full/diff", "full/diff",
             "impressions", "questions");
  fmt::print("{:<10} {:<15} {:>10} {:>13} {:>10} {:>13} {:>8} {:>10} {:>10} {:>11} {:>10}\n", "",
             "", "", "", "", "", "", "1 thread", fmt::format("{} threads", threads), "", "");
  std::vector<std::string> setup_notes;
  for (std::size_t arm_i = 0; arm_i < arm_names.size(); ++arm_i) {
    const std::string& arm = arm_names[arm_i];
    const Scenario full = arm_scenario(arm_i);
    const Scenario diff = diffusion_only(full);
    // [variant][0 = 1 thread, 1 = `threads` threads], the best of the repeats. A repeat runs
    // every cell once, so that all cells meet the same spells of load on the shared machine.
    std::array<std::array<Timing, 2>, 2> t;
    for (auto& v : t)
      for (auto& cell : v) cell.seconds = 1e300;
    for (int i = 0; i < repeats; ++i)
      for (int k = skip_one ? 1 : 0; k < 2; ++k) {
        omp_set_num_threads(k == 0 ? 1 : threads);
        for (int v = 0; v < 2; ++v) {
          const Timing one = time_run(v == 0 ? full : diff, net);
          if (one.seconds < t[v][k].seconds) t[v][k] = one;
        }
      }
    if (skip_one) t[0][0] = t[0][1], t[1][0] = t[1][1];
    // The steps alone: the run without its setup, which is the same work in both variants and
    // a large share of a short run.
    const auto steps_ratio = [&](int k) {
      return (t[0][k].seconds - t[0][k].setup) / (t[1][k].seconds - t[1][k].setup);
    };
    setup_notes.push_back(fmt::format(
        "{}: setup {} s (1t) {:.3f} s ({}t) of the full run, {} s (1t) {:.3f} s ({}t) of the "
        "diffusion-only run; the steps alone full/diff {} (1t) {:.2f} ({}t)",
        arm, skip_one ? "-" : fmt::format("{:.3f}", t[0][0].setup), t[0][1].setup, threads,
        skip_one ? "-" : fmt::format("{:.3f}", t[1][0].setup), t[1][1].setup, threads,
        skip_one ? "-" : fmt::format("{:.2f}", steps_ratio(0)), steps_ratio(1), threads));
    for (int v = 0; v < 2; ++v) {
      const auto& one = t[v][0];
      const auto& many = t[v][1];
      const auto cell = [&](double x, const char* f) {
        return skip_one ? std::string("-") : fmt::format(fmt::runtime(f), x);
      };
      fmt::print(
          "{:<10} {:<15} {:>10} {:>13} {:>10.3f} {:>13.3g} {:>8} {:>10} {:>10} {:>11.3g} "
          "{:>10.3g}\n",
          arm, v == 0 ? "full" : "diffusion-only", cell(one.seconds / days, "{:.3f}"),
          cell(agent_steps / one.seconds, "{:.3g}"), many.seconds / days,
          agent_steps / many.seconds, cell(one.seconds / many.seconds, "{:.2f}"),
          v == 0 ? cell(t[0][0].seconds / t[1][0].seconds, "{:.2f}") : std::string("-"),
          v == 0 ? fmt::format("{:.2f}", t[0][1].seconds / t[1][1].seconds) : std::string("-"),
          many.impressions, many.questions);
      const double nan = std::nan("");
      out.row(
          {{"arm", Json::str(arm)},
           {"run", Json::str(v == 0 ? "full" : "diffusion-only")},
           {"s_per_day_1t", Json::num(skip_one ? nan : one.seconds / days)},
           {"agent_steps_per_s_1t", Json::num(skip_one ? nan : agent_steps / one.seconds)},
           {"s_per_day", Json::num(many.seconds / days)},
           {"agent_steps_per_s", Json::num(agent_steps / many.seconds)},
           {"speedup", Json::num(skip_one ? nan : one.seconds / many.seconds)},
           {"full_over_diffusion_1t",
            Json::num(v == 0 && !skip_one ? t[0][0].seconds / t[1][0].seconds : nan)},
           {"full_over_diffusion", Json::num(v == 0 ? t[0][1].seconds / t[1][1].seconds : nan)},
           {"setup_s_1t", Json::num(skip_one ? nan : one.setup)},
           {"setup_s", Json::num(many.setup)},
           {"full_over_diffusion_steps_1t", Json::num(v == 0 && !skip_one ? steps_ratio(0) : nan)},
           {"full_over_diffusion_steps", Json::num(v == 0 ? steps_ratio(1) : nan)},
           {"impressions", Json::num(many.impressions)},
           {"questions", Json::num(many.questions)},
           {"load_average", Json::str(load_average())}});
    }
  }
  fmt::print(
      "\nsetup: building the simulation's state before the first step (the citizens' initial "
      "draws), included in the times above\n");
  for (const auto& note : setup_notes) fmt::print("{}\n", note);
  const double rss = civsim::bench::peak_rss_bytes();
  const double gauge_end = threads > 1 ? civsim::bench::parallel_gauge(threads) : 1.0;
  fmt::print(
      "\npeak RSS {:.3g} GiB: {:.0f} bytes per citizen; the network alone {:.2f} bytes per edge "
      "({:.3g} GiB); load average {} at the end; parallel gauge {:.2f}x at the end\n",
      rss / 1073741824.0, rss / static_cast<double>(population),
      network_bytes / static_cast<double>(net.n_edges()), network_bytes / 1073741824.0,
      load_average(), gauge_end);
  out.meta("peak_rss_bytes", Json::num(rss));
  out.meta("parallel_gauge_end", Json::num(gauge_end));
  out.meta("load_average_end", Json::str(load_average()));
  if (!out.write(json)) {
    fmt::print(stderr, "bench_model: cannot write {}\n", json);
    return 1;
  }
  return 0;
}

int main(int argc, char** argv) {
  try {
    return run_benchmark(argc, argv);
  } catch (const io::UserError& e) {
    fmt::print(stderr, "bench_model: {}\n", e.what());
    return 2;
  }
}
