#pragma once
// `mpirun -n K civsim sweep run ...` (builds with CIVSIM_WITH_MPI): rank 0 coordinates. It
// hands out runs on request from the shared WorkQueue, receives every finished run and writes it
// to its one journal, and runs some itself on its other threads; ranks 1..K-1 ask for as many
// runs as they have threads, run them and send the records back. The sweep file is rank 0's, as
// in a single process (and identical to it: a run depends only on its key). Without MPI (or not
// started by mpirun) MpiWorld has one rank and the other functions are never called.
#include "app/sweep_runner.hpp"

namespace civsim::app {

class MpiWorld {
 public:
  MpiWorld();   // MPI_Init_thread when started by mpirun/srun in an MPI build
  ~MpiWorld();  // tells workers to stop if the coordinator leaves early; MPI_Finalize
  MpiWorld(const MpiWorld&) = delete;
  MpiWorld& operator=(const MpiWorld&) = delete;
  int rank() const { return rank_; }
  int size() const { return size_; }
  void finish_workers();                             // rank 0: every worker gets "no more work"
  void workers_left() { workers_finished_ = true; }  // they all said goodbye already

 private:
  int rank_ = 0, size_ = 1;
  bool initialized_ = false, workers_finished_ = false;
};

// Ranks > 0: request, run, send back, until told there is no more. Returns the exit code.
int mpi_worker(MpiWorld& world, const io::SweepPlan& plan, int threads);

// Rank 0: serve the workers while a LocalRunner works on this rank's threads.
void mpi_coordinator(MpiWorld& world, const io::SweepPlan& plan, WorkQueue& queue,
                     NetworkCache& cache, const RecordSink& sink, int threads, bool side_by_side);

}  // namespace civsim::app
