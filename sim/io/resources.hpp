#pragma once
// What the machine (or the job's cgroup) allows this process, for refusing work that cannot fit.
#include <cstdint>
#include <string>

namespace civsim::io {

// Memory available to this process in bytes: the smaller of /proc/meminfo's MemAvailable and the
// cgroup (v2 or v1) limit minus current usage; 0 when neither can be read.
std::uint64_t available_memory_bytes();

// Throws UserError when `needed` bytes exceed what is available, naming both and `what`.
void require_memory(std::uint64_t needed, const std::string& what);

std::string format_bytes(std::uint64_t bytes);

}  // namespace civsim::io
