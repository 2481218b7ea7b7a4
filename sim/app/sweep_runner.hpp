#pragma once
// Running the runs of a sweep: the queue that hands out runs (and adds replicates for
// --until-ci), the cache that lets runs share a network, and one run from key to record. The
// threads (and with MPI the ranks) that pull from the queue are in sweep_command.cpp and
// sweep_mpi.cpp. Results never depend on who ran what: a run is a function of its key.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/network.hpp"
#include "io/sweep_file.hpp"

namespace civsim::app {

// Set by the SIGTERM/SIGINT handler of `civsim sweep run`: the signal number, 0 while running.
extern std::atomic<int> g_stop_signal;
void install_stop_handlers();

// Networks shared between runs whose network_part() agrees, built once by whichever run needs
// one first (others wait for it), least recently used ones dropped beyond `capacity`.
class NetworkCache {
 public:
  explicit NetworkCache(std::size_t capacity) : capacity_(std::max<std::size_t>(1, capacity)) {}
  // The network of `scenario` and the seconds this call spent building it (0 on a hit). Sets an
  // edge-list scenario's population from the file, as io::build_network does.
  std::pair<std::shared_ptr<const Network>, double> get(Scenario& scenario);
  std::size_t builds() const { return builds_; }

 private:
  struct Entry {
    std::mutex m;
    std::shared_ptr<const Network> network;
  };
  std::size_t capacity_;
  std::mutex m_;
  std::list<std::pair<std::string, std::shared_ptr<Entry>>> lru_;
  std::atomic<std::size_t> builds_ = 0;
};

// Runs one run; nullopt when g_stop_signal interrupted it (it is redone on resume). A run that
// throws becomes a record with status "failed".
std::optional<io::RunRecord> execute_run(const io::SweepPlan& plan, const io::RunKey& key,
                                         NetworkCache& cache, const std::string& host);

// Which runs belong to a shard: with --until-ci whole points (point % count == index), since
// adding replicates needs all of a point's results; otherwise every count-th run of the initial
// list, for the best balance.
bool in_shard(const io::SweepPlan& plan, const io::RunKey& key, io::Shard shard);

class WorkQueue {
 public:
  // `done`: records already in the journal (resume); failed ones are run again.
  WorkQueue(const io::SweepPlan& plan, io::Shard shard, const std::vector<io::RunRecord>& done);

  // The next run to do; waits while runs in flight may still add replicates; nullopt when all
  // is done or a stop was requested.
  std::optional<io::RunKey> next();
  // Up to n runs without waiting (MPI coordinator); `finished` tells whether nothing is left.
  std::vector<io::RunKey> try_next(std::size_t n, bool& finished);
  void complete(const io::RunRecord& record);
  void abandon(const io::RunKey& key);  // stopped mid-run
  void stop();

  std::size_t total() const;
  std::size_t completed() const;
  std::size_t resumed() const { return resumed_; }
  // Every run of the shard's result (known once the queue is finished), in key order.
  std::vector<io::RunKey> final_runs() const;

 private:
  void settle(std::uint64_t point);  // with the lock held
  bool finished_locked() const { return pending_.empty() && in_flight_ == 0; }
  double outcome_of(const io::RunRecord& r) const;

  const io::SweepPlan& plan_;
  io::Shard shard_;
  mutable std::mutex m_;
  std::condition_variable cv_;
  std::list<io::RunKey> pending_;
  std::size_t in_flight_ = 0, completed_ = 0, resumed_ = 0, total_ = 0;
  bool stopped_ = false;
  std::set<io::RunKey> done_;
  // --until-ci: per point, the replicates wanted so far and the outcome of every finished run.
  std::map<std::uint64_t, std::int64_t> target_;
  std::map<io::RunKey, double> values_;
};

// Where finished runs go (the journal); called from one thread at a time.
using RecordSink = std::function<void(const io::RunRecord&)>;

// Pulls runs from the queue until it is finished or stopped: side by side on `threads` OpenMP
// threads (each simulation single-threaded), or one at a time with every thread inside the run.
// A run interrupted by a stop signal goes back to the queue and stops it.
class LocalRunner {
 public:
  LocalRunner(const io::SweepPlan& plan, WorkQueue& queue, NetworkCache& cache, RecordSink sink,
              int threads, bool side_by_side);
  void operator()();

 private:
  const io::SweepPlan& plan_;
  WorkQueue& queue_;
  NetworkCache& cache_;
  RecordSink sink_;
  int threads_;
  bool side_by_side_;
  std::string host_;
};

}  // namespace civsim::app
