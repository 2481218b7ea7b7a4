#include "app/sweep_runner.hpp"

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <tuple>

#include "core/key_outcomes.hpp"
#include "core/simulation.hpp"
#include "core/statistics.hpp"
#include "io/experiment.hpp"
#include "io/network_file.hpp"

namespace civsim::app {

std::atomic<int> g_stop_signal = 0;

namespace {
extern "C" void on_stop_signal(int sig) {
  g_stop_signal.store(sig);
}
double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
}

std::pair<std::shared_ptr<const Network>, double> NetworkCache::get(Scenario& scenario) {
  const std::string key = io::network_part(scenario);
  std::shared_ptr<Entry> entry;
  {
    const std::lock_guard lock(m_);
    for (auto it = lru_.begin(); it != lru_.end(); ++it)
      if (it->first == key) {
        lru_.splice(lru_.begin(), lru_, it);
        entry = it->second;
        break;
      }
    if (!entry) {
      entry = std::make_shared<Entry>();
      lru_.emplace_front(key, entry);
      while (lru_.size() > capacity_) lru_.pop_back();  // runs using it keep their copy alive
    }
  }
  const std::lock_guard lock(entry->m);
  double seconds = 0;
  if (!entry->network) {
    const auto t0 = std::chrono::steady_clock::now();
    Scenario copy = scenario;
    entry->network = std::make_shared<const Network>(io::build_network(copy));
    seconds = since(t0);
    ++builds_;
  }
  if (scenario.network.generator == NetworkGenerator::edge_list)
    scenario.population = entry->network->n_citizens();
  return {entry->network, seconds};
}

std::optional<io::RunRecord> execute_run(const io::SweepPlan& plan, const io::RunKey& key,
                                         NetworkCache& cache, const std::string& host) {
  const auto t0 = std::chrono::steady_clock::now();
  io::RunRecord r;
  r.key = key;
  r.seed = plan.seed(key.replicate);
  r.host = host;
  try {
    Scenario s = plan.scenario(key);
    auto [network, built] = cache.get(s);
    r.network_seconds = built;
    r.edges = network->n_edges();
    Simulation sim(s, *network, 0);
    std::vector<StepRecord> steps;
    steps.reserve(static_cast<std::size_t>(sim.n_steps()));
    while (!sim.done()) {
      if (g_stop_signal.load(std::memory_order_relaxed) != 0) return std::nullopt;
      steps.push_back(sim.step());
    }
    r.series.reserve(steps.size() * kNumSeries);
    for (const auto& st : steps) {
      r.series.insert(r.series.end(), st.value.begin(), st.value.end());
      r.regions.insert(r.regions.end(), st.by_region.begin(), st.by_region.end());
    }
    const RunSummary summary = sim.summary();
    for (auto& x : run_scalars(steps, summary)) {
      r.scalars.push_back(std::move(x.value));
      r.scalar_is_key.push_back(x.key ? 1 : 0);
    }
    r.cascade_size_hist = summary.cascade_size_hist;
    r.cascade_depth_hist = summary.cascade_depth_hist;
  } catch (const std::exception& e) {
    r.status = "failed";
    r.error = e.what();
    r.series.clear(), r.regions.clear(), r.scalars.clear(), r.scalar_is_key.clear();
  }
  r.wall_seconds = since(t0) - r.network_seconds;
  return r;
}

bool in_shard(const io::SweepPlan& plan, const io::RunKey& key, io::Shard shard) {
  if (shard.count <= 1) return true;
  if (plan.meta().until_ci.on()) return key.point % shard.count == shard.index;
  const std::uint64_t index =
      (key.point * plan.arms() + key.arm) * static_cast<std::uint64_t>(plan.spec().replicates) +
      key.replicate;
  return index % shard.count == shard.index;
}

WorkQueue::WorkQueue(const io::SweepPlan& plan, io::Shard shard,
                     const std::vector<io::RunRecord>& done)
    : plan_(plan), shard_(shard) {
  for (const auto& r : done) {
    if (r.status != "ok" || !in_shard(plan, r.key, shard)) continue;
    done_.insert(r.key);
    values_[r.key] = outcome_of(r);
  }
  std::vector<io::RunKey> runs;
  for (const auto& k : plan.initial_runs())
    if (in_shard(plan, k, shard)) runs.push_back(k);
  const bool until = plan.meta().until_ci.on();
  // Without --until-ci, replicate-major order: consecutive runs share a network (the seed is the
  // replicate's), so a small cache suffices. With it, point-major: points finish early and can
  // ask for more replicates while the rest runs.
  if (!until)
    std::stable_sort(runs.begin(), runs.end(), [](const io::RunKey& a, const io::RunKey& b) {
      return std::tie(a.replicate, a.point, a.arm) < std::tie(b.replicate, b.point, b.arm);
    });
  for (const auto& k : runs) {
    if (done_.count(k)) {
      ++resumed_;
      continue;
    }
    pending_.push_back(k);
  }
  total_ = pending_.size() + resumed_;
  if (until) {
    const std::lock_guard lock(m_);
    std::set<std::uint64_t> points;
    for (const auto& k : runs) points.insert(k.point);
    for (const auto p : points) {
      target_[p] = plan.spec().replicates;
      settle(p);
    }
  }
}

double WorkQueue::outcome_of(const io::RunRecord& r) const {
  const auto& name = plan_.meta().until_ci.outcome;
  for (const auto& s : r.scalars)
    if (s.name == name) return s.value;
  return std::nan("");
}

void WorkQueue::settle(std::uint64_t point) {
  const auto& until = plan_.meta().until_ci;
  const std::uint32_t A = static_cast<std::uint32_t>(plan_.arms());
  while (true) {
    const std::int64_t target = target_[point];
    std::vector<double> half_widths;
    for (std::uint32_t a = 0; a < A; ++a) {
      std::vector<double> values;
      for (std::uint32_t r = 0; r < target; ++r) {
        const auto it = values_.find({point, a, r});
        if (it == values_.end()) return;  // still running
        values.push_back(it->second);
      }
      half_widths.push_back(estimate(values).half_width);
    }
    const std::int64_t next = until.next(target, half_widths);
    if (next == target) return;
    for (auto r = static_cast<std::uint32_t>(target); r < next; ++r)
      for (std::uint32_t a = 0; a < A; ++a) {
        const io::RunKey k{point, a, r};
        ++total_;
        if (done_.count(k))
          ++resumed_;
        else
          pending_.push_back(k);
      }
    target_[point] = next;
  }
}

std::optional<io::RunKey> WorkQueue::next() {
  std::unique_lock lock(m_);
  cv_.wait(lock, [&] { return stopped_ || !pending_.empty() || in_flight_ == 0; });
  if (stopped_ || pending_.empty()) return std::nullopt;
  const io::RunKey k = pending_.front();
  pending_.pop_front();
  ++in_flight_;
  return k;
}

std::vector<io::RunKey> WorkQueue::try_next(std::size_t n, bool& finished) {
  const std::lock_guard lock(m_);
  std::vector<io::RunKey> out;
  while (!stopped_ && out.size() < n && !pending_.empty()) {
    out.push_back(pending_.front());
    pending_.pop_front();
    ++in_flight_;
  }
  finished = stopped_ || finished_locked();
  return out;
}

void WorkQueue::complete(const io::RunRecord& record) {
  {
    const std::lock_guard lock(m_);
    --in_flight_;
    ++completed_;
    if (record.status == "ok") {
      done_.insert(record.key);
      values_[record.key] = outcome_of(record);
    } else {
      values_[record.key] = std::nan("");
    }
    if (plan_.meta().until_ci.on()) settle(record.key.point);
  }
  cv_.notify_all();
}

void WorkQueue::abandon(const io::RunKey& key) {
  {
    const std::lock_guard lock(m_);
    --in_flight_;
    pending_.push_front(key);
  }
  cv_.notify_all();
}

void WorkQueue::stop() {
  {
    const std::lock_guard lock(m_);
    stopped_ = true;
  }
  cv_.notify_all();
}

std::size_t WorkQueue::total() const {
  const std::lock_guard lock(m_);
  return total_;
}

std::size_t WorkQueue::completed() const {
  const std::lock_guard lock(m_);
  return completed_ + resumed_;
}

std::vector<io::RunKey> WorkQueue::final_runs() const {
  const std::lock_guard lock(m_);
  std::vector<io::RunKey> out;
  for (const auto& k : plan_.initial_runs())
    if (in_shard(plan_, k, shard_)) out.push_back(k);
  for (const auto& [point, target] : target_)
    for (auto r = static_cast<std::uint32_t>(plan_.spec().replicates); r < target; ++r)
      for (std::uint32_t a = 0; a < plan_.arms(); ++a) out.push_back({point, a, r});
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace civsim::app
