#include "core/scenario.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace civsim {

std::int64_t Scenario::steps() const {
  return static_cast<std::int64_t>(std::ceil(time.duration_hours / time.step_hours - 1e-9));
}

std::vector<std::int64_t> Scenario::region_sizes() const {
  // Largest-remainder rounding: sizes sum to the population exactly and are deterministic.
  const auto n = static_cast<double>(population);
  std::vector<std::int64_t> sizes(regions.size());
  std::vector<std::pair<double, std::size_t>> remainders;
  std::int64_t assigned = 0;
  for (std::size_t r = 0; r < regions.size(); ++r) {
    const double exact = regions[r].share * n;
    sizes[r] = static_cast<std::int64_t>(std::floor(exact));
    assigned += sizes[r];
    remainders.emplace_back(-(exact - std::floor(exact)), r);
  }
  std::sort(remainders.begin(), remainders.end());
  for (std::size_t i = 0; assigned < population && i < remainders.size(); ++i, ++assigned)
    ++sizes[remainders[i].second];
  return sizes;
}

std::int64_t AccountParams::follower_target(std::int64_t n) const {
  if (followers >= 0) return std::min(followers, n);
  const double share = follower_share >= 0 ? follower_share : 0.3;
  return static_cast<std::int64_t>(std::llround(share * static_cast<double>(n)));
}

ReactionParams::ReactionParams() {
  // {like, comment, reshare multiplier} per exposure. Government information posts are liked by
  // ~2% of those who see them; consultations draw comments (contributions); corrections and
  // complaints are reshared more readily than routine posts (docs/model.md, "Reactions").
  // Rumour spreading follows the rumour model, so its reshare entry is unused.
  by_type[static_cast<std::size_t>(PostType::information)] = {0.02, 0.002, 1.0};
  by_type[static_cast<std::size_t>(PostType::consultation)] = {0.02, 0.02, 1.0};
  by_type[static_cast<std::size_t>(PostType::reply)] = {0.01, 0.002, 0.3};
  by_type[static_cast<std::size_t>(PostType::correction)] = {0.02, 0.004, 3.0};
  by_type[static_cast<std::size_t>(PostType::rumour)] = {0.03, 0.01, 1.0};
  by_type[static_cast<std::size_t>(PostType::complaint)] = {0.02, 0.005, 2.0};
}

}  // namespace civsim
