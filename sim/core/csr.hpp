#pragma once
// Compressed sparse rows of node ids: the exchange format between network generators and the
// Network they assemble into. Row r holds targets[offsets[r] .. offsets[r+1]).
#include <cstdint>
#include <span>
#include <vector>

namespace civsim {

using NodeId = std::uint32_t;

struct Csr {
  std::vector<std::uint64_t> offsets{0};
  std::vector<NodeId> targets;

  std::uint32_t rows() const { return static_cast<std::uint32_t>(offsets.size() - 1); }
  std::uint64_t entries() const { return targets.size(); }
  std::span<const NodeId> row(std::uint32_t r) const {
    return {targets.data() + offsets[r], targets.data() + offsets[r + 1]};
  }
};

// Makes a CSR whose row r has room for capacity[r] entries; fill rows independently (in
// parallel), then call `compact` with the number of entries each row really used.
Csr csr_with_capacity(const std::vector<std::uint32_t>& capacity);
void compact(Csr& csr, const std::vector<std::uint32_t>& used);

}  // namespace civsim
