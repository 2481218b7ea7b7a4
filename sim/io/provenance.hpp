#pragma once
// What every civsim output file records about the build, machine and moment that wrote it, and the
// output-path check that runs before any work is done.
#include <cstdint>
#include <filesystem>
#include <string>

namespace civsim::io {

struct Provenance {
  std::string civsim_version, git_sha, git_dirty, build_type, compiler, hdf5_version;
  std::string created;  // ISO 8601, UTC
  std::string host, command_line;
  std::uint64_t seed = 0;
  std::uint32_t replicate = 0;  // run files only
  int threads = 1;
  double run_seconds = 0;  // wall time of network build + simulation(s)
};

// Fills in everything that describes this build, machine and moment.
Provenance collect_provenance(const std::string& command_line, std::uint64_t seed, int threads);

// Refuses an existing output unless `force`: called before the run, so a refusal costs nothing.
void check_output_path(const std::filesystem::path& out, bool force);

}  // namespace civsim::io
