#pragma once
// Crash-safe output: a file is written under a temporary name in its destination folder and
// moved into place only when complete, so a file under its real name is always whole. Without
// `force` an existing file is never replaced (checked before writing and again at the move).
#include <filesystem>

namespace civsim::io {

class AtomicOutput {
 public:
  // Refuses an existing `out` unless `force` (UserError); creates the destination folder.
  AtomicOutput(std::filesystem::path out, bool force);
  ~AtomicOutput();  // removes the temporary file unless committed
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  const std::filesystem::path& temp() const { return tmp_; }
  void commit();  // moves the temporary file to its real name

 private:
  std::filesystem::path out_, tmp_;
  bool force_;
  bool committed_ = false;
};

}  // namespace civsim::io
