#pragma once
// The pure building blocks of the model (docs/model.md): distributions drawn from counter-based
// random words, the diurnal profile, the attention-decay kernels and the exposure table, trust
// updates, office hours and the posting schedule. No state, no I/O; each piece is unit-tested.
#include <cstdint>
#include <vector>

#include "core/rng.hpp"
#include "core/scenario.hpp"

namespace civsim {

// --- Distributions (each a pure function of its DrawId; loops advance DrawId::k) -------------

// Standard normal from two uniform words (Box-Muller).
double normal_from(std::uint64_t w0, std::uint64_t w1);
// Gamma(shape, 1) by Marsaglia-Tsang, drawing from id, id.k + 1, ... until accepted.
double gamma_draw(DrawId id, double shape);
// Beta with the given mean in (0,1) and concentration a + b > 0, as X / (X + Y) of two gammas
// (the draws use k in [id.k, id.k + 2^20) and [id.k + 2^20, ...)).
double beta_draw(DrawId id, double mean, double concentration);

// --- Time of day ---------------------------------------------------------------------------

// Relative activity at each hour of the day, mean 1. `typical` follows the shape of published
// hourly Twitter/Facebook activity (low 3-5 h, peak 20-22 h); `flat` is 1 everywhere.
const std::vector<double>& diurnal_profile(Diurnal kind);

// Local clock: hours since Monday 00:00 of the first week at the start of step s.
double week_hour(const TimeParams& time, std::int64_t step);
// Mean diurnal weight over the step [s, s + 1).
double diurnal_weight(const std::vector<double>& profile, const TimeParams& time,
                      std::int64_t step);

// --- Platform ------------------------------------------------------------------------------

// Visibility of a post of the given age in hours relative to a fresh post (1 at age 0).
double decay(const PlatformParams& p, double age_hours);
// Number of steps a post can be seen for (ages 0 .. max_age_steps - 1).
std::int64_t max_age_steps(const PlatformParams& p, double step_hours);

// Cumulative expected sessions-with-visibility, per session-per-day of activity, of a post
// published at the start of step `start`: D[j] = sum_{i <= j} diurnal(start + i) * decay(age i)
// * step_hours / 24, with the age at the middle of the step. A follower with activity a (sessions
// per day) whose feed holds the post sees it at the first age j with a * D[j] >= E, E ~ Exp(1).
std::vector<double> exposure_table(const PlatformParams& platform, const TimeParams& time,
                                   const std::vector<double>& profile, std::int64_t start);
// The age (in steps) at which a follower with this activity first sees the post, or -1 if never.
std::int64_t exposure_age(const std::vector<double>& table, double activity, double e);

// --- Trust ---------------------------------------------------------------------------------

// `gains` events of size g then `losses` events of size l * asymmetry (Slovic asymmetry):
// t <- 1 - (1 - t)(1 - g)^gains, then t <- t (1 - min(1, asymmetry l))^losses.
double apply_gain(double trust, double g, unsigned count);
double apply_loss(double trust, double l, double asymmetry, unsigned count);
// Multiplier of like/reshare chances of government content: 1 + s (2 trust - 1).
inline double trust_multiplier(double s, double trust) {
  return 1.0 + s * (2.0 * trust - 1.0);
}

// --- Government accounts -------------------------------------------------------------------

bool office_open(const AccountParams& a, const TimeParams& time, std::int64_t step);
// Scheduled posts of an account due in step s: ceil(rate (s + 1)) - ceil(rate s), rate in posts
// per step, so the first post goes out at step 0.
std::uint64_t posts_due(double posts_per_day, double step_hours, std::int64_t step);
// Whether the n-th scheduled post (from 0) of a dialogue account is a consultation: spread
// evenly, floor((n + 1) share) > floor(n share).
bool is_consultation(std::uint64_t n, double share);

}  // namespace civsim
