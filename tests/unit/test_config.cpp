#include <catch2/catch.hpp>
#include <string>

#include "io/config.hpp"

using namespace civsim;
using namespace civsim::io;
using Catch::Matchers::Contains;

namespace {

// Parses and returns the error message, or "" when the text is valid.
std::string error_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    parse_scenario(text, "test.toml", overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a full scenario parses into the structs", "[config]") {
  const Scenario s = parse_scenario(R"(
name = "x"
seed = 7
population = 5000
[network]
follower_exponent = 2.5
mean_followees = 12
[[accounts]]
name = "ministry"
follower_share = 0.1
posts_per_day = 2
strategy = "dialogue"
[diffusion]
reshare_probability = 0.05
[time]
step = "30m"
duration = "2d 12h"
)",
                                    "t.toml");
  CHECK(s.name == "x");
  CHECK(s.seed == 7);
  CHECK(s.population == 5000);
  CHECK(s.network.follower_exponent == 2.5);
  CHECK(s.network.mean_followees == 12.0);  // integer accepted for a real key
  REQUIRE(s.accounts.size() == 1);
  CHECK(s.accounts[0].name == "ministry");
  CHECK(s.accounts[0].follower_share == 0.1);
  CHECK(s.accounts[0].strategy == Strategy::dialogue);
  CHECK(s.diffusion.reshare_probability == 0.05);
  CHECK(s.time.step_hours == 0.5);
  CHECK(s.time.duration_hours == 60.0);
  CHECK(s.steps() == 120);
}

TEST_CASE("missing keys take their defaults", "[config]") {
  const Scenario s = parse_scenario("", "empty.toml");
  const Scenario d;
  CHECK(s.population == d.population);
  CHECK(s.diffusion.reshare_probability == d.diffusion.reshare_probability);
  CHECK(s.time.duration_hours == d.time.duration_hours);
}

TEST_CASE("every strategy name is accepted, others are not", "[config]") {
  for (const char* name : {"broadcast", "reactive", "dialogue"})
    CHECK(error_of(std::string("[[accounts]]\nstrategy = \"") + name + "\"\n").empty());
  const auto e = error_of("[[accounts]]\nstrategy = \"shouting\"\n");
  CHECK_THAT(e, Contains("test.toml:2:12"));
  CHECK_THAT(e, Contains("accounts[0].strategy"));
  CHECK_THAT(e, Contains("shouting"));
  CHECK_THAT(e, Contains("\"broadcast\", \"reactive\", \"dialogue\""));
}

TEST_CASE("out-of-range value names file, line, column, key, value and the valid range",
          "[config]") {
  const auto e = error_of("name = \"a\"\n\n[diffusion]\nreshare_probability = 1.5\n");
  CHECK_THAT(e, Contains("test.toml:4:23"));
  CHECK_THAT(e, Contains("diffusion.reshare_probability = 1.5"));
  CHECK_THAT(e, Contains("[0, 1]"));
}

TEST_CASE("wrong types are rejected", "[config]") {
  CHECK_THAT(error_of("population = \"many\"\n"), Contains("an integer in [10,"));
  CHECK_THAT(error_of("population = 1000.5\n"), Contains("population"));
  CHECK_THAT(error_of("[time]\nstep = 3\n"), Contains("a duration such as"));
  CHECK_THAT(error_of("[time]\nstep = \"3 parsecs\"\n"), Contains("test.toml:2:8"));
  CHECK_THAT(error_of("network = 3\n"), Contains("must be a table"));
  CHECK_THAT(error_of("name = \"\"\n"), Contains("non-empty"));
}

TEST_CASE("unknown keys are errors with a suggestion", "[config]") {
  const auto e = error_of("[diffusion]\nreshare_prob = 0.1\n");
  CHECK_THAT(e, Contains("test.toml:2:1"));
  CHECK_THAT(e, Contains("unknown key 'diffusion.reshare_prob'"));
  CHECK_THAT(e, Contains("did you mean 'diffusion.reshare_probability'"));
  CHECK_THAT(error_of("populaton = 100\n"), Contains("did you mean 'population'"));
  CHECK_THAT(error_of("[weather]\nrain = true\n"), Contains("unknown key 'weather'"));
}

TEST_CASE("TOML syntax errors are located", "[config]") {
  const auto e = error_of("name = \"a\"\npopulation = = 3\n");
  CHECK_THAT(e, Contains("test.toml:2:"));
  CHECK_THAT(e, Contains("TOML syntax"));
}

TEST_CASE("rules across keys", "[config]") {
  CHECK_THAT(error_of("population = 10\n[network]\nmean_followees = 20\n"),
             Contains("test.toml:3:18"));
  CHECK_THAT(error_of("[time]\nstep = \"2h\"\nduration = \"1h\"\n"),
             Contains("shorter than time.step"));
}

TEST_CASE("command-line overrides (--set) use the same validation", "[config]") {
  const Scenario s = parse_scenario("population = 100\n", "t.toml",
                                    {"population=200", "accounts[0].strategy=reactive",
                                     "time.step=\"2h\"", "diffusion.reshare_probability = 0.5"});
  CHECK(s.population == 200);
  CHECK(s.accounts[0].strategy == Strategy::reactive);  // bare word taken as a string
  CHECK(s.time.step_hours == 2.0);
  CHECK(s.diffusion.reshare_probability == 0.5);
  CHECK_THAT(error_of("", {"diffusion.reshare_probability=2"}),
             Contains("--set diffusion.reshare_probability=2"));
  CHECK_THAT(error_of("", {"diffusion.reshare_probability=2"}), Contains("[0, 1]"));
  CHECK_THAT(error_of("", {"diffusion.reshare_probabilty=0.1"}), Contains("did you mean"));
  CHECK_THAT(error_of("", {"diffusion.reshare_probabilty=0.1"}), Contains("command line (--set"));
  CHECK_THAT(error_of("", {"no_equals_sign"}), Contains("expected --set key.path=value"));
}

TEST_CASE("the resolved scenario round-trips through TOML", "[config]") {
  Scenario s;
  s.name = "quote \" and backslash \\";
  s.seed = 123456789012345;
  s.network.follower_exponent = 2.345678901234;
  s.accounts[0].strategy = Strategy::dialogue;
  s.accounts[0].followers = 37523;
  s.regions = {{"north", 0.25}, {"south", 0.75}};
  s.accounts.push_back({});
  s.accounts[1].name = "paper";
  s.accounts[1].kind = AccountKind::media;
  s.accounts[1].region = "north";
  s.accounts[1].region_bias = 0.9;
  s.population = 50000;
  s.time.step_hours = 0.25;
  s.time.duration_hours = 50.5;
  const Scenario back = parse_scenario(to_toml(s), "resolved");
  CHECK(back.name == s.name);
  CHECK(back.seed == s.seed);
  CHECK(back.population == 50000);
  CHECK(back.network.follower_exponent == s.network.follower_exponent);
  CHECK(back.accounts[0].strategy == s.accounts[0].strategy);
  CHECK(back.accounts[0].followers == 37523);
  CHECK(back.accounts[0].follower_share < 0);  // unset stays unset
  CHECK(back.accounts[1].kind == AccountKind::media);
  CHECK(back.accounts[1].region_bias == 0.9);
  CHECK(back.regions.size() == 2);
  CHECK(back.regions[1].share == 0.75);
  CHECK(back.time.step_hours == s.time.step_hours);
  CHECK(back.time.duration_hours == s.time.duration_hours);
  CHECK(to_toml(back) == to_toml(s));
}

TEST_CASE("durations", "[config]") {
  CHECK(parse_duration_hours("1h") == 1.0);
  CHECK(parse_duration_hours("90m") == 1.5);
  CHECK(parse_duration_hours("2d 14h") == 62.0);
  CHECK(parse_duration_hours("1w") == 168.0);
  CHECK_THROWS(parse_duration_hours("h"));
  CHECK_THROWS(parse_duration_hours("5"));
  CHECK_THROWS(parse_duration_hours(""));
  CHECK(format_duration(62.0) == "2d 14h");
  CHECK(format_duration(0.5) == "30m");
}

TEST_CASE("the schema documents every key", "[config]") {
  for (const auto& k : scenario_schema()) {
    INFO(k.path);
    CHECK_FALSE(k.valid.empty());
    CHECK_FALSE(k.default_value.empty());
    CHECK_FALSE(k.description.empty());
  }
  CHECK_THAT(schema_markdown(), Contains("`diffusion.reshare_probability`"));
}

TEST_CASE("regions and accounts are arrays of tables with their own rules", "[config]") {
  const Scenario s = parse_scenario(R"(
population = 1000
[[regions]]
name = "groningen"
share = 0.25
[[regions]]
name = "rest"
share = 0.75
[network]
mean_followees = 10
homophily = 0.8
[[accounts]]
name = "ministry"
followers = 300
[[accounts]]
name = "municipality"
follower_share = 0.1
region = "groningen"
region_bias = 0.9
)",
                                    "t.toml");
  REQUIRE(s.regions.size() == 2);
  CHECK(s.region_sizes() == std::vector<std::int64_t>{250, 750});
  REQUIRE(s.accounts.size() == 2);
  CHECK(s.accounts[0].follower_target(1000) == 300);
  CHECK(s.accounts[1].follower_target(1000) == 100);
  CHECK(s.network.homophily == 0.8);

  CHECK_THAT(error_of("[[regions]]\nname = \"a\"\nshare = 0.5\n"), Contains("sum to 0.5"));
  CHECK_THAT(error_of("[[accounts]]\nname = \"x\"\nfolowers = 3\n"),
             Contains("did you mean 'accounts[].followers'"));
  CHECK_THAT(error_of("[[accounts]]\nname = \"x\"\nfolowers = 3\n"), Contains("test.toml:3:1"));
  CHECK_THAT(error_of("[[accounts]]\nfollowers = 3\nfollower_share = 0.1\n"), Contains("not both"));
  CHECK_THAT(error_of("[[accounts]]\nregion = \"mars\"\n"), Contains("test.toml:2:10"));
  CHECK_THAT(error_of("[[accounts]]\nname = \"a\"\n[[accounts]]\nname = \"a\"\n"),
             Contains("test.toml:4:8"));
  CHECK_THAT(error_of("[network]\nhomophily = 0.5\n"), Contains("at least two"));
  CHECK_THAT(error_of("accounts = 3\n"), Contains("array of tables"));
  CHECK_THAT(error_of("[network]\nrmat_a = 0.6\nrmat_b = 0.3\nrmat_c = 0.3\n"),
             Contains("must not exceed 1"));
  CHECK_THAT(error_of("[network]\ngenerator = \"edge_list\"\n"), Contains("needs network.file"));
  CHECK_THAT(error_of("population = 100\n[network]\ngenerator = \"edge_list\"\nfile = \"x\"\n"),
             Contains("population is taken from network.file"));
  CHECK_THAT(error_of("[network]\ngenerator = \"edge_list\"\nfile = \"x\"\n[[accounts]]\n"),
             Contains("needs its id"));
  // --set reaches into arrays and may append one element.
  const Scenario t = parse_scenario(
      "", "t.toml",
      {"accounts[0].followers=5", "accounts[1].name=paper", "accounts[1].kind=media"});
  REQUIRE(t.accounts.size() == 2);
  CHECK(t.accounts[0].followers == 5);
  CHECK(t.accounts[1].kind == AccountKind::media);
  CHECK_THAT(error_of("", {"accounts[3].name=x"}), Contains("would leave a gap"));
  CHECK_THAT(error_of("", {"accounts[0].followers=-4"}), Contains("command line (--set"));
}
