#include "app/sweep_command.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <omp.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <csignal>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <map>
#include <set>

#include "app/common.hpp"
#include "app/sweep_mpi.hpp"
#include "app/sweep_runner.hpp"
#include "core/compare.hpp"
#include "core/generator.hpp"
#include "core/simulation.hpp"
#include "core/sobol_indices.hpp"
#include "io/build_info.hpp"
#include "io/config.hpp"
#include "io/errors.hpp"
#include "io/network_file.hpp"
#include "io/resources.hpp"
#include "io/sweep_journal.hpp"

namespace civsim::app {
namespace {

namespace fs = std::filesystem;

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

// Resident memory of this process in bytes (/proc/self/statm), 0 if unknown.
std::uint64_t resident_bytes() {
  std::ifstream in("/proc/self/statm");
  std::uint64_t size = 0, resident = 0;
  if (!(in >> size >> resident)) return 0;
  return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

// "--shard I/N", or Slurm's array variables, or the whole sweep.
io::Shard parse_shard(const std::string& text) {
  io::Shard s;
  if (text.empty()) {
    const char* id = std::getenv("SLURM_ARRAY_TASK_ID");
    const char* count = std::getenv("SLURM_ARRAY_TASK_COUNT");
    const char* min = std::getenv("SLURM_ARRAY_TASK_MIN");
    if (!id || !count) return s;
    try {
      const long i = std::stol(id) - (min ? std::stol(min) : 0), n = std::stol(count);
      if (n < 1 || i < 0 || i >= n) throw std::out_of_range("shard");
      s.index = static_cast<std::uint32_t>(i), s.count = static_cast<std::uint32_t>(n);
    } catch (const std::exception&) {
      throw io::UserError(fmt::format(
          "SLURM_ARRAY_TASK_ID={} / SLURM_ARRAY_TASK_COUNT={} (SLURM_ARRAY_TASK_MIN={}) do not "
          "give a shard; array tasks must be numbered consecutively (e.g. --array=0-7), or pass "
          "--shard I/N",
          id, count, min ? min : "unset"));
    }
    return s;
  }
  const auto slash = text.find('/');
  try {
    std::size_t used = 0;
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    const long i = std::stol(text.substr(0, slash), &used);
    if (used != slash) throw std::invalid_argument("index");
    const long n = std::stol(text.substr(slash + 1), &used);
    if (used != text.size() - slash - 1 || n < 1 || n > 1000000 || i < 0 || i >= n)
      throw std::invalid_argument("range");
    s.index = static_cast<std::uint32_t>(i), s.count = static_cast<std::uint32_t>(n);
  } catch (const std::exception&) {
    throw io::UserError(
        fmt::format("--shard {} is invalid; valid: I/N with 0 <= I < N, e.g. --shard 0/4", text));
  }
  return s;
}

// OUT.h5 -> OUT.shard-I-of-N.h5 (the whole sweep keeps its name).
fs::path shard_path(const fs::path& out, io::Shard s) {
  if (s.whole()) return out;
  return out.parent_path() / fmt::format("{}.shard-{}-of-{}{}", out.stem().string(), s.index,
                                         s.count, out.extension().string());
}

fs::path journal_path(const fs::path& out) {
  return out.string() + ".journal";
}

// The command line that continues this one: without --force (which would start over), with
// --resume.
std::string resume_command(const std::string& command_line) {
  std::string out;
  bool resume = false;
  for (std::size_t pos = 0; pos <= command_line.size();) {
    const auto end = std::min(command_line.find(' ', pos), command_line.size());
    const std::string word = command_line.substr(pos, end - pos);
    resume |= word == "--resume";
    if (word != "--force") out += (out.empty() ? "" : " ") + word;
    pos = end + 1;
  }
  return resume ? out : out + " --resume";
}

io::UntilCi until_ci_of(const SweepRunOptions& o) {
  io::UntilCi u;
  if (o.until_ci < 0) {
    if (!o.outcome.empty())
      throw io::UserError(
          "--outcome goes with --until-ci WIDTH (add replicates until the CI of "
          "that outcome is narrow enough)");
    return u;
  }
  if (!(o.until_ci > 0) || !std::isfinite(o.until_ci))
    throw io::UserError(
        fmt::format("--until-ci {} is invalid; valid: a half-width > 0", o.until_ci));
  if (o.outcome.empty())
    throw io::UserError("--until-ci needs --outcome NAME (a key outcome, e.g. final_reach)");
  u.width = o.until_ci;
  u.outcome = o.outcome;
  u.max_replicates = o.max_replicates;
  return u;
}

// Progress of a sweep: a redrawn line on a terminal (ETA and runs/s), a log line every few
// seconds otherwise; the total may grow (--until-ci).
class SweepProgress {
 public:
  SweepProgress(bool quiet, std::size_t already)
      : quiet_(quiet), tty_(isatty(STDERR_FILENO) != 0), base_(already), start_(Clock::now()) {}
  void update(std::size_t done, std::size_t total, bool final = false) {
    if (quiet_) return;
    const double elapsed = seconds_since(start_);
    if (!final && seconds_since(last_) < (tty_ ? 0.2 : 5.0)) return;
    last_ = Clock::now();
    const double here = static_cast<double>(done - std::min(done, base_));
    const double rate = elapsed > 0 ? here / elapsed : 0;
    const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0;
    const int pct = total ? static_cast<int>(100 * done / total) : 100;
    if (tty_) {
      constexpr int width = 30;
      const int filled = total ? static_cast<int>(width * done / total) : width;
      fmt::print(stderr, "\r[{:=<{}}{: <{}}] {:3d}% run {}/{} {:.2f} runs/s ETA {:.0f}s ", "",
                 filled, "", width - filled, pct, done, total, rate, eta);
      if (final) fmt::print(stderr, "\n");
    } else {
      spdlog::info("runs {}/{} ({}%), {:.2f} runs/s, ETA {:.0f}s", done, total, pct, rate, eta);
    }
  }

 private:
  bool quiet_, tty_;
  std::size_t base_;
  Clock::time_point start_, last_{};
};

// Within-run parallelism for networks too large to run side by side (as `civsim compare`).
bool runs_side_by_side(const io::SweepPlan& plan, int threads) {
  if (threads <= 1) return false;
  std::int64_t largest = plan.base().population;
  for (std::size_t p = 0; p < plan.points(); ++p)
    largest = std::max(largest, plan.largest_population(p));
  return static_cast<std::uint64_t>(largest) < kAcrossRunsMaxCitizens;
}

// How many networks to keep: one per thread's run and two more, which suffices when runs go
// replicate by replicate. With --until-ci runs go point by point, and each replicate has its own
// network, so then as many as an eighth of the available memory holds (at most 64), so that a
// point's replicates rarely rebuild one.
std::size_t cache_capacity(const io::SweepPlan& plan, int threads, bool side_by_side) {
  const std::size_t least = side_by_side ? static_cast<std::size_t>(threads) + 2 : 2;
  if (!plan.meta().until_ci.on()) return least;
  std::uint64_t largest = 1;
  for (std::size_t p = 0; p < plan.points(); ++p)
    largest = std::max(largest, plan.network_bytes(p));
  const std::uint64_t fit = io::available_memory_bytes() / 8 / largest;
  return std::max(least, static_cast<std::size_t>(std::min<std::uint64_t>(fit, 64)));
}

}  // namespace

// --- civsim sweep run -------------------------------------------------------------------------

LocalRunner::LocalRunner(const io::SweepPlan& plan, WorkQueue& queue, NetworkCache& cache,
                         RecordSink sink, int threads, bool side_by_side)
    : plan_(plan),
      queue_(queue),
      cache_(cache),
      sink_(std::move(sink)),
      threads_(threads),
      side_by_side_(side_by_side),
      host_(host_name()) {}

void LocalRunner::operator()() {
  std::exception_ptr error;
  std::mutex error_m;
  const auto worker = [&] {
    try {
      while (const auto key = queue_.next()) {
        const auto record = execute_run(plan_, *key, cache_, host_);
        if (!record) {
          queue_.abandon(*key);
          queue_.stop();
          break;
        }
        sink_(*record);  // durable before it counts as done
        queue_.complete(*record);
      }
    } catch (...) {
      const std::lock_guard lock(error_m);
      if (!error) error = std::current_exception();
      queue_.stop();
    }
  };
  if (side_by_side_) {
    const int saved = omp_get_max_active_levels();
    omp_set_max_active_levels(1);  // the runs are the parallel level
#pragma omp parallel num_threads(threads_)
    worker();
    omp_set_max_active_levels(saved);
  } else {
    omp_set_num_threads(threads_);
    worker();
  }
  if (error) std::rethrow_exception(error);
}

int run_sweep(const SweepRunOptions& o, const std::string& command_line) {
  const io::SweepSpec spec = io::load_sweep(o.sweep);
  const io::UntilCi until = until_ci_of(o);
  if (until.on() && spec.replicates < 2)
    throw io::UserError(fmt::format(
        "{}: --until-ci needs replicates >= 2 in the sweep file (a CI needs two values); it has "
        "{}",
        o.sweep, spec.replicates));
  const io::Shard shard = parse_shard(o.shard);
  MpiWorld mpi;
  if (mpi.size() > 1 && !shard.whole())
    throw io::UserError("--shard and MPI do not mix: use one or the other");
  const auto t0 = Clock::now();
  const io::SweepPlan plan(spec, o.overrides, until);
  if (mpi.rank() > 0)
    return mpi_worker(mpi, plan, o.threads > 0 ? o.threads : omp_get_max_threads());

  const fs::path out = shard_path(o.output, shard);
  const fs::path jpath = journal_path(out);
  std::error_code ec;
  if (o.force && o.resume)
    throw io::UserError("--force starts the sweep over and --resume continues it: choose one");
  if (o.force) {  // asked to replace: the old results go now, so that a resume cannot mix them
    fs::remove(out, ec);
    fs::remove(jpath, ec);
  }
  if (fs::exists(out, ec)) {
    if (!o.resume) io::check_output_path(out, false);
    if (io::sweep_fingerprint(out) != plan.meta().fingerprint)
      throw io::UserError(fmt::format(
          "'{}' exists and holds another sweep (or another version of this one); use --force to "
          "replace it",
          out.string()));
    fs::remove(jpath, ec);  // left over if a kill came between the rename and its removal
    fmt::print("{} is complete already; nothing to do (use --force to run it again)\n",
               out.string());
    mpi.finish_workers();
    return 0;
  }
  const int threads = o.threads > 0 ? o.threads : omp_get_max_threads();
  io::Journal journal(
      jpath, {plan.meta().fingerprint, build_info::git_sha, shard.index, shard.count}, o.resume);
  if (journal.dropped_bytes() > 0)
    spdlog::warn("{}: dropped an incomplete last record ({} bytes): that run is done again",
                 jpath.string(), journal.dropped_bytes());
  WorkQueue queue(plan, shard, io::latest_by_key(journal.records()));
  const bool side_by_side = runs_side_by_side(plan, threads);
  NetworkCache cache(cache_capacity(plan, threads, side_by_side));
  spdlog::info(
      "sweep {}: {} points x {} arm{} x {} replicate{}{}; this {}: {} runs{}{}", plan.meta().name,
      plan.points(), plan.arms(), plan.arms() == 1 ? "" : "s", spec.replicates,
      spec.replicates == 1 ? "" : "s",
      until.on() ? " (more while the CI is wider than " + fmt::format("{}", until.width) + ")" : "",
      shard.whole() ? "process" : fmt::format("shard {}/{}", shard.index, shard.count),
      queue.total(), queue.resumed() ? fmt::format(", {} done before", queue.resumed()) : "",
      mpi.size() > 1 ? fmt::format(", {} MPI ranks", mpi.size()) : "");

  install_stop_handlers();
  SweepProgress progress(o.quiet, queue.completed());
  std::mutex sink_m;
  std::size_t failed = 0;
  const RecordSink sink = [&](const io::RunRecord& r) {
    const std::lock_guard lock(sink_m);
    journal.append(r);
    if (r.status != "ok") {
      ++failed;
      spdlog::error("run (point {}, arm {}, replicate {}) failed: {}", r.key.point, r.key.arm,
                    r.key.replicate, r.error);
    }
    progress.update(queue.completed() + 1, queue.total());
  };
  const auto t1 = Clock::now();
  if (mpi.size() > 1)
    mpi_coordinator(mpi, plan, queue, cache, sink, threads, side_by_side);
  else
    LocalRunner(plan, queue, cache, sink, threads, side_by_side)();
  const double run_seconds = seconds_since(t1);
  journal.sync();

  if (const int sig = g_stop_signal.load(); sig != 0) {
    progress.update(queue.completed(), queue.total(), true);
    fmt::print(stderr,
               "civsim: stopped by {} after {} of {} runs; the finished runs are saved in {}.\n"
               "  continue with: {}\n",
               sig == SIGTERM ? "SIGTERM" : "SIGINT", queue.completed(), queue.total(),
               jpath.string(), resume_command(command_line));
    return 128 + sig;
  }
  progress.update(queue.completed(), queue.total(), true);

  // Assembly: the journal's records of this shard's runs, in key order (kept in memory as they
  // were appended, the same bytes the journal holds; reading 50 MB back cost 3% of a sweep).
  auto records = io::latest_by_key(journal.take_records());
  const auto wanted = queue.final_runs();
  std::vector<io::RunRecord> chosen;
  std::size_t j = 0;
  for (auto& r : records) {
    while (j < wanted.size() && wanted[j] < r.key) ++j;
    if (j < wanted.size() && wanted[j] == r.key) chosen.push_back(std::move(r));
  }
  if (chosen.size() != wanted.size())
    throw std::runtime_error(
        fmt::format("sweep assembly: {} of {} runs in the journal", chosen.size(), wanted.size()));
  auto prov = io::collect_provenance(command_line, plan.meta().master_seed, threads);
  prov.run_seconds = seconds_since(t0);
  io::write_sweep_file(out, plan.meta(), chosen, prov, shard, shard.whole(), o.force);
  fs::remove(jpath, ec);

  double bare = 0;
  for (const auto& r : chosen) bare += r.wall_seconds + r.network_seconds;
  fmt::print("sweep        {} ({} design, {} points x {} arms)\n", plan.meta().name,
             plan.meta().design, plan.points(), plan.arms());
  fmt::print("runs         {}{} ({} network build{}), {} failed\n", chosen.size(),
             shard.whole() ? "" : fmt::format(" of shard {}/{}", shard.index, shard.count),
             cache.builds(), cache.builds() == 1 ? "" : "s", failed);
  fmt::print("run time     {:.2f}s on {} thread{}{}; {:.1f} runs/min; runs alone {:.2f} core-s\n",
             run_seconds, threads, threads == 1 ? "" : "s",
             mpi.size() > 1 ? fmt::format(" x {} ranks", mpi.size()) : "",
             run_seconds > 0
                 ? 60.0 * static_cast<double>(queue.completed() - queue.resumed()) / run_seconds
                 : 0.0,
             bare);
  fmt::print("output       {}\n", out.string());
  if (failed > 0) {
    fmt::print(stderr, "civsim: {} run{} failed (status \"failed\" in /runs, with the error)\n",
               failed, failed == 1 ? "" : "s");
    return 1;
  }
  return 0;
}

// --- civsim sweep plan ------------------------------------------------------------------------

namespace {

int cmd_plan(const SweepRunOptions& o, int cpus_per_task, double task_hours) {
  const io::SweepSpec spec = io::load_sweep(o.sweep);
  const io::UntilCi until = until_ci_of(o);
  const io::SweepPlan plan(spec, o.overrides, until);
  const auto& m = plan.meta();
  const std::size_t runs = plan.initial_runs().size();
  fmt::print("sweep        {} ({}, design {}, {} ax{})\n", m.name, o.sweep, m.design, m.axes.size(),
             m.axes.size() == 1 ? "is" : "es");
  fmt::print("base         {} (scenario \"{}\", {} citizens, {} steps of {})\n",
             spec.scenario.string(), plan.base().name, plan.base().population, plan.base().steps(),
             io::format_duration(plan.base().time.step_hours));
  for (std::size_t k = 0; k < spec.axes.size(); ++k) {
    std::set<std::string> distinct;
    for (const auto& p : m.point_text) distinct.insert(p[k]);
    fmt::print("axis         {} ({} value{})\n", spec.axes[k].key, distinct.size(),
               distinct.size() == 1 ? "" : "s");
  }
  fmt::print("points       {}\n", plan.points());
  fmt::print("arms         {} ({})\n", plan.arms(), fmt::join(m.arms, ", "));
  fmt::print("replicates   {} per point and arm{}; seeds from master seed {}\n", spec.replicates,
             until.on() ? fmt::format(", up to {} with --until-ci", until.max_replicates) : "",
             m.master_seed);
  fmt::print("runs         {}{}\n", runs,
             until.on() ? fmt::format(" at first, at most {}",
                                      plan.points() * plan.arms() *
                                          static_cast<std::size_t>(until.max_replicates))
                        : "");
  const std::size_t networks = plan.distinct_networks() * static_cast<std::size_t>(spec.replicates);
  fmt::print("networks     {} distinct (runs with the same network keys and replicate share one)\n",
             networks);

  // Calibration on the point with the largest network: build it, run some steps, extrapolate.
  std::size_t heavy = 0;
  for (std::size_t p = 0; p < plan.points(); ++p)
    if (plan.network_bytes(p) > plan.network_bytes(heavy)) heavy = p;
  Scenario s = plan.scenario({heavy, 0, 0});
  const std::uint64_t rss0 = resident_bytes();
  const auto t0 = Clock::now();
  const Network network = io::build_network(s);
  const double build_seconds = seconds_since(t0);
  const auto t1 = Clock::now();
  Simulation sim(s, network, 0);
  std::int64_t steps = 0;
  while (!sim.done() && (steps < 3 || (seconds_since(t1) < 1.0 && steps < sim.n_steps()))) {
    (void)sim.step();
    ++steps;
  }
  const double measured = seconds_since(t1);
  const double per_run = measured * static_cast<double>(sim.n_steps()) / static_cast<double>(steps);
  const std::uint64_t rss1 = resident_bytes();
  const std::uint64_t series_bytes =
      static_cast<std::uint64_t>(sim.n_steps()) * (kNumSeries + 8 * plan.base().regions.size()) * 8;
  const std::uint64_t per_run_bytes = (rss1 > rss0 ? rss1 - rss0 : 0) + series_bytes;
  fmt::print(
      "calibration  point {} (its network is the sweep's largest): network {:.2f}s, {} of {} steps "
      "in {:.2f}s -> {:.2f}s per run\n",
      heavy, build_seconds, steps, sim.n_steps(), measured, per_run);
  fmt::print("memory       about {} per run in flight (network estimate {})\n",
             io::format_bytes(per_run_bytes), io::format_bytes(estimate_network_bytes(s)));
  const double core_seconds =
      static_cast<double>(runs) * per_run + static_cast<double>(networks) * build_seconds;
  const int cores = omp_get_max_threads();
  fmt::print(
      "cost         about {:.0f} core-seconds ({:.2f} core-hours); on this machine's {} "
      "core{} about {:.0f}s (an upper bound: the largest network for every run)\n",
      core_seconds, core_seconds / 3600, cores, cores == 1 ? "" : "s", core_seconds / cores);
  // Slurm: tasks of about task_hours on cpus_per_task cores, no more tasks than shards of work.
  const std::size_t units = until.on() ? plan.points() : runs;
  const auto tasks = static_cast<std::size_t>(
      std::clamp<double>(std::ceil(core_seconds / (task_hours * 3600 * cpus_per_task)), 1.0,
                         static_cast<double>(units)));
  const double task_seconds = core_seconds / static_cast<double>(tasks) / cpus_per_task;
  const double minutes = std::max(10.0, std::ceil(task_seconds * 1.5 / 60 + 5));
  const std::uint64_t mem =
      per_run_bytes * static_cast<std::uint64_t>(cpus_per_task) + (std::uint64_t{512} << 20);
  fmt::print(
      "slurm        sbatch --array=0-{} --cpus-per-task={} --mem={}M --time={}:{:02d}:00 "
      "scripts/slurm/sweep.sbatch {} OUT.h5\n"
      "             ({} task{} of about {:.0f} min each; 1.5x + 5 min of headroom; the job "
      "resumes if requeued)\n",
      tasks - 1, cpus_per_task, mem >> 20, static_cast<int>(minutes) / 60,
      static_cast<int>(minutes) % 60, o.sweep, tasks, tasks == 1 ? "" : "s", task_seconds / 60);
  return 0;
}

// --- civsim sweep merge -----------------------------------------------------------------------

int cmd_merge(const std::vector<std::string>& files, const std::string& output, bool force,
              const std::string& command_line) {
  if (files.empty()) throw io::UserError("sweep merge: no shard files given");
  io::check_output_path(output, force);
  std::vector<io::SweepFile> shards;
  std::map<std::uint32_t, std::string> seen;
  for (const auto& f : files) {
    shards.push_back(io::read_sweep_file(f));
    const auto& s = shards.back();
    const auto& first = shards.front();
    if (s.meta.fingerprint != first.meta.fingerprint)
      throw io::UserError(
          fmt::format("'{}' is a shard of another sweep than '{}' (fingerprint {} "
                      "vs {})",
                      f, files.front(), s.meta.fingerprint, first.meta.fingerprint));
    if (s.shard.count != first.shard.count)
      throw io::UserError(fmt::format("'{}' is shard {}/{}, but '{}' is one of {}", f,
                                      s.shard.index, s.shard.count, files.front(),
                                      first.shard.count));
    if (!seen.emplace(s.shard.index, f).second)
      throw io::UserError(fmt::format("shard {}/{} is given twice: '{}' and '{}'", s.shard.index,
                                      s.shard.count, seen[s.shard.index], f));
  }
  const std::uint32_t count = shards.front().shard.count;
  std::vector<std::uint32_t> missing;
  for (std::uint32_t i = 0; i < count; ++i)
    if (!seen.count(i)) missing.push_back(i);
  if (!missing.empty())
    throw io::UserError(fmt::format(
        "shard{} {} of {} {} missing: run `civsim sweep run SWEEP -o OUT.h5 --shard I/{} --resume` "
        "for {} and merge again",
        missing.size() == 1 ? "" : "s", fmt::join(missing, ", "), count,
        missing.size() == 1 ? "is" : "are", count, missing.size() == 1 ? "it" : "each"));

  std::vector<io::RunRecord> records;
  for (auto& s : shards)
    for (auto& r : s.records) records.push_back(std::move(r));
  std::sort(records.begin(), records.end(),
            [](const io::RunRecord& a, const io::RunRecord& b) { return a.key < b.key; });
  for (std::size_t i = 1; i < records.size(); ++i)
    if (records[i].key == records[i - 1].key)
      throw io::UserError(fmt::format(
          "run (point {}, arm {}, replicate {}) is in two shards: the shards are not of one "
          "sweep run",
          records[i].key.point, records[i].key.arm, records[i].key.replicate));
  // Every point and arm has replicates 0 .. R-1 (R at least the sweep's replicates).
  const auto& meta = shards.front().meta;
  std::map<std::pair<std::uint64_t, std::uint32_t>, std::uint32_t> reps;
  for (const auto& r : records) {
    auto& n = reps[{r.key.point, r.key.arm}];
    if (r.key.replicate != n)
      throw io::UserError(fmt::format("run (point {}, arm {}, replicate {}) is missing",
                                      r.key.point, r.key.arm, n));
    ++n;
  }
  for (std::uint64_t p = 0; p < meta.points(); ++p)
    for (std::uint32_t a = 0; a < meta.arms.size(); ++a) {
      const auto it = reps.find({p, a});
      const std::uint32_t have = it == reps.end() ? 0 : it->second;
      if (have < meta.replicates)
        throw io::UserError(
            fmt::format("run (point {}, arm {}, replicate {}) is missing", p, a, have));
    }
  auto prov = io::collect_provenance(command_line, meta.master_seed, 1);
  io::write_sweep_file(output, meta, records, prov, {0, 1}, true, force);
  fmt::print("merged       {} shards, {} runs\noutput       {}\n", count, records.size(), output);
  return 0;
}

// --- civsim sweep analyze ---------------------------------------------------------------------

int cmd_analyze(const std::string& file, std::vector<std::string> outcomes, const std::string& arm,
                int bootstrap) {
  const io::SweepFile f = io::read_sweep_file(file);
  if (!f.complete)
    throw io::UserError(
        fmt::format("'{}' is shard {}/{} of a sweep: merge the shards first "
                    "(civsim sweep merge)",
                    file, f.shard.index, f.shard.count));
  const auto& m = f.meta;
  if (outcomes.empty()) outcomes = m.outcomes;
  const auto stats = io::point_stats(m, f.records);
  const auto find = [&](const std::string& name) -> const io::PointStats& {
    for (const auto& s : stats)
      if (s.name == name) return s;
    std::vector<std::string> names;
    for (const auto& s : stats) names.push_back(s.name);
    throw io::UserError(
        fmt::format("outcome '{}' is not in '{}'; valid: {}", name, file, fmt::join(names, ", ")));
  };
  std::vector<std::size_t> arms;
  for (std::size_t a = 0; a < m.arms.size(); ++a)
    if (arm.empty() || m.arms[a] == arm) arms.push_back(a);
  if (arms.empty())
    throw io::UserError(fmt::format("--arm '{}' is not an arm of '{}'; valid: {}", arm, file,
                                    fmt::join(m.arms, ", ")));
  const std::size_t P = m.points(), A = m.arms.size();
  fmt::print("sweep        {} ({} design, {} points x {} arms, {} runs)\n\n", m.name, m.design, P,
             A, f.records.size());
  if (P * arms.size() <= 60) {
    for (const auto& name : outcomes) {
      const auto& st = find(name);
      fmt::print("{} [{}]: mean and 95% CI over replicates\n", name, st.units);
      for (std::size_t p = 0; p < P; ++p)
        for (const auto a : arms) {
          const std::size_t j = p * A + a;
          std::vector<std::string> where;
          for (std::size_t k = 0; k < m.axes.size(); ++k)
            where.push_back(m.axes[k].key + "=" + m.point_text[p][k]);
          fmt::print("  {:<50} {:<10} {:>14.6g} [{:.6g}, {:.6g}] n={}\n", fmt::join(where, " "),
                     m.arms[a], st.mean[j], st.ci_low[j], st.ci_high[j], st.n[j]);
        }
      fmt::print("\n");
    }
  } else {
    fmt::print("({} points x {} arms: per-point statistics are in /stats of the file)\n\n", P,
               arms.size());
  }
  if (m.design != "saltelli") {
    fmt::print("Sobol' indices need design = \"saltelli\"; this sweep is a {} design\n", m.design);
    return 0;
  }
  const std::size_t d = m.axes.size();
  for (const auto& name : outcomes) {
    const auto& st = find(name);
    for (const auto a : arms) {
      std::vector<double> y(P);
      for (std::size_t p = 0; p < P; ++p) y[p] = st.mean[p * A + a];
      SobolIndices s;
      try {
        s = sobol_indices(y, d, static_cast<std::size_t>(bootstrap), m.master_seed);
      } catch (const std::invalid_argument& e) {
        fmt::print("{} ({}): no indices: {}\n\n", name, m.arms[a], e.what());
        continue;
      }
      fmt::print(
          "Sobol' indices of {} (arm {}; {} base samples, variance {:.6g}, {} bootstrap "
          "resamples, 95% CI)\n",
          name, m.arms[a], s.samples, s.variance, bootstrap);
      fmt::print("  {:<40} {:>24} {:>24}\n", "factor", "first-order S1", "total ST");
      for (std::size_t k = 0; k < d; ++k)
        fmt::print("  {:<40} {:>7.3f} [{:6.3f}, {:6.3f}] {:>7.3f} [{:6.3f}, {:6.3f}]\n",
                   m.axes[k].key, s.first[k].value, s.first[k].ci_low, s.first[k].ci_high,
                   s.total[k].value, s.total[k].ci_low, s.total[k].ci_high);
      fmt::print("\n");
    }
  }
  return 0;
}

}  // namespace

SweepCommand::SweepCommand(CLI::App& app) {
  command_ = app.add_subcommand("sweep",
                                "Parameter sweeps: plan, run (threads, Slurm shards, MPI), "
                                "merge shards, analyze (docs/sweeps.md)");
  command_->require_subcommand(1);
  const auto common = [&](CLI::App* c) {
    c->add_option("sweep", o_.sweep, "Sweep file (TOML)")->required();
    c->add_option("--set", o_.overrides,
                  "Override a key of the base scenario for every run: key.path=value (repeatable)");
    c->add_option("--until-ci", o_.until_ci,
                  "Add replicates until the 95% CI half-width of --outcome is below this, at "
                  "every point and arm");
    c->add_option("--outcome", o_.outcome, "The key outcome --until-ci watches");
    c->add_option("--max-replicates", o_.max_replicates, "Cap for --until-ci (default 100)")
        ->check(CLI::Range(2, 100000));
  };
  plan_ = command_->add_subcommand(
      "plan",
      "Count the runs, estimate their cost from a short calibration run, suggest Slurm "
      "array sizes");
  common(plan_);
  plan_->add_option("--cpus-per-task", cpus_per_task_, "Cores per Slurm task (default 4)")
      ->check(CLI::Range(1, 4096));
  plan_->add_option("--task-hours", task_hours_, "Wall time to aim for per task (default 1)")
      ->check(CLI::Range(0.01, 1000.0));
  plan_->footer("Example:\n  civsim sweep plan scenarios/sweeps/example.toml");

  run_ = command_->add_subcommand("run", "Run a sweep (or one shard of it) into a sweep file");
  common(run_);
  run_->add_option("-o,--output", o_.output, "Sweep file to write (HDF5)")->required();
  run_->add_option("--threads", o_.threads,
                   "OpenMP threads (default: OMP_NUM_THREADS or all cores)")
      ->check(CLI::PositiveNumber);
  run_->add_option("--shard", o_.shard,
                   "Run shard I of N (0 <= I < N) into OUT.shard-I-of-N.h5; default from "
                   "SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT");
  run_->add_flag("--resume", o_.resume,
                 "Continue an interrupted sweep: skip the runs in OUT.h5.journal");
  run_->add_flag("--force", o_.force, "Start over: replace OUT.h5 and drop its journal");
  run_->add_flag("-q,--quiet", o_.quiet, "No progress output");
  run_->footer(
      "Examples:\n  civsim sweep run scenarios/sweeps/example.toml -o results/example.h5\n"
      "  civsim sweep run SWEEP -o OUT.h5 --resume        # after a kill or a walltime limit\n"
      "  civsim sweep run SWEEP -o OUT.h5 --shard 2/8     # writes OUT.shard-2-of-8.h5\n"
      "Exit codes: 0 done, 1 runs failed, 2 bad input, 130/143 stopped by SIGINT/SIGTERM "
      "(resume with --resume).");

  merge_ = command_->add_subcommand("merge", "Combine shard files into one sweep file");
  merge_->add_option("shards", shards_, "Shard files (OUT.shard-I-of-N.h5)")->required();
  merge_->add_option("-o,--output", merge_output_, "Sweep file to write (HDF5)")->required();
  merge_->add_flag("--force", o_.force, "Overwrite an existing output file");
  merge_->footer("Example:\n  civsim sweep merge results/ex.shard-*-of-4.h5 -o results/ex.h5");

  analyze_ = command_->add_subcommand(
      "analyze", "Per-point means and CIs, and Sobol' indices of a saltelli design");
  analyze_->add_option("file", analyze_file_, "Sweep file (HDF5)")->required();
  analyze_->add_option("--outcome", analyze_outcomes_,
                       "Outcomes to analyze (default: the sweep's outcomes)");
  analyze_->add_option("--arm", analyze_arm_, "Only this arm");
  analyze_->add_option("--bootstrap", bootstrap_, "Bootstrap resamples for the CIs (default 1000)")
      ->check(CLI::Range(0, 100000));
  analyze_->footer("Example:\n  civsim sweep analyze results/sensitivity.h5 --outcome final_reach");
}

int SweepCommand::run(const std::string& command_line) {
  if (plan_->parsed()) return cmd_plan(o_, cpus_per_task_, task_hours_);
  if (run_->parsed()) return run_sweep(o_, command_line);
  if (merge_->parsed()) return cmd_merge(shards_, merge_output_, o_.force, command_line);
  if (analyze_->parsed())
    return cmd_analyze(analyze_file_, analyze_outcomes_, analyze_arm_, bootstrap_);
  return 2;
}

}  // namespace civsim::app
