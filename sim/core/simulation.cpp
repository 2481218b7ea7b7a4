#include "core/simulation.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <stdexcept>

#include "core/rng.hpp"

namespace civsim {
namespace {

std::size_t words_for(std::size_t bits) {
  return (bits + 63) / 64;
}

// Sets bit i; returns true when this call set it (it was clear before).
bool test_and_set(std::vector<std::uint64_t>& bits, std::size_t i) {
  const std::uint64_t mask = std::uint64_t{1} << (i % 64);
  return (std::atomic_ref<std::uint64_t>(bits[i / 64]).fetch_or(mask, std::memory_order_relaxed) &
          mask) == 0;
}

bool test(const std::vector<std::uint64_t>& bits, std::size_t i) {
  const std::uint64_t word =
      std::atomic_ref<std::uint64_t>(const_cast<std::uint64_t&>(bits[i / 64]))
          .load(std::memory_order_relaxed);
  return (word >> (i % 64)) & 1u;
}

}  // namespace

std::vector<double> SeriesRecorder::column(Series s) const {
  std::vector<double> out;
  out.reserve(records_.size());
  for (const auto& r : records_) out.push_back(r[s]);
  return out;
}

std::vector<double> SeriesRecorder::region_column(std::size_t k, std::size_t r,
                                                  std::size_t n_regions) const {
  std::vector<double> out;
  out.reserve(records_.size());
  for (const auto& rec : records_) out.push_back(rec.by_region.at(k * n_regions + r));
  return out;
}

std::vector<double> SeriesRecorder::time_hours() const {
  std::vector<double> out;
  out.reserve(records_.size());
  for (const auto& r : records_) out.push_back(r.time_hours);
  return out;
}

// TEMPORARY: the broadcast cascade of 0.1, behind the new interface, until the full model lands.
struct Simulation::State {
  struct Cascade {
    std::uint64_t post_id;
    std::vector<NodeId> frontier;
    std::vector<std::uint64_t> shared;
  };
  Scenario scenario;
  const Network& network;
  std::uint32_t replicate;
  std::int64_t n_steps;
  std::int64_t step = 0;
  std::uint64_t posts_published = 0;
  std::uint64_t reach = 0;
  std::vector<std::uint64_t> exposed;
  std::vector<Cascade> cascades;

  State(const Scenario& s, const Network& n, std::uint32_t r)
      : scenario(s),
        network(n),
        replicate(r),
        n_steps(s.steps()),
        exposed(words_for(n.n_citizens()), 0) {}

  std::uint64_t posts_due(const AccountParams& account, std::int64_t st) const {
    if (account.kind != AccountKind::government) return 0;
    const double per_step = account.posts_per_day * scenario.time.step_hours / 24.0;
    auto cumulative = [&](std::int64_t x) -> std::uint64_t {
      if (x < 0) return 0;
      return static_cast<std::uint64_t>(std::ceil(per_step * static_cast<double>(x + 1) - 1e-9));
    };
    return cumulative(st) - cumulative(st - 1);
  }

  void advance(Cascade& c, StepRecord& rec) {
    const auto& frontier = c.frontier;
    std::vector<std::uint64_t> prefix(frontier.size() + 1, 0);
    for (std::size_t i = 0; i < frontier.size(); ++i)
      prefix[i + 1] = prefix[i] + network.follower_count(frontier[i]);
    const std::uint64_t total = prefix.back();
    constexpr std::uint64_t chunk = 4096;
    const auto n_chunks = static_cast<std::int64_t>((total + chunk - 1) / chunk);
    const double p = scenario.diffusion.reshare_probability;
    std::uint64_t impressions = 0, reshares = 0, new_reach = 0;
    std::vector<NodeId> next;
#pragma omp parallel if (n_chunks > 4) reduction(+ : impressions, reshares, new_reach)
    {
      std::vector<NodeId> local;
#pragma omp for schedule(dynamic, 1)
      for (std::int64_t ci = 0; ci < n_chunks; ++ci) {
        const std::uint64_t begin = static_cast<std::uint64_t>(ci) * chunk;
        const std::uint64_t end = std::min(total, begin + chunk);
        std::size_t i = static_cast<std::size_t>(
            std::upper_bound(prefix.begin(), prefix.end(), begin) - prefix.begin() - 1);
        for (std::uint64_t e = begin; e < end; ++e) {
          while (e >= prefix[i + 1]) ++i;
          const NodeId v = frontier[i];
          const NodeId u = network.followers(v)[e - prefix[i]];
          if (!network.is_citizen(u)) continue;
          ++impressions;
          if (test_and_set(exposed, u)) ++new_reach;
          if (test(c.shared, u)) continue;
          if (bernoulli({scenario.seed, replicate, Purpose::reshare, c.post_id, u, v}, p) &&
              test_and_set(c.shared, u)) {
            ++reshares;
            local.push_back(u);
          }
        }
      }
#pragma omp critical(civsim_cascade_merge)
      next.insert(next.end(), local.begin(), local.end());
    }
    std::sort(next.begin(), next.end());
    c.frontier = std::move(next);
    rec[Series::impressions] += static_cast<double>(impressions);
    rec[Series::reshares] += static_cast<double>(reshares);
    rec[Series::new_reach] += static_cast<double>(new_reach);
  }
};

Simulation::Simulation(const Scenario& scenario, const Network& network, std::uint32_t replicate)
    : state_(std::make_unique<State>(scenario, network, replicate)) {
  if (network.n_nodes() != network.n_citizens() + scenario.accounts.size())
    throw std::invalid_argument("Simulation: the network's accounts do not match the scenario's");
}
Simulation::~Simulation() = default;
Simulation::Simulation(Simulation&&) noexcept = default;
bool Simulation::done() const {
  return state_->step >= state_->n_steps;
}
std::int64_t Simulation::current_step() const {
  return state_->step;
}
std::int64_t Simulation::n_steps() const {
  return state_->n_steps;
}
std::size_t Simulation::n_regions() const {
  return state_->scenario.regions.size();
}
RunSummary Simulation::summary() const {
  return {};
}

StepRecord Simulation::step() {
  if (done()) throw std::logic_error("Simulation::step called after the last step");
  auto& st = *state_;
  StepRecord rec;
  rec.step = st.step;
  rec.time_hours = static_cast<double>(st.step + 1) * st.scenario.time.step_hours;
  rec.by_region.assign(region_series().size() * st.scenario.regions.size(), 0.0);
  for (std::size_t a = 0; a < st.scenario.accounts.size(); ++a) {
    const auto author = static_cast<NodeId>(st.network.n_citizens() + a);
    const std::uint64_t due = st.posts_due(st.scenario.accounts[a], st.step);
    for (std::uint64_t i = 0; i < due; ++i) {
      State::Cascade c{st.posts_published++,
                       {author},
                       std::vector<std::uint64_t>(words_for(st.network.n_nodes()), 0)};
      test_and_set(c.shared, author);
      st.cascades.push_back(std::move(c));
    }
    rec[Series::posts] += static_cast<double>(due);
  }
  for (auto& c : st.cascades) st.advance(c, rec);
  std::erase_if(st.cascades, [](const State::Cascade& c) { return c.frontier.empty(); });
  st.reach += static_cast<std::uint64_t>(rec[Series::new_reach]);
  rec[Series::reach] = static_cast<double>(st.reach);
  rec[Series::active_cascades] = static_cast<double>(st.cascades.size());
  ++st.step;
  return rec;
}

void run(Simulation& sim, Observer& observer) {
  while (!sim.done()) observer.on_step(sim.step());
}

}  // namespace civsim
