// Benchmark of the full government-citizen model (core/simulation.cpp) on a power-law network:
// per strategy arm (broadcast, reactive, dialogue) the full model and a "diffusion only" run of
// the same scenario (questions, rumour, trust updates and following off), each with 1 thread and
// with --threads threads, in one run so that the ratios are meaningful on a noisy shared machine.
// Prints one table: seconds per simulated day, agent-steps/s (citizens x steps / s), the thread
// speed-up and the full / diffusion-only time ratio. Network generation is timed once and not
// included. Not part of the test suite; run with scripts/bench.
#include <fmt/format.h>
#include <omp.h>

#include <CLI/CLI.hpp>
#include <array>
#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "core/generator.hpp"
#include "core/simulation.hpp"

using namespace civsim;

namespace {

struct Timing {
  double seconds = 0;  // best of the repeats
  double impressions = 0, questions = 0, peak_believers = 0;
};

Timing time_run(const Scenario& s, const Network& net, int repeats) {
  Timing t;
  t.seconds = 1e300;
  for (int i = 0; i < repeats; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    Simulation sim(s, net);
    SeriesRecorder rec;
    run(sim, rec);
    t.seconds = std::min(
        t.seconds, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    t.impressions = t.questions = t.peak_believers = 0;
    for (const auto& r : rec.records()) {
      t.impressions += r[Series::impressions];
      t.questions += r[Series::questions_asked];
      t.peak_believers = std::max(t.peak_believers, r[Series::rumour_believers]);
    }
  }
  return t;
}

Scenario full_model(std::int64_t population, double days, Strategy strategy) {
  Scenario s;
  s.name = "bench_model";
  s.seed = 12345;
  s.population = population;
  s.network.generator = NetworkGenerator::power_law;
  s.network.mean_followees = 30;
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

// The 1-minute load average (Linux), so that a table from a shared machine says how busy it was.
std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string first;
  if (!(in >> first)) return "unknown";
  return first;
}

const char* name(Strategy s) {
  switch (s) {
    case Strategy::broadcast:
      return "broadcast";
    case Strategy::reactive:
      return "reactive";
    case Strategy::dialogue:
      return "dialogue";
  }
  return "?";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"civsim model benchmark: full model per strategy arm vs diffusion only"};
  std::int64_t population = 100000;
  double days = 7;
  int repeats = 1;
  int threads = omp_get_max_threads();
  app.add_option("--population", population, "citizens")->capture_default_str();
  app.add_option("--days", days, "simulated days (1-hour steps)")->capture_default_str();
  app.add_option("--repeats", repeats, "best of this many timings")->capture_default_str();
  app.add_option("--threads", threads, "threads for the parallel columns (the other is 1)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (population < 2 || days <= 0 || repeats < 1 || threads < 1) {
    fmt::print(stderr, "bench_model: need population >= 2, days > 0, repeats >= 1, threads >= 1\n");
    return 2;
  }

  const Scenario base = full_model(population, days, Strategy::broadcast);
  omp_set_num_threads(threads);
  const auto g0 = std::chrono::steady_clock::now();
  const Network net = generate_network(base);
  const double gen = std::chrono::duration<double>(std::chrono::steady_clock::now() - g0).count();
  const double agent_steps = static_cast<double>(population) * static_cast<double>(base.steps());

  fmt::print(
      "workload: power_law network, N = {} citizens, mean followees 30 ({} follows), 1 government "
      "account followed by 30% of citizens (4 posts/day); shock at 6 h, hoax rumour (10 seeds) at "
      "8 h; {} days in 1-hour steps ({} steps); other parameters at their defaults; network "
      "generated in {:.2f} s with {} threads (not included); best of {}; load average {} at the "
      "start\n",
      population, net.n_edges(), days, base.steps(), gen, threads, repeats, load_average());
  fmt::print(
      "diffusion only: the same scenario with questions (ask rate 0), the rumour, trust updates "
      "and following off; the shock stays\n\n");
  fmt::print("{:<10} {:<15} {:>10} {:>13} {:>10} {:>13} {:>8} {:>10} {:>10} {:>11} {:>10}\n", "arm",
             "run", "s/day 1t", "a-steps/s 1t", fmt::format("s/day {}t", threads),
             fmt::format("a-steps/s {}t", threads), "speed-up", "full/diff", "full/diff",
             "impressions", "questions");
  fmt::print("{:<10} {:<15} {:>10} {:>13} {:>10} {:>13} {:>8} {:>10} {:>10} {:>11} {:>10}\n", "",
             "", "", "", "", "", "", "1 thread", fmt::format("{} threads", threads), "", "");
  for (const Strategy arm : {Strategy::broadcast, Strategy::reactive, Strategy::dialogue}) {
    const Scenario full = full_model(population, days, arm);
    const Scenario diff = diffusion_only(full);
    // [variant][0 = 1 thread, 1 = `threads` threads]
    std::array<std::array<Timing, 2>, 2> t;
    for (int k = 0; k < 2; ++k) {
      omp_set_num_threads(k == 0 ? 1 : threads);
      t[0][k] = time_run(full, net, repeats);
      t[1][k] = time_run(diff, net, repeats);
    }
    for (int v = 0; v < 2; ++v) {
      const auto& one = t[v][0];
      const auto& many = t[v][1];
      fmt::print(
          "{:<10} {:<15} {:>10.3f} {:>13.3g} {:>10.3f} {:>13.3g} {:>8.2f} {:>10} {:>10} {:>11.3g} "
          "{:>10.3g}\n",
          name(arm), v == 0 ? "full" : "diffusion-only", one.seconds / days,
          agent_steps / one.seconds, many.seconds / days, agent_steps / many.seconds,
          one.seconds / many.seconds,
          v == 0 ? fmt::format("{:.2f}", t[0][0].seconds / t[1][0].seconds) : std::string("-"),
          v == 0 ? fmt::format("{:.2f}", t[0][1].seconds / t[1][1].seconds) : std::string("-"),
          one.impressions, one.questions);
    }
  }
  return 0;
}
