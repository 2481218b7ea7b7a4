#pragma once
// Small helpers shared by the benchmarks: timing (median and best of repeats), the machine's load
// average and how much a second thread gives right now, peak resident memory and a minimal JSON
// writer. Benchmarks print numbers; they never fail on timing.
#include <fmt/format.h>
#include <omp.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "core/rng.hpp"

namespace civsim::bench {

struct Timing {
  double median = 0, best = 0;
  int repeats = 0;
};

// Median and best of measured seconds.
inline Timing summarize(std::vector<double> t) {
  if (t.empty()) return {};
  std::sort(t.begin(), t.end());
  const std::size_t m = t.size();
  const double median = m % 2 ? t[m / 2] : 0.5 * (t[m / 2 - 1] + t[m / 2]);
  return {median, t.front(), static_cast<int>(m)};
}

// Runs f `repeats` times; f may return void. Median and best wall-clock seconds.
template <class F>
Timing time_repeats(int repeats, F&& f) {
  std::vector<double> t;
  for (int i = 0; i < std::max(1, repeats); ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return summarize(std::move(t));
}

// The 1-minute load average (Linux): a shared machine's tables say how busy it was.
inline std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string first;
  if (!(in >> first)) return "unknown";
  return first;
}

// What `threads` threads give a perfectly parallel loop right now: the speed-up over one thread
// of a loop of Philox draws that shares nothing (best of 3 interleaved timings each): the bound
// for a model's speed-up on this machine at this moment (a shared VM).
inline double parallel_gauge(int threads) {
  const auto loop = [] {
    constexpr std::int64_t kDraws = 4'000'000;
    std::uint64_t acc = 0;
#pragma omp parallel for schedule(static) reduction(^ : acc)
    for (std::int64_t i = 0; i < kDraws; ++i)
      acc ^= random_words({7, 0, Purpose::reshare, 0, static_cast<std::uint64_t>(i), 0})[0];
    return acc;
  };
  const int before = omp_get_max_threads();
  double best[2] = {1e300, 1e300};
  std::uint64_t sink = 0;
  for (int r = 0; r < 3; ++r)
    for (int k = 0; k < 2; ++k) {
      omp_set_num_threads(k == 0 ? 1 : threads);
      const auto t0 = std::chrono::steady_clock::now();
      sink ^= loop();
      best[k] = std::min(
          best[k], std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
  omp_set_num_threads(before);
  return sink == 1 ? 0.0 : best[0] / best[1];  // (sink keeps the loop)
}

// Peak resident set size of this process so far, in bytes.
inline double peak_rss_bytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) * 1024.0;
}

// Flat JSON: {"benchmark": ..., "rows": [{key: value, ...}, ...], ...}. Values are numbers or
// strings; enough for scripts/bench to collect the tables.
class Json {
 public:
  using Field = std::pair<std::string, std::string>;  // key, JSON-encoded value
  static std::string str(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out + "\"";
  }
  static std::string num(double x) {
    if (!(x == x) || x > 1e308 || x < -1e308) return "null";
    return fmt::format("{:.6g}", x);
  }
  void meta(const std::string& key, const std::string& encoded) {
    meta_.emplace_back(key, encoded);
  }
  void row(std::vector<Field> fields) { rows_.push_back(std::move(fields)); }
  bool write(const std::string& path) const {
    if (path.empty()) return true;
    std::ofstream out(path);
    out << "{\n";
    for (const auto& [k, v] : meta_) out << "  " << str(k) << ": " << v << ",\n";
    out << "  \"rows\": [\n";
    for (std::size_t i = 0; i < rows_.size(); ++i) {
      out << "    {";
      for (std::size_t j = 0; j < rows_[i].size(); ++j)
        out << (j ? ", " : "") << str(rows_[i][j].first) << ": " << rows_[i][j].second;
      out << "}" << (i + 1 < rows_.size() ? "," : "") << "\n";
    }
    out << "  ]\n}\n";
    return static_cast<bool>(out);
  }

 private:
  std::vector<Field> meta_;
  std::vector<std::vector<Field>> rows_;
};

}  // namespace civsim::bench
