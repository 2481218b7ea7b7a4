#include "io/network_file.hpp"

#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "core/generator.hpp"
#include "io/atomic_output.hpp"
#include "io/errors.hpp"
#include "io/hdf5.hpp"
#include "io/resources.hpp"
#include "io/run_file.hpp"

namespace civsim::io {
namespace {

namespace fs = std::filesystem;

// The edge-list writer's buffer: large enough that system calls vanish against the formatting.
constexpr std::size_t kBlockBytes = std::size_t{1} << 22;

// ---------------------------------------------------------------------------------------------
// Ids

std::uint64_t hash_bytes(std::string_view s) {
  std::uint64_t h = 0x9e3779b97f4a7c15ULL ^ s.size();
  const char* p = s.data();
  std::size_t n = s.size();
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = std::rotl((h ^ w) * 0xbf58476d1ce4e5b9ULL, 27);
  }
  if (n > 0) {
    std::uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = (h ^ w) * 0x94d049bb133111ebULL;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  return h ^ (h >> 33);
}

// A zeroed array of an implicit-lifetime type, placed in transparent huge pages where the system
// offers them (Linux with THP in "madvise" or "always" mode). For a hash table accessed at random
// this matters: with 4 KiB pages nearly every lookup in a large table also misses the TLB
// (reading 2e7 random edges among 1e7 ids took 9.9 s with 4 KiB pages, 5.4 s with huge pages).
template <class T>
class ZeroedArray {
 public:
  ZeroedArray() = default;
  explicit ZeroedArray(std::size_t n) : size_(n) {
    constexpr std::size_t kHuge = std::size_t{2} << 20;
    const std::size_t align = n * sizeof(T) >= kHuge ? kHuge : 64;
    const std::size_t bytes = (n * sizeof(T) + align - 1) / align * align;
    void* p = std::aligned_alloc(align, bytes);
    if (!p) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    if (align == kHuge) madvise(p, bytes, MADV_HUGEPAGE);  // advice only: failure is harmless
#endif
    std::memset(p, 0, bytes);
    data_.reset(static_cast<T*>(p));
  }
  std::size_t size() const {
    return size_;
  }
  T& operator[](std::size_t i) {
    return data_.get()[i];
  }
  const T& operator[](std::size_t i) const {
    return data_.get()[i];
  }

 private:
  struct Free {
    void operator()(T* p) const { std::free(p); }
  };
  std::unique_ptr<T, Free> data_;
  std::size_t size_ = 0;
};

// Maps id tokens to numbers 0, 1, ... in order of insertion: open addressing with linear probing,
// at most 70% full. A slot holds a short token (up to 8 bytes) itself, so that finding one costs
// a single cache miss, the usual case for numeric ids; a longer token is compared in the arena,
// where all tokens lie back to back. Tokens never contain NUL bytes (callers check), so a
// zero-padded word identifies a short token. 30 to 55 bytes per id plus its text, where a
// std::unordered_map<std::string, std::uint32_t> needs about 70.
class IdTable {
 public:
  static constexpr std::uint32_t kNone = 0xffffffffU;

  // What a lookup needs of a token: computed apart from the lookup, so that a caller can
  // prefetch the slots of the next tokens while it looks up this one.
  struct Key {
    std::uint32_t tag;   // 31 hash bits, top bit set for tokens longer than 8 bytes
    std::uint64_t word;  // a short token, zero-padded
  };
  static Key key(std::string_view token) {
    Key k{static_cast<std::uint32_t>(hash_bytes(token)) & 0x7fffffffU, 0};
    if (token.size() > 8)
      k.tag |= 0x80000000U;
    else
      std::memcpy(&k.word, token.data(), token.size());
    return k;
  }

  IdTable() : slots_(std::size_t{1} << kInitialBits) {}

  std::uint64_t size() const { return starts_.size() - 1; }
  std::string_view token(std::uint64_t id) const {
    return {arena_.data() + starts_[id], static_cast<std::size_t>(starts_[id + 1] - starts_[id])};
  }

  void prefetch(const Key& k) const { __builtin_prefetch(&slots_[home(k.tag)]); }

  // The number of `token` (whose key is `k`); a new token is inserted unless the table already
  // holds `limit` ids, in which case the result is kNone. `inserted` tells whether it was new.
  std::uint32_t find_or_insert(std::string_view token, const Key& k, std::uint64_t limit,
                               bool& inserted) {
    const bool is_long = (k.tag & 0x80000000U) != 0;
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = home(k.tag);
    for (;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.id_plus_1 == 0) break;
      if (s.tag == k.tag && (is_long ? long_token(s.word) == token : s.word == k.word)) {
        inserted = false;
        return s.id_plus_1 - 1;
      }
    }
    inserted = true;
    if (size() >= limit) return kNone;
    const auto id = static_cast<std::uint32_t>(size());
    const std::uint64_t offset = arena_.size();
    arena_.append(token);
    starts_.push_back(arena_.size());
    slots_[i] = {k.tag, id + 1, is_long ? (offset << 16 | token.size()) : k.word};
    // 2^32 slots always keep an empty one, since there are at most 2^32 - 2 ids.
    if (size() * 10 > slots_.size() * 7 && bits_ < 32) grow();
    return id;
  }
  std::uint32_t find_or_insert(std::string_view token, std::uint64_t limit, bool& inserted) {
    return find_or_insert(token, key(token), limit, inserted);
  }

  // Frees the hash index; tokens stay readable.
  void drop_index() { slots_ = {}; }

 private:
  static constexpr int kInitialBits = 12;

  struct Slot {
    std::uint32_t tag = 0;
    std::uint32_t id_plus_1 = 0;  // 0: empty
    std::uint64_t word = 0;       // a short token, or a long one's arena offset << 16 | length
  };

  // Fibonacci hashing of the tag: the slot depends on all tag bits, so the tag still tells
  // apart ids that land in the same neighbourhood, and growing needs no token bytes.
  std::size_t home(std::uint32_t tag) const {
    return static_cast<std::size_t>((std::uint64_t{tag} * 0x9e3779b97f4a7c15ULL) >> (64 - bits_));
  }

  std::string_view long_token(std::uint64_t word) const {
    return {arena_.data() + (word >> 16), static_cast<std::size_t>(word & 0xffffU)};
  }

  void grow() {
    ZeroedArray<Slot> old(std::size_t{1} << (bits_ + 1));
    std::swap(old, slots_);
    ++bits_;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t j = 0; j < old.size(); ++j) {
      const Slot& s = old[j];
      if (s.id_plus_1 == 0) continue;
      std::size_t i = home(s.tag);
      while (slots_[i].id_plus_1 != 0) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }

  ZeroedArray<Slot> slots_;
  int bits_ = kInitialBits;
  std::string arena_;
  std::vector<std::uint64_t> starts_{0};
};

bool is_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

// Bytes that may appear in an id: printable ASCII except '#', and (valid UTF-8) non-ASCII.
bool is_id_byte(unsigned char c) {
  return c > 0x20 && c != '#' && c != 0x7f;
}

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      len = 2, cp = c & 0x1fU;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3, cp = c & 0x0fU;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4, cp = c & 0x07U;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xc0U) != 0x80U) return false;
      cp = (cp << 6) | (d & 0x3fU);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF.
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += len;
  }
  return true;
}

// A token as printed in a message: cut after about 40 bytes (at a character boundary), with
// control bytes, and the non-ASCII bytes of invalid UTF-8, written as \xNN, so that the message
// stays printable text.
std::string shown(std::string_view token) {
  const bool utf8 = valid_utf8(token);
  std::size_t cut = std::min<std::size_t>(token.size(), 40);
  while (utf8 && cut < token.size() && (static_cast<unsigned char>(token[cut]) & 0xc0U) == 0x80U)
    --cut;
  std::string out;
  for (const char ch : token.substr(0, cut)) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8))
      out += fmt::format("\\x{:02x}", c);
    else
      out += ch;
  }
  return cut < token.size() ? out + "..." : out;
}

// What is wrong with `id` as an edge-list id, or an empty string if nothing is.
std::string id_problem(std::string_view id) {
  if (id.empty()) return "is empty";
  if (id.size() > kMaxIdBytes) return fmt::format("is longer than {} bytes", kMaxIdBytes);
  for (const char ch : id) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_space(c) || c == '\n') return "contains whitespace";
    if (c == '#') return "contains '#', which starts a comment";
    if (!is_id_byte(c)) return fmt::format("contains the control byte 0x{:02x}", c);
  }
  if (!valid_utf8(id)) return "is not valid UTF-8";
  return {};
}

// What is wrong with a list of node ids (one per node: each valid, all distinct), or an empty
// string. Writers check before writing any byte, so that every file they write reads back.
std::string ids_problem(const std::vector<std::string>& ids) {
  IdTable seen;
  for (std::size_t k = 0; k < ids.size(); ++k) {
    if (const std::string problem = id_problem(ids[k]); !problem.empty())
      return fmt::format("the id \"{}\" of node {} {}", shown(ids[k]), k, problem);
    bool inserted = false;
    seen.find_or_insert(ids[k], kMaxNodes, inserted);
    if (!inserted) return fmt::format("the id \"{}\" is given to two nodes", shown(ids[k]));
  }
  return {};
}

void check_ids_for_writing(const fs::path& path, const Network& net,
                           const std::vector<std::string>* ids) {
  if (!ids) return;
  if (ids->size() != net.n_nodes())
    throw std::invalid_argument(fmt::format("writing '{}': {} ids for a network of {} nodes",
                                            path.string(), ids->size(), net.n_nodes()));
  if (const std::string problem = ids_problem(*ids); !problem.empty())
    throw UserError(fmt::format("cannot write '{}': {}", path.string(), problem));
}

// ---------------------------------------------------------------------------------------------
// Reading edge lists

// Edges as (follower << 32 | followee) in provisional numbers, in blocks of a fixed size so that
// memory grows without the copy (and the doubled peak) of a growing std::vector.
class EdgeBlocks {
 public:
  static constexpr std::size_t kBlock = std::size_t{1} << 20;

  void push(std::uint32_t follower, std::uint32_t followee) {
    if (blocks_.empty() || blocks_.back().size() == kBlock) {
      blocks_.emplace_back();
      blocks_.back().reserve(kBlock);
    }
    blocks_.back().push_back((std::uint64_t{follower} << 32) | followee);
  }
  std::vector<std::vector<std::uint64_t>>& blocks() { return blocks_; }

 private:
  std::vector<std::vector<std::uint64_t>> blocks_;
};

// A streaming parser: bytes go in block by block, in any split; a token or a comment may span
// blocks. Complete lines wait in a small batch for their ids to be looked up (resolve_lines).
class EdgeListParser {
 public:
  EdgeListParser(const fs::path& path, const std::vector<std::string>& account_ids,
                 EdgeDirection direction, std::uint64_t max_nodes)
      : path_(path.string()),
        swap_(direction == EdgeDirection::dst_follows_src),
        max_nodes_(max_nodes),
        n_accounts_(account_ids.size()),
        account_seen_(account_ids.size(), false) {
    // Accounts take the first provisional numbers, 0 .. n_accounts - 1; they are moved after the
    // citizens at the end.
    if (account_ids.size() > max_nodes_)
      throw UserError(fmt::format("{} account ids, more than the {} nodes civsim can index",
                                  account_ids.size(), max_nodes_));
    for (const auto& id : account_ids) {
      if (const std::string problem = id_problem(id); !problem.empty())
        throw UserError(fmt::format("the account id \"{}\" {}, so no edge list can hold it",
                                    shown(id), problem));
      bool inserted = false;
      ids_.find_or_insert(id, max_nodes_, inserted);
      if (!inserted)
        throw UserError(fmt::format("the account id \"{}\" is listed twice", shown(id)));
    }
  }

  void feed(const char* p, const char* end) {
    if (p == end) return;
    saw_bytes_ = true;
    last_byte_ = end[-1];
    while (p < end) {
      if (in_token_) {  // the rest of a token that began in an earlier block
        const char* q = scan_id(p, end);
        partial_.append(p, q);
        if (partial_.size() > kMaxIdBytes) fail_long_id();
        p = q;
        if (p == end) return;
        in_token_ = false;
        take_token(partial_);
        continue;
      }
      if (in_comment_) {
        const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
        if (!nl) return;
        p = static_cast<const char*>(nl);
        in_comment_ = false;
      }
      const auto c = static_cast<unsigned char>(*p);
      if (c == '\n') {
        end_line();
        ++line_;
        ++p;
      } else if (is_space(c)) {
        ++p;
      } else if (c == '#') {
        in_comment_ = true;
        ++p;
      } else if (!is_id_byte(c)) {
        fail(fmt::format(
            "unexpected control byte 0x{:02x} (expected text lines \"src dst\"; is this a binary "
            "or UTF-16 file?)",
            c));
      } else {
        const char* q = scan_id(p, end);
        if (q == end) {
          partial_.assign(p, q);
          if (partial_.size() > kMaxIdBytes) fail_long_id();
          in_token_ = true;
          return;
        }
        take_token(std::string_view(p, static_cast<std::size_t>(q - p)));
        p = q;
      }
    }
  }

  ImportedNetwork finish() {
    if (in_token_) {
      in_token_ = false;
      take_token(partial_);
    }
    end_line();
    resolve_lines();
    ImportedNetwork out;
    out.lines = line_ - (saw_bytes_ && last_byte_ != '\n' ? 0 : 1);
    out.edges_read = edges_read_;
    out.self_loops_dropped = self_loops_;
    if (edges_read_ == 0)
      throw UserError(fmt::format(
          "{}: no edges (expected lines \"src dst\"; the file is empty or holds only comments "
          "and blank lines)",
          path_));
    for (std::size_t a = 0; a < n_accounts_; ++a)
      if (!account_seen_[a])
        throw UserError(fmt::format("{}: the account id \"{}\" does not appear in the file", path_,
                                    ids_.token(a)));
    build(out);
    return out;
  }

 private:
  static const char* scan_id(const char* p, const char* end) {
    while (p < end && is_id_byte(static_cast<unsigned char>(*p))) ++p;
    return p;
  }

  // Reports a problem on the current line, after the complete lines before it (whose lookups may
  // fail first: errors come in file order).
  [[noreturn]] void fail(const std::string& what) {
    resolve_lines();
    throw UserError(fmt::format("{}:{}: {}", path_, line_, what));
  }
  [[noreturn]] void fail_long_id() {
    fail(fmt::format(
        "an id longer than {} bytes (expected two short ids \"src dst\"; is this a binary file?)",
        kMaxIdBytes));
  }

  // Reading happens in two stages. The first (feed, take_token, end_line) checks the syntax and
  // copies each complete line's two ids into a batch; the second (resolve_lines) maps the ids of
  // a batch to numbers, prefetching the table slots of ids a few places ahead: the table is far
  // larger than the caches, and a lookup is a cache miss that the prefetch overlaps with others.
  void take_token(std::string_view token) {
    if (column_ == 2)
      fail(fmt::format(
          "expected two columns \"src dst\", found a third (\"{}\"); drop weights or other "
          "columns first, e.g. with awk '{{print $1, $2}}'",
          shown(token)));
    if (token.size() > kMaxIdBytes) fail_long_id();
    if (column_ == 0) line_start_ = static_cast<std::uint32_t>(batch_text_.size());
    batch_text_.append(token);
    lengths_[column_++] = static_cast<std::uint16_t>(token.size());
  }

  void end_line() {
    if (column_ == 1)
      fail(fmt::format("expected two columns \"src dst\", found one (\"{}\")",
                       shown(std::string_view(batch_text_).substr(line_start_, lengths_[0]))));
    if (std::exchange(column_, 0) == 2) {
      ++edges_read_;
      batch_.push_back({line_, line_start_, {lengths_[0], lengths_[1]}});
      if (batch_.size() == kBatchLines) resolve_lines();
    }
  }

  void resolve_lines() {
    const std::size_t n = 2 * batch_.size();
    keys_.resize(n);
    tokens_.resize(n);
    for (std::size_t i = 0; i < batch_.size(); ++i) {
      const PendingLine& l = batch_[i];
      tokens_[2 * i] = std::string_view(batch_text_).substr(l.start, l.length[0]);
      tokens_[2 * i + 1] = std::string_view(batch_text_).substr(l.start + l.length[0], l.length[1]);
    }
    for (std::size_t t = 0; t < n; ++t) keys_[t] = IdTable::key(tokens_[t]);
    constexpr std::size_t kAhead = 16;
    for (std::size_t t = 0; t < std::min(n, kAhead); ++t) ids_.prefetch(keys_[t]);
    std::uint32_t pair[2] = {0, 0};
    for (std::size_t t = 0; t < n; ++t) {
      if (t + kAhead < n) ids_.prefetch(keys_[t + kAhead]);
      const std::uint64_t line = batch_[t / 2].line;
      bool inserted = false;
      const std::uint32_t id = ids_.find_or_insert(tokens_[t], keys_[t], max_nodes_, inserted);
      if (id == IdTable::kNone)
        throw UserError(fmt::format("{}:{}: more than {} distinct ids, the most civsim can index",
                                    path_, line, max_nodes_));
      if (inserted && !valid_utf8(tokens_[t]))
        throw UserError(fmt::format(
            "{}:{}: the id \"{}\" is not valid UTF-8 (expected text; is this a binary file?)",
            path_, line, shown(tokens_[t])));
      if (id < n_accounts_) account_seen_[id] = true;
      pair[t % 2] = id;
      if (t % 2 == 0) continue;
      if (pair[0] == pair[1]) {
        ++self_loops_;
      } else if (swap_) {
        edges_.push(pair[1], pair[0]);
      } else {
        edges_.push(pair[0], pair[1]);
      }
    }
    batch_.clear();
    // Keep the bytes of the line being read, whose first id may already be here.
    if (column_ > 0) {
      batch_text_.erase(0, line_start_);
      line_start_ = 0;
    } else {
      batch_text_.clear();
    }
  }

  // Provisional numbers -> nodes (citizens in order of first appearance, then the accounts);
  // edges -> follower lists by a counting sort on the followee, then each list sorted and
  // deduplicated in place. Peak memory: 12 bytes per edge.
  void build(ImportedNetwork& out) {
    ids_.drop_index();
    const std::uint64_t n = ids_.size();
    const std::uint64_t k = n_accounts_;
    const auto nc = static_cast<std::uint32_t>(n - k);
    const auto node = [&](std::uint32_t p) -> NodeId {
      return p < k ? static_cast<NodeId>(nc + p) : static_cast<NodeId>(p - k);
    };

    auto& blocks = edges_.blocks();
    std::vector<std::uint64_t> offsets(n + 1, 0);
    std::uint64_t m = 0;
    for (const auto& b : blocks) {
      m += b.size();
      for (std::uint64_t e : b) ++offsets[node(static_cast<std::uint32_t>(e)) + 1];
    }
    for (std::uint64_t v = 0; v < n; ++v) offsets[v + 1] += offsets[v];
    std::vector<NodeId> followers(m);
    {
      std::vector<std::uint64_t> cursor(offsets.begin(), offsets.end() - 1);
      for (auto& b : blocks) {
        for (std::uint64_t e : b)
          followers[cursor[node(static_cast<std::uint32_t>(e))]++] =
              node(static_cast<std::uint32_t>(e >> 32));
        std::vector<std::uint64_t>().swap(b);
      }
      blocks.clear();
    }

    std::vector<std::uint64_t> kept(n, 0);
    std::uint64_t duplicates = 0;
#pragma omp parallel for schedule(dynamic, 4096) reduction(+ : duplicates)
    for (std::int64_t vi = 0; vi < static_cast<std::int64_t>(n); ++vi) {
      const auto v = static_cast<std::size_t>(vi);
      const auto first = followers.begin() + static_cast<std::ptrdiff_t>(offsets[v]);
      const auto last = followers.begin() + static_cast<std::ptrdiff_t>(offsets[v + 1]);
      if (!std::is_sorted(first, last)) std::sort(first, last);
      kept[v] = static_cast<std::uint64_t>(std::unique(first, last) - first);
      duplicates += offsets[v + 1] - offsets[v] - kept[v];
    }
    if (duplicates > 0) {
      std::uint64_t write = 0;
      for (std::uint64_t v = 0; v < n; ++v) {
        const std::uint64_t begin = offsets[v];
        std::copy(followers.begin() + static_cast<std::ptrdiff_t>(begin),
                  followers.begin() + static_cast<std::ptrdiff_t>(begin + kept[v]),
                  followers.begin() + static_cast<std::ptrdiff_t>(write));
        offsets[v] = write;
        write += kept[v];
      }
      offsets[n] = write;
      followers.resize(write);
      // Give memory back only when it is worth a copy.
      if (duplicates > m / 4) followers.shrink_to_fit();
    }
    std::vector<std::uint64_t>().swap(kept);
    out.duplicates_dropped = duplicates;
    out.network = Network(nc, std::move(offsets), std::move(followers));

    out.ids.resize(n);
    for (std::uint64_t p = 0; p < n; ++p)
      out.ids[node(static_cast<std::uint32_t>(p))] = ids_.token(p);
  }

  std::string path_;
  bool swap_;
  std::uint64_t max_nodes_;
  std::uint64_t n_accounts_;
  std::vector<bool> account_seen_;
  IdTable ids_;
  EdgeBlocks edges_;

  std::uint64_t line_ = 1;  // the line being read, from 1
  std::uint64_t edges_read_ = 0, self_loops_ = 0;
  int column_ = 0;                // ids read on this line so far
  std::uint32_t line_start_ = 0;  // where the line's ids begin in batch_text_
  std::uint16_t lengths_[2] = {0, 0};

  static constexpr std::size_t kBatchLines = 4096;
  struct PendingLine {
    std::uint64_t line;
    std::uint32_t start;  // in batch_text_: the two ids back to back
    std::uint16_t length[2];
  };
  std::vector<PendingLine> batch_;
  std::string batch_text_;
  std::vector<IdTable::Key> keys_;
  std::vector<std::string_view> tokens_;
  bool in_comment_ = false, in_token_ = false;
  bool saw_bytes_ = false;
  char last_byte_ = '\n';
  std::string partial_;  // a token cut by the end of a block
};

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

// ---------------------------------------------------------------------------------------------
// Writing

// Buffered output to a FILE that reports the first error with the file's name.
class TextOut {
 public:
  TextOut(const fs::path& tmp, const fs::path& shown_as) : name_(shown_as.string()) {
    file_.reset(std::fopen(tmp.c_str(), "wb"));
    if (!file_) throw UserError(fmt::format("cannot create '{}': {}", name_, std::strerror(errno)));
    buffer_.reserve(kBlockBytes + 2 * kMaxIdBytes + 16);
  }
  void put(std::string_view s) { buffer_.append(s); }
  void put(char c) { buffer_.push_back(c); }
  void end_line() {
    buffer_.push_back('\n');
    if (buffer_.size() >= kBlockBytes) flush();
  }
  void put_number(std::uint64_t x) {
    char digits[24];
    const auto r = std::to_chars(digits, digits + sizeof digits, x);
    buffer_.append(digits, r.ptr);
  }
  void flush() {
    if (!buffer_.empty() &&
        std::fwrite(buffer_.data(), 1, buffer_.size(), file_.get()) != buffer_.size())
      fail();
    buffer_.clear();
  }
  void close() {
    flush();
    if (std::fclose(file_.release()) != 0) fail();
  }

 private:
  [[noreturn]] void fail() const {
    throw UserError(fmt::format("cannot write '{}': {}", name_, std::strerror(errno)));
  }
  std::string name_;
  File file_;
  std::string buffer_;
};

}  // namespace

namespace detail {

ImportedNetwork read_edge_list(const fs::path& path, const std::vector<std::string>& account_ids,
                               EdgeDirection direction, const EdgeListLimits& limits) {
  std::error_code ec;
  if (fs::is_directory(path, ec))
    throw UserError(
        fmt::format("cannot read '{}': it is a folder, not an edge list", path.string()));
  File file(std::fopen(path.c_str(), "rb"));
  if (!file)
    throw UserError(fmt::format("cannot open '{}': {}", path.string(), std::strerror(errno)));
  const auto read = [&](char* into, std::size_t bytes) {
    const std::size_t got = std::fread(into, 1, bytes, file.get());
    if (got < bytes && std::ferror(file.get()))
      throw UserError(fmt::format("cannot read '{}': {}", path.string(), std::strerror(errno)));
    return got;
  };
  EdgeListParser parser(path, account_ids, direction, std::min(limits.max_nodes, kMaxNodes));
  // A UTF-8 byte-order mark (as some Windows tools write) is not part of the first id.
  char head[3];
  const std::size_t head_bytes = read(head, 3);
  if (head_bytes < 3 || std::memcmp(head, "\xef\xbb\xbf", 3) != 0)
    parser.feed(head, head + head_bytes);
  const std::size_t block_bytes = std::max<std::size_t>(limits.block_bytes, 1);
  std::unique_ptr<char[]> block(new char[block_bytes]);
  for (std::size_t got = block_bytes; got == block_bytes;) {
    got = read(block.get(), block_bytes);
    parser.feed(block.get(), block.get() + got);
  }
  return parser.finish();
}

}  // namespace detail

ImportedNetwork read_edge_list(const fs::path& path, const std::vector<std::string>& account_ids,
                               EdgeDirection direction) {
  return detail::read_edge_list(path, account_ids, direction, {});
}

void write_edge_list(const fs::path& path, const Network& net, const std::vector<std::string>* ids,
                     bool force) {
  check_ids_for_writing(path, net, ids);
  AtomicOutput output(path, force);
  TextOut out(output.temp(), path);
  const NodeId n = net.n_nodes();
  const auto put_node = [&](NodeId v) {
    if (ids)
      out.put((*ids)[v]);
    else
      out.put_number(v);
  };
  out.put(
      fmt::format("# civsim follower network, edge list\n"
                  "# each line \"src dst\" means: src follows dst (messages flow dst -> src)\n"
                  "# nodes {} (citizens {}, accounts {}), edges {}\n"
                  "# accounts:",
                  n, net.n_citizens(), n - net.n_citizens(), net.n_edges()));
  for (NodeId v = net.n_citizens(); v < n; ++v) {
    out.put(' ');
    put_node(v);
  }
  out.end_line();
  for (NodeId v = 0; v < n; ++v) {
    for (NodeId u : net.followers(v)) {
      put_node(u);
      out.put(' ');
      put_node(v);
      out.end_line();
    }
  }
  out.close();
  output.commit();
}

void write_network_h5(const fs::path& path, const Network& net, const std::vector<std::string>* ids,
                      bool force) {
  check_ids_for_writing(path, net, ids);
  AtomicOutput output(path, force);
  // National-scale networks are gigabytes: write through HDF5 rather than doubling them in RAM.
  h5::Writer w(output.temp(), h5::Writer::Backing::disk);
  w.attribute("/", "filetype", std::string(kNetworkFileType));
  w.attribute("/", "format_version",
              fmt::format("{}.{}", kNetworkFormatMajor, kNetworkFormatMinor));
  w.attribute("/", "n_citizens", static_cast<std::int64_t>(net.n_citizens()));
  w.attribute("/", "n_accounts", static_cast<std::int64_t>(net.n_nodes() - net.n_citizens()));
  w.dataset("/offsets", std::span<const std::uint64_t>(net.offsets()));
  w.attribute("/offsets", "description",
              std::string("followers of node v are followers[offsets[v] .. offsets[v+1])"));
  w.dataset("/followers", std::span<const std::uint32_t>(net.follower_array()));
  w.attribute("/followers", "description",
              std::string("follower lists, each sorted ascending: u in the list of v means u "
                          "follows v"));
  if (ids) {
    w.string_dataset("/ids", *ids);
    w.attribute("/ids", "description", std::string("original id of each node"));
  }
  w.close();
  output.commit();
}

ImportedNetwork read_network_h5(const fs::path& path) {
  const std::string file = path.string();
  h5::Reader r(path);
  const auto names = r.attribute_names("/");
  const auto has = [&](const char* name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  const auto text = [&](const char* name) -> std::string {
    if (!has(name)) return {};
    const auto a = r.attribute("/", name);
    const auto* s = std::get_if<std::string>(&a);
    return s ? *s : std::string();
  };
  if (text("filetype") != kNetworkFileType)
    throw UserError(fmt::format("'{}' is not a civsim network file (no filetype = \"{}\")", file,
                                kNetworkFileType));
  const std::string version = text("format_version");
  if (version.substr(0, version.find('.')) != std::to_string(kNetworkFormatMajor))
    throw UserError(
        fmt::format("'{}' has network-file format version '{}'; this civsim reads major version {}",
                    file, version, kNetworkFormatMajor));
  const auto count = [&](const char* name) -> std::uint64_t {
    if (has(name)) {
      const auto a = r.attribute("/", name);
      if (const auto* i = std::get_if<std::int64_t>(&a); i && *i >= 0)
        return static_cast<std::uint64_t>(*i);
    }
    throw UserError(fmt::format(
        "'{}': the root attribute '{}' is missing or not a non-negative integer", file, name));
  };
  const std::uint64_t n_citizens = count("n_citizens");
  const std::uint64_t n_accounts = count("n_accounts");
  for (const char* name : {"/offsets", "/followers"})
    if (!r.exists(name))
      throw UserError(fmt::format("'{}': the dataset {} is missing", file, name));

  // Lengths are checked before anything is read, so a file that declares a huge dataset is an
  // error rather than a huge allocation. (The reader turns HDF5 failures into UserErrors.)
  ImportedNetwork out;
  const std::uint64_t n = n_citizens + n_accounts;
  const std::uint64_t n_offsets = r.length("/offsets");
  if (n_citizens > kMaxNodes || n > kMaxNodes || n_offsets != n + 1)
    throw UserError(fmt::format(
        "'{}': /offsets has {} entries; n_citizens + n_accounts + 1 = {} expected (at most {} "
        "nodes)",
        file, n_offsets, n + 1, kMaxNodes));
  if (r.exists("/ids") && r.length("/ids") != n)
    throw UserError(fmt::format("'{}': /ids has {} entries, one per node ({}) expected", file,
                                r.length("/ids"), n));
  std::vector<std::uint64_t> offsets = r.read_uint64("/offsets");
  const std::uint64_t n_followers = r.length("/followers");
  if (n_followers != offsets.back())
    throw UserError(
        fmt::format("'{}' does not hold a valid network: /followers has {} entries, /offsets "
                    "ends at {}",
                    file, n_followers, offsets.back()));
  std::vector<NodeId> followers = r.read_uint32("/followers");
  if (r.exists("/ids")) out.ids = r.read_strings("/ids");
  try {
    out.network =
        Network(static_cast<std::uint32_t>(n_citizens), std::move(offsets), std::move(followers));
  } catch (const std::invalid_argument& e) {
    throw UserError(fmt::format("'{}' does not hold a valid network: {}", file, e.what()));
  }
  if (const std::string problem = ids_problem(out.ids); !problem.empty())
    throw UserError(fmt::format("'{}': /ids: {}", file, problem));
  out.edges_read = out.network.n_edges();
  return out;
}

Network build_network(Scenario& scenario) {
  if (scenario.network.generator != NetworkGenerator::edge_list) {
    require_memory(estimate_network_bytes(scenario),
                   fmt::format("the network of scenario '{}'", scenario.name));
    return generate_network(scenario);
  }
  std::vector<std::string> account_ids;
  for (const auto& acc : scenario.accounts) account_ids.push_back(acc.id);
  const std::filesystem::path file = scenario.network.file;
  ImportedNetwork imported;
  if (scenario.network.format == EdgeFileFormat::text) {
    imported = read_edge_list(file, account_ids, scenario.network.direction);
  } else {
    imported = read_network_h5(file);
    const std::size_t in_file = imported.network.n_nodes() - imported.network.n_citizens();
    if (in_file != account_ids.size())
      throw UserError(fmt::format("{}: holds {} institutional account(s), the scenario names {}",
                                  file.string(), in_file, account_ids.size()));
    for (std::size_t a = 0; a < account_ids.size() && !imported.ids.empty(); ++a) {
      const std::string& id = imported.ids[imported.network.n_citizens() + a];
      if (id != account_ids[a])
        throw UserError(fmt::format("{}: account {} has id \"{}\", the scenario says \"{}\"",
                                    file.string(), a, id, account_ids[a]));
    }
  }
  scenario.population = imported.network.n_citizens();
  return std::move(imported.network);
}

}  // namespace civsim::io
