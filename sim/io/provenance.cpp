#include "io/provenance.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>

#include "io/build_info.hpp"
#include "io/errors.hpp"
#include "io/hdf5.hpp"

namespace civsim::io {
namespace {

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

}  // namespace

Provenance collect_provenance(const std::string& command_line, std::uint64_t seed, int threads) {
  Provenance p;
  p.civsim_version = build_info::version;
  p.git_sha = build_info::git_sha;
  p.git_dirty = build_info::git_dirty;
  p.build_type = build_info::build_type;
  p.compiler = build_info::compiler;
  p.hdf5_version = h5::library_version();
  p.created =
      fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                  std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  p.host = host_name();
  p.command_line = command_line;
  p.seed = seed;
  p.threads = threads;
  return p;
}

void check_output_path(const std::filesystem::path& out, bool force) {
  if (!force && std::filesystem::exists(out))
    throw UserError(fmt::format(
        "output '{}' already exists; choose another path or pass --force to overwrite it",
        out.string()));
}

}  // namespace civsim::io
