"""End-to-end: the real executable writes real HDF5 files, read back with h5py."""
from __future__ import annotations

import os
import tomllib
from pathlib import Path

import h5py
import numpy as np
import pytest

PROVENANCE = ["filetype", "format_version", "civsim_version", "git_sha", "git_dirty",
              "build_type", "compiler", "hdf5_version", "created", "host", "command_line",
              "seed", "threads"]
SERIES = ["reach", "new_reach", "impressions", "reshares", "posts", "active_cascades",
          "step", "time_hours"]


def series_of(path: Path) -> dict[str, np.ndarray]:
    """Every dataset under /series (per-region ones as "by_region/NAME")."""
    with h5py.File(path, "r") as f:
        out = {}
        f["series"].visititems(lambda name, obj: out.update(
            {name: obj[()]} if isinstance(obj, h5py.Dataset) else {}))
        return out


def test_run_writes_every_provenance_attribute(small_run):
    with h5py.File(small_run, "r") as f:
        for key in PROVENANCE:
            assert key in f.attrs, f"missing root attribute {key}"
            value = f.attrs[key]
            assert str(value).strip() != "", f"empty root attribute {key}"
        assert f.attrs["filetype"] == "civsim-run"
        assert f.attrs["format_version"].split(".")[0] == "2"
        assert f.attrs["seed"] == 4242
        assert "run" in f.attrs["command_line"]
        assert f.attrs["created"].endswith("Z") and "T" in f.attrs["created"]
        assert f.attrs["git_dirty"] in ("true", "false", "unknown")


def test_run_file_holds_resolved_scenario_network_and_series(small_run):
    with h5py.File(small_run, "r") as f:
        scenario = tomllib.loads(f["scenario"].asstr()[()])
        # Defaults are filled in: keys absent from small.toml are present.
        assert scenario["accounts"][0]["strategy"] == "broadcast"
        assert scenario["accounts"][0]["name"] == "test-ministry"
        acc = f["accounts/0"].attrs
        assert acc["name"] == "test-ministry" and acc["kind"] == "government"
        assert acc["followers"] == 2000  # follower_share 0.1 of 20000, exactly
        assert acc["node"] == 20000
        assert scenario["network"]["max_follower_share"] == 0.05
        assert scenario["population"] == 20000
        net = f["network"].attrs
        assert net["citizens"] == 20000 and net["nodes"] == 20001 and net["accounts"] == 1
        assert net["edges"] > 20000 * 15
        assert net["account_followers"] == 2000
        steps = 72
        for name in SERIES:
            ds = f["series"][name]
            assert ds.shape == (steps,), name
            assert ds.attrs["units"] and ds.attrs["description"], name
            assert ds.dtype == (np.int64 if name == "step" else np.float64), name
        assert f["series/reach"].compression == "gzip"
        assert f["series/reach"].chunks is not None
        reach = f["series/reach"][()]
        assert np.all(np.diff(reach) >= 0), "reach is cumulative"
        assert reach[-1] == f["series/new_reach"][()].sum()
        assert reach[-1] > net["account_followers"], "cascades spread beyond followers"
        assert f["series/posts"][()].sum() == 18  # 6 a day for 3 days


def test_run_file_holds_per_region_series_and_the_summary(small_run):
    with h5py.File(small_run, "r") as f:
        assert f.attrs["format_version"] == "2.0"
        regional = f["series/by_region"]
        assert set(regional) == {"reach", "questions_asked", "trust_mean", "concern_mean",
                                 "rumour_believers"}
        for name, ds in regional.items():
            assert ds.shape == (72, 1) and ds.dtype == np.float64, name
            assert list(ds.attrs["regions"]) == ["all"], name
            assert ds.attrs["units"] == f["series"][name].attrs["units"], name
        summary = f["summary"].attrs
        units, descriptions = f["summary/units"].attrs, f["summary/descriptions"].attrs
        assert set(summary) == set(units) == set(descriptions)
        assert {"final_reach", "total_impressions", "total_reshares", "total_posts",
                "final_trust_mean", "peak_rumour_believers", "total_questions_answered",
                "total_staff_hours", "final_gov_followers"} <= set(summary)
        assert summary["final_reach"] == f["series/reach"][-1]
        assert summary["total_posts"] == 18 and units["total_posts"] == "posts"
        assert summary["total_impressions"] == f["series/impressions"][()].sum()
        assert summary["peak_rumour_believers"] == f["series/rumour_believers"][()].max()
        assert "reshares of government content" in descriptions["total_reshares"]
        for name in ("cascade_size_hist", "cascade_depth_hist"):
            ds = f["summary"][name]
            assert ds.ndim == 1 and ds.dtype == np.uint64, name
            assert ds.attrs["units"] == "posts" and ds.attrs["description"], name


NETWORK_ATTRIBUTES = {
    "nodes", "citizens", "accounts", "edges", "account_followers", "reciprocity",
    *(f"{stat}_{kind}" for kind in ("followers", "followees")
      for stat in ("mean", "median", "p90", "p99", "max")),
    "citizens_without_followers", "citizens_without_followees",
    "clustering", "clustering_stderr", "clustering_samples",
    "weak_components", "largest_weak_component", "strong_components", "largest_strong_component",
    "mean_path_length", "reachable_share", "path_sources",
    "leading_eigenvalue", "eigen_iterations", "eigen_converged", "eigen_tolerance",
}


def test_network_group_holds_every_statistic(small_run):
    with h5py.File(small_run, "r") as f:
        net = f["network"].attrs
        assert set(net) == NETWORK_ATTRIBUTES
        for name in NETWORK_ATTRIBUTES - {"reciprocity", "clustering", "clustering_stderr",
                                          "mean_path_length", "reachable_share",
                                          "leading_eigenvalue", "eigen_tolerance",
                                          "mean_followers", "mean_followees"}:
            assert net[name].dtype == np.int64, name
        n = net["citizens"]
        assert net["median_followers"] <= net["p90_followers"] <= net["p99_followers"] \
            <= net["max_followers"]
        assert net["median_followees"] <= net["p90_followees"] <= net["p99_followees"] \
            <= net["max_followees"]
        assert net["clustering_samples"] == 10000 and net["path_sources"] == 16
        assert 0 < net["clustering"] < 1 and 0 < net["clustering_stderr"] < net["clustering"]
        assert 1 <= net["weak_components"] and net["largest_weak_component"] <= net["nodes"]
        assert net["largest_strong_component"] > n // 2, "a giant strongly connected component"
        assert 1 < net["mean_path_length"] < 20 and 0 < net["reachable_share"] <= 1
        assert net["eigen_converged"] == 1 and net["eigen_tolerance"] == 1e-6
        # Chung-Lu with independent in- and out-weights: λ is close to the mean degree.
        assert 10 < net["leading_eigenvalue"] < 40
        for kind, units in (("follower", "followers"), ("followee", "followees")):
            bins, counts = f[f"network/{kind}_bins"], f[f"network/{kind}_counts"]
            assert bins.dtype == np.int64 and counts.dtype == np.int64
            assert bins.attrs["units"] == units and counts.attrs["units"] == "citizens"
            assert bins.attrs["description"] and counts.attrs["description"]
            edges = bins[()]
            assert edges.shape == counts.shape
            assert edges[0] == 0 and list(edges[1:]) == [2 ** k for k in range(len(edges) - 1)]
            assert counts[()].sum() == n
            assert edges[-1] <= net[f"max_{units}"] < 2 * max(edges[-1], 1)
        assert f["network/follower_counts"][0] == net["citizens_without_followers"]
        assert f["network/followee_counts"][0] == net["citizens_without_followees"]


def test_series_identical_for_one_and_two_threads(run_civsim, small_scenario, tmp_path):
    one, two = tmp_path / "t1.h5", tmp_path / "t2.h5"
    run_civsim("run", small_scenario, "-o", one, env={"OMP_NUM_THREADS": "1"}, check=True)
    run_civsim("run", small_scenario, "-o", two, env={"OMP_NUM_THREADS": "2"}, check=True)
    with h5py.File(one) as a, h5py.File(two) as b:
        assert a.attrs["threads"] == 1 and b.attrs["threads"] == 2
        assert dict(a["network"].attrs) == dict(b["network"].attrs)
        for name in ("follower_bins", "follower_counts", "followee_bins", "followee_counts"):
            np.testing.assert_array_equal(a["network"][name][()], b["network"][name][()])
    s1, s2 = series_of(one), series_of(two)
    assert s1.keys() == s2.keys()
    for name in s1:
        np.testing.assert_array_equal(s1[name], s2[name], err_msg=name)


def test_threads_flag_overrides_environment(run_civsim, small_scenario, small_run, tmp_path):
    out = tmp_path / "flag.h5"
    run_civsim("run", small_scenario, "-o", out, "--threads", "1", env={"OMP_NUM_THREADS": "2"},
               check=True)
    with h5py.File(out) as f:
        assert f.attrs["threads"] == 1
    for name, values in series_of(small_run).items():
        np.testing.assert_array_equal(series_of(out)[name], values, err_msg=name)


def test_seed_and_set_change_the_outcome(run_civsim, small_scenario, small_run, tmp_path):
    seeded, more = tmp_path / "seed.h5", tmp_path / "more.h5"
    run_civsim("run", small_scenario, "-o", seeded, "--seed", "7", check=True)
    run_civsim("run", small_scenario, "-o", more, "--set", "diffusion.reshare_probability=0.05",
               check=True)
    base = series_of(small_run)
    assert not np.array_equal(series_of(seeded)["reach"], base["reach"])
    assert series_of(more)["reshares"].sum() > base["reshares"].sum()
    with h5py.File(seeded) as f:
        assert f.attrs["seed"] == 7
        assert "seed = 7" in f["scenario"].asstr()[()]


def test_bad_scenario_exits_2_with_location(run_civsim, tmp_path):
    bad = Path(__file__).resolve().parents[1] / "data" / "bad_range.toml"
    out = tmp_path / "never.h5"
    proc = run_civsim("run", bad, "-o", out)
    assert proc.returncode == 2
    assert f"{bad}:5:23" in proc.stderr
    assert "diffusion.reshare_probability" in proc.stderr and "[0, 1]" in proc.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_unknown_key_suggests_the_right_one(run_civsim, tmp_path):
    scen = tmp_path / "typo.toml"
    scen.write_text("[[accounts]]\nposts_per_dya = 3\n")
    proc = run_civsim("validate", scen)
    assert proc.returncode == 2
    assert f"{scen}:2:1" in proc.stderr
    assert "did you mean 'accounts[].posts_per_day'" in proc.stderr


def test_bad_override_exits_2(run_civsim, small_scenario, tmp_path):
    proc = run_civsim("run", small_scenario, "-o", tmp_path / "x.h5", "--set",
                      "accounts[0].strategy=shouting")
    assert proc.returncode == 2
    assert "--set accounts[0].strategy=shouting" in proc.stderr
    assert '"broadcast", "reactive", "dialogue"' in proc.stderr


def test_existing_output_is_not_overwritten(run_civsim, small_scenario, tmp_path):
    out = tmp_path / "keep.h5"
    out.write_bytes(b"precious results")
    proc = run_civsim("run", small_scenario, "-o", out)
    assert proc.returncode == 2
    assert "--force" in proc.stderr
    assert out.read_bytes() == b"precious results"
    run_civsim("run", small_scenario, "-o", out, "--force", check=True)
    with h5py.File(out) as f:
        assert f.attrs["filetype"] == "civsim-run"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.h5"], "no temporary files left"


def test_missing_scenario_file_exits_2(run_civsim, tmp_path):
    proc = run_civsim("run", tmp_path / "nope.toml", "-o", tmp_path / "x.h5")
    assert proc.returncode == 2
    assert "nope.toml" in proc.stderr


def test_info_prints_provenance_and_series(run_civsim, small_run):
    proc = run_civsim("info", small_run, check=True)
    for word in ["git_sha", "hdf5_version", "reach", "impressions", "reshares", "final_reach",
                 "by region", "trust_mean"]:
        assert word in proc.stdout


def test_info_refuses_other_files(run_civsim, tmp_path):
    plain = tmp_path / "plain.h5"
    with h5py.File(plain, "w") as f:
        f.attrs["filetype"] = "something-else"
    proc = run_civsim("info", plain)
    assert proc.returncode == 2 and "not a civsim run file" in proc.stderr
    text = tmp_path / "text.h5"
    text.write_text("hello")
    proc = run_civsim("info", text)
    assert proc.returncode == 2 and "not an HDF5 file" in proc.stderr


def test_info_refuses_unknown_major_version(run_civsim, small_run, tmp_path):
    future = tmp_path / "future.h5"
    future.write_bytes(small_run.read_bytes())
    with h5py.File(future, "a") as f:
        f.attrs["format_version"] = "3.0"
    proc = run_civsim("info", future)
    assert proc.returncode == 2 and "format version '3.0'" in proc.stderr
    with h5py.File(future, "a") as f:
        f.attrs["format_version"] = "1.1"
    proc = run_civsim("info", future)
    assert proc.returncode == 2 and "format version '1.1'" in proc.stderr
    assert "older civsim" in proc.stderr


def test_validate_reports_the_memory_estimate(run_civsim, small_scenario):
    proc = run_civsim("validate", small_scenario, check=True)
    assert "valid" in proc.stdout
    # The memory estimate covers the network build and the simulation state.
    assert "to build the network" in proc.stdout and "simulation state of one run" in proc.stdout


def test_runs_that_cannot_fit_in_memory_are_refused_before_work(run_civsim, small_scenario,
                                                                tmp_path):
    out = tmp_path / "huge.h5"
    proc = run_civsim("run", small_scenario, "-o", out, "--set", "population=2000000000",
                      "--set", "network.mean_followees=1000")
    assert proc.returncode == 2
    assert "needs about" in proc.stderr and "available" in proc.stderr
    assert not out.exists()


def test_validate_prints_resolved(run_civsim, small_scenario):
    proc = run_civsim("validate", small_scenario, "--print", check=True)
    resolved = tomllib.loads(proc.stdout)
    assert resolved["time"]["duration"] == "3d"
    assert resolved["diffusion"]["model"] == "independent_cascade"


def test_version_help_and_usage_errors(run_civsim):
    proc = run_civsim("--version", check=True)
    assert proc.stdout.startswith("civsim ")
    for sub in ["run", "compare", "validate", "info", "schema"]:
        proc = run_civsim(sub, "--help", check=True)
        assert "Example" in proc.stdout, sub
    assert run_civsim().returncode == 2
    assert run_civsim("run", "--no-such-flag").returncode == 2


def test_schema_lists_every_key(run_civsim):
    proc = run_civsim("schema", check=True)
    for key in ["population", "network.follower_exponent", "accounts[].strategy",
                "diffusion.reshare_probability", "time.step", "time.duration"]:
        assert key in proc.stdout


def test_shipped_scenarios_validate(run_civsim):
    root = Path(os.environ.get("CIVSIM_SOURCE_DIR", Path(__file__).resolve().parents[2]))
    # *-targets.toml are calibration targets files (docs/calibration.md; test_report_cases.py).
    scenarios = sorted(p for p in (root / "scenarios").rglob("*.toml")
                       if not p.name.endswith("-targets.toml"))
    assert scenarios, "no scenarios shipped"
    for scen in scenarios:
        if scen.parent.name == "sweeps":  # sweep files: test_sweeps.py plans them
            continue
        proc = run_civsim("validate", scen)
        assert proc.returncode == 0, f"{scen}: {proc.stderr}"


def test_unwritable_output_is_a_user_error(run_civsim, small_scenario, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    proc = run_civsim("run", small_scenario, "-o", blocker / "sub" / "out.h5")
    assert proc.returncode == 2
    assert "cannot create output folder" in proc.stderr


def test_network_too_large_for_memory_is_refused_early(run_civsim, small_scenario, tmp_path):
    out = tmp_path / "huge.h5"
    proc = run_civsim("run", small_scenario, "-o", out, "--set", "population=2000000000",
                      "--set", "network.mean_followees=4000")
    assert proc.returncode == 2
    assert "of memory, but only" in proc.stderr
    assert not out.exists()


def test_run_on_an_imported_edge_list(run_civsim, tmp_path):
    scen = Path(__file__).resolve().parents[1] / "data" / "edge_list.toml"
    out = tmp_path / "edges.h5"
    run_civsim("run", scen, "-o", out, check=True)
    with h5py.File(out) as f:
        assert f["network"].attrs["citizens"] == 6
        assert f["accounts/0"].attrs["followers"] == 3
        # With p = 1 every post reaches everyone reachable from the account: all six.
        assert f["series/reach"][-1] == 6
        resolved = tomllib.loads(f["scenario"].asstr()[()])
        assert "population" not in resolved
        assert Path(resolved["network"]["file"]).is_absolute()
    # The resolved scenario runs again from the run file alone, with the same series.
    again = tmp_path / "again.toml"
    with h5py.File(out) as f:
        again.write_text(f["scenario"].asstr()[()])
    out2 = tmp_path / "again.h5"
    run_civsim("run", again, "-o", out2, check=True)
    for name, values in series_of(out).items():
        np.testing.assert_array_equal(series_of(out2)[name], values, err_msg=name)


def test_edge_list_errors_are_located(run_civsim, tmp_path):
    edges = tmp_path / "bad.txt"
    edges.write_text("a gov\nb\n")
    scen = tmp_path / "bad.toml"
    scen.write_text('[network]\ngenerator = "edge_list"\nfile = "bad.txt"\n'
                    '[[accounts]]\nname = "g"\nid = "gov"\n')
    proc = run_civsim("run", scen, "-o", tmp_path / "x.h5")
    assert proc.returncode == 2
    assert f"{edges}:2:" in proc.stderr
    missing = tmp_path / "missing.toml"
    missing.write_text('[network]\ngenerator = "edge_list"\nfile = "nope.txt"\n'
                       '[[accounts]]\nname = "g"\nid = "gov"\n')
    proc = run_civsim("run", missing, "-o", tmp_path / "y.h5")
    assert proc.returncode == 2 and "nope.txt" in proc.stderr


def test_exported_network_reruns_identically(run_civsim, small_scenario, small_run, tmp_path):
    net = tmp_path / "small-network.h5"
    proc = run_civsim("network", "export", small_scenario, "-o", net, check=True)
    assert "wrote" in proc.stdout
    assert run_civsim("network", "export", small_scenario, "-o", net).returncode == 2  # no --force
    text = tmp_path / "small-network.txt"
    run_civsim("network", "export", small_scenario, "-o", text, "--format", "text", check=True)
    stats_h5 = run_civsim("network", "stats", net, check=True).stdout
    stats_txt = run_civsim("network", "stats", text, "--account", "test-ministry", check=True).stdout
    def fields(text):
        return {line[:20].strip(): line[20:].strip() for line in text.splitlines()}

    h5, txt = fields(stats_h5), fields(stats_txt)
    assert h5["nodes"] == "20001 (20000 citizens, 1 accounts)"
    # The text round trip renumbers nodes, but the graph is the same: its statistics agree.
    for key in ("nodes", "edges", "followers", "followees", "reciprocity", "weak components",
                "strong components", "leading eigenvalue"):
        assert h5[key].split(" (")[0] == txt[key].split(" (")[0], key
    # The same scenario on the imported HDF5 network gives the same series as the generated one.
    scen = tmp_path / "imported.toml"
    scen.write_text(f"""
name = "small"
seed = 4242
[network]
generator = "edge_list"
file = "{net}"
format = "hdf5"
[[accounts]]
name = "test-ministry"
id = "test-ministry"
posts_per_day = 6.0
[diffusion]
reshare_probability = 0.02
[time]
step = "1h"
duration = "3d"
""")
    out = tmp_path / "imported.h5"
    run_civsim("run", scen, "-o", out, check=True)
    for name, values in series_of(small_run).items():
        np.testing.assert_array_equal(series_of(out)[name], values, err_msg=name)


@pytest.mark.parametrize("generator", ["erdos_renyi", "watts_strogatz", "price", "rmat"])
def test_every_generator_runs_from_a_scenario(run_civsim, small_scenario, tmp_path, generator):
    out = tmp_path / f"{generator}.h5"
    run_civsim("run", small_scenario, "-o", out, "--set", f"network.generator={generator}",
               check=True)
    with h5py.File(out) as f:
        assert f["network"].attrs["citizens"] == 20000
        assert f["accounts/0"].attrs["followers"] == 2000
        resolved = tomllib.loads(f["scenario"].asstr()[()])
        assert resolved["network"]["generator"] == generator
        if generator == "watts_strogatz":  # exactly k = 20 followees, plus some follow the account
            assert f["network"].attrs["max_followees"] == 21
        if generator == "price":  # follows point to earlier citizens only: no cycles
            assert f["network"].attrs["leading_eigenvalue"] == 0


def test_network_stats_eigen_options(run_civsim, small_scenario):
    one = run_civsim("network", "stats", small_scenario, "--eigen-iterations", "1", check=True)
    assert "(1 iterations, not converged" in one.stdout
    full = run_civsim("network", "stats", small_scenario, check=True)
    assert ", converged;" in full.stdout
    assert run_civsim("network", "stats", small_scenario, "--eigen-tolerance", "0").returncode == 2
