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

std::vector<std::int64_t> SeriesRecorder::column(std::uint64_t StepRecord::*field) const {
  std::vector<std::int64_t> out;
  out.reserve(records_.size());
  for (const auto& r : records_) out.push_back(static_cast<std::int64_t>(r.*field));
  return out;
}

std::vector<double> SeriesRecorder::time_hours() const {
  std::vector<double> out;
  out.reserve(records_.size());
  for (const auto& r : records_) out.push_back(r.time_hours);
  return out;
}

Simulation::Simulation(const Scenario& scenario, const Network& network, std::uint32_t replicate)
    : scenario_(scenario),
      network_(network),
      replicate_(replicate),
      n_steps_(scenario.steps()),
      exposed_(words_for(network.n_citizens()), 0) {
  if (network.n_nodes() != network.n_citizens() + scenario.accounts.size())
    throw std::invalid_argument("Simulation: the network's accounts do not match the scenario's");
}

std::uint64_t Simulation::posts_due(const AccountParams& account, std::int64_t step) const {
  // Posts are spread evenly from the first step on: by the end of step s, ceil(rate * (s + 1))
  // posts are out (rate = posts per step), so the first post goes out at step 0.
  if (account.kind != AccountKind::government) return 0;
  const double per_step = account.posts_per_day * scenario_.time.step_hours / 24.0;
  auto cumulative = [&](std::int64_t s) -> std::uint64_t {
    if (s < 0) return 0;
    return static_cast<std::uint64_t>(std::ceil(per_step * static_cast<double>(s + 1) - 1e-9));
  };
  return cumulative(step) - cumulative(step - 1);
}

StepRecord Simulation::step() {
  if (done()) throw std::logic_error("Simulation::step called after the last step");
  StepRecord rec;
  rec.step = step_;
  rec.time_hours = static_cast<double>(step_ + 1) * scenario_.time.step_hours;

  for (std::size_t a = 0; a < scenario_.accounts.size(); ++a) {
    const auto author = static_cast<NodeId>(network_.n_citizens() + a);
    const std::uint64_t due = posts_due(scenario_.accounts[a], step_);
    for (std::uint64_t i = 0; i < due; ++i) {
      Cascade c{posts_published_++,
                {author},
                std::vector<std::uint64_t>(words_for(network_.n_nodes()), 0)};
      test_and_set(c.shared, author);
      cascades_.push_back(std::move(c));
    }
    rec.posts += due;
  }
  for (auto& c : cascades_) advance(c, rec);
  std::erase_if(cascades_, [](const Cascade& c) { return c.frontier.empty(); });

  reach_ += rec.new_reach;
  rec.reach = reach_;
#ifdef CIVSIM_SEATBELTS
  // Invariants that are cheap to state and expensive to debug when broken (Debug builds).
  if (reach_ > network_.n_citizens() || rec.new_reach > rec.impressions ||
      rec.reshares > rec.impressions)
    throw std::logic_error(
        "Simulation: step counts violate reach <= citizens, "
        "new_reach <= impressions or reshares <= impressions");
  for (const auto& c : cascades_)
    if (!std::is_sorted(c.frontier.begin(), c.frontier.end()) ||
        std::adjacent_find(c.frontier.begin(), c.frontier.end()) != c.frontier.end())
      throw std::logic_error("Simulation: a cascade frontier is not sorted and unique");
#endif
  rec.active_cascades = cascades_.size();
  ++step_;
  return rec;
}

// One hop of an independent cascade: every account in the frontier delivers the post to all its
// followers; each follower who has not shared it yet reshares with probability p, drawn once per
// (post, sharer, follower), and so joins the next frontier. Work is split over edges rather than
// frontier accounts, so one account with a million followers does not sit on one thread.
void Simulation::advance(Cascade& c, StepRecord& rec) {
  const auto& frontier = c.frontier;
  std::vector<std::uint64_t> prefix(frontier.size() + 1, 0);
  for (std::size_t i = 0; i < frontier.size(); ++i)
    prefix[i + 1] = prefix[i] + network_.follower_count(frontier[i]);
  const std::uint64_t total = prefix.back();
  constexpr std::uint64_t chunk = 4096;
  const auto n_chunks = static_cast<std::int64_t>((total + chunk - 1) / chunk);
  const double p = scenario_.diffusion.reshare_probability;

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
        const NodeId u = network_.followers(v)[e - prefix[i]];
        if (!network_.is_citizen(u)) continue;
        ++impressions;
        if (test_and_set(exposed_, u)) ++new_reach;
        if (test(c.shared, u)) continue;
        if (bernoulli({scenario_.seed, replicate_, Purpose::reshare, c.post_id, u, v}, p) &&
            test_and_set(c.shared, u)) {
          ++reshares;
          local.push_back(u);
        }
      }
    }
#pragma omp critical(civsim_cascade_merge)
    next.insert(next.end(), local.begin(), local.end());
  }
  std::sort(next.begin(), next.end());  // threads finish in any order; the frontier must not
  c.frontier = std::move(next);
  rec.impressions += impressions;
  rec.reshares += reshares;
  rec.new_reach += new_reach;
}

void run(Simulation& sim, Observer& observer) {
  while (!sim.done()) observer.on_step(sim.step());
}

}  // namespace civsim
