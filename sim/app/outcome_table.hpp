#pragma once
// The summary table of a comparison, as `civsim compare` prints it at the end and `civsim info`
// prints it from a comparison file (one formatter for both).
#include <string>

#include "core/compare.hpp"

namespace civsim::app {

// A number with about four significant digits, without exponent for everyday magnitudes; "n/a"
// for NaN.
std::string format_number(double x);

std::string format_outcome_table(const OutcomeTable& table);

}  // namespace civsim::app
