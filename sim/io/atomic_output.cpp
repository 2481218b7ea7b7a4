#include "io/atomic_output.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>

#include "io/errors.hpp"
#include "io/provenance.hpp"

namespace civsim::io {

namespace fs = std::filesystem;

AtomicOutput::AtomicOutput(fs::path out, bool force) : out_(std::move(out)), force_(force) {
  check_output_path(out_, force_);
  const auto dir = out_.has_parent_path() ? out_.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw UserError(
        fmt::format("cannot create output folder '{}': {}", dir.string(), ec.message()));
  tmp_ = dir / fmt::format(".{}.tmp-{}", out_.filename().string(), getpid());
  fs::remove(tmp_, ec);
}

AtomicOutput::~AtomicOutput() {
  std::error_code ec;
  if (!committed_) fs::remove(tmp_, ec);
}

void AtomicOutput::commit() {
  // Without force, link() refuses to replace a file that appeared meanwhile; rename() replaces.
  if (!force_) {
    if (link(tmp_.c_str(), out_.c_str()) == 0) {
      std::error_code ec;
      fs::remove(tmp_, ec);
      committed_ = true;
      return;
    }
    if (errno == EEXIST) check_output_path(out_, false);
  }
  std::error_code ec;
  fs::rename(tmp_, out_, ec);
  if (ec) throw UserError(fmt::format("cannot write '{}': {}", out_.string(), ec.message()));
  committed_ = true;
}

}  // namespace civsim::io
