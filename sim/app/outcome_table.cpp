#include "app/outcome_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace civsim::app {
namespace {

std::string plus_minus(const Interval& i, std::size_t replicates) {
  std::string out = format_number(i.mean) + " ± " + format_number((i.ci_high - i.ci_low) / 2);
  if (static_cast<std::size_t>(i.n) < replicates) out += fmt::format(" (n={})", i.n);
  return out;
}

bool excludes_zero(const Interval& i) {
  return i.ci_low > 0 || i.ci_high < 0;  // false for NaN bounds
}

}  // namespace

std::string format_number(double x) {
  if (std::isnan(x)) return "n/a";
  if (x == 0) return "0";
  const double a = std::abs(x);
  if (a >= 1e7 || a < 1e-3) return fmt::format("{:.4g}", x);
  if (x == std::round(x)) return fmt::format("{:.0f}", x);
  const int decimals = std::clamp(3 - static_cast<int>(std::floor(std::log10(a))), 0, 4);
  return fmt::format("{:.{}f}", x, decimals);
}

std::string format_outcome_table(const OutcomeTable& t) {
  if (t.arms.empty()) return "";
  const std::string& reference = t.arms.front();
  std::vector<std::array<std::string, 4>> lines;  // outcome, arm, mean ± CI, difference ± CI
  bool any_significant = false;
  for (const auto& row : t.rows)
    for (std::size_t a = 0; a < t.arms.size(); ++a) {
      std::string diff = "(reference)";
      if (a > 0) {
        diff = plus_minus(row.diff[a], t.replicates);
        if (excludes_zero(row.diff[a])) diff += " *", any_significant = true;
      }
      lines.push_back({a == 0 ? fmt::format("{} [{}]", row.name, row.units) : "", t.arms[a],
                       plus_minus(row.by_arm[a], t.replicates), diff});
    }
  std::array<std::string, 4> header = {"outcome [units]", "arm", "mean ± 95% CI",
                                       "difference vs " + reference + " ± 95% CI"};
  std::array<std::size_t, 4> width{};
  const auto columns = [](const std::string& s) {  // "±" is one column, two bytes
    std::size_t n = 0;
    for (const unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  };
  for (std::size_t c = 0; c < 4; ++c) width[c] = columns(header[c]);
  for (const auto& l : lines)
    for (std::size_t c = 0; c < 4; ++c) width[c] = std::max(width[c], columns(l[c]));
  const auto print = [&](const std::array<std::string, 4>& l) {
    std::string out = " ";
    for (std::size_t c = 0; c < 4; ++c) {
      out += " " + l[c];
      if (c < 3) out += std::string(width[c] - columns(l[c]) + 1, ' ');
    }
    return out + "\n";
  };
  std::string out = fmt::format(
      "key outcomes: mean ± half-width of the 95% CI over {} replicate{}; differences vs {} "
      "paired by replicate (common random numbers)\n\n",
      t.replicates, t.replicates == 1 ? "" : "s", reference);
  out += print(header);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0 && !lines[i][0].empty()) out += "\n";
    out += print(lines[i]);
  }
  if (any_significant) out += "\n  * the 95% CI of the difference excludes 0\n";
  if (t.replicates < 2)
    out += "\n  (one replicate: no confidence intervals; use --replicates 2 or more)\n";
  return out;
}

}  // namespace civsim::app
