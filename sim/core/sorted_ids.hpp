// Sorted lists of unique citizen ids (the model's concerned, informed and sharer lists).
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "core/csr.hpp"

namespace civsim {

// Merges sorted, unique `add` into sorted, unique `into` (their union), in place and from the
// back: into's elements above each added one move up as one block (found by galloping back), so
// a few hundred citizens added to a list of 10^5 cost a few block moves, not a pass over the
// list; an element already in `into` is not added again. A new vector for each merge put the
// concerned list (10^5-10^6 citizens) into freshly faulted pages every step.
inline void merge_into(std::vector<NodeId>& into, const std::vector<NodeId>& add) {
  if (add.empty()) return;
  const std::size_t total = into.size() + add.size();
  std::size_t i = into.size(), out = total;  // unmerged: into[0, i); merged: into[out, total)
  into.resize(total);
  const auto at = [&](std::size_t x) { return into.begin() + static_cast<std::ptrdiff_t>(x); };
  for (std::size_t j = add.size(); j-- > 0;) {
    const NodeId b = add[j];
    std::size_t w = 1;
    while (w < i && into[i - w] > b) w *= 2;
    const auto f =
        static_cast<std::size_t>(std::upper_bound(at(w < i ? i - w : 0), at(i), b) - into.begin());
    std::copy_backward(at(f), at(i), at(out));
    out -= i - f;
    i = f;
    if (i > 0 && into[i - 1] == b) continue;  // already there
    into[--out] = b;  // out - i counts the adds left plus the ones skipped, so out > i here
  }
  if (out > i) std::copy(at(out), at(total), at(i));  // close the gap the skipped ones left
  into.resize(i + (total - out));
}

}  // namespace civsim
