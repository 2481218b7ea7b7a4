#pragma once
// Follower networks in files: a plain-text edge list (for data from elsewhere) and an HDF5 file
// holding the CSR arrays as they are (exact, fast, keeps isolated nodes). Both layouts are
// documented in docs/network-files.md.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/network.hpp"
#include "core/scenario.hpp"

namespace civsim::io {

inline constexpr const char* kNetworkFileType = "civsim-network";
inline constexpr int kNetworkFormatMajor = 1;
inline constexpr int kNetworkFormatMinor = 0;

// Ids in an edge list: at most this many bytes each, and at most this many distinct ones (node
// numbers are 32-bit; the table that maps ids needs one value to spare).
inline constexpr std::size_t kMaxIdBytes = 256;
inline constexpr std::uint64_t kMaxNodes = (std::uint64_t{1} << 32) - 2;

// How to read a line "a b" of an edge list: civsim::EdgeDirection (core/scenario.hpp), where
// src_follows_dst (a follows b) is civsim's own convention and dst_follows_src reads datasets that
// list "a is followed by b".

struct ImportedNetwork {
  Network network;
  // Original id of each node, indexed by node number. From read_network_h5 it is empty when the
  // file stores no ids (node k is then simply k).
  std::vector<std::string> ids;
  std::uint64_t lines = 0;               // lines in the file, including comments and blanks
  std::uint64_t edges_read = 0;          // lines holding an edge, before anything is dropped
  std::uint64_t duplicates_dropped = 0;  // repeats of an edge already read
  std::uint64_t self_loops_dropped = 0;  // edges "a a"
};

// Reads a whitespace-separated edge list: one "src dst" per line, '#' starts a comment (anywhere
// on a line), blank lines are ignored, a UTF-8 byte-order mark is skipped. Ids are arbitrary
// tokens without whitespace or '#'. Citizens are numbered 0, 1, ... in order of first appearance;
// the ids in `account_ids` become the institutional accounts n_citizens, n_citizens + 1, ... in
// the given order, and each must appear in the file. Duplicate edges and self-loops are dropped
// and counted. Bad input is a UserError: "FILE:LINE: ..." for a malformed line, "FILE: ..." for
// a problem with the whole file (unreadable, no edges, an account missing).
ImportedNetwork read_edge_list(const std::filesystem::path& path,
                               const std::vector<std::string>& account_ids,
                               EdgeDirection direction = EdgeDirection::src_follows_dst);

// Writes one line "src dst" (src follows dst) per edge, after a '#' header with the node and
// edge counts, the accounts and the convention. Nodes are written as their `ids` (one per node;
// each must be a valid edge-list id, and all distinct), or as their numbers when `ids` is null.
// Nodes without any edge cannot be represented and are lost (the HDF5 format keeps them).
// The file is written under a temporary name in the same folder and renamed into place; an
// existing file is a UserError unless `force`.
void write_edge_list(const std::filesystem::path& path, const Network& network,
                     const std::vector<std::string>* ids = nullptr, bool force = false);

// The HDF5 network file (filetype "civsim-network"): the CSR arrays plus, optionally, the ids.
// Same atomic write and overwrite rule as write_edge_list.
void write_network_h5(const std::filesystem::path& path, const Network& network,
                      const std::vector<std::string>* ids = nullptr, bool force = false);

// Reads a network file written by write_network_h5 (or by anyone following the documented
// layout). Checks filetype, major version, array sizes and the CSR invariants; any violation is
// a UserError naming the file.
ImportedNetwork read_network_h5(const std::filesystem::path& path);

// The network a scenario describes: generated (after checking it fits in memory), or read from
// `network.file` with generator "edge_list", in which case the scenario's accounts are matched to
// the file by id and `scenario.population` is set to the file's citizen count. UserError when the
// file and the scenario disagree.
Network build_network(Scenario& scenario);

namespace detail {
// Knobs of read_edge_list that tests turn down: a lower id limit is reachable, and tiny blocks
// put every token, comment and line end across a block boundary.
struct EdgeListLimits {
  std::uint64_t max_nodes = kMaxNodes;
  std::size_t block_bytes = std::size_t{1} << 22;
};
ImportedNetwork read_edge_list(const std::filesystem::path& path,
                               const std::vector<std::string>& account_ids, EdgeDirection direction,
                               const EdgeListLimits& limits);
}  // namespace detail

}  // namespace civsim::io
