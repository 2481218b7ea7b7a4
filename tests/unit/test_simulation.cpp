#include <omp.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>

#include "core/dynamics.hpp"
#include "core/generator.hpp"
#include "core/simulation.hpp"

using namespace civsim;

namespace {

// Citizens 0..5, government account 6. Messages flow from an account to its followers:
//   6 -> {0, 1, 2};  0 -> {3};  1 -> {3, 4};  3 -> {5}
Network hand_made() {
  return Network(6, {0, 1, 3, 3, 4, 4, 4, 7}, {3, 3, 4, 5, 0, 1, 2});
}

// A platform that shows every post to every follower at once and a model with nothing but the
// textbook cascade switched on: the mechanics can then be checked exactly.
Scenario textbook(std::int64_t population, double p) {
  Scenario s;
  s.population = population;
  s.accounts[0].posts_per_day = 1;  // one post at step 0 in a run shorter than a day
  s.platform.organic_reach = 1;
  s.platform.citizen_reach = 1;
  s.citizens.sessions_per_day = 1e9;
  s.citizens.activity_sigma = 0;
  s.citizens.diurnal = Diurnal::flat;
  s.diffusion.reshare_probability = p;
  s.reactions.trust_sensitivity = 0;
  s.questions.ask_rate_per_day = 0;
  s.following = {0, 0, 0, 0};
  s.time.step_hours = 1;
  s.time.duration_hours = 6;
  return s;
}

std::vector<StepRecord> run_all(const Scenario& s, const Network& net, std::uint32_t rep = 0) {
  Simulation sim(s, net, rep);
  SeriesRecorder rec;
  run(sim, rec);
  return rec.records();
}

double total(const std::vector<StepRecord>& r, Series s) {
  double sum = 0;
  for (const auto& x : r) sum += x[s];
  return sum;
}

// Bitwise equality, so NaN (no answers in a step) equals NaN.
bool same(const std::vector<StepRecord>& a, const std::vector<StepRecord>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::memcmp(a[i].value.data(), b[i].value.data(), sizeof(double) * kNumSeries) != 0 ||
        a[i].by_region != b[i].by_region)
      return false;
  return true;
}

// Every citizen very concerned, so questions keep coming; a star network of n citizens all
// following the government account.
Network star(std::uint32_t n) {
  std::vector<std::uint64_t> offsets(n + 2, 0);
  offsets[n + 1] = n;
  std::vector<NodeId> followers(n);
  for (NodeId i = 0; i < n; ++i) followers[i] = i;
  return Network(n, offsets, followers);
}

Scenario busy(std::uint32_t n, Strategy strategy) {
  Scenario s = textbook(n, 0);
  s.regions[0].concern_mean = 0.9;
  s.regions[0].concern_concentration = 50;
  s.questions.ask_rate_per_day = 24;  // about one question per citizen-hour at concern 1
  s.questions.min_concern = 0.1;
  s.questions.patience_hours = 1000;
  s.accounts[0].strategy = strategy;
  s.accounts[0].capacity_fte = 1;
  s.accounts[0].replies_per_fte_hour = 3;
  s.accounts[0].office_open_hour = 9;
  s.accounts[0].office_close_hour = 17;
  s.accounts[0].office_days = 0x1f;  // Monday to Friday
  s.accounts[0].privacy_redirect = 0;
  s.time.duration_hours = 3 * 24;  // Monday to Wednesday
  return s;
}

}  // namespace

TEST_CASE("scheduled posts are spread evenly from step 0", "[dynamics]") {
  std::uint64_t sum = 0;
  for (std::int64_t s = 0; s < 48; ++s) sum += posts_due(4, 1, s);
  CHECK(sum == 8);
  CHECK(posts_due(4, 1, 0) == 1);
  CHECK(posts_due(4, 1, 6) == 1);
  CHECK(posts_due(4, 1, 5) == 0);
  CHECK(posts_due(48, 1, 3) == 2);
  int consultations = 0;
  for (std::uint64_t n = 0; n < 20; ++n) consultations += is_consultation(n, 0.25);
  CHECK(consultations == 5);
}

TEST_CASE("office hours follow the weekday and the clock", "[dynamics]") {
  AccountParams a;  // 09:00-17:00, Monday to Friday
  TimeParams t;     // starts Monday 00:00, hourly steps
  CHECK_FALSE(office_open(a, t, 8));
  CHECK(office_open(a, t, 9));
  CHECK(office_open(a, t, 16));
  CHECK_FALSE(office_open(a, t, 17));
  CHECK_FALSE(office_open(a, t, 5 * 24 + 10));  // Saturday
  t.start_weekday = 6;                          // Sunday
  CHECK(office_open(a, t, 24 + 9));             // Monday 09:00
}

TEST_CASE("trust gains and losses are asymmetric and stay in 0-1", "[dynamics]") {
  CHECK(apply_gain(0.5, 0.1, 1) == Approx(0.55));
  CHECK(apply_gain(0.5, 0.1, 2) == Approx(1 - 0.5 * 0.81));
  CHECK(apply_loss(0.5, 0.1, 2.0, 1) == Approx(0.4));
  CHECK(apply_loss(0.5, 0.8, 2.0, 1) == 0.0);  // asymmetry * loss capped at 1
  CHECK(apply_gain(0.3, 0.1, 0) == 0.3);
}

TEST_CASE("attention decays with the chosen kernel", "[dynamics]") {
  PlatformParams p;
  p.half_life_hours = 2;
  CHECK(decay(p, 0) == 1.0);
  CHECK(decay(p, 2) == Approx(0.5));
  CHECK(decay(p, 4) == Approx(0.25));
  p.decay = DecayKernel::power_law;
  p.powerlaw_s0_hours = 0.5;
  p.powerlaw_theta = 0.25;
  CHECK(decay(p, 0.4) == 1.0);
  CHECK(decay(p, 1.0) == Approx(std::pow(2.0, -1.25)));
}

TEST_CASE("exposure ages come from the cumulative visibility table", "[dynamics]") {
  PlatformParams p;
  p.half_life_hours = 1e9;  // no decay
  p.max_age_hours = 10;
  TimeParams t;
  const auto table = exposure_table(p, t, diurnal_profile(Diurnal::flat), 0);
  REQUIRE(table.size() == 10);
  CHECK(table[9] == Approx(10.0 / 24.0));
  // 24 sessions a day: one expected session per hour.
  CHECK(exposure_age(table, 24, 0.5) == 0);
  CHECK(exposure_age(table, 24, 2.5) == 2);
  CHECK(exposure_age(table, 24, 11) == -1);
}

TEST_CASE("beta draws have the requested mean", "[dynamics][stat]") {
  // 20000 draws of Beta(mean 0.3, a + b = 10): sd = sqrt(0.3 * 0.7 / 11) = 0.138, so the
  // standard error of the mean is 0.001; 5 standard errors allowed.
  double sum = 0;
  for (std::uint64_t i = 0; i < 20000; ++i)
    sum += beta_draw({7, 0, Purpose::citizen_trust, 0, i, 0}, 0.3, 10);
  CHECK(std::abs(sum / 20000 - 0.3) < 0.005);
}

TEST_CASE("cascade with p = 0 reaches exactly the government's followers", "[simulation]") {
  const auto r = run_all(textbook(6, 0.0), hand_made());
  CHECK(r[0][Series::posts] == 1);
  CHECK(r[0][Series::impressions] == 3);
  CHECK(total(r, Series::reshares) == 0);
  CHECK(r.back()[Series::reach] == 3);
  CHECK(r.back()[Series::active_cascades] == 0);
}

TEST_CASE("cascade with p = 1 reaches everyone reachable, one hop per step", "[simulation]") {
  const auto r = run_all(textbook(6, 1.0), hand_made());
  // step 0: 6 -> 0,1,2 (all reshare); step 1: 0 -> 3, 1 -> 3, 1 -> 4; step 2: 3 -> 5.
  CHECK(r[0][Series::impressions] == 3);
  CHECK(r[0][Series::reshares] == 3);
  CHECK(r[1][Series::impressions] == 3);
  CHECK(r[1][Series::new_reach] == 2);
  CHECK(r[1][Series::reshares] == 2);
  CHECK(r[2][Series::impressions] == 1);
  CHECK(r[2][Series::reach] == 6);
  CHECK(total(r, Series::reshares) == 6);
}

TEST_CASE("reshares occur with the scenario's probability", "[simulation][stat]") {
  // Every citizen follows the government and nobody else: reshares are Binomial(N, p).
  // Tolerance: 5 standard deviations.
  const std::uint32_t n = 20000;
  const auto r = run_all(textbook(n, 0.1), star(n));
  CHECK(r[0][Series::impressions] == n);
  CHECK(std::abs(r[0][Series::reshares] - 2000.0) < 5 * std::sqrt(n * 0.1 * 0.9));
  CHECK(r[1][Series::impressions] == 0);  // resharers have no followers
}

TEST_CASE("the platform shows a post to the organic-reach share of followers",
          "[simulation][stat]") {
  // Binomial(N, 0.3) feed filter; 5 standard deviations.
  const std::uint32_t n = 20000;
  Scenario s = textbook(n, 0);
  s.platform.organic_reach = 0.3;
  const auto r = run_all(s, star(n));
  CHECK(std::abs(total(r, Series::impressions) - 6000.0) < 5 * std::sqrt(n * 0.3 * 0.7));
}

TEST_CASE("broadcast accounts never answer", "[simulation]") {
  const auto r = run_all(busy(400, Strategy::broadcast), star(400));
  CHECK(total(r, Series::questions_asked) > 100);
  CHECK(total(r, Series::questions_answered) == 0);
  CHECK(total(r, Series::questions_redirected) == 0);
  CHECK(total(r, Series::staff_hours) == Approx(3 * 0.25));  // three posts of 15 minutes
}

TEST_CASE("reactive accounts answer exactly their capacity in office hours only", "[simulation]") {
  const auto r = run_all(busy(400, Strategy::reactive), star(400));
  for (const auto& x : r) {
    const double handled = x[Series::questions_answered] + x[Series::questions_redirected];
    const bool open = office_open(AccountParams{}, TimeParams{}, x.step);
    INFO("step " << x.step);
    CHECK(handled == (open ? 3.0 : 0.0));  // the backlog never runs dry here
  }
  // Response times: answers come no earlier than the step after the question.
  for (const auto& x : r)
    if (!std::isnan(x[Series::response_time_p50])) CHECK(x[Series::response_time_p50] >= 1.0);
}

TEST_CASE("questions are conserved", "[simulation]") {
  Scenario s = busy(400, Strategy::reactive);
  s.questions.patience_hours = 5;
  const auto r = run_all(s, star(400));
  const double asked = total(r, Series::questions_asked);
  const double closed = total(r, Series::questions_answered) +
                        total(r, Series::questions_redirected) +
                        total(r, Series::questions_unanswered);
  CHECK(total(r, Series::questions_unanswered) > 0);
  CHECK(asked == closed + r.back()[Series::backlog]);
}

TEST_CASE("privacy-redirected answers are invisible to observers", "[simulation]") {
  // All answers redirected: the same impressions as a broadcast account on the same random
  // numbers, although questions are handled.
  Scenario reactive = busy(400, Strategy::reactive);
  reactive.accounts[0].privacy_redirect = 1;
  const Network net = generate_network([] {
    Scenario g;
    g.population = 400;
    g.network.mean_followees = 10;
    g.accounts[0].follower_share = 1.0;
    return g;
  }());
  const auto a = run_all(reactive, net);
  const auto b = run_all(busy(400, Strategy::broadcast), net);
  CHECK(total(a, Series::questions_redirected) > 0);
  CHECK(total(a, Series::questions_answered) == 0);
  CHECK(total(a, Series::impressions) == total(b, Series::impressions));
  // Public answers are seen by the askers' followers.
  reactive.accounts[0].privacy_redirect = 0;
  CHECK(total(run_all(reactive, net), Series::impressions) > total(b, Series::impressions));
}

TEST_CASE("a correction reaches exactly the followers the platform shows it to", "[simulation]") {
  Scenario s = textbook(6, 0);
  s.accounts[0].strategy = Strategy::dialogue;
  s.accounts[0].posts_per_day = 0;
  s.accounts[0].detection_delay_hours = 2;
  s.reactions.by_type[static_cast<std::size_t>(PostType::correction)].reshare = 0;
  Event rumour;
  rumour.type = EventType::rumour;
  rumour.at_hours = 1;
  rumour.seeds = 1;
  s.events.push_back(rumour);
  const auto r = run_all(s, hand_made());
  CHECK(r[2][Series::correction_reach] == 0);
  CHECK(r[3][Series::posts] == 1);  // the correction, at 1h + 2h
  CHECK(r[3][Series::correction_reach] == 3);
  CHECK(r.back()[Series::correction_reach] == 3);
  // Broadcast accounts do not correct.
  s.accounts[0].strategy = Strategy::broadcast;
  CHECK(run_all(s, hand_made()).back()[Series::correction_reach] == 0);
}

TEST_CASE("series are identical for any thread count, different across replicates",
          "[simulation][threads]") {
  Scenario s;
  s.population = 30000;
  s.network.mean_followees = 20;
  s.accounts[0].follower_share = 0.3;
  s.accounts[0].strategy = Strategy::dialogue;
  s.diffusion.reshare_probability = 0.02;
  s.questions.min_concern = 0.05;
  s.time.duration_hours = 72;
  Event shock;
  shock.at_hours = 5;
  Event rumour;
  rumour.type = EventType::rumour;
  rumour.at_hours = 8;
  rumour.seeds = 50;
  s.events = {shock, rumour};
  const Network net = generate_network(s);
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto one = run_all(s, net);
  omp_set_num_threads(2);
  const auto two = run_all(s, net);
  const auto other = run_all(s, net, 1);
  omp_set_num_threads(saved);
  CHECK(same(one, two));
  CHECK_FALSE(same(one, other));
  CHECK(total(one, Series::questions_answered) > 0);
  CHECK(one.back()[Series::correction_reach] > 0);
  CHECK(total(one, Series::reshares) > 0);
}
