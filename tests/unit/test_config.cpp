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

namespace {

// A small valid base for the tests of the new sections.
const std::string kBase = R"(population = 1000
[network]
mean_followees = 5
[time]
duration = "2d"
)";

// Like error_of, for UserErrors from arm_scenario.
std::string arm_error(const Scenario& base, const std::string& arm) {
  try {
    arm_scenario(base, arm, "base.toml");
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("bool keys take TOML booleans only", "[config]") {
  CHECK_FALSE(parse_scenario("[trust]\nupdates = false\n", "t.toml").trust.updates);
  CHECK(parse_scenario("", "t.toml", {"trust.updates=true"}).trust.updates);
  const auto e = error_of("[trust]\nupdates = \"no\"\n");
  CHECK_THAT(e, Contains("test.toml:2:11"));
  CHECK_THAT(e, Contains("trust.updates = 'no' is invalid; valid: true or false"));
  CHECK_THAT(error_of("[trust]\nupdates = 1\n"), Contains("true or false"));
}

TEST_CASE("office hours map onto the open and close hours", "[config]") {
  const auto hours = [](const std::string& text) {
    const Scenario s = parse_scenario("[[accounts]]\noffice_hours = \"" + text + "\"\n", "t.toml");
    return std::pair{s.accounts[0].office_open_hour, s.accounts[0].office_close_hour};
  };
  CHECK(hours("09:00-17:00") == std::pair{9.0, 17.0});
  CHECK(hours("08:30-24:00") == std::pair{8.5, 24.0});
  CHECK(hours("00:00-24:00") == std::pair{0.0, 24.0});
  CHECK(hours("7:15-9:45") == std::pair{7.25, 9.75});
  for (const char* bad : {"17:00-09:00", "09:00-09:00", "24:00-24:00", "09:00", "9-17",
                          "09:60-10:00", "09:00-24:01", "-1:00-05:00", "09:00 - 17:00"}) {
    INFO(bad);
    const auto e = error_of(std::string("[[accounts]]\noffice_hours = \"") + bad + "\"\n");
    CHECK_THAT(e, Contains("test.toml:2:16"));
    CHECK_THAT(e, Contains("opening before closing"));
  }
}

TEST_CASE("office days map onto a weekday bitmask and are written canonically", "[config]") {
  const auto days = [](const std::string& text) {
    return parse_scenario("[[accounts]]\noffice_days = \"" + text + "\"\n", "t.toml")
        .accounts[0]
        .office_days;
  };
  CHECK(days("mon-fri") == 0x1f);
  CHECK(days("mon,wed,fri") == 0x15);
  CHECK(days("sat-sun") == 0x60);
  CHECK(days("all") == 0x7f);
  CHECK(days("none") == 0);
  CHECK(days("fri-mon") == 0x71);  // a range may wrap round the weekend
  CHECK(days("wed, mon") == 0x05);
  CHECK(weekdays_text(0x1f) == "mon-fri");
  CHECK(weekdays_text(0x15) == "mon,wed,fri");
  CHECK(weekdays_text(0x60) == "sat-sun");
  CHECK(weekdays_text(0x71) == "mon,fri-sun");
  CHECK(weekdays_text(0x7f) == "all");
  CHECK(weekdays_text(0) == "none");
  for (const char* bad : {"", "mon-fry", "monday", "mon,,fri", "mon-", "1-5"}) {
    INFO(bad);
    CHECK_THAT(error_of(std::string("[[accounts]]\noffice_days = \"") + bad + "\"\n"),
               Contains("valid: days such as \"mon-fri\""));
  }
}

TEST_CASE("the start day and time of day", "[config]") {
  const Scenario s = parse_scenario("[time]\nstart_day = \"sat\"\nstart_time = \"22:15\"\n", "t");
  CHECK(s.time.start_weekday == 5);
  CHECK(s.time.start_hour == 22.25);
  CHECK_THAT(error_of("[time]\nstart_day = \"saturday\"\n"), Contains("\"mon\", \"tue\""));
  CHECK_THAT(error_of("[time]\nstart_time = \"24:00\"\n"), Contains("from \"00:00\" to \"23:59\""));
  CHECK_THAT(error_of("[time]\nstart_time = 9\n"), Contains("test.toml:2:14"));
}

TEST_CASE("new duration keys convert to hours and check their ranges", "[config]") {
  const Scenario s = parse_scenario(R"(
[[accounts]]
acknowledge_after = "2d"
detection_delay = "0h"
[platform]
half_life = "90m"
powerlaw_s0 = "30s"
max_age = "1w"
[questions]
patience = "12h"
[concern]
half_life = "3d"
)",
                                    "t.toml");
  CHECK(s.accounts[0].acknowledge_after_hours == 48.0);
  CHECK(s.accounts[0].detection_delay_hours == 0.0);
  CHECK(s.platform.half_life_hours == 1.5);
  CHECK(s.platform.powerlaw_s0_hours == 30.0 / 3600);
  CHECK(s.platform.max_age_hours == 168.0);
  CHECK(s.questions.patience_hours == 12.0);
  CHECK(s.concern.half_life_hours == 72.0);
  // A half-life of 0 is meaningless; so is one that rounds to 0 at the resolution of 1 s.
  CHECK_THAT(error_of("[platform]\nhalf_life = \"0h\"\n"), Contains("longer than 0s, up to"));
  CHECK_THAT(error_of("[platform]\nhalf_life = \"0.1s\"\n"), Contains("platform.half_life"));
  CHECK_THAT(error_of("[questions]\npatience = 3\n"), Contains("a duration such as"));
}

TEST_CASE("reaction keys exist for every post type", "[config]") {
  const Scenario s = parse_scenario(R"(
[reactions]
trust_sensitivity = 0.5
[reactions.complaint]
reshare = 2.5
[reactions.consultation]
comment = 0.1
)",
                                    "t.toml");
  CHECK(s.reactions.trust_sensitivity == 0.5);
  CHECK(s.reactions.by_type[static_cast<std::size_t>(PostType::complaint)].reshare == 2.5);
  CHECK(s.reactions.by_type[static_cast<std::size_t>(PostType::consultation)].comment == 0.1);
  int reaction_keys = 0;
  for (const auto& k : scenario_schema())
    reaction_keys += k.path.starts_with("reactions.") && !k.path.ends_with("_sensitivity");
  CHECK(reaction_keys == 18);
  CHECK_THAT(error_of("[reactions.rumour]\nlike = 2\n"), Contains("reactions.rumour.like = 2"));
  CHECK_THAT(error_of("[reactions]\ntrust_sensitivity = 1.5\n"), Contains("[0, 1]"));
  CHECK_THAT(error_of("[reactions.informaton]\nlike = 0.1\n"),
             Contains("did you mean 'reactions.information'"));
  CHECK_THAT(error_of("[reactions.reply]\nshare = 0.1\n"),
             Contains("did you mean 'reactions.reply.reshare'"));
  CHECK_THAT(error_of("[netwrk]\nx = 1\n"), Contains("did you mean 'network'"));
}

TEST_CASE("model sections parse and their cross-key rules hold", "[config]") {
  const Scenario s = parse_scenario(R"(
[citizens]
diurnal = "flat"
[diffusion]
model = "complex_contagion"
contagion_k = 3
[rumour]
model = "maki_thompson"
spreading = 2.5
[following]
fatigue_unfollow = 0.001
)",
                                    "t.toml");
  CHECK(s.citizens.diurnal == Diurnal::flat);
  CHECK(s.diffusion.model == DiffusionModel::complex_contagion);
  CHECK(s.diffusion.contagion_k == 3);
  CHECK(s.rumour.model == RumourModel::maki_thompson);
  CHECK(s.rumour.spreading == 2.5);  // contacts per step, not a probability, for MT
  CHECK_THAT(error_of("[rumour]\nspreading = 2.5\n"), Contains("a probability with"));
  CHECK_THAT(error_of("[diffusion]\ncontagion_k = 0\n"), Contains("an integer in [1,"));
  CHECK_THAT(error_of("[diffusion]\nthreshold = 0\n"), Contains("(0, 1]"));
  CHECK_THAT(error_of("[trust]\nasymmetry = 20\n"), Contains("test.toml:2:13"));
  CHECK_THAT(error_of("[trust]\nasymmetry = 10\nrumour_loss = 0.2\n"),
             Contains("trust.asymmetry x trust.rumour_loss = 2 exceeds 1"));
  CHECK_THAT(error_of("[[regions]]\ntrust_mean = 1\n"), Contains("(0, 1)"));
  CHECK_THAT(error_of("[[accounts]]\nqueue = \"lifo\"\n"),
             Contains("\"fifo\", \"most_followers\", \"most_urgent\""));
}

TEST_CASE("events are a list of tables whose keys depend on the type", "[config]") {
  const Scenario s = parse_scenario(kBase + R"(
[[regions]]
name = "north"
share = 0.5
[[regions]]
name = "south"
share = 0.5
[[events]]
at = "0h"
type = "shock"
region = "north"
concern_jump = 0.7
surge = "12h"
[[events]]
at = "1d 3h"
type = "rumour"
seeds = 5
[[events]]
at = "1d"
type = "post"
account = "government"
post_type = "correction"
)",
                                    "t.toml");
  REQUIRE(s.events.size() == 3);
  CHECK(s.events[0].type == EventType::shock);
  CHECK(s.events[0].at_hours == 0.0);
  CHECK(s.events[0].region == "north");
  CHECK(s.events[0].concern_jump == 0.7);
  CHECK(s.events[0].surge_hours == 12.0);
  CHECK(s.events[1].at_hours == 27.0);
  CHECK(s.events[1].seeds == 5);
  CHECK(s.events[2].post_type == PostType::correction);
  CHECK(parse_scenario("events = []\n" + kBase, "t.toml").events.empty());
  // Only the keys of the event's type are written back.
  const std::string text = to_toml(s);
  CHECK_THAT(text, Contains("[[events]]\nat = \"1d 3h\"\ntype = \"rumour\"\nseeds = 5\n\n"));
  CHECK(to_toml(parse_scenario(text, "resolved")) == text);
  // --set reaches into the list and may append an event.
  const Scenario t = parse_scenario(
      kBase, "t.toml",
      {"events[0].at=2h", "events[0].type=capacity_change", "events[0].capacity_fte=3"});
  REQUIRE(t.events.size() == 1);
  CHECK(t.events[0].type == EventType::capacity_change);
  CHECK(t.events[0].capacity_fte == 3.0);
  CHECK(event_type_name(t.events[0].type) == "capacity_change");
}

TEST_CASE("event errors name the event and what is valid", "[config]") {
  const auto event = [](const std::string& body) {
    return error_of(kBase + "[[events]]\n" + body);
  };
  CHECK_THAT(event("at = \"2d\"\ntype = \"shock\"\n"),
             Contains("test.toml:7:6: error: events[0].at = \"2d\" is not before the end of the "
                      "run (time.duration = \"2d\")"));
  CHECK_THAT(event("at = \"1h\"\ntype = \"shock\"\nregion = \"mars\"\n"),
             Contains("test.toml:9:10"));
  CHECK_THAT(event("at = \"1h\"\ntype = \"shock\"\nregion = \"mars\"\n"),
             Contains("region \"mars\" is not one of the [[regions]]"));
  CHECK_THAT(event("at = \"1h\"\ntype = \"post\"\naccount = \"paper\"\n"),
             Contains("\"paper\" is not a government account; valid: \"government\""));
  CHECK_THAT(event("at = \"1h\"\ntype = \"shock\"\nseeds = 4\n"),
             Contains("test.toml:9:9: error: events[0].seeds is set, but a shock event does not "
                      "use it (used by: rumour)"));
  CHECK_THAT(event("at = \"1h\"\ntype = \"rumour\"\nseeds = 5000\n"),
             Contains("5000 seeds exceed the 1000 citizens"));
  CHECK_THAT(event("type = \"shock\"\n"), Contains("test.toml:6:1: error: events[0] needs 'at'"));
  CHECK_THAT(event("at = \"1h\"\n"), Contains("events[0] needs 'type': one of \"shock\""));
  CHECK_THAT(event("at = \"1h\"\ntype = \"earthquake\"\n"), Contains("test.toml:8:8"));
  CHECK_THAT(event("at = \"1h\"\ntype = \"post\"\npost_type = \"rumour\"\n"),
             Contains("\"information\", \"consultation\", \"reply\", \"correction\""));
  CHECK_THAT(event("at = \"1h\"\ntype = \"shock\"\nask_surge = 0.5\n"), Contains("[1, 1000]"));
  CHECK_THAT(event("at = \"1h\"\ntype = \"shock\"\nwhen = 3\n"),
             Contains("unknown key 'events[0].when'"));
  CHECK_THAT(error_of(kBase, {"events[0].at=3d", "events[0].type=shock"}),
             Contains("command line (--set events[0].at=3d)"));
}

TEST_CASE("arms are validated when the scenario is loaded", "[config]") {
  const Scenario s = parse_scenario(kBase + R"(
[[arms]]
name = "dialogue-2fte"
strategy = "dialogue"
set = ["accounts[0].capacity_fte=2", "trust.updates=false"]
[[arms]]
name = "control"
)",
                                    "t.toml");
  REQUIRE(s.arms.size() == 2);
  CHECK(s.arms[0].strategy == "dialogue");
  CHECK(s.arms[0].set ==
        std::vector<std::string>{"accounts[0].capacity_fte=2", "trust.updates=false"});
  CHECK(s.arms[1].strategy.empty());
  CHECK(s.arms[1].set.empty());
  const auto arm = [](const std::string& body) { return error_of(kBase + "[[arms]]\n" + body); };
  CHECK_THAT(arm("name = \"a\"\nset = [\"accounts[0].capacity_fte=-1\"]\n"),
             Contains("test.toml:8:8 (arm \"a\", set \"accounts[0].capacity_fte=-1\"): error: "
                      "accounts[0].capacity_fte = -1 is invalid; valid: a number in [0,"));
  CHECK_THAT(arm("name = \"a\"\nset = [\"trust.update=false\"]\n"),
             Contains("did you mean 'trust.updates'"));
  CHECK_THAT(arm("name = \"a\"\nset = [\"network.mean_followees=3\"]\n"),
             Contains("arm \"a\" may not set 'network.mean_followees': it changes the follower "
                      "network"));
  CHECK_THAT(arm("name = \"a\"\nset = [\"no equals sign\"]\n"),
             Contains("an array of strings \"key.path=value\""));
  CHECK_THAT(arm("name = \"a\"\nstrategy = \"shout\"\n"), Contains("test.toml:8:12"));
  CHECK_THAT(arm("strategy = \"dialogue\"\n"), Contains("arms[0] needs 'name'"));
  CHECK_THAT(arm("name = \"a\"\n[[arms]]\nname = \"a\"\n"),
             Contains("test.toml:9:8: error: arm name \"a\" is used twice"));
  // An arm may make the scenario invalid through a rule across keys.
  CHECK_THAT(arm("name = \"a\"\nset = [\"time.step=3d\"]\n"), Contains("shorter than time.step"));
  CHECK(parse_scenario("arms = []\n" + kBase, "t.toml").arms.empty());
}

TEST_CASE("arm_scenario applies the strategy then the overrides", "[config]") {
  const Scenario base = parse_scenario(kBase + R"(
[[accounts]]
name = "ministry"
[[accounts]]
name = "paper"
kind = "media"
[[events]]
at = "1d"
type = "rumour"
[[arms]]
name = "staffed"
strategy = "reactive"
set = ["accounts[0].capacity_fte=4", "events[0].seeds=3", "accounts[0].strategy=dialogue"]
)",
                                       "base.toml");
  const Scenario staffed = arm_scenario(base, "staffed", "base.toml");
  CHECK(staffed.arms.empty());
  CHECK(staffed.accounts[0].strategy == Strategy::dialogue);  // set comes after strategy
  CHECK(staffed.accounts[0].capacity_fte == 4.0);
  CHECK(staffed.events[0].seeds == 3);
  CHECK(staffed.accounts[1].strategy == Strategy::broadcast);  // media: untouched
  CHECK(staffed.population == base.population);
  // A strategy name is an arm of its own.
  const Scenario reactive = arm_scenario(base, "reactive", "base.toml");
  CHECK(reactive.accounts[0].strategy == Strategy::reactive);
  CHECK(reactive.accounts[0].capacity_fte == 1.0);
  CHECK(reactive.arms.empty());
  CHECK(to_toml(arm_scenario(base, "broadcast", "base.toml")) ==
        to_toml(arm_scenario(parse_scenario(to_toml(base), "again"), "broadcast", "again")));
  // Unknown arms list the valid ones.
  const auto e = arm_error(base, "stafed");
  CHECK_THAT(e, Contains("base.toml: error: unknown arm 'stafed'"));
  CHECK_THAT(e, Contains("\"staffed\""));
  CHECK_THAT(e, Contains("\"broadcast\", \"reactive\", \"dialogue\""));
  const Scenario no_arms = parse_scenario(kBase, "base.toml");
  CHECK_THAT(arm_error(no_arms, "x"), Contains("no [[arms]] in the scenario"));
}

TEST_CASE("arms may not change the network", "[config]") {
  Scenario base = parse_scenario(kBase, "base.toml");
  const auto refused = [&](const std::string& set) {
    base.arms = {Arm{"a", "", {set}}};
    return arm_error(base, "a");
  };
  for (const char* set :
       {"seed=2", "population=500", "network.reciprocity=0.1", "network={}", "regions[0].share=1",
        "regions[0].name=x", "accounts[0].followers=10", "accounts[0].follower_share=0.1",
        "accounts[0].region=all", "accounts[0].region_bias=0.5", "accounts[0].id=x",
        "accounts[0].kind=media", "accounts[0].name=x", "accounts[1].name=x", "regions[1].name=x",
        "accounts={}", "accounts[0]={}"}) {
    INFO(set);
    const auto e = refused(set);
    CHECK_THAT(e, Contains("base.toml (arm \"a\", set \"" + std::string(set) + "\")"));
    CHECK_THAT(e, Contains("follower network"));
  }
  CHECK_THAT(refused("arms[0].name=b"), Contains("an arm cannot define arms"));
  for (const char* set :
       {"regions[0].trust_mean=0.3", "accounts[0].posts_per_day=1", "accounts[0].office_days=all",
        "diffusion.reshare_probability=0.1", "time.duration=1d", "events[0].at=1h"}) {
    INFO(set);
    base.arms = {Arm{"a", "", {set}}};
    if (std::string(set) == "events[0].at=1h") base.arms[0].set.push_back("events[0].type=shock");
    CHECK(arm_error(base, "a").empty());
  }
  CHECK(arm_scenario(base, "a", "b").events.size() == 1);
}

TEST_CASE("a scenario using every new section round-trips through TOML", "[config]") {
  Scenario s = parse_scenario(kBase, "base.toml");
  s.regions = {{"north", 0.25, 0.4, 5.0, 0.1, 20.0}, {"south", 0.75}};
  s.accounts[0].capacity_fte = 2.5;
  s.accounts[0].office_open_hour = 8.5;
  s.accounts[0].office_close_hour = 24.0;
  s.accounts[0].office_days = 0x65;
  s.accounts[0].queue = QueueDiscipline::most_urgent;
  s.accounts[0].acknowledge_after_hours = 36.0;
  s.accounts[0].detection_delay_hours = 0.0;
  s.citizens.diurnal = Diurnal::flat;
  s.platform.decay = DecayKernel::power_law;
  s.platform.powerlaw_s0_hours = 0.25;
  s.reactions.by_type[static_cast<std::size_t>(PostType::rumour)].like = 0.123456789;
  s.diffusion.model = DiffusionModel::fractional_threshold;
  s.diffusion.threshold = 0.35;
  s.questions.patience_hours = 6.5;
  s.trust.updates = false;
  s.trust.rumour_loss = 0.3;
  s.rumour.model = RumourModel::daley_kendall;
  s.following.fatigue_unfollow = 1e-5;
  s.concern.half_life_hours = 100.0;
  s.time.start_weekday = 6;
  s.time.start_hour = 23.75;
  s.events.resize(2);
  s.events[0] = {0.0, EventType::shock, "north", "", 0.9, 5.0, 6.0};
  s.events[1].at_hours = 30.0;
  s.events[1].type = EventType::strategy_change;
  s.events[1].account = "government";
  s.events[1].strategy = Strategy::dialogue;
  s.arms = {Arm{"control", "", {"trust.updates=false"}},
            Arm{"quote \" arm", "reactive", {"accounts[0].queue=fifo", "name=\"x y\""}}};
  const std::string text = to_toml(s);
  const Scenario back = parse_scenario(text, "resolved");
  CHECK(to_toml(back) == text);
  CHECK(back.regions[0].trust_concentration == 5.0);
  CHECK(back.regions[0].concern_concentration == 20.0);
  CHECK(back.accounts[0].office_open_hour == 8.5);
  CHECK(back.accounts[0].office_close_hour == 24.0);
  CHECK(back.accounts[0].office_days == 0x65);
  CHECK(back.accounts[0].queue == QueueDiscipline::most_urgent);
  CHECK(back.accounts[0].acknowledge_after_hours == 36.0);
  CHECK(back.platform.powerlaw_s0_hours == 0.25);
  CHECK(back.reactions.by_type[static_cast<std::size_t>(PostType::rumour)].like == 0.123456789);
  CHECK(back.diffusion.threshold == 0.35);
  CHECK(back.questions.patience_hours == 6.5);
  CHECK_FALSE(back.trust.updates);
  CHECK(back.rumour.model == RumourModel::daley_kendall);
  CHECK(back.following.fatigue_unfollow == 1e-5);
  CHECK(back.time.start_weekday == 6);
  CHECK(back.time.start_hour == 23.75);
  REQUIRE(back.events.size() == 2);
  CHECK(back.events[0].ask_surge == 5.0);
  CHECK(back.events[0].surge_hours == 6.0);
  CHECK(back.events[1].strategy == Strategy::dialogue);
  REQUIRE(back.arms.size() == 2);
  CHECK(back.arms[1].name == "quote \" arm");
  CHECK(back.arms[1].set == s.arms[1].set);
  CHECK(arm_scenario(back, "quote \" arm", "resolved").name == "x y");
}

TEST_CASE("every schema key appears in the resolved scenario", "[config]") {
  // One element per list, each event type once: every key is written somewhere.
  Scenario s = parse_scenario(kBase + "[[arms]]\nname = \"a\"\nstrategy = \"dialogue\"\n", "t");
  for (std::size_t t = 0; t < 6; ++t) {
    Event e;
    e.at_hours = 1.0;
    e.type = static_cast<EventType>(t);
    e.region = e.type == EventType::shock || e.type == EventType::rumour ? "all" : "";
    e.account = e.region.empty() && e.type != EventType::platform_change ? "government" : "";
    s.events.push_back(e);
  }
  s.regions[0].name = "all";
  s.network.homophily = 0.5;
  s.regions = {{"all", 0.5}, {"b", 0.5}};
  s.network.file = "x";
  s.accounts[0].follower_share = 0.1;
  s.accounts[0].region = "b";
  s.accounts[0].region_bias = 0.5;
  const std::string text = "\n" + to_toml(s);
  for (const auto& k : scenario_schema()) {
    INFO(k.path);
    if (k.path == "accounts[].followers" || k.path == "accounts[].id") continue;  // exclusive
    const std::string leaf = k.path.substr(k.path.rfind('.') + 1);
    CHECK_THAT(text, Contains("\n" + leaf + " = "));
  }
}
