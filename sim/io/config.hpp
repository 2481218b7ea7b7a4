#pragma once
// Scenario files (TOML): parsing, validation against the schema, command-line overrides, and the
// resolved scenario written back as TOML. See docs/scenario-format.md.
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

// Reads a scenario file; a missing or unreadable file is a UserError.
Scenario load_scenario(const std::filesystem::path& file,
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

}  // namespace civsim::io
