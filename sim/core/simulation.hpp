#pragma once
// The simulation core: owns all mutable state of one run, advances it step by step, and hands
// each step's outcomes to observers. It never does I/O.
#include <array>
#include <cstdint>
#include <vector>

#include "core/network.hpp"
#include "core/scenario.hpp"

namespace civsim {

// Outcomes of one step. Counts are exact integers, so parallel reductions are order-free.
struct StepRecord {
  std::int64_t step = 0;
  double time_hours = 0;              // time at the end of the step
  std::uint64_t posts = 0;            // government posts published in this step
  std::uint64_t impressions = 0;      // deliveries of government content to citizens in this step
  std::uint64_t reshares = 0;         // citizens who reshared government content in this step
  std::uint64_t new_reach = 0;        // citizens exposed to government content for the first time
  std::uint64_t reach = 0;            // cumulative unique citizens exposed so far
  std::uint64_t active_cascades = 0;  // posts still spreading at the end of the step
};

// The integer outcome series, in file order. One table for the recorder, the HDF5 writer and
// the docs, so a new series is added in exactly one place.
struct SeriesSpec {
  const char* name;
  const char* units;
  const char* description;
  std::uint64_t StepRecord::*field;
};
inline constexpr std::array<SeriesSpec, 6> kSeries = {{
    {"reach", "citizens", "cumulative unique citizens exposed to government content",
     &StepRecord::reach},
    {"new_reach", "citizens", "citizens exposed to government content for the first time",
     &StepRecord::new_reach},
    {"impressions", "impressions",
     "deliveries of a government post or a reshare of it into a citizen's feed",
     &StepRecord::impressions},
    {"reshares", "citizens", "citizens resharing a government post", &StepRecord::reshares},
    {"posts", "posts", "posts published by government accounts", &StepRecord::posts},
    {"active_cascades", "posts", "government posts still spreading at the end of the step",
     &StepRecord::active_cascades},
}};

class Observer {
 public:
  virtual ~Observer() = default;
  virtual void on_step(const StepRecord& record) = 0;
};

// Keeps every step's record (the series of one run).
class SeriesRecorder final : public Observer {
 public:
  void on_step(const StepRecord& record) override { records_.push_back(record); }
  const std::vector<StepRecord>& records() const { return records_; }
  std::vector<std::int64_t> column(std::uint64_t StepRecord::*field) const;
  std::vector<double> time_hours() const;

 private:
  std::vector<StepRecord> records_;
};

class Simulation {
 public:
  // The network must outlive the simulation. Its nodes after the citizens are the scenario's
  // accounts, in order; every government account posts on its own schedule.
  Simulation(const Scenario& scenario, const Network& network, std::uint32_t replicate = 0);

  bool done() const { return step_ >= n_steps_; }
  std::int64_t current_step() const { return step_; }
  std::int64_t n_steps() const { return n_steps_; }
  StepRecord step();

 private:
  struct Cascade {
    std::uint64_t post_id;
    std::vector<NodeId> frontier;       // accounts whose followers see the post this step
    std::vector<std::uint64_t> shared;  // bitmap: accounts that already posted or reshared it
  };
  void advance(Cascade& cascade, StepRecord& record);
  std::uint64_t posts_due(const AccountParams& account, std::int64_t step) const;

  const Scenario scenario_;
  const Network& network_;
  const std::uint32_t replicate_;
  const std::int64_t n_steps_;
  std::int64_t step_ = 0;
  std::uint64_t posts_published_ = 0;
  std::uint64_t reach_ = 0;
  std::vector<std::uint64_t> exposed_;  // bitmap over citizens: ever saw government content
  std::vector<Cascade> cascades_;
};

// Runs the simulation to its end, handing every step to the observer.
void run(Simulation& sim, Observer& observer);

}  // namespace civsim
