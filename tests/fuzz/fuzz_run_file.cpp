// libFuzzer target: the HDF5 readers (io::read_run_info, io::read_compare_info and
// io::read_network_h5 on the same bytes) on a temporary file. HDF5 itself is not instrumented, so
// coverage guides the fuzzer through civsim's checks only; crashes and sanitizer reports anywhere
// still count. A UserError is the expected outcome of bad input; anything else is a bug.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "io/compare_file.hpp"
#include "io/errors.hpp"
#include "io/network_file.hpp"
#include "io/run_file.hpp"

namespace {

const std::filesystem::path& temp_file() {
  static const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                            ("civsim-fuzz-run-" + std::to_string(getpid()) + ".h5");
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  {
    std::FILE* f = std::fopen(temp_file().c_str(), "wb");
    if (!f) std::abort();
    if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
    std::fclose(f);
  }
  try {
    (void)civsim::io::read_run_info(temp_file());
  } catch (const civsim::io::UserError&) {
  }
  try {
    (void)civsim::io::read_compare_info(temp_file());
  } catch (const civsim::io::UserError&) {
  }
  try {
    (void)civsim::io::read_network_h5(temp_file());
  } catch (const civsim::io::UserError&) {
  }
  return 0;
}
