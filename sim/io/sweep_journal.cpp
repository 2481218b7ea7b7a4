#include "io/sweep_journal.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "io/errors.hpp"

namespace civsim::io {
namespace {

constexpr char kMagic[8] = {'C', 'I', 'V', 'S', 'W', 'J', '0', '1'};
constexpr std::uint32_t kRecordMagic = 0x31525552;  // "RUR1"

std::uint64_t checksum(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string header_text(const JournalHeader& h) {
  return fmt::format("fingerprint={}\ngit_sha={}\nshard={}/{}\n", h.fingerprint, h.git_sha,
                     h.shard_index, h.shard_count);
}

template <class T>
void put(std::string& out, const T& x) {
  out.append(reinterpret_cast<const char*>(&x), sizeof x);
}

template <class T>
bool get(const std::string& in, std::size_t& pos, T& x) {
  if (in.size() - pos < sizeof x) return false;
  std::memcpy(&x, in.data() + pos, sizeof x);
  pos += sizeof x;
  return true;
}

// Parses a whole journal: header, records, and where the valid part ends.
struct Parsed {
  JournalHeader header;
  std::vector<RunRecord> records;
  std::size_t valid_end = 0;
};

Parsed parse(const std::string& bytes, const std::string& name) {
  Parsed p;
  std::size_t pos = 0;
  const auto bad = [&](const std::string& why) {
    return UserError(
        fmt::format("'{}' is not a civsim sweep journal ({}); remove it, or run "
                    "again with --force to start the sweep over",
                    name, why));
  };
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    throw bad("wrong magic bytes");
  pos = sizeof kMagic;
  std::uint32_t len = 0;
  std::uint64_t sum = 0;
  if (!get(bytes, pos, len) || !get(bytes, pos, sum) || bytes.size() - pos < len)
    throw bad("truncated header");
  const std::string text = bytes.substr(pos, len);
  if (checksum(text) != sum) throw bad("damaged header");
  pos += len;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string k = line.substr(0, eq), v = line.substr(eq + 1);
    if (k == "fingerprint") p.header.fingerprint = v;
    if (k == "git_sha") p.header.git_sha = v;
    if (k == "shard") {
      const auto slash = v.find('/');
      p.header.shard_index = static_cast<std::uint32_t>(std::stoul(v.substr(0, slash)));
      p.header.shard_count = static_cast<std::uint32_t>(std::stoul(v.substr(slash + 1)));
    }
  }
  p.valid_end = pos;
  // Records until the end or the first torn one: a kill during a write leaves at most the last
  // record incomplete, and everything before it is whole.
  while (pos < bytes.size()) {
    std::size_t at = pos;
    std::uint32_t magic = 0, size = 0;
    if (!get(bytes, at, magic) || magic != kRecordMagic || !get(bytes, at, size) ||
        !get(bytes, at, sum) || bytes.size() - at < size)
      break;
    const std::string_view payload(bytes.data() + at, size);
    if (checksum(payload) != sum) break;
    try {
      p.records.push_back(decode(payload));
    } catch (const std::exception&) {
      break;
    }
    pos = at + size;
    p.valid_end = pos;
  }
  return p;
}

// One read of the whole file into a string of its size (a sweep's journal is tens of MB; reading
// it through stream iterators took most of the assembly time).
std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw UserError(fmt::format("cannot read '{}'", path.string()));
  std::string bytes(static_cast<std::size_t>(in.tellg()), '\0');
  in.seekg(0);
  if (!in.read(bytes.data(), static_cast<std::streamsize>(bytes.size())))
    throw UserError(fmt::format("cannot read '{}'", path.string()));
  return bytes;
}

void write_all(int fd, std::string_view bytes, const std::string& name) {
  for (std::size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      throw UserError(fmt::format("cannot write '{}': {}{}", name, std::strerror(errno),
                                  errno == ENOSPC ? " (the disk is full)" : ""));
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

Journal::Journal(const std::filesystem::path& path, const JournalHeader& header, bool resume)
    : path_(path) {
  const std::string name = path.string();
  std::error_code ec;
  const bool exists = std::filesystem::exists(path, ec);
  if (exists && !resume)
    throw UserError(fmt::format(
        "'{}' holds the runs of an unfinished sweep: add --resume to continue it, or --force to "
        "start over",
        name));
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw UserError(fmt::format("cannot open '{}': {}", name, std::strerror(errno)));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    fd_ = -1;
    throw UserError(
        fmt::format("'{}' is in use by another civsim process (same output file)", name));
  }
  try {
    read_or_start(header);
  } catch (...) {
    ::close(fd_);  // and with it the lock: the destructor does not run for a failed constructor
    fd_ = -1;
    throw;
  }
  last_sync_ = now_seconds();
}

void Journal::read_or_start(const JournalHeader& header) {
  const std::string name = path_.string();
  struct stat st {};
  ::fstat(fd_, &st);
  if (st.st_size > 0) {
    Parsed p = parse(slurp(path_), name);
    if (p.header.fingerprint != header.fingerprint)
      throw UserError(fmt::format(
          "'{}' belongs to a different sweep (the sweep file, the base scenario, --set or "
          "--until-ci changed since it was started); run with --force to start over",
          name));
    if (p.header.git_sha != header.git_sha)
      throw UserError(fmt::format(
          "'{}' was started by civsim built from git {} and this is {}: results could differ, so "
          "finish it with that build, or run with --force to start over",
          name, p.header.git_sha, header.git_sha));
    if (p.header.shard_index != header.shard_index || p.header.shard_count != header.shard_count)
      throw UserError(fmt::format("'{}' is the journal of shard {}/{}, not {}/{}", name,
                                  p.header.shard_index, p.header.shard_count, header.shard_index,
                                  header.shard_count));
    records_ = std::move(p.records);
    dropped_ = static_cast<std::size_t>(st.st_size) - p.valid_end;
    if (dropped_ > 0 && ::ftruncate(fd_, static_cast<off_t>(p.valid_end)) != 0)
      throw UserError(fmt::format("cannot repair '{}': {}", name, std::strerror(errno)));
    ::lseek(fd_, 0, SEEK_END);
  } else {
    std::string out(kMagic, sizeof kMagic);
    const std::string text = header_text(header);
    put(out, static_cast<std::uint32_t>(text.size()));
    put(out, checksum(text));
    out += text;
    write_all(fd_, out, name);
    ::fsync(fd_);
  }
}

Journal::~Journal() {
  if (fd_ >= 0) {
    ::fsync(fd_);
    ::close(fd_);
  }
}

void Journal::append(const RunRecord& record) {
  const std::string payload = encode(record);
  std::string out;
  out.reserve(payload.size() + 16);
  put(out, kRecordMagic);
  put(out, static_cast<std::uint32_t>(payload.size()));
  put(out, checksum(payload));
  out += payload;
  write_all(fd_, out, path_.string());  // one write: a kill leaves it whole or torn at the end
  records_.push_back(record);
  if (now_seconds() - last_sync_ >= 10.0) sync();
}

void Journal::sync() {
  ::fsync(fd_);
  last_sync_ = now_seconds();
}

std::vector<RunRecord> read_journal(const std::filesystem::path& path, JournalHeader* header) {
  Parsed p = parse(slurp(path), path.string());
  if (header) *header = p.header;
  return std::move(p.records);
}

}  // namespace civsim::io
