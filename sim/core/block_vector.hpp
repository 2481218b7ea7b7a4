// A sequence that grows by fixed blocks of 2^Shift elements. Elements never move: growing does
// not copy what is there, as a std::vector does on each reallocation (for the model's posts, a
// few hundred MB of 160-byte structs copied into freshly faulted pages), and references stay
// valid. An index costs a shift, a mask and one more load than a vector's.
// (Boost.Container's deque with a block_size option divides by the block size at run time.)
#pragma once

#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace civsim {

template <class T, unsigned Shift = 10>
class BlockVector {
 public:
  static constexpr std::size_t kBlock = std::size_t{1} << Shift;

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](std::size_t i) { return blocks_[i >> Shift][i & (kBlock - 1)]; }
  const T& operator[](std::size_t i) const { return blocks_[i >> Shift][i & (kBlock - 1)]; }
  T& back() { return (*this)[size_ - 1]; }

  void push_back(T value) {
    if ((size_ >> Shift) == blocks_.size()) add_block();
    (*this)[size_] = std::move(value);
    ++size_;
  }

  // n elements. Those past the old size hold unspecified values until written (this is for
  // filling by index): nothing is zeroed or copied.
  void resize(std::size_t n) {
    while (blocks_.size() * kBlock < n) add_block();
    size_ = n;
  }

  // No elements; the blocks are kept for reuse.
  void clear() { size_ = 0; }

 private:
  void add_block() { blocks_.push_back(std::make_unique_for_overwrite<T[]>(kBlock)); }

  std::vector<std::unique_ptr<T[]>> blocks_;
  std::size_t size_ = 0;
};

}  // namespace civsim
