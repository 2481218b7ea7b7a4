#include "io/resources.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <sstream>

#include "io/errors.hpp"

namespace civsim::io {
namespace {

// The first number in a file, or nothing (missing file, "max", ...).
bool read_number(const char* path, std::uint64_t& out) {
  std::ifstream in(path);
  return static_cast<bool>(in >> out);
}

}  // namespace

std::uint64_t available_memory_bytes() {
  std::uint64_t best = std::numeric_limits<std::uint64_t>::max();
  std::ifstream meminfo("/proc/meminfo");
  for (std::string line; std::getline(meminfo, line);) {
    if (line.rfind("MemAvailable:", 0) == 0) {
      std::istringstream fields(line.substr(13));
      std::uint64_t kib = 0;
      if (fields >> kib) best = std::min(best, kib * 1024);
    }
  }
  std::uint64_t limit = 0, usage = 0;
  if (read_number("/sys/fs/cgroup/memory.max", limit) &&
      read_number("/sys/fs/cgroup/memory.current", usage) && limit > usage)
    best = std::min(best, limit - usage);
  else if (read_number("/sys/fs/cgroup/memory/memory.limit_in_bytes", limit) &&
           read_number("/sys/fs/cgroup/memory/memory.usage_in_bytes", usage) && limit > usage)
    best = std::min(best, limit - usage);
  return best == std::numeric_limits<std::uint64_t>::max() ? 0 : best;
}

std::string format_bytes(std::uint64_t bytes) {
  const double b = static_cast<double>(bytes);
  if (b >= 1024.0 * 1024 * 1024) return fmt::format("{:.1f} GiB", b / (1024.0 * 1024 * 1024));
  if (b >= 1024.0 * 1024) return fmt::format("{:.1f} MiB", b / (1024.0 * 1024));
  return fmt::format("{:.1f} KiB", b / 1024.0);
}

void require_memory(std::uint64_t needed, const std::string& what) {
  const std::uint64_t available = available_memory_bytes();
  if (available != 0 && needed > available)
    throw UserError(
        fmt::format("{} needs about {} of memory, but only {} is available; reduce population or "
                    "network.mean_followees, or run on a larger machine",
                    what, format_bytes(needed), format_bytes(available)));
}

}  // namespace civsim::io
