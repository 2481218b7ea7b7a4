#pragma once
// Scenario files (TOML): parsing, validation against the schema, command-line overrides, and the
// resolved scenario written back as TOML. See docs/scenario-format.md.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/scenario.hpp"
#include "io/errors.hpp"

namespace civsim::io {

// One documented scenario key: the schema that validation, `civsim schema` and the docs share.
struct KeyInfo {
  std::string path;   // dotted, e.g. "diffusion.reshare_probability"
  std::string valid;  // what values are valid, in words, e.g. "a number in [0, 1]"
  std::string unit;
  std::string default_value;  // as written in TOML
  std::string description;
};

const std::vector<KeyInfo>& scenario_schema();

// Parses and validates scenario text. `source` names it in error messages (usually the file
// path). Each override is "key.path=value" with a TOML value (bare words are taken as strings),
// applied over the file with the same validation. Throws ConfigError.
Scenario parse_scenario(std::string_view text, const std::string& source,
                        const std::vector<std::string>& overrides = {});

// The scenario of one arm for `civsim compare`: `arm` names an entry of base.arms, or is a
// strategy name ("broadcast", "reactive", "dialogue") applied to every government account.
// An arm's `strategy` is applied to every government account, then its `set` overrides with
// the same validation as --set. Overrides that would change the network (seed, population,
// regions[].share/name, network.*,
// accounts[].follower_share/followers/region/region_bias/id/kind/name) are refused: arms must share
// one network for common random numbers. The result has no arms. Unknown arm names list the valid
// ones. Throws ConfigError/UserError (exit 2) naming `source`. parse_scenario already checks every
// [[arms]] entry this way, so a bad arm fails at load time.
Scenario arm_scenario(const Scenario& base, const std::string& arm, const std::string& source);

// Reads a scenario file; a missing or unreadable file is a UserError.
Scenario load_scenario(const std::filesystem::path& file,
                       const std::vector<std::string>& overrides = {});

// The two halves of load_scenario, for callers that keep the text to apply more overrides later
// (the Python module's Scenario.set): the file's text (UserError when it cannot be read or holds
// no key), and that text parsed as the file's (errors name `file`; a relative network.file is
// resolved against the file's folder and must exist).
std::string read_scenario_text(const std::filesystem::path& file);
Scenario parse_scenario_file(std::string_view text, const std::filesystem::path& file,
                             const std::vector<std::string>& overrides = {});

// The resolved scenario (every key, defaults filled in) as TOML that parses back to the same
// Scenario.
std::string to_toml(const Scenario& scenario);

// The schema as a Markdown table (for docs/scenario-format.md and `civsim schema`).
std::string schema_markdown();

// Durations as written in scenarios: "90m", "1h", "2d 14h", "1w". Throws std::invalid_argument.
double parse_duration_hours(std::string_view text);
std::string format_duration(double hours);

std::string strategy_name(Strategy s);
std::string generator_name(NetworkGenerator g);
std::string account_kind_name(AccountKind k);
std::string post_type_name(PostType t);  // "information", ..., "complaint"
std::string event_type_name(EventType t);
std::string queue_name(QueueDiscipline q);
std::string diffusion_model_name(DiffusionModel m);
std::string rumour_model_name(RumourModel m);
std::string weekday_name(int day);             // 0 = "mon" ... 6 = "sun"
std::string weekdays_text(std::uint8_t mask);  // office_days as written: "mon-fri", "all", ...

}  // namespace civsim::io
