#pragma once
// Parts of the HDF5 layout that run files and comparison files share (docs/output-format.md):
// provenance attributes, the resolved scenario, /network, /accounts, the time axis, and the
// checks a reader makes on filetype and format version. Internal to the I/O library.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/network_stats.hpp"
#include "core/scenario.hpp"
#include "io/hdf5.hpp"
#include "io/provenance.hpp"

namespace civsim::io::layout {

// filetype, format_version, the provenance attributes (all but `replicate`), scenario_name and
// step_hours on the root group.
void write_root(h5::Writer& w, const std::string& filetype, int major, int minor,
                const Provenance& provenance, const Scenario& scenario);

// The resolved scenario as a TOML text dataset.
void write_scenario(h5::Writer& w, const std::string& path, const Scenario& scenario);

// /network: the statistics of the follower network and its binned degree distributions.
void write_network(h5::Writer& w, const NetworkStats& stats);
// The attributes of /network, by name, in file order (also the statistics the Python module
// returns, so both use the same names).
std::vector<std::pair<std::string, h5::Attribute>> network_attributes(const NetworkStats& stats);

// /accounts/<i>: each institutional account of the scenario; `account_followers[i]` its followers.
void write_accounts(h5::Writer& w, const Scenario& scenario, const NetworkStats& stats,
                    const std::vector<std::uint64_t>& account_followers);

// /series/step and /series/time_hours.
void write_time_axis(h5::Writer& w, const std::vector<double>& time_hours);

// The string attributes `units` and `description` of a dataset or group.
void describe(h5::Writer& w, const std::string& path, const std::string& units,
              const std::string& description);

// The governments accounts' strategies, comma-separated (the `strategy` attribute).
std::string government_strategies(const Scenario& scenario);

std::vector<std::string> region_names(const Scenario& scenario);

// An attribute as text (string arrays joined with ", ").
std::string text(const h5::Attribute& attribute);

// The root attribute `filetype` as text, "" when absent.
std::string filetype(const h5::Reader& r);

// Refuses (UserError) a file whose filetype is not `expected` or whose format's major version is
// not `major`. `what` names the kind of file in the messages ("run file").
void require_format(const h5::Reader& r, const std::string& file, const std::string& expected,
                    int major, const std::string& what);

// Every root attribute, as text.
std::vector<std::pair<std::string, std::string>> root_attributes(const h5::Reader& r);

}  // namespace civsim::io::layout
