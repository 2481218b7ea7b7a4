#pragma once
// Derivative-free minimisation for calibration: the Nelder–Mead simplex method (Nelder & Mead
// 1965, with the coefficients and tie-breaking rules of Lagarias et al. 1998), and the bounded
// parameter transforms that let it search an open box without constraints. Pure: no I/O, no
// randomness; the same objective and start give the same sequence of evaluations.
// docs/calibration.md describes how `civsim calibrate` uses it.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace civsim {

// The objective, evaluated at a point of the search space. May return +inf (a point to avoid);
// NaN is treated as +inf.
using Objective = std::function<double(const std::vector<double>& x)>;

struct NelderMeadOptions {
  int max_evaluations = 200;  // hard budget (counted over restarts too)
  // Stop when the simplex is small in both senses: every vertex within x_tolerance of the best
  // (max-norm) and the spread of the objective values at most f_tolerance.
  double x_tolerance = 1e-4;
  double f_tolerance = 1e-8;
  // Initial simplex: the start point plus, for each coordinate i, the start moved by
  // initial_step along i.
  double initial_step = 0.5;
  // After convergence, start again from the best point with a fresh simplex, up to this many
  // times, while a restart still improves on the best value by more than f_tolerance: a
  // collapsed simplex can stall away from a minimum (McKinnon 1998), and a restart is the usual
  // cheap remedy.
  int restarts = 1;
};

struct NelderMeadResult {
  std::vector<double> x;  // best point found
  double value = 0;       // objective at x
  int evaluations = 0;
  int iterations = 0;
  int restarts = 0;        // restarts made
  bool converged = false;  // tolerances met (false: the budget ran out)
  std::string stop_reason;
};

// Minimises f from x0 (at least one coordinate). Throws std::invalid_argument on an empty start,
// a budget below 1 or non-positive tolerances and steps.
NelderMeadResult nelder_mead(const Objective& f, const std::vector<double>& x0,
                             const NelderMeadOptions& options = {});

// How a bounded parameter maps to the unconstrained search coordinate y.
//   linear: x = lower + (upper - lower) · s(y), s the logistic function;
//   log:    x = exp(ln lower + (ln upper - ln lower) · s(y)) (needs 0 < lower).
// Both keep x strictly inside (lower, upper) for every finite y, and are monotone.
enum class ParameterScale { linear, log };

struct ParameterBounds {
  double lower = 0, upper = 1;
  ParameterScale scale = ParameterScale::linear;
};

// Throws std::invalid_argument unless lower < upper (finite), and 0 < lower for log.
void check_bounds(const ParameterBounds& b);
// x in (lower, upper) -> y; throws std::invalid_argument for x on or outside the bounds.
double to_search(double x, const ParameterBounds& b);
// y -> x in (lower, upper) (within rounding; y = ±inf gives the bound itself).
double from_search(double y, const ParameterBounds& b);

}  // namespace civsim
