#pragma once
// The HDF5 comparison file of `civsim compare` (filetype "civsim-compare", format 1.0): every
// arm x replicate series, per-arm means and CIs, paired differences vs the first arm, and the
// per-run scalars with their table. docs/output-format.md documents it field by field.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/compare.hpp"
#include "core/network_stats.hpp"
#include "core/scenario.hpp"
#include "io/provenance.hpp"

namespace civsim::io {

inline constexpr const char* kCompareFileType = "civsim-compare";
inline constexpr int kCompareFormatMajor = 1;
inline constexpr int kCompareFormatMinor = 0;

// Written atomically like a run file. `arms` are the resolved arm scenarios, in the order of
// `comparison.arms`; `base` is the scenario they were derived from.
void write_compare_file(const std::filesystem::path& out, const Scenario& base,
                        const std::vector<std::pair<std::string, Scenario>>& arms,
                        const NetworkStats& stats,
                        const std::vector<std::uint64_t>& account_followers,
                        const Comparison& comparison, const Provenance& provenance, bool force);

struct CompareFileInfo {
  std::vector<std::pair<std::string, std::string>> attributes;  // root attributes, as text
  std::size_t n_steps = 0;
  std::vector<std::string> series;  // names of the outcome series
  OutcomeTable table;               // the key outcomes
};

// A file that is not a comparison file, or has an unknown major format version, is a UserError.
CompareFileInfo read_compare_info(const std::filesystem::path& file);

// The root attribute `filetype` of an HDF5 file ("" when it has none), to tell run files from
// comparison files; a file that is not HDF5 is a UserError.
std::string read_filetype(const std::filesystem::path& file);

}  // namespace civsim::io
