#pragma once
// The key outcomes of a run: per-run scalars that answer the study's questions (how far did
// government content reach, how did trust end up, how many questions were answered, at what staff
// cost). A RunSummary scalar of the same name is taken as is; otherwise the value is computed from
// the series (its last value, its peak or its total), so every run file and comparison has them.
#include <array>
#include <vector>

#include "core/outcomes.hpp"

namespace civsim {

enum class Reduction {
  final,  // the value at the last step (stocks)
  peak,   // the largest value over the steps, NaN steps ignored
  total,  // the sum over the steps, NaN steps ignored (flows)
};

struct KeyOutcome {
  const char* name;
  Series series;
  Reduction reduction;
};

// In table order (the summary table of `civsim compare` and `civsim info`).
inline constexpr std::array<KeyOutcome, 10> kKeyOutcomes = {{
    {"final_reach", Series::reach, Reduction::final},
    {"total_impressions", Series::impressions, Reduction::total},
    {"total_reshares", Series::reshares, Reduction::total},
    {"total_posts", Series::posts, Reduction::total},
    {"final_trust_mean", Series::trust_mean, Reduction::final},
    {"peak_rumour_believers", Series::rumour_believers, Reduction::peak},
    {"total_questions_answered", Series::questions_answered, Reduction::total},
    {"peak_backlog", Series::backlog, Reduction::peak},
    {"total_staff_hours", Series::staff_hours, Reduction::total},
    {"final_gov_followers", Series::gov_followers, Reduction::final},
}};

// The reduction of one series of a run; NaN for a run without steps (or only NaN values, for
// peak and total).
double reduce(const std::vector<StepRecord>& records, Series series, Reduction reduction);

struct RunScalar {
  SummaryValue value;
  bool key = false;  // one of kKeyOutcomes (the summary table shows these)
};

// Every per-run scalar: the key outcomes in kKeyOutcomes order (from `summary` where it has a
// scalar of that name, else from the series), then the summary's other scalars in its order.
std::vector<RunScalar> run_scalars(const std::vector<StepRecord>& records,
                                   const RunSummary& summary);

}  // namespace civsim
