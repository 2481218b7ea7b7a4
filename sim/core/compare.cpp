#include "core/compare.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <stdexcept>

#include "core/key_outcomes.hpp"
#include "core/simulation.hpp"

namespace civsim {
namespace {

// Turns nested parallelism off for its lifetime (the runs are the parallel level), and restores
// the previous setting.
class SingleLevelParallelism {
 public:
  SingleLevelParallelism() : saved_(omp_get_max_active_levels()) { omp_set_max_active_levels(1); }
  ~SingleLevelParallelism() { omp_set_max_active_levels(saved_); }
  SingleLevelParallelism(const SingleLevelParallelism&) = delete;
  SingleLevelParallelism& operator=(const SingleLevelParallelism&) = delete;

 private:
  int saved_;
};

Comparison::Run simulate(const Scenario& scenario, const Network& network, std::uint32_t rep,
                         const std::atomic<bool>* stop) {
  Simulation sim(scenario, network, rep);
  Comparison::Run out;
  out.records.reserve(static_cast<std::size_t>(sim.n_steps()));
  while (!sim.done()) {
    if (stop && stop->load(std::memory_order_relaxed)) throw Interrupted();
    out.records.push_back(sim.step());
  }
  out.summary = sim.summary();
  return out;
}

void compute_series_stats(Comparison& c) {
  const std::size_t A = c.arms.size(), R = c.replicates, T = c.n_steps;
  std::vector<double> values(R), diffs(R);
  for (std::size_t k = 0; k < kNumSeries; ++k) {
    auto& st = c.stats[k];
    for (auto* v :
         {&st.mean, &st.ci_low, &st.ci_high, &st.diff_mean, &st.diff_ci_low, &st.diff_ci_high})
      v->assign(A * T, 0.0);
    st.n.assign(A * T, 0);
    st.diff_n.assign(A * T, 0);
    for (std::size_t a = 0; a < A; ++a)
      for (std::size_t t = 0; t < T; ++t) {
        for (std::size_t r = 0; r < R; ++r) {
          values[r] = c.run(a, r).records[t].value[k];
          diffs[r] = values[r] - c.run(0, r).records[t].value[k];
        }
        const Estimate e = estimate(values);
        const Estimate d = estimate(diffs);
        const std::size_t i = a * T + t;
        st.mean[i] = e.mean, st.ci_low[i] = e.ci_low(), st.ci_high[i] = e.ci_high();
        st.n[i] = static_cast<std::int64_t>(e.n);
        st.diff_mean[i] = d.mean, st.diff_ci_low[i] = d.ci_low(), st.diff_ci_high[i] = d.ci_high();
        st.diff_n[i] = static_cast<std::int64_t>(d.n);
      }
  }
}

void compute_scalar_stats(Comparison& c) {
  const std::size_t A = c.arms.size(), R = c.replicates;
  std::vector<std::vector<RunScalar>> per_run;
  per_run.reserve(c.runs.size());
  for (const auto& run : c.runs) per_run.push_back(run_scalars(run.records, run.summary));
  for (const auto& first : per_run.front()) {
    ScalarStats s;
    s.info = first.value;
    s.key = first.key;
    s.values.assign(A * R, Estimate::nan);
    for (std::size_t j = 0; j < per_run.size(); ++j)
      for (const auto& x : per_run[j])
        if (x.value.name == s.info.name) s.values[j] = x.value.value;
    std::vector<double> diffs(R);
    for (std::size_t a = 0; a < A; ++a) {
      const std::span<const double> arm(s.values.data() + a * R, R);
      for (std::size_t r = 0; r < R; ++r) diffs[r] = arm[r] - s.values[r];
      s.by_arm.push_back(estimate(arm));
      s.diff.push_back(estimate(diffs));
    }
    c.scalars.push_back(std::move(s));
  }
}

}  // namespace

std::vector<double> Comparison::series_block(Series s) const {
  std::vector<double> out;
  out.reserve(runs.size() * n_steps);
  for (const auto& run : runs)
    for (const auto& rec : run.records) out.push_back(rec[s]);
  return out;
}

std::vector<double> Comparison::region_block(std::size_t k) const {
  std::vector<double> out;
  out.reserve(runs.size() * n_steps * n_regions);
  for (const auto& run : runs)
    for (const auto& rec : run.records)
      for (std::size_t r = 0; r < n_regions; ++r)
        out.push_back(rec.by_region.at(k * n_regions + r));
  return out;
}

const ScalarStats* Comparison::scalar(const std::string& name) const {
  for (const auto& s : scalars)
    if (s.info.name == name) return &s;
  return nullptr;
}

Interval interval(const Estimate& e) {
  return {e.mean, e.ci_low(), e.ci_high(), static_cast<std::int64_t>(e.n)};
}

OutcomeTable outcome_table(const Comparison& c) {
  OutcomeTable t{c.arms, c.replicates, {}};
  for (const auto& s : c.scalars) {
    if (!s.key) continue;
    OutcomeRow row{s.info.name, s.info.units, {}, {}};
    for (std::size_t a = 0; a < c.arms.size(); ++a) {
      row.by_arm.push_back(interval(s.by_arm[a]));
      row.diff.push_back(interval(s.diff[a]));
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

Comparison compare_arms(const std::vector<std::pair<std::string, Scenario>>& arms,
                        const Network& network, int replicates, const ProgressCallback& progress,
                        Parallelism mode, const std::atomic<bool>* stop) {
  if (arms.empty()) throw std::invalid_argument("compare_arms: no arms");
  if (replicates < 1) throw std::invalid_argument("compare_arms: replicates must be at least 1");
  const Scenario& first = arms.front().second;
  for (const auto& [name, s] : arms)
    if (s.steps() != first.steps() || s.regions.size() != first.regions.size() ||
        s.time.step_hours != first.time.step_hours || s.accounts.size() != first.accounts.size())
      throw std::invalid_argument("compare_arms: arm '" + name +
                                  "' differs from the first arm in its steps, regions or accounts");

  Comparison c;
  for (const auto& a : arms) c.arms.push_back(a.first);
  c.replicates = static_cast<std::size_t>(replicates);
  c.n_steps = static_cast<std::size_t>(first.steps());
  c.n_regions = first.regions.size();
  const std::size_t n_jobs = arms.size() * c.replicates;
  if (mode == Parallelism::automatic)
    mode = network.n_citizens() < kAcrossRunsMaxCitizens && n_jobs > 1 ? Parallelism::across_runs
                                                                       : Parallelism::within_runs;
  c.parallelism = mode;
  c.runs.resize(n_jobs);

  std::vector<std::exception_ptr> errors(n_jobs);
  std::atomic<bool> failed = false;  // after a failure the remaining runs are skipped
  std::size_t done = 0;
  const auto job = [&](std::size_t j) {
    if (failed.load(std::memory_order_relaxed)) return;
    try {
      c.runs[j] = simulate(arms[j / c.replicates].second, network,
                           static_cast<std::uint32_t>(j % c.replicates), stop);
    } catch (...) {
      errors[j] = std::current_exception();
      failed = true;
    }
  };
  const auto report = [&](std::size_t j) {
    try {
      ++done;
      if (progress) progress(done, n_jobs);
    } catch (...) {
      if (!errors[j]) errors[j] = std::current_exception();
      failed = true;
    }
  };
  if (mode == Parallelism::across_runs) {
    const SingleLevelParallelism single_level;
    const auto n = static_cast<std::int64_t>(n_jobs);
#pragma omp parallel for schedule(dynamic, 1)
    for (std::int64_t j = 0; j < n; ++j) {
      job(static_cast<std::size_t>(j));
#pragma omp critical(civsim_compare_progress)
      report(static_cast<std::size_t>(j));
    }
  } else {
    for (std::size_t j = 0; j < n_jobs; ++j) {
      job(j);
      report(j);
    }
  }
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);

  for (const auto& rec : c.runs.front().records) c.time_hours.push_back(rec.time_hours);
  compute_series_stats(c);
  compute_scalar_stats(c);
  return c;
}

}  // namespace civsim
