#pragma once
// The HDF5 run file (format version 1): what one run writes, and how `civsim info` reads it
// back. The layout is documented field by field in docs/output-format.md.
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/network_stats.hpp"
#include "core/scenario.hpp"
#include "core/simulation.hpp"

namespace civsim::io {

inline constexpr const char* kRunFileType = "civsim-run";
inline constexpr int kFormatMajor = 1;
inline constexpr int kFormatMinor = 1;  // 1.1: network statistics beyond degrees

struct Provenance {
  std::string civsim_version, git_sha, git_dirty, build_type, compiler, hdf5_version;
  std::string created;  // ISO 8601, UTC
  std::string host, command_line;
  std::uint64_t seed = 0;
  std::uint32_t replicate = 0;
  int threads = 1;
  double run_seconds = 0;  // wall time of network build + simulation
};

// Fills in everything that describes this build, machine and moment.
Provenance collect_provenance(const std::string& command_line, std::uint64_t seed, int threads);

// Refuses an existing output unless `force`: called before the run, so a refusal costs nothing.
void check_output_path(const std::filesystem::path& out, bool force);

// Writes the run file under a temporary name in the same directory, then renames it into place,
// so a crash never leaves a half-written file under the real name.
// `account_followers` holds the follower count of each of the scenario's accounts.
void write_run_file(const std::filesystem::path& out, const Scenario& scenario,
                    const NetworkStats& stats, const std::vector<std::uint64_t>& account_followers,
                    const SeriesRecorder& series, const Provenance& provenance, bool force);

struct RunFileInfo {
  std::vector<std::pair<std::string, std::string>> attributes;  // root attributes, as text
  struct Series {
    std::string name, units, description;
    std::size_t length;
  };
  std::vector<Series> series;
  std::vector<std::pair<std::string, std::string>> summary;
};

// Reads provenance and the series list; a file that is not a civsim run file, or has an unknown
// major format version, is a UserError.
RunFileInfo read_run_info(const std::filesystem::path& file);

}  // namespace civsim::io
