#include "core/key_outcomes.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace civsim {
namespace {

const SeriesSpec& spec_of(Series s) {
  return kSeries[series_index(s)];
}

std::string describe(const KeyOutcome& k) {
  const std::string what = spec_of(k.series).name;
  switch (k.reduction) {
    case Reduction::final:
      return what + " at the last step";
    case Reduction::peak:
      return "largest " + what + " over the run";
    case Reduction::total:
      return what + " summed over the run";
  }
  return what;
}

}  // namespace

double reduce(const std::vector<StepRecord>& records, Series series, Reduction reduction) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  if (records.empty()) return nan;
  if (reduction == Reduction::final) return records.back()[series];
  double out = nan;
  for (const auto& r : records) {
    const double x = r[series];
    if (std::isnan(x)) continue;
    if (std::isnan(out))
      out = x;
    else
      out = reduction == Reduction::peak ? std::max(out, x) : out + x;
  }
  return out;
}

std::vector<RunScalar> run_scalars(const std::vector<StepRecord>& records,
                                   const RunSummary& summary) {
  std::vector<RunScalar> out;
  std::vector<bool> used(summary.scalars.size(), false);
  for (const auto& k : kKeyOutcomes) {
    const auto it = std::find_if(summary.scalars.begin(), summary.scalars.end(),
                                 [&](const SummaryValue& v) { return v.name == k.name; });
    if (it != summary.scalars.end()) {
      used[static_cast<std::size_t>(it - summary.scalars.begin())] = true;
      out.push_back({*it, true});
    } else {
      out.push_back(
          {{k.name, reduce(records, k.series, k.reduction), spec_of(k.series).units, describe(k)},
           true});
    }
  }
  for (std::size_t i = 0; i < summary.scalars.size(); ++i)
    if (!used[i]) out.push_back({summary.scalars[i], false});
  return out;
}

}  // namespace civsim
