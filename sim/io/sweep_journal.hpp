#pragma once
// The journal of a sweep in progress (OUT.h5.journal): an append-only file with one
// checksummed record per finished run, written the moment the run ends, so that a sweep killed
// at any point loses only the runs in flight. `civsim sweep run --resume` reads it back, drops a
// torn last record, skips the runs it holds and appends the rest; at the end the sweep file is
// assembled from it (io/sweep_file.hpp) and the journal removed. Plain POSIX I/O, not HDF5: a
// killed HDF5 1.10 writer can leave a file that no longer opens, an append-only log cannot.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "io/sweep_file.hpp"

namespace civsim::io {

struct JournalHeader {
  std::string fingerprint;  // of the plan (SweepMeta::fingerprint)
  std::string git_sha;      // of the program that started the journal
  std::uint32_t shard_index = 0, shard_count = 1;
};

class Journal {
 public:
  // Opens `path` for appending, holding an exclusive lock on it (a second process on the same
  // output fails at once). A new journal gets `header`. An existing one (resume) must carry the
  // same fingerprint, git commit and shard, else UserError; its valid records are returned by
  // records() and a torn tail is cut off.
  // records() holds, in order, the valid records read at opening and every one appended since,
  // so that a sweep assembles its file without reading the journal back.
  Journal(const std::filesystem::path& path, const JournalHeader& header, bool resume);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  const std::vector<RunRecord>& records() const { return records_; }
  std::vector<RunRecord> take_records() { return std::move(records_); }
  std::size_t dropped_bytes() const { return dropped_; }
  // Writes one record (write(2): it survives the process being killed at once); fsyncs at most
  // every 10 s (a machine crash loses at most that much; an fsync a second cost 1.5% of a sweep
  // of small runs), and at sync().
  void append(const RunRecord& record);
  void sync();
  const std::filesystem::path& path() const { return path_; }

 private:
  void read_or_start(const JournalHeader& header);
  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<RunRecord> records_;
  std::size_t dropped_ = 0;
  double last_sync_ = 0;
};

// Reads a journal without opening it for writing (tests, `civsim sweep status`).
std::vector<RunRecord> read_journal(const std::filesystem::path& path, JournalHeader* header);

}  // namespace civsim::io
