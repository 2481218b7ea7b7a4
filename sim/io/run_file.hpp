#pragma once
// The HDF5 run file (format version 2): what one run writes, and how `civsim info` reads it
// back. The layout is documented field by field in docs/output-format.md.
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/network_stats.hpp"
#include "core/scenario.hpp"
#include "core/simulation.hpp"
#include "io/provenance.hpp"

namespace civsim::io {

inline constexpr const char* kRunFileType = "civsim-run";
// 2.0: float64 series, per-region series, the run summary (scalars with units, cascade
// histograms); 1.1: network statistics beyond degrees.
inline constexpr int kFormatMajor = 2;
inline constexpr int kFormatMinor = 0;

// Writes the run file under a temporary name in the same directory, then renames it into place,
// so a crash never leaves a half-written file under the real name.
// `account_followers` holds the follower count of each of the scenario's accounts.
void write_run_file(const std::filesystem::path& out, const Scenario& scenario,
                    const NetworkStats& stats, const std::vector<std::uint64_t>& account_followers,
                    const SeriesRecorder& series, const RunSummary& summary,
                    const Provenance& provenance, bool force);

struct RunFileInfo {
  std::vector<std::pair<std::string, std::string>> attributes;  // root attributes, as text
  struct Series {
    std::string name, units, description;
    std::size_t length;  // elements (steps x regions for a per-region series)
  };
  std::vector<Series> series;
  std::vector<Series> by_region;
  // Scalars under /summary: name, value and units as text.
  std::vector<std::pair<std::string, std::string>> summary;
};

// Reads provenance and the series list; a file that is not a civsim run file, or has an unknown
// major format version, is a UserError.
RunFileInfo read_run_info(const std::filesystem::path& file);

}  // namespace civsim::io
