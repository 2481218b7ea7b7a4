#include "core/dynamics.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>

namespace civsim {

double normal_from(std::uint64_t w0, std::uint64_t w1) {
  const double u1 = to_unit_open0(w0), u2 = to_unit(w1);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

double gamma_draw(DrawId id, double shape) {
  // Shape < 1: Gamma(a) = Gamma(a + 1) * U^(1/a) (Marsaglia-Tsang, section 6).
  double boost = 1.0;
  if (shape < 1.0) {
    boost = std::pow(to_unit_open0(random_words(id)[3]), 1.0 / shape);
    shape += 1.0;
  }
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;; ++id.k) {
    const auto w = random_words(id);
    const double x = normal_from(w[0], w[1]);
    const double v0 = 1.0 + c * x;
    if (v0 <= 0) continue;
    const double v = v0 * v0 * v0;
    const double u = to_unit_open0(w[2]);
    if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return boost * d * v;
  }
}

double beta_draw(DrawId id, double mean, double concentration) {
  const double a = mean * concentration, b = (1.0 - mean) * concentration;
  const double x = gamma_draw(id, a);
  id.k += std::uint64_t{1} << 20;
  const double y = gamma_draw(id, b);
  const double s = x + y;
  return s > 0 ? x / s : mean;
}

const std::vector<double>& diurnal_profile(Diurnal kind) {
  static const std::vector<double> flat(24, 1.0);
  static const std::vector<double> typical = [] {
    // Relative posting activity by local hour, shaped after published hourly Twitter and
    // Facebook activity curves (night trough at 3-5 h, evening peak at 20-22 h); normalised to
    // mean 1 below.
    std::vector<double> w = {0.90, 0.60, 0.40, 0.30, 0.25, 0.30, 0.50, 0.80,
                             1.00, 1.05, 1.10, 1.10, 1.15, 1.10, 1.05, 1.05,
                             1.10, 1.15, 1.20, 1.30, 1.40, 1.45, 1.35, 1.15};
    const double mean = std::accumulate(w.begin(), w.end(), 0.0) / 24.0;
    for (auto& x : w) x /= mean;
    return w;
  }();
  return kind == Diurnal::flat ? flat : typical;
}

double week_hour(const TimeParams& time, std::int64_t step) {
  const double h =
      time.start_weekday * 24.0 + time.start_hour + static_cast<double>(step) * time.step_hours;
  return std::fmod(h, 7.0 * 24.0);
}

double diurnal_weight(const std::vector<double>& profile, const TimeParams& time,
                      std::int64_t step) {
  // Average the hourly profile over the step, hour piece by hour piece.
  double t = week_hour(time, step), left = time.step_hours, sum = 0;
  while (left > 1e-12) {
    const double hour = std::floor(t);
    const double piece = std::min(left, hour + 1.0 - t);
    sum += profile[static_cast<std::size_t>(static_cast<std::int64_t>(hour) % 24)] * piece;
    t += piece;
    left -= piece;
  }
  return sum / time.step_hours;
}

double decay(const PlatformParams& p, double age_hours) {
  if (p.decay == DecayKernel::exponential) return std::exp2(-age_hours / p.half_life_hours);
  // SEISMIC memory kernel (Zhao et al. 2015): constant up to s0, then a power-law tail.
  if (age_hours <= p.powerlaw_s0_hours) return 1.0;
  return std::pow(age_hours / p.powerlaw_s0_hours, -(1.0 + p.powerlaw_theta));
}

std::int64_t max_age_steps(const PlatformParams& p, double step_hours) {
  return std::max<std::int64_t>(
      1, static_cast<std::int64_t>(std::ceil(p.max_age_hours / step_hours - 1e-9)));
}

std::vector<double> exposure_table(const PlatformParams& platform, const TimeParams& time,
                                   const std::vector<double>& profile, std::int64_t start) {
  const std::int64_t n = max_age_steps(platform, time.step_hours);
  std::vector<double> d(static_cast<std::size_t>(n));
  double sum = 0;
  for (std::int64_t j = 0; j < n; ++j) {
    const double age = (static_cast<double>(j) + 0.5) * time.step_hours;
    sum += diurnal_weight(profile, time, start + j) * decay(platform, age) * time.step_hours / 24.0;
    d[static_cast<std::size_t>(j)] = sum;
  }
  return d;
}

std::int64_t exposure_age(const std::vector<double>& table, double activity, double e) {
  if (activity <= 0 || table.empty() || activity * table.back() < e) return -1;
  const double need = e / activity;
  return std::lower_bound(table.begin(), table.end(), need) - table.begin();
}

double apply_gain(double trust, double g, unsigned count) {
  if (count == 0 || g <= 0) return trust;
  // pow(x, 1) is x exactly; skipping the call for the common single event saves its cost.
  const double keep = count == 1 ? 1.0 - g : std::pow(1.0 - g, static_cast<double>(count));
  return 1.0 - (1.0 - trust) * keep;
}

double apply_loss(double trust, double l, double asymmetry, unsigned count) {
  if (count == 0 || l <= 0) return trust;
  const double f = 1.0 - std::min(1.0, asymmetry * l);
  return trust * (count == 1 ? f : std::pow(f, static_cast<double>(count)));
}

bool office_open(const AccountParams& a, const TimeParams& time, std::int64_t step) {
  const double h = week_hour(time, step);
  const int day = static_cast<int>(h / 24.0);
  const double hour = h - 24.0 * day;
  if (((a.office_days >> day) & 1u) == 0) return false;
  return hour + 1e-9 >= a.office_open_hour && hour + 1e-9 < a.office_close_hour;
}

std::uint64_t posts_due(double posts_per_day, double step_hours, std::int64_t step) {
  const double per_step = posts_per_day * step_hours / 24.0;
  const auto cumulative = [&](std::int64_t s) -> std::uint64_t {
    if (s < 0) return 0;
    return static_cast<std::uint64_t>(std::ceil(per_step * static_cast<double>(s + 1) - 1e-9));
  };
  return cumulative(step) - cumulative(step - 1);
}

bool is_consultation(std::uint64_t n, double share) {
  return std::floor(static_cast<double>(n + 1) * share + 1e-9) >
         std::floor(static_cast<double>(n) * share + 1e-9);
}

}  // namespace civsim
