#include "core/model_memory.hpp"

#include <algorithm>
#include <cmath>

namespace civsim {

std::uint64_t estimate_network_resident_bytes(const Scenario& sc) {
  const auto n = static_cast<double>(sc.population);
  double edges = n * sc.network.mean_followees * (1.0 + sc.network.reciprocity);
  for (const auto& acc : sc.accounts)
    edges += static_cast<double>(acc.follower_target(sc.population));
  const double nodes = n + static_cast<double>(sc.accounts.size()) + 1.0;
  return static_cast<std::uint64_t>(8.0 * nodes + 4.0 * edges);
}

std::uint64_t estimate_model_bytes(const Scenario& sc) {
  const auto n = static_cast<double>(sc.population);
  // Per citizen (simulation.cpp, State): region 1, activity 4, trust 8, base concern 4, excess
  // concern 8, question clock 8, rumour state 1, event counters 3 x 2 + 5 x 1, followee counts 4
  // (some rules); bitmaps: pending question, touched, exposed, engaged, corrected and one per
  // account.
  const double bits = 5.0 + static_cast<double>(sc.accounts.size());
  double bytes = n * (1 + 4 + 8 + 4 + 8 + 8 + 1 + 11 + 4) + n * bits / 8.0;
  // Scheduled exposures (16 bytes each): every government post reaches organic_reach of its
  // followers over its visible life, so at most (posts visible at once) x (feed share) x
  // followers are pending; doubled for reshares, replies and complaints, plus the vector slack.
  const double visible_days = sc.platform.max_age_hours / 24.0;
  const bool thresholds = sc.diffusion.model == DiffusionModel::linear_threshold ||
                          sc.diffusion.model == DiffusionModel::fractional_threshold ||
                          sc.diffusion.model == DiffusionModel::complex_contagion;
  double live_posts = 0;
  for (const auto& acc : sc.accounts) {
    if (acc.kind != AccountKind::government) continue;
    const double live = acc.posts_per_day * visible_days + 1.0;
    live_posts += live;
    bytes += 16.0 * 2.0 * 1.5 * live * std::min(1.0, sc.platform.organic_reach * 2.0) *
             static_cast<double>(acc.follower_target(sc.population));
  }
  // Threshold rules keep a 2-byte counter per citizen for every live government post.
  if (thresholds) bytes += 2.0 * n * live_posts;
  return static_cast<std::uint64_t>(bytes * 1.1);  // allocator slack
}

}  // namespace civsim
