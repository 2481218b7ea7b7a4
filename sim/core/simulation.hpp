#pragma once
// The simulation core: owns all mutable state of one run, advances it step by step, and hands
// each step's outcomes to observers. It never does I/O. docs/model.md describes the rules.
#include <cstdint>
#include <memory>
#include <vector>

#include "core/network.hpp"
#include "core/outcomes.hpp"
#include "core/scenario.hpp"

namespace civsim {

class Simulation {
 public:
  // The network must outlive the simulation. Its nodes after the citizens are the scenario's
  // accounts, in order. Every random draw depends on (scenario.seed, replicate, purpose, step,
  // agent, k) only, so runs of different strategies with the same seed and replicate share their
  // random numbers (common random numbers), and results do not depend on the thread count.
  Simulation(const Scenario& scenario, const Network& network, std::uint32_t replicate = 0);
  ~Simulation();
  Simulation(Simulation&&) noexcept;
  Simulation& operator=(Simulation&&) = delete;

  bool done() const;
  std::int64_t current_step() const;
  std::int64_t n_steps() const;
  std::size_t n_regions() const;
  StepRecord step();
  // Per-run scalars and cascade histograms, for the steps run so far.
  RunSummary summary() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Runs the simulation to its end, handing every step to the observer.
void run(Simulation& sim, Observer& observer);

}  // namespace civsim
