// libFuzzer target: the sweep-file parser (io::parse_sweep) and the decoder of the run records
// that sweep journals and MPI messages carry (io::decode). A ConfigError (bad sweep file) or a
// std::runtime_error (bad record) is the expected outcome of most inputs; any other exception,
// a crash or a sanitizer report is a bug. A record that decodes must encode to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "io/errors.hpp"
#include "io/sweep_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    (void)civsim::io::parse_sweep(text, "fuzz-sweep.toml");
  } catch (const civsim::io::UserError&) {
  }
  try {
    const civsim::io::RunRecord r = civsim::io::decode(text);
    if (civsim::io::encode(r) != text) std::abort();  // decode must be exact
  } catch (const std::runtime_error&) {
  }
  return 0;
}
