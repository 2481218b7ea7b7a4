#include "core/outcomes.hpp"

namespace civsim {

std::vector<double> SeriesRecorder::column(Series s) const {
  std::vector<double> out;
  out.reserve(records_.size());
  for (const auto& r : records_) out.push_back(r[s]);
  return out;
}

std::vector<double> SeriesRecorder::region_column(std::size_t k, std::size_t r,
                                                  std::size_t n_regions) const {
  std::vector<double> out;
  out.reserve(records_.size());
  for (const auto& rec : records_) out.push_back(rec.by_region.at(k * n_regions + r));
  return out;
}

std::vector<double> SeriesRecorder::time_hours() const {
  std::vector<double> out;
  out.reserve(records_.size());
  for (const auto& r : records_) out.push_back(r.time_hours);
  return out;
}

}  // namespace civsim
