#include "app/sweep_mpi.hpp"

#include <omp.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#ifdef CIVSIM_WITH_MPI
#include <mpi.h>
#endif

namespace civsim::app {

#ifndef CIVSIM_WITH_MPI

MpiWorld::MpiWorld() = default;
MpiWorld::~MpiWorld() = default;
void MpiWorld::finish_workers() {}
int mpi_worker(MpiWorld&, const io::SweepPlan&, int) {
  throw std::logic_error("mpi_worker without MPI");
}
void mpi_coordinator(MpiWorld&, const io::SweepPlan&, WorkQueue&, NetworkCache&, const RecordSink&,
                     int, bool) {
  throw std::logic_error("mpi_coordinator without MPI");
}

#else

namespace {

enum Tag : int { kRequest = 1, kWork = 2, kResult = 3, kBye = 4 };

// Started by mpirun (Open MPI, MPICH) or srun: only then is MPI initialised, so that a plain
// `civsim sweep run` of an MPI build behaves like any other.
bool launched_by_mpi() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "PMI_RANK"})
    if (std::getenv(v)) return true;
  return false;
}

std::vector<std::uint64_t> pack(const std::vector<io::RunKey>& keys) {
  std::vector<std::uint64_t> out;
  for (const auto& k : keys) {
    out.push_back(k.point);
    out.push_back((std::uint64_t{k.arm} << 32) | k.replicate);
  }
  return out;
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

}  // namespace

MpiWorld::MpiWorld() {
  if (!launched_by_mpi()) return;
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  initialized_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

void MpiWorld::finish_workers() {
  if (!initialized_ || rank_ != 0 || workers_finished_) return;
  workers_finished_ = true;
  // Workers wait for a reply to their request: an empty work list ends them.
  for (int r = 1; r < size_; ++r) MPI_Send(nullptr, 0, MPI_UINT64_T, r, kWork, MPI_COMM_WORLD);
}

MpiWorld::~MpiWorld() {
  if (!initialized_) return;
  finish_workers();
  MPI_Finalize();
}

int mpi_worker(MpiWorld&, const io::SweepPlan& plan, int threads) {
  const bool side_by_side = threads > 1;
  NetworkCache cache(static_cast<std::size_t>(threads) + 2);
  const std::string host = host_name();
  install_stop_handlers();
  while (true) {
    int want = side_by_side ? threads : 1;
    MPI_Send(&want, 1, MPI_INT, 0, kRequest, MPI_COMM_WORLD);
    MPI_Status status;
    MPI_Probe(0, kWork, MPI_COMM_WORLD, &status);
    int count = 0;
    MPI_Get_count(&status, MPI_UINT64_T, &count);
    std::vector<std::uint64_t> packed(static_cast<std::size_t>(count));
    MPI_Recv(packed.data(), count, MPI_UINT64_T, 0, kWork, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (count == 0) break;
    std::vector<io::RunKey> keys;
    for (std::size_t i = 0; i + 1 < packed.size(); i += 2)
      keys.push_back({packed[i], static_cast<std::uint32_t>(packed[i + 1] >> 32),
                      static_cast<std::uint32_t>(packed[i + 1] & 0xffffffffu)});
    std::vector<std::optional<io::RunRecord>> results(keys.size());
    const auto n = static_cast<std::int64_t>(keys.size());
    if (side_by_side) {
      omp_set_max_active_levels(1);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
      for (std::int64_t i = 0; i < n; ++i)
        results[static_cast<std::size_t>(i)] =
            execute_run(plan, keys[static_cast<std::size_t>(i)], cache, host);
    } else {
      omp_set_num_threads(threads);
      for (std::int64_t i = 0; i < n; ++i)
        results[static_cast<std::size_t>(i)] =
            execute_run(plan, keys[static_cast<std::size_t>(i)], cache, host);
    }
    for (const auto& r : results) {
      if (!r) continue;  // interrupted: redone on resume
      const std::string bytes = io::encode(*r);
      MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, 0, kResult, MPI_COMM_WORLD);
    }
  }
  MPI_Send(nullptr, 0, MPI_BYTE, 0, kBye, MPI_COMM_WORLD);
  return 0;
}

void mpi_coordinator(MpiWorld& world, const io::SweepPlan& plan, WorkQueue& queue,
                     NetworkCache& cache, const RecordSink& sink, int threads, bool side_by_side) {
  // This rank's own threads work from the same queue (they never call MPI).
  std::exception_ptr local_error;
  std::thread local([&] {
    try {
      LocalRunner(plan, queue, cache, sink, threads, side_by_side)();
    } catch (...) {
      local_error = std::current_exception();
      queue.stop();
    }
  });
  int alive = world.size() - 1;
  std::vector<int> waiting(static_cast<std::size_t>(world.size()), 0);  // deferred requests
  std::vector<bool> ended(static_cast<std::size_t>(world.size()), false);
  std::exception_ptr error;
  try {
    while (alive > 0) {
      if (g_stop_signal.load() != 0) queue.stop();
      // Deferred requests first: runs may have become available (--until-ci).
      for (int r = 1; r < world.size(); ++r) {
        if (waiting[static_cast<std::size_t>(r)] == 0) continue;
        bool finished = false;
        const auto keys = queue.try_next(
            static_cast<std::size_t>(waiting[static_cast<std::size_t>(r)]), finished);
        if (keys.empty() && !finished) continue;
        const auto packed = pack(keys);
        MPI_Send(packed.data(), static_cast<int>(packed.size()), MPI_UINT64_T, r, kWork,
                 MPI_COMM_WORLD);
        waiting[static_cast<std::size_t>(r)] = 0;
      }
      int flag = 0;
      MPI_Status status;
      MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status);
      if (!flag) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        continue;
      }
      const int from = status.MPI_SOURCE;
      if (status.MPI_TAG == kRequest) {
        int want = 0;
        MPI_Recv(&want, 1, MPI_INT, from, kRequest, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        waiting[static_cast<std::size_t>(from)] = std::max(1, want);
      } else if (status.MPI_TAG == kResult) {
        int size = 0;
        MPI_Get_count(&status, MPI_BYTE, &size);
        std::string bytes(static_cast<std::size_t>(size), '\0');
        MPI_Recv(bytes.data(), size, MPI_BYTE, from, kResult, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        const io::RunRecord record = io::decode(bytes);
        sink(record);
        queue.complete(record);
      } else if (status.MPI_TAG == kBye) {
        MPI_Recv(nullptr, 0, MPI_BYTE, from, kBye, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (!ended[static_cast<std::size_t>(from)]) --alive;
        ended[static_cast<std::size_t>(from)] = true;
      } else {
        throw std::runtime_error("MPI: unexpected message");
      }
    }
  } catch (...) {
    error = std::current_exception();
    queue.stop();
  }
  if (alive == 0) world.workers_left();
  local.join();
  if (error) std::rethrow_exception(error);
  if (local_error) std::rethrow_exception(local_error);
}

#endif

}  // namespace civsim::app
