// libFuzzer target: the scenario parser and validator (io::parse_scenario), with and without
// --set overrides. The input is split at 0x01 bytes: the first piece is the scenario text, the
// others (at most 4) are overrides. A ConfigError is the expected outcome of most inputs; any
// other exception, a crash or a sanitizer report is a bug. A scenario that parses must round-trip
// through its resolved TOML (what run files store and `civsim run` reads back).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "io/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> pieces;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= all.size(); ++i)
    if (i == all.size() || all[i] == '\x01') {
      pieces.emplace_back(all.substr(start, i - start));
      start = i + 1;
    }
  const std::string text = pieces.front();
  std::vector<std::string> overrides(pieces.begin() + 1, pieces.end());
  if (overrides.size() > 4) return -1;  // not interesting; keep the corpus small
  try {
    const civsim::Scenario s = civsim::io::parse_scenario(text, "fuzz.toml", overrides);
    const std::string resolved = civsim::io::to_toml(s);
    const civsim::Scenario again = civsim::io::parse_scenario(resolved, "resolved.toml");
    if (civsim::io::to_toml(again) != resolved) std::abort();  // the round trip lost something
  } catch (const civsim::io::UserError&) {
  }
  return 0;
}
