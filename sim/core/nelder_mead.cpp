#include "core/nelder_mead.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace civsim {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// Reflection, expansion, contraction and shrink coefficients (the standard choice).
constexpr double kRho = 1.0, kChi = 2.0, kGamma = 0.5, kSigma = 0.5;

struct Vertex {
  std::vector<double> x;
  double f;
};

class BudgetExhausted {};

// Counts evaluations, enforces the budget and maps NaN to +inf.
class Counter {
 public:
  Counter(const Objective& f, int budget) : f_(f), budget_(budget) {}
  double operator()(const std::vector<double>& x) {
    if (used_ >= budget_) throw BudgetExhausted{};
    ++used_;
    const double v = f_(x);
    return std::isnan(v) ? kInf : v;
  }
  int used() const { return used_; }

 private:
  const Objective& f_;
  int budget_;
  int used_ = 0;
};

// x = a + t (b - a)
std::vector<double> along(const std::vector<double>& a, const std::vector<double>& b, double t) {
  std::vector<double> out(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) out[i] = a[i] + t * (b[i] - a[i]);
  return out;
}

// Stable, so that a new vertex (always written to the last slot) goes after older vertices with
// the same value (Lagarias et al. 1998's tie-breaking rule).
void order(std::vector<Vertex>& s) {
  std::stable_sort(s.begin(), s.end(), [](const Vertex& a, const Vertex& b) { return a.f < b.f; });
}

bool small_enough(const std::vector<Vertex>& s, const NelderMeadOptions& o) {
  double dx = 0;
  for (std::size_t i = 1; i < s.size(); ++i)
    for (std::size_t j = 0; j < s[0].x.size(); ++j)
      dx = std::max(dx, std::abs(s[i].x[j] - s[0].x[j]));
  const double df = s.back().f - s.front().f;  // inf - inf is NaN: not converged
  return dx <= o.x_tolerance && df <= o.f_tolerance;
}

// One Nelder–Mead run from `start` (already evaluated: f0); returns true if it converged, false
// if it stopped on the budget. `best` holds the best vertex throughout, `iterations` counts.
bool run_simplex(Counter& f, const std::vector<double>& start, double f0,
                 const NelderMeadOptions& o, Vertex& best, int& iterations) {
  const std::size_t n = start.size();
  std::vector<Vertex> s;
  s.push_back({start, f0});
  const auto keep_best = [&](const Vertex& v) {
    if (v.f < best.f) best = v;
  };
  try {
    for (std::size_t i = 0; i < n; ++i) {
      std::vector<double> x = start;
      x[i] += o.initial_step;
      s.push_back({x, f(x)});
      keep_best(s.back());
    }
    order(s);
    while (!small_enough(s, o)) {
      ++iterations;
      std::vector<double> centroid(n, 0.0);
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) centroid[j] += s[i].x[j] / static_cast<double>(n);
      Vertex& worst = s[n];
      Vertex reflected{along(centroid, worst.x, -kRho), 0.0};
      reflected.f = f(reflected.x);
      keep_best(reflected);
      bool shrink = false;
      if (reflected.f < s[0].f) {
        Vertex expanded{along(centroid, worst.x, -kRho * kChi), 0.0};
        expanded.f = f(expanded.x);
        keep_best(expanded);
        worst = expanded.f < reflected.f ? expanded : reflected;
      } else if (reflected.f < s[n - 1].f) {
        worst = reflected;
      } else if (reflected.f < worst.f) {  // outside contraction
        Vertex c{along(centroid, worst.x, -kRho * kGamma), 0.0};
        c.f = f(c.x);
        keep_best(c);
        if (c.f <= reflected.f)
          worst = c;
        else
          shrink = true;
      } else {  // inside contraction
        Vertex c{along(centroid, worst.x, kGamma), 0.0};
        c.f = f(c.x);
        keep_best(c);
        if (c.f < worst.f)
          worst = c;
        else
          shrink = true;
      }
      if (shrink) {
        for (std::size_t i = 1; i <= n; ++i) {
          s[i].x = along(s[0].x, s[i].x, kSigma);
          s[i].f = f(s[i].x);
          keep_best(s[i]);
        }
      }
      order(s);
    }
  } catch (const BudgetExhausted&) {
    return false;
  }
  return true;
}

}  // namespace

NelderMeadResult nelder_mead(const Objective& objective, const std::vector<double>& x0,
                             const NelderMeadOptions& o) {
  if (x0.empty()) throw std::invalid_argument("nelder_mead: empty start point");
  if (o.max_evaluations < 1) throw std::invalid_argument("nelder_mead: budget below 1");
  if (!(o.x_tolerance > 0) || !(o.f_tolerance >= 0) || !(o.initial_step > 0) || o.restarts < 0)
    throw std::invalid_argument("nelder_mead: tolerances and step must be positive");
  for (const double v : x0)
    if (!std::isfinite(v)) throw std::invalid_argument("nelder_mead: start point not finite");

  Counter f(objective, o.max_evaluations);
  NelderMeadResult out;
  Vertex best{x0, f(x0)};
  bool converged = run_simplex(f, x0, best.f, o, best, out.iterations);
  while (converged && out.restarts < o.restarts) {
    const double before = best.f;
    ++out.restarts;
    converged = run_simplex(f, best.x, best.f, o, best, out.iterations);
    if (!(before - best.f > o.f_tolerance)) break;  // the restart did not improve
  }
  out.x = best.x;
  out.value = best.f;
  out.evaluations = f.used();
  out.converged = converged;
  out.stop_reason =
      converged ? "simplex converged (x and f tolerances met)" : "evaluation budget exhausted";
  return out;
}

void check_bounds(const ParameterBounds& b) {
  if (!std::isfinite(b.lower) || !std::isfinite(b.upper) || !(b.lower < b.upper))
    throw std::invalid_argument("bounds: need finite lower < upper");
  if (b.scale == ParameterScale::log && !(b.lower > 0))
    throw std::invalid_argument("bounds: a log-scale parameter needs lower > 0");
}

double to_search(double x, const ParameterBounds& b) {
  check_bounds(b);
  if (!(x > b.lower && x < b.upper))
    throw std::invalid_argument("to_search: value not strictly inside its bounds");
  const double u = b.scale == ParameterScale::log
                       ? (std::log(x) - std::log(b.lower)) / (std::log(b.upper) - std::log(b.lower))
                       : (x - b.lower) / (b.upper - b.lower);
  return std::log(u) - std::log1p(-u);  // logit
}

double from_search(double y, const ParameterBounds& b) {
  const double u = 1.0 / (1.0 + std::exp(-y));  // logistic
  if (b.scale == ParameterScale::log) {
    const double lo = std::log(b.lower), hi = std::log(b.upper);
    return std::clamp(std::exp(lo + (hi - lo) * u), b.lower, b.upper);
  }
  return std::clamp(b.lower + (b.upper - b.lower) * u, b.lower, b.upper);
}

}  // namespace civsim
