// civsim._civsim: the compiled part of the Python package `civsim` (python/civsim wraps it in the
// documented API; docs/python.md). Thin bindings over the core and I/O libraries: scenarios are
// read and checked by io::read_scenario_text / io::parse_scenario (as `civsim run --set`), networks
// built by io::build_network_with_stats, runs by Simulation, comparisons by compare_arms, and
// results written by the same writers as the command line. No model logic lives here.
//
// Long work runs on a worker thread while the calling thread waits with the GIL released; the
// calling thread takes the GIL back briefly to deliver progress to a Python callback and to check
// for Ctrl-C (PyErr_CheckSignals), and asks the worker to stop between steps when either raises.
#include <omp.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/compare.hpp"
#include "core/key_outcomes.hpp"
#include "core/simulation.hpp"
#include "io/build_info.hpp"
#include "io/compare_file.hpp"
#include "io/config.hpp"
#include "io/errors.hpp"
#include "io/experiment.hpp"
#include "io/file_layout.hpp"
#include "io/provenance.hpp"
#include "io/run_file.hpp"

namespace py = pybind11;

namespace civsim::python {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// A numpy array that takes over `values` (moved into a capsule the array owns: no copy).
// Read-only: the results it belongs to are saved from their C++ copy.
template <class T>
py::array_t<T> owning_array(std::vector<T>&& values, std::vector<py::ssize_t> shape) {
  auto* owned = new std::vector<T>(std::move(values));
  py::capsule owner(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  py::array_t<T> array(std::move(shape), owned->data(), owner);
  array.attr("setflags")(py::arg("write") = false);
  return array;
}

template <class T>
py::array_t<T> copied_array(const std::vector<T>& values, std::vector<py::ssize_t> shape) {
  return owning_array(std::vector<T>(values), std::move(shape));
}

py::ssize_t ssize(std::size_t n) {
  return static_cast<py::ssize_t>(n);
}

py::object attribute_value(const io::h5::Attribute& value) {
  return std::visit([](const auto& v) -> py::object { return py::cast(v); }, value);
}

// The network statistics under the names of the run file's /network attributes and datasets.
py::dict network_dict(const NetworkStats& stats) {
  py::dict out;
  for (const auto& [name, value] : io::layout::network_attributes(stats))
    out[py::str(name)] = attribute_value(value);
  const auto bins = [&](const LogBins& b, const std::string& kind) {
    std::vector<std::int64_t> lower(b.lower.begin(), b.lower.end());
    std::vector<std::int64_t> count(b.count.begin(), b.count.end());
    const auto n = ssize(lower.size());
    out[py::str(kind + "_bins")] = owning_array(std::move(lower), {n});
    out[py::str(kind + "_counts")] = owning_array(std::move(count), {n});
  };
  bins(stats.follower_bins, "follower");
  bins(stats.followee_bins, "followee");
  return out;
}

py::list region_names(const Scenario& s) {
  py::list out;
  for (const auto& r : s.regions) out.append(r.name);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Scenarios: the text and the overrides are kept, so that each set() re-reads the text with every
// override so far, exactly as `civsim run FILE --set a --set b` does.

class ScenarioCore {
 public:
  static ScenarioCore load(const std::string& path, const std::vector<std::string>& overrides) {
    ScenarioCore s;
    s.path_ = path;
    s.source_ = path;
    s.text_ = io::read_scenario_text(path);
    s.overrides_ = overrides;
    s.resolve();
    return s;
  }
  static ScenarioCore from_toml(const std::string& text, const std::string& source,
                                const std::vector<std::string>& overrides) {
    ScenarioCore s;
    s.source_ = source;
    s.text_ = text;
    s.overrides_ = overrides;
    s.resolve();
    return s;
  }
  // A copy with one more override "key.path=value" (TOML value; a bare word is a string).
  ScenarioCore with_override(const std::string& text) const {
    ScenarioCore s = *this;
    s.overrides_.push_back(text);
    s.resolve();
    return s;
  }

  const Scenario& scenario() const { return scenario_; }
  const std::string& source() const { return source_; }
  const std::optional<std::string>& path() const { return path_; }
  const std::string& text() const { return text_; }
  const std::vector<std::string>& overrides() const { return overrides_; }

 private:
  void resolve() {
    scenario_ = path_ ? io::parse_scenario_file(text_, *path_, overrides_)
                      : io::parse_scenario(text_, source_, overrides_);
  }

  std::optional<std::string> path_;
  std::string source_, text_;
  std::vector<std::string> overrides_;
  Scenario scenario_;
};

// ---------------------------------------------------------------------------------------------
// Work on a worker thread, with progress and Ctrl-C handled on the calling thread.

class Job {
 public:
  // Set when the caller wants the work to stop; the work checks it between steps.
  std::atomic<bool> stop = false;

  // From the worker: `done` of `total` steps (or runs) are finished.
  void report(std::size_t done, std::size_t total) {
    {
      const std::lock_guard lock(mutex_);
      events_.emplace_back(done, total);
    }
    wake_.notify_one();
  }

  // Runs `work` on a worker thread; called with the GIL held. While it runs the GIL is released,
  // and taken back whenever the worker reports progress (each report reaches `progress(done,
  // total)` in order) and at least every 50 ms to check for signals. If the callback or a signal
  // handler raises (KeyboardInterrupt on Ctrl-C), `stop` is set, the worker is waited for, and the
  // exception propagates. Exceptions of the work itself are rethrown here.
  template <class Work>
  auto run(Work&& work, const py::object& progress) -> decltype(work()) {
    std::optional<decltype(work())> result;
    std::exception_ptr error;
    bool finished = false;
    std::thread worker([&] {
      try {
        result.emplace(work());
      } catch (...) {
        error = std::current_exception();
      }
      {
        const std::lock_guard lock(mutex_);
        finished_ = true;
      }
      wake_.notify_one();
    });
    // Should anything below throw unexpectedly, the worker is stopped and joined, never left
    // running (a joinable std::thread would terminate the process).
    const struct JoinOnExit {
      std::thread& worker;
      std::atomic<bool>& stop;
      ~JoinOnExit() {
        if (worker.joinable()) stop = true, worker.join();
      }
    } join_on_exit{worker, stop};
    while (!finished) {
      std::deque<std::pair<std::size_t, std::size_t>> events;
      {
        const py::gil_scoped_release release;
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, std::chrono::milliseconds(50),
                       [&] { return finished_ || !events_.empty(); });
        finished = finished_;
        events.swap(events_);
      }
      try {
        if (!progress.is_none())
          for (const auto& [done, total] : events) progress(done, total);
        if (PyErr_CheckSignals() != 0) throw py::error_already_set();
      } catch (...) {
        stop = true;
        {
          const py::gil_scoped_release release;
          worker.join();
        }
        throw;
      }
    }
    {
      const py::gil_scoped_release release;
      worker.join();
    }
    if (error) std::rethrow_exception(error);
    return std::move(*result);
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::pair<std::size_t, std::size_t>> events_;
  bool finished_ = false;
};

// Sets the worker's OpenMP thread count (0: OMP_NUM_THREADS or all cores) and returns it.
int use_threads(int threads) {
  if (threads > 0) omp_set_num_threads(threads);
  return omp_get_max_threads();
}

// ---------------------------------------------------------------------------------------------
// One run.

struct RunCore {
  Scenario scenario;  // after the network build (an edge list sets the population)
  NetworkStats stats;
  std::vector<std::uint64_t> account_followers;
  SeriesRecorder recorder;
  RunSummary summary;
  std::uint32_t replicate = 0;
  int threads = 1;
  double network_seconds = 0, run_seconds = 0;

  // "step", "time_hours" and every outcome of kSeries, each an array over steps.
  py::dict series() const {
    py::dict out;
    const auto& records = recorder.records();
    std::vector<std::int64_t> steps;
    for (const auto& r : records) steps.push_back(r.step);
    const auto n = ssize(records.size());
    out["step"] = owning_array(std::move(steps), {n});
    out["time_hours"] = owning_array(recorder.time_hours(), {n});
    for (const auto& spec : kSeries) out[spec.name] = owning_array(recorder.column(spec.id), {n});
    return out;
  }
  // The per-region outcomes, each [step, region].
  py::dict by_region() const {
    py::dict out;
    const auto& records = recorder.records();
    const std::size_t n_regions = scenario.regions.size();
    const auto regional = region_series();
    for (std::size_t k = 0; k < regional.size(); ++k) {
      std::vector<double> values(records.size() * n_regions);
      for (std::size_t t = 0; t < records.size(); ++t)
        for (std::size_t r = 0; r < n_regions; ++r)
          values[t * n_regions + r] = records[t].by_region.at(k * n_regions + r);
      out[kSeries[series_index(regional[k])].name] =
          owning_array(std::move(values), {ssize(records.size()), ssize(n_regions)});
    }
    return out;
  }
  // (name, value, units, description, key) of every per-run scalar, as written under /summary.
  py::list scalars() const {
    py::list out;
    for (const auto& s : run_scalars(recorder.records(), summary))
      out.append(
          py::make_tuple(s.value.name, s.value.value, s.value.units, s.value.description, s.key));
    return out;
  }
  void save(const std::string& path, bool force, const std::string& command_line) const {
    auto prov = io::collect_provenance(command_line, scenario.seed, threads);
    prov.replicate = replicate;
    prov.run_seconds = run_seconds;
    const py::gil_scoped_release release;
    io::write_run_file(path, scenario, stats, account_followers, recorder, summary, prov, force);
  }
};

RunCore run_scenario(const ScenarioCore& input, int threads, std::uint32_t replicate,
                     const py::object& progress) {
  Job job;
  const Scenario scenario = input.scenario();
  return job.run(
      [&] {
        RunCore out;
        out.threads = use_threads(threads);
        out.replicate = replicate;
        out.scenario = scenario;
        const auto t0 = Clock::now();
        io::NetworkBuild built = io::build_network_with_stats(out.scenario);
        out.network_seconds = seconds_since(t0);
        out.stats = std::move(built.stats);
        out.account_followers = std::move(built.account_followers);
        Simulation sim(out.scenario, built.network, replicate);
        const auto total = static_cast<std::size_t>(sim.n_steps());
        while (!sim.done()) {
          if (job.stop.load(std::memory_order_relaxed)) throw Interrupted();
          out.recorder.on_step(sim.step());
          job.report(static_cast<std::size_t>(sim.current_step()), total);
        }
        out.summary = sim.summary();
        out.run_seconds = seconds_since(t0);
        return out;
      },
      progress);
}

// ---------------------------------------------------------------------------------------------
// A comparison of arms.

struct CompareCore {
  Scenario base;
  std::vector<std::pair<std::string, Scenario>> arms;
  NetworkStats stats;
  std::vector<std::uint64_t> account_followers;
  Comparison comparison;
  int threads = 1;
  double network_seconds = 0, run_seconds = 0;

  std::vector<py::ssize_t> run_shape() const {
    return {ssize(comparison.arms.size()), ssize(comparison.replicates), ssize(comparison.n_steps)};
  }
  // Every outcome, [arm, replicate, step].
  py::dict series() const {
    py::dict out;
    for (const auto& spec : kSeries)
      out[spec.name] = owning_array(comparison.series_block(spec.id), run_shape());
    return out;
  }
  // The per-region outcomes, [arm, replicate, step, region].
  py::dict by_region() const {
    py::dict out;
    auto shape = run_shape();
    shape.push_back(ssize(comparison.n_regions));
    const auto regional = region_series();
    for (std::size_t k = 0; k < regional.size(); ++k)
      out[kSeries[series_index(regional[k])].name] =
          owning_array(comparison.region_block(k), shape);
    return out;
  }
  // Per outcome: mean, ci_low, ci_high, n, diff_mean, diff_ci_low, diff_ci_high, diff_n, each
  // [arm, step] (the comparison file's /stats).
  py::dict stats_arrays() const {
    py::dict out;
    const std::vector<py::ssize_t> shape{ssize(comparison.arms.size()), ssize(comparison.n_steps)};
    for (const auto& spec : kSeries) {
      const auto& st = comparison.stats[series_index(spec.id)];
      py::dict d;
      d["mean"] = copied_array(st.mean, shape);
      d["ci_low"] = copied_array(st.ci_low, shape);
      d["ci_high"] = copied_array(st.ci_high, shape);
      d["n"] = copied_array(st.n, shape);
      d["diff_mean"] = copied_array(st.diff_mean, shape);
      d["diff_ci_low"] = copied_array(st.diff_ci_low, shape);
      d["diff_ci_high"] = copied_array(st.diff_ci_high, shape);
      d["diff_n"] = copied_array(st.diff_n, shape);
      out[spec.name] = d;
    }
    return out;
  }
  // Per per-run scalar, in table order: name, units, description, key, values [arm, replicate],
  // and per arm the mean, CI and paired difference (the comparison file's /summary/<name>).
  py::list scalars() const {
    py::list out;
    const auto A = ssize(comparison.arms.size()), R = ssize(comparison.replicates);
    for (const auto& s : comparison.scalars) {
      py::dict d;
      d["name"] = s.info.name;
      d["units"] = s.info.units;
      d["description"] = s.info.description;
      d["key"] = s.key;
      d["values"] = copied_array(s.values, {A, R});
      std::vector<double> mean, lo, hi, dmean, dlo, dhi;
      std::vector<std::int64_t> n, dn;
      for (std::size_t a = 0; a < comparison.arms.size(); ++a) {
        const Interval e = interval(s.by_arm[a]), d_ = interval(s.diff[a]);
        mean.push_back(e.mean), lo.push_back(e.ci_low), hi.push_back(e.ci_high), n.push_back(e.n);
        dmean.push_back(d_.mean), dlo.push_back(d_.ci_low), dhi.push_back(d_.ci_high);
        dn.push_back(d_.n);
      }
      d["mean"] = owning_array(std::move(mean), {A});
      d["ci_low"] = owning_array(std::move(lo), {A});
      d["ci_high"] = owning_array(std::move(hi), {A});
      d["n"] = owning_array(std::move(n), {A});
      d["diff_mean"] = owning_array(std::move(dmean), {A});
      d["diff_ci_low"] = owning_array(std::move(dlo), {A});
      d["diff_ci_high"] = owning_array(std::move(dhi), {A});
      d["diff_n"] = owning_array(std::move(dn), {A});
      out.append(d);
    }
    return out;
  }
  py::dict arm_scenarios() const {
    py::dict out;
    for (const auto& [name, s] : arms) out[py::str(name)] = io::to_toml(s);
    return out;
  }
  void save(const std::string& path, bool force, const std::string& command_line) const {
    auto prov = io::collect_provenance(command_line, base.seed, threads);
    prov.run_seconds = run_seconds;
    const py::gil_scoped_release release;
    io::write_compare_file(path, base, arms, stats, account_followers, comparison, prov, force);
  }
};

CompareCore compare_arms_of(const ScenarioCore& input,
                            const std::optional<std::vector<std::string>>& names, int replicates,
                            int threads, const py::object& progress) {
  if (replicates < 1)
    throw io::UserError("replicates must be at least 1 (got " + std::to_string(replicates) + ")");
  const Scenario base = input.scenario();
  const std::vector<std::string> arm_names = names ? *names : io::default_arm_names(base);
  io::check_arm_names(arm_names, "arms");
  // Every refusal before the network is built, so that it costs nothing.
  (void)io::resolve_arms(base, arm_names, input.source());
  Job job;
  return job.run(
      [&] {
        CompareCore out;
        out.threads = use_threads(threads);
        out.base = base;
        const auto t0 = Clock::now();
        io::NetworkBuild built = io::build_network_with_stats(out.base);
        out.network_seconds = seconds_since(t0);
        out.arms = io::resolve_arms(out.base, arm_names, input.source());
        out.comparison = compare_arms(
            out.arms, built.network, replicates,
            [&](std::size_t done, std::size_t total) { job.report(done, total); },
            Parallelism::automatic, &job.stop);
        out.stats = std::move(built.stats);
        out.account_followers = std::move(built.account_followers);
        out.run_seconds = seconds_since(t0);
        return out;
      },
      progress);
}

// ---------------------------------------------------------------------------------------------
// The network alone.

py::dict generate_network(const ScenarioCore& input, int threads) {
  Job job;
  Scenario scenario = input.scenario();
  auto built = job.run(
      [&] {
        use_threads(threads);
        return std::make_shared<io::NetworkBuild>(io::build_network_with_stats(scenario));
      },
      py::none());
  const Network& net = built->network;
  // The arrays view the network's own vectors; each keeps the whole build alive.
  const auto view = [&](const auto& values) {
    using T = typename std::decay_t<decltype(values)>::value_type;
    auto* keep = new std::shared_ptr<io::NetworkBuild>(built);
    py::capsule owner(keep,
                      [](void* p) { delete static_cast<std::shared_ptr<io::NetworkBuild>*>(p); });
    py::array_t<T> array({ssize(values.size())}, values.data(), owner);
    array.attr("setflags")(py::arg("write") = false);
    return array;
  };
  py::dict out;
  out["n_citizens"] = net.n_citizens();
  out["offsets"] = view(net.offsets());
  out["followers"] = view(net.follower_array());
  out["stats"] = network_dict(built->stats);
  out["account_followers"] = built->account_followers;
  out["population"] = scenario.population;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Errors: a scenario error becomes civsim.ConfigError (file, line, key), other bad input
// civsim.InputError; both subclass ValueError (python/civsim/_errors.py).

void raise_python(const char* name, const py::tuple& args, PyObject* fallback) {
  try {
    const py::object cls = py::module_::import("civsim._errors").attr(name);
    const py::object exc = cls(*args);
    PyErr_SetObject(cls.ptr(), exc.ptr());
  } catch (py::error_already_set&) {
    PyErr_SetString(fallback, py::str(args[0]).cast<std::string>().c_str());
  }
}

}  // namespace
}  // namespace civsim::python

PYBIND11_MODULE(_civsim, m) {
  using namespace civsim;
  using namespace civsim::python;
  m.doc() = "Compiled part of the civsim package; use the package `civsim` (docs/python.md).";

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const io::ConfigError& e) {
      raise_python("ConfigError", py::make_tuple(e.what(), e.location(), e.key()),
                   PyExc_ValueError);
    } catch (const io::UserError& e) {
      raise_python("InputError", py::make_tuple(e.what()), PyExc_ValueError);
    } catch (const Interrupted& e) {
      PyErr_SetString(PyExc_KeyboardInterrupt, e.what());
    }
  });

  py::class_<ScenarioCore>(m, "ScenarioCore")
      .def_static("load", &ScenarioCore::load, py::arg("path"), py::arg("overrides"))
      .def_static("from_toml", &ScenarioCore::from_toml, py::arg("text"), py::arg("source"),
                  py::arg("overrides"))
      .def("with_override", &ScenarioCore::with_override, py::arg("text"))
      .def("to_toml", [](const ScenarioCore& s) { return io::to_toml(s.scenario()); })
      .def_property_readonly("source", &ScenarioCore::source)
      .def_property_readonly("path", &ScenarioCore::path)
      .def_property_readonly("text", &ScenarioCore::text)
      .def_property_readonly("overrides", &ScenarioCore::overrides)
      .def_property_readonly("name", [](const ScenarioCore& s) { return s.scenario().name; })
      .def_property_readonly("seed", [](const ScenarioCore& s) { return s.scenario().seed; })
      .def_property_readonly("population",
                             [](const ScenarioCore& s) { return s.scenario().population; })
      .def_property_readonly("steps", [](const ScenarioCore& s) { return s.scenario().steps(); })
      .def_property_readonly("step_hours",
                             [](const ScenarioCore& s) { return s.scenario().time.step_hours; })
      .def_property_readonly("regions",
                             [](const ScenarioCore& s) { return region_names(s.scenario()); })
      .def_property_readonly("accounts",
                             [](const ScenarioCore& s) {
                               py::list out;
                               for (const auto& a : s.scenario().accounts) out.append(a.name);
                               return out;
                             })
      .def_property_readonly("arms", [](const ScenarioCore& s) {
        py::list out;
        for (const auto& a : s.scenario().arms) out.append(a.name);
        return out;
      });

  py::class_<RunCore>(m, "RunCore")
      .def("series", &RunCore::series)
      .def("by_region", &RunCore::by_region)
      .def("scalars", &RunCore::scalars)
      .def("network", [](const RunCore& r) { return network_dict(r.stats); })
      .def("save", &RunCore::save, py::arg("path"), py::arg("force"), py::arg("command_line"))
      .def_property_readonly("regions", [](const RunCore& r) { return region_names(r.scenario); })
      .def_property_readonly("scenario_toml",
                             [](const RunCore& r) { return io::to_toml(r.scenario); })
      .def_property_readonly("scenario_name", [](const RunCore& r) { return r.scenario.name; })
      .def_property_readonly(
          "strategy",
          [](const RunCore& r) { return io::layout::government_strategies(r.scenario); })
      .def_property_readonly("step_hours",
                             [](const RunCore& r) { return r.scenario.time.step_hours; })
      .def_property_readonly("seed", [](const RunCore& r) { return r.scenario.seed; })
      .def_readonly("replicate", &RunCore::replicate)
      .def_readonly("threads", &RunCore::threads)
      .def_readonly("network_seconds", &RunCore::network_seconds)
      .def_readonly("run_seconds", &RunCore::run_seconds)
      .def_readonly("account_followers", &RunCore::account_followers)
      .def_property_readonly("cascade_size_hist",
                             [](const RunCore& r) {
                               return copied_array(r.summary.cascade_size_hist,
                                                   {ssize(r.summary.cascade_size_hist.size())});
                             })
      .def_property_readonly("cascade_depth_hist", [](const RunCore& r) {
        return copied_array(r.summary.cascade_depth_hist,
                            {ssize(r.summary.cascade_depth_hist.size())});
      });

  py::class_<CompareCore>(m, "CompareCore")
      .def("series", &CompareCore::series)
      .def("by_region", &CompareCore::by_region)
      .def("stats", &CompareCore::stats_arrays)
      .def("scalars", &CompareCore::scalars)
      .def("network", [](const CompareCore& c) { return network_dict(c.stats); })
      .def("arm_scenarios", &CompareCore::arm_scenarios)
      .def("save", &CompareCore::save, py::arg("path"), py::arg("force"), py::arg("command_line"))
      .def_property_readonly("arms", [](const CompareCore& c) { return c.comparison.arms; })
      .def_property_readonly("replicates",
                             [](const CompareCore& c) { return c.comparison.replicates; })
      .def_property_readonly("parallelism",
                             [](const CompareCore& c) {
                               return c.comparison.parallelism == Parallelism::across_runs
                                          ? "across_runs"
                                          : "within_runs";
                             })
      .def_property_readonly("time_hours",
                             [](const CompareCore& c) {
                               return copied_array(c.comparison.time_hours,
                                                   {ssize(c.comparison.n_steps)});
                             })
      .def_property_readonly("regions", [](const CompareCore& c) { return region_names(c.base); })
      .def_property_readonly("scenario_toml",
                             [](const CompareCore& c) { return io::to_toml(c.base); })
      .def_property_readonly("scenario_name", [](const CompareCore& c) { return c.base.name; })
      .def_property_readonly("step_hours",
                             [](const CompareCore& c) { return c.base.time.step_hours; })
      .def_property_readonly("seed", [](const CompareCore& c) { return c.base.seed; })
      .def_readonly("threads", &CompareCore::threads)
      .def_readonly("network_seconds", &CompareCore::network_seconds)
      .def_readonly("run_seconds", &CompareCore::run_seconds)
      .def_readonly("account_followers", &CompareCore::account_followers);

  m.def("run", &run_scenario, py::arg("scenario"), py::arg("threads"), py::arg("replicate"),
        py::arg("progress"));
  m.def("compare", &compare_arms_of, py::arg("scenario"), py::arg("arms"), py::arg("replicates"),
        py::arg("threads"), py::arg("progress"));
  m.def("generate_network", &generate_network, py::arg("scenario"), py::arg("threads"));

  m.def("series_specs", [] {
    py::list out;
    for (const auto& s : kSeries)
      out.append(py::make_tuple(s.name, s.units, s.description, s.per_region));
    return out;
  });
  m.def("key_outcomes", [] {
    py::list out;
    for (const auto& k : kKeyOutcomes) out.append(k.name);
    return out;
  });
  m.def("schema", [] {
    py::list out;
    for (const auto& k : io::scenario_schema()) {
      py::dict d;
      d["key"] = k.path;
      d["default"] = k.default_value;
      d["unit"] = k.unit;
      d["valid"] = k.valid;
      d["description"] = k.description;
      out.append(d);
    }
    return out;
  });
  py::dict info;
  info["version"] = build_info::version;
  info["git_sha"] = build_info::git_sha;
  info["git_dirty"] = build_info::git_dirty;
  info["build_type"] = build_info::build_type;
  info["compiler"] = build_info::compiler;
  m.attr("build_info") = info;
}
