// libFuzzer target: the edge-list reader (io::read_edge_list) on a temporary file. The first
// byte picks the direction, whether "gov" is an account id, and a small block size (so that
// tokens, comments and line ends fall across block boundaries); the rest is the file. A
// UserError is the expected outcome of bad input; anything else is a bug.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "io/errors.hpp"
#include "io/network_file.hpp"

namespace {

const std::filesystem::path& temp_file() {
  static const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("civsim-fuzz-edges-" + std::to_string(getpid()));
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t mode = data[0];
  {
    std::FILE* f = std::fopen(temp_file().c_str(), "wb");
    if (!f) std::abort();
    if (size > 1 && std::fwrite(data + 1, 1, size - 1, f) != size - 1) std::abort();
    std::fclose(f);
  }
  std::vector<std::string> accounts;
  if (mode & 1) accounts.push_back("gov");
  const auto direction =
      (mode & 2) ? civsim::EdgeDirection::dst_follows_src : civsim::EdgeDirection::src_follows_dst;
  civsim::io::detail::EdgeListLimits limits;
  limits.block_bytes = std::size_t{1} + (mode >> 2);  // 1..64 bytes
  limits.max_nodes = 1000;
  try {
    const auto imported =
        civsim::io::detail::read_edge_list(temp_file(), accounts, direction, limits);
    if (imported.ids.size() != imported.network.n_nodes()) std::abort();
  } catch (const civsim::io::UserError&) {
  }
  return 0;
}
