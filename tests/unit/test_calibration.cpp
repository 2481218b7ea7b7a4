#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "core/calibration.hpp"
#include "core/nelder_mead.hpp"
#include "io/config.hpp"
#include "io/errors.hpp"
#include "io/targets_file.hpp"

using namespace civsim;

namespace {

double rosenbrock(const std::vector<double>& x) {
  double f = 0;
  for (std::size_t i = 0; i + 1 < x.size(); ++i)
    f += 100 * std::pow(x[i + 1] - x[i] * x[i], 2) + std::pow(1 - x[i], 2);
  return f;
}

// The message of the ConfigError that parsing `text` throws ("" if none).
std::string targets_error(const std::string& text) {
  try {
    io::parse_targets(text, "t.toml");
  } catch (const io::ConfigError& e) {
    return e.what();
  }
  return "";
}

const char* kGood = R"(
[targets.likes_per_post]
statistic = "total_likes / total_posts"
value = 990
tolerance = 0.1
source = "factsheet"

[targets.unique_engagers]
value = 4277
weight = 2

[params.like]
keys = ["reactions.information.like", "reactions.consultation.like"]
factors = [1, 0.5]
lower = 0.001
upper = 1
scale = "log"
start = 0.02

[params."citizens.activity_sigma"]
lower = 0
upper = 4

[calibration]
replicates = 4
max_evaluations = 80
arm = "personal"
)";

}  // namespace

TEST_CASE("Nelder-Mead finds the minimum of the Rosenbrock function", "[calibration]") {
  NelderMeadOptions o;
  o.max_evaluations = 2000;
  o.x_tolerance = 1e-8;
  o.f_tolerance = 1e-14;
  const auto r = nelder_mead(rosenbrock, {-1.2, 1.0}, o);
  CHECK(r.converged);
  CHECK(r.x[0] == Approx(1.0).margin(1e-5));
  CHECK(r.x[1] == Approx(1.0).margin(1e-5));
  CHECK(r.value < 1e-10);
  CHECK(r.evaluations <= o.max_evaluations);
  CHECK(r.iterations > 0);
}

TEST_CASE("Nelder-Mead minimises a shifted quadratic in four dimensions", "[calibration]") {
  const std::vector<double> centre = {0.3, -2.0, 5.0, 1.5};
  const auto f = [&](const std::vector<double>& x) {
    double s = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
      s += (static_cast<double>(i) + 1.0) * std::pow(x[i] - centre[i], 2);
    return s;
  };
  NelderMeadOptions o;
  o.max_evaluations = 5000;
  o.x_tolerance = 1e-7;
  o.f_tolerance = 1e-14;
  o.initial_step = 1.0;
  const auto r = nelder_mead(f, {0, 0, 0, 0}, o);
  CHECK(r.converged);
  for (std::size_t i = 0; i < centre.size(); ++i) CHECK(r.x[i] == Approx(centre[i]).margin(1e-5));
}

TEST_CASE("Nelder-Mead is deterministic, respects its budget and avoids NaN", "[calibration]") {
  NelderMeadOptions o;
  o.max_evaluations = 25;
  int calls = 0;
  const auto counted = [&](const std::vector<double>& x) {
    ++calls;
    return rosenbrock(x);
  };
  const auto a = nelder_mead(counted, {-1.2, 1.0}, o);
  CHECK(calls == 25);
  CHECK(a.evaluations == 25);
  CHECK_FALSE(a.converged);
  CHECK(a.stop_reason == "evaluation budget exhausted");
  const auto b = nelder_mead(rosenbrock, {-1.2, 1.0}, o);
  CHECK(a.x == b.x);
  CHECK(a.value == b.value);
  CHECK(a.value < rosenbrock({-1.2, 1.0}));

  // NaN counts as +inf: the search stays in the region where the objective is defined.
  const auto f = [](const std::vector<double>& x) {
    return x[0] < 0 ? std::numeric_limits<double>::quiet_NaN() : std::pow(x[0] - 2, 2);
  };
  NelderMeadOptions o2;
  o2.x_tolerance = 1e-9;
  o2.f_tolerance = 1e-14;
  o2.max_evaluations = 500;
  const auto c = nelder_mead(f, {1.0}, o2);
  CHECK(c.x[0] == Approx(2.0).margin(1e-6));

  CHECK_THROWS_AS(nelder_mead(f, {}, o2), std::invalid_argument);
  NelderMeadOptions none;
  none.max_evaluations = 0;
  CHECK_THROWS_AS(nelder_mead(f, {1.0}, none), std::invalid_argument);
}

TEST_CASE("bounded transforms map the box to the line and back", "[calibration]") {
  const ParameterBounds lin{-2, 6, ParameterScale::linear};
  const ParameterBounds log{1e-4, 1, ParameterScale::log};
  for (const double x : {-1.99, -1.0, 0.0, 2.0, 5.5})
    CHECK(from_search(to_search(x, lin), lin) == Approx(x).epsilon(1e-12).margin(1e-14));
  for (const double x : {2e-4, 1e-3, 0.02, 0.5, 0.999})
    CHECK(from_search(to_search(x, log), log) == Approx(x).epsilon(1e-12));
  CHECK(to_search(2.0, lin) == Approx(0.0).margin(1e-15));   // the middle
  CHECK(to_search(0.01, log) == Approx(0.0).margin(1e-12));  // the geometric middle
  // Any coordinate stays inside the bounds.
  for (const double y : {-1e3, -30.0, 0.0, 30.0, 1e3}) {
    CHECK(from_search(y, lin) >= lin.lower);
    CHECK(from_search(y, lin) <= lin.upper);
    CHECK(from_search(y, log) >= log.lower);
    CHECK(from_search(y, log) <= log.upper);
  }
  CHECK_THROWS_AS(to_search(6.0, lin), std::invalid_argument);
  CHECK_THROWS_AS(to_search(-3.0, lin), std::invalid_argument);
  CHECK_THROWS_AS(check_bounds({0, 1, ParameterScale::log}), std::invalid_argument);
  CHECK_THROWS_AS(check_bounds({1, 1, ParameterScale::linear}), std::invalid_argument);
}

TEST_CASE("Nelder-Mead in transformed coordinates recovers a bounded minimum", "[calibration]") {
  // A calibration in miniature: recover (0.05, 3) of a model y = (a, a*b) from its own output.
  const ParameterBounds ba{1e-3, 1, ParameterScale::log}, bb{0, 10, ParameterScale::linear};
  const double ta = 0.05, tb = 3.0;
  const auto f = [&](const std::vector<double>& y) {
    const double a = from_search(y[0], ba), b = from_search(y[1], bb);
    return std::pow(a / ta - 1, 2) + std::pow(a * b / (ta * tb) - 1, 2);
  };
  NelderMeadOptions o;
  o.max_evaluations = 1000;
  o.x_tolerance = 1e-9;
  o.f_tolerance = 1e-16;
  const auto r = nelder_mead(f, {to_search(0.3, ba), to_search(8.0, bb)}, o);
  CHECK(from_search(r.x[0], ba) == Approx(ta).epsilon(1e-5));
  CHECK(from_search(r.x[1], bb) == Approx(tb).epsilon(1e-5));
}

TEST_CASE("statistics parse and evaluate arithmetic over run scalars", "[calibration]") {
  const std::map<std::string, double> s = {
      {"total_likes", 74260}, {"total_posts", 75}, {"final_gov_followers", 37523}, {"a", 2}};
  CHECK(Statistic::parse("total_likes / total_posts").evaluate(s) ==
        Approx(990.1333333333).epsilon(1e-12));
  CHECK(Statistic::parse("total_likes/total_posts*1000/final_gov_followers").evaluate(s) ==
        Approx(74260.0 / 75 * 1000 / 37523).epsilon(1e-12));
  CHECK(Statistic::parse("1 + 2 * 3").evaluate(s) == 7);
  CHECK(Statistic::parse("(1 + 2) * 3").evaluate(s) == 9);
  CHECK(Statistic::parse("8 / 4 / 2").evaluate(s) == 1);  // left-associative
  CHECK(Statistic::parse("10 - 4 - 3").evaluate(s) == 3);
  CHECK(Statistic::parse("-a * -a").evaluate(s) == 4);
  CHECK(Statistic::parse("2.5e-3 * 1000").evaluate(s) == Approx(2.5));
  CHECK(Statistic::parse("a / 0").evaluate(s) == std::numeric_limits<double>::infinity());
  const auto names = Statistic::parse("a + total_posts * a").names();
  CHECK(names == std::vector<std::string>{"a", "total_posts"});
  CHECK_THROWS_AS(Statistic::parse("missing").evaluate(s), std::out_of_range);

  const auto error_at = [](const std::string& text) -> long {
    try {
      Statistic::parse(text);
    } catch (const StatisticError& e) {
      return static_cast<long>(e.position());
    }
    return -1;
  };
  CHECK(error_at("") == 0);
  CHECK(error_at("   ") == 0);
  CHECK(error_at("a +") == 3);
  CHECK(error_at("a $ b") == 2);
  CHECK(error_at("(a + b") == 6);
  CHECK(error_at("a b") == 2);
  CHECK(error_at("a / * b") == 4);
}

TEST_CASE("the calibration distance is the weighted sum of squared relative errors",
          "[calibration]") {
  std::vector<CalibrationTarget> t(2);
  t[0].value = 100, t[0].weight = 1;
  t[1].value = -50, t[1].weight = 4;
  CHECK(relative_error(110, 100) == Approx(0.1));
  CHECK(calibration_distance(t, {110, -50}) == Approx(0.01));
  CHECK(calibration_distance(t, {100, -40}) == Approx(4 * 0.04));
  CHECK(calibration_distance(t, {std::nan(""), -50}) == std::numeric_limits<double>::infinity());
  CHECK_THROWS_AS(calibration_distance(t, {1.0}), std::invalid_argument);

  // Statistics per run, then averaged: the mean of ratios.
  std::vector<CalibrationTarget> r(1);
  r[0].statistic = Statistic::parse("x / y");
  r[0].value = 1;
  std::vector<std::vector<double>> per_run;
  const auto mean = simulate_targets(r, {{{"x", 1}, {"y", 2}}, {{"x", 3}, {"y", 2}}}, &per_run);
  CHECK(mean[0] == Approx(1.0));
  CHECK(per_run == std::vector<std::vector<double>>{{0.5}, {1.5}});
}

TEST_CASE("fitted values are rounded to significant digits", "[calibration]") {
  CHECK(round_significant(0.123456, 4) == 0.1235);
  CHECK(round_significant(123456.0, 2) == 120000.0);
  CHECK(round_significant(-0.0004567, 2) == -0.00046);
  CHECK(round_significant(0.0, 4) == 0.0);
}

TEST_CASE("a targets file is read in file order with its defaults", "[calibration]") {
  const auto tf = io::parse_targets(kGood, "t.toml");
  REQUIRE(tf.targets.size() == 2);
  CHECK(tf.targets[0].name == "likes_per_post");
  CHECK(tf.targets[0].statistic.text() == "total_likes / total_posts");
  CHECK(tf.targets[0].value == 990);
  CHECK(tf.target_notes[0] == "factsheet");
  CHECK(tf.target_locations[0] == "t.toml:3:13");
  CHECK(tf.targets[1].statistic.text() == "unique_engagers");  // the name by default
  CHECK(tf.targets[1].tolerance == 0.1);
  CHECK(tf.targets[1].weight == 2);
  REQUIRE(tf.params.size() == 2);
  CHECK(tf.params[0].name == "like");
  CHECK(tf.params[0].keys.size() == 2);
  CHECK(tf.params[0].factors == std::vector<double>{1.0, 0.5});
  CHECK(describe_keys(tf.params[0]) ==
        "reactions.information.like, reactions.consultation.like x0.5");
  CHECK(tf.params[0].bounds.scale == ParameterScale::log);
  CHECK(*tf.params[0].start == 0.02);
  CHECK(tf.params[1].keys == std::vector<std::string>{"citizens.activity_sigma"});
  CHECK_FALSE(tf.params[1].start);
  CHECK(tf.params[1].factors == std::vector<double>{1.0});
  CHECK(*tf.settings.replicates == 4);
  CHECK(*tf.settings.max_evaluations == 80);
  CHECK(*tf.settings.arm == "personal");
  CHECK_FALSE(tf.settings.restarts);
}

TEST_CASE("bad targets files are refused with file, line and key", "[calibration]") {
  CHECK(targets_error("[targets.x]\nvalue = 1\n") ==
        "t.toml: error: no free parameters: add at least one [params.NAME] section with `lower` "
        "and `upper`");
  const std::string p = "\n[params.p]\nkeys = [\"rumour.verification\"]\nlower = 0\nupper = 1\n";
  CHECK(targets_error(p).find("no targets") != std::string::npos);
  CHECK(targets_error("[targets.x]\nvalue = 0\n" + p) ==
        "t.toml:2:9: error: targets.x.value = 0: a target must be non-zero (the distance uses "
        "errors relative to it)");
  CHECK(targets_error("[targets.x]\nvalue = \"a\"\n" + p) ==
        "t.toml:2:9: error: targets.x.value = 'a': expected a number");
  CHECK(targets_error("[targets.x]\nvalu = 1\n" + p) ==
        "t.toml:2:1: error: unknown key 'targets.x.valu'; valid keys here: statistic, value, "
        "tolerance, weight, source");
  CHECK(targets_error("[targets.x]\nvalue = 1\nstatistic = \"a + * b\"\n" + p) ==
        "t.toml:3:18: error: targets.x.statistic = \"a + * b\": unexpected '*' at character 5; "
        "expected a scalar name, a number, '-' or '('");
  CHECK(targets_error("[targets.x]\nvalue = 1\ntolerance = -0.1\n" + p).starts_with("t.toml:3:13"));
  CHECK(targets_error("[targets.x]\nvalue = 1\n[params.p]\nlower = 1\nupper = 0\n")
            .starts_with("t.toml:5:9: error: params.\"p\": lower = 1 must be below upper = 0"));
  CHECK(targets_error("[targets.x]\nvalue = 1\n[params.p]\nlower = 0\nupper = 1\nscale = \"log\"\n")
            .starts_with("t.toml:4:9: error: params.\"p\".lower = 0: a log-scale parameter"));
  CHECK(targets_error("[targets.x]\nvalue = 1\n[params.p]\nlower = 0\nupper = 1\nstart = 1\n")
            .starts_with("t.toml:6:9: error: params.\"p\".start = 1: must lie strictly between"));
  CHECK(targets_error("[targets.x]\nvalue = 1\n[params.p]\nupper = 1\n")
            .find("has no `lower` bound") != std::string::npos);
  CHECK(targets_error("[targets.x]\nvalue = 1\n[params.p]\nkeys = []\nlower = 0\nupper = 1\n")
            .starts_with("t.toml:4:8: error: params.\"p\".keys must be a non-empty array"));
  CHECK(targets_error("[targets.x]\nvalue = 1\n[params.p]\nkeys = [\"a\"]\nlower = 0\nupper = "
                      "1\n[params.q]\nkeys = [\"a\"]\nlower = 0\nupper = 1\n")
            .find("the key 'a' is already set by params.\"p\"") != std::string::npos);
  CHECK(targets_error("[targets.x]\nvalue = 1\n[params.p]\nkeys = [\"a\", \"b\"]\nfactors = "
                      "[1]\nlower = 0\nupper = 1\n")
            .starts_with("t.toml:5:11: error: params.\"p\".factors must be an array of 2 numbers"));
  CHECK(targets_error("[targets.x]\nvalue = 1\n[params.p]\nkeys = [\"a\"]\nfactors = "
                      "[0]\nlower = 0\nupper = 1\n")
            .starts_with("t.toml:5:12: error: params.\"p\".factors: 0 is not a non-zero number"));
  CHECK(targets_error("[targets.x]\nvalue = 1\n" + p + "[calibration]\nreplicates = 0\n")
            .starts_with("t.toml:9:14: error: calibration.replicates = 0: out of range"));
  CHECK(targets_error("extra = 1\n[targets.x]\nvalue = 1\n" + p)
            .starts_with("t.toml:1:1: error: unknown key 'extra'"));
  CHECK(targets_error("[targets.x\nvalue = 1\n").starts_with("t.toml:1:"));
  CHECK(targets_error("targets = 3\n" + p)
            .starts_with("t.toml:1:11: error: 'targets' must be a table of tables"));
  CHECK_THROWS_AS(io::read_targets_file("/nonexistent/targets.toml"), io::UserError);
}

TEST_CASE("scenario_number reads a numeric key of the resolved scenario", "[calibration]") {
  const Scenario s = io::parse_scenario(
      "population = 100\n[reactions]\ninformation.like = 0.3\n[[accounts]]\nname = \"a\"\n"
      "capacity_fte = 2\n",
      "s.toml");
  CHECK(*io::scenario_number(s, "reactions.information.like") == 0.3);
  CHECK(*io::scenario_number(s, "accounts[0].capacity_fte") == 2.0);
  CHECK(*io::scenario_number(s, "population") == 100.0);
  CHECK_FALSE(io::scenario_number(s, "accounts[0].name"));
  CHECK_FALSE(io::scenario_number(s, "no.such.key"));
}
