"""End-to-end: `civsim compare` writes comparison files, read back with h5py."""
from __future__ import annotations

import tomllib
from pathlib import Path

import h5py
import numpy as np
from scipy import stats as scipy_stats

ARMS = ["broadcast", "reactive"]
R, T = 3, 72
PROVENANCE = ["filetype", "format_version", "civsim_version", "git_sha", "git_dirty",
              "build_type", "compiler", "hdf5_version", "created", "host", "command_line",
              "seed", "threads", "run_seconds", "scenario_name", "step_hours", "arms",
              "replicates", "parallelism"]
STATS = ["mean", "ci_low", "ci_high", "n", "diff_mean", "diff_ci_low", "diff_ci_high", "diff_n"]


def datasets(path: Path, group: str = "/") -> dict[str, np.ndarray]:
    out = {}
    with h5py.File(path) as f:
        f[group].visititems(lambda name, obj: out.update(
            {name: obj[()]} if isinstance(obj, h5py.Dataset) else {}))
    return out


def test_compare_file_layout(small_compare):
    with h5py.File(small_compare) as f:
        for key in PROVENANCE:
            assert key in f.attrs, key
        assert f.attrs["filetype"] == "civsim-compare" and f.attrs["format_version"] == "1.0"
        assert list(f.attrs["arms"]) == ARMS and f.attrs["replicates"] == R
        assert f.attrs["parallelism"] == "across_runs"  # 20000 citizens: runs side by side
        assert "compare" in f.attrs["command_line"]
        base = tomllib.loads(f["scenario"].asstr()[()])
        assert base["population"] == 20000
        for i, arm in enumerate(ARMS):
            g = f["arms"][arm]
            assert g.attrs["index"] == i and g.attrs["strategy"] == arm
            resolved = tomllib.loads(g["scenario"].asstr()[()])
            assert resolved["accounts"][0]["strategy"] == arm
            assert resolved["population"] == 20000
        assert f["network"].attrs["citizens"] == 20000
        assert f["accounts/0"].attrs["followers"] == 2000
        assert f["series/time_hours"].shape == (T,) and f["series/step"].shape == (T,)
        names = [n for n, o in f["series"].items() if isinstance(o, h5py.Dataset)
                 and n not in ("step", "time_hours")]
        assert len(names) == 32 and "reach" in names and "trust_mean" in names
        for name in names:
            ds = f["series"][name]
            assert ds.shape == (2, R, T) and ds.dtype == np.float64, name
            assert ds.compression == "gzip" and ds.chunks is not None, name
            assert ds.attrs["units"] and ds.attrs["description"], name
            st = f["stats"][name]
            for s in STATS:
                assert st[s].shape == (2, T), (name, s)
                assert st[s].dtype == (np.int64 if s in ("n", "diff_n") else np.float64), (name, s)
        for name, ds in f["series/by_region"].items():
            assert ds.shape == (2, R, T, 1) and list(ds.attrs["regions"]) == ["all"], name
        outcomes = list(f["summary"].attrs["outcomes"])
        assert outcomes[:3] == ["final_reach", "total_impressions", "total_reshares"]
        for name in outcomes:
            g = f["summary"][name]
            assert g["values"].shape == (2, R), name
            assert g.attrs["units"] and g.attrs["description"] and g.attrs["key"] in (0, 1), name
            for s in STATS:
                assert g[s].shape == (2,), (name, s)
        np.testing.assert_array_equal(f["summary/final_reach/values"][()],
                                      f["series/reach"][:, :, -1])
        for name in ("cascade_size_hist", "cascade_depth_hist"):
            assert f["summary"][name].shape[:2] == (2, R) and f["summary"][name].dtype == np.uint64


def test_statistics_match_numpy_and_scipy(small_compare):
    with h5py.File(small_compare) as f:
        for name in ("reach", "impressions", "reshares", "posts"):
            x = f["series"][name][()]
            st = {s: f["stats"][name][s][()] for s in STATS}
            np.testing.assert_allclose(st["mean"], x.mean(axis=1), rtol=1e-14, atol=1e-12)
            half = scipy_stats.t.ppf(0.975, R - 1) * x.std(axis=1, ddof=1) / np.sqrt(R)
            np.testing.assert_allclose(st["ci_high"] - st["mean"], half, rtol=1e-8, atol=1e-9)
            assert np.all(st["ci_low"] <= st["mean"]) and np.all(st["mean"] <= st["ci_high"])
            assert np.all(st["n"] == R)
            d = x - x[:1]  # paired by replicate
            np.testing.assert_allclose(st["diff_mean"], d.mean(axis=1), rtol=1e-14, atol=1e-12)
            assert np.all(st["diff_ci_low"] <= st["diff_mean"])
            assert np.all(st["diff_mean"] <= st["diff_ci_high"])
            # Row 0 is the reference with itself: exactly zero.
            for s in ("diff_mean", "diff_ci_low", "diff_ci_high"):
                assert np.all(st[s][0] == 0.0), (name, s)
        v = f["summary/final_reach/values"][()]
        np.testing.assert_allclose(f["summary/final_reach/mean"][()], v.mean(axis=1), rtol=1e-14)
        assert np.all(f["summary/final_reach/diff_mean"][0] == 0.0)
        # Replicates differ: each has its own random numbers.
        assert len(set(v[0])) == R


def test_arm_replicate_0_is_the_run_of_that_strategy(run_civsim, small_scenario, small_compare,
                                                     tmp_path):
    for i, arm in enumerate(ARMS):
        out = tmp_path / f"{arm}.h5"
        run_civsim("run", small_scenario, "-o", out, "--set", f"accounts[0].strategy={arm}",
                   check=True)
        with h5py.File(out) as run, h5py.File(small_compare) as cmp:
            for name, ds in run["series"].items():
                if isinstance(ds, h5py.Dataset) and name not in ("step", "time_hours"):
                    np.testing.assert_array_equal(cmp["series"][name][i, 0], ds[()], err_msg=name)
            np.testing.assert_array_equal(cmp["series/time_hours"][()], run["series/time_hours"][()])


def test_an_arm_does_not_depend_on_the_other_arms(run_civsim, small_scenario, small_compare,
                                                   tmp_path):
    other = tmp_path / "other.h5"
    run_civsim("compare", small_scenario, "--arms", "broadcast,dialogue", "--replicates", "3",
               "-o", other, check=True)
    with h5py.File(other) as a, h5py.File(small_compare) as b:
        for name, ds in a["series"].items():
            if isinstance(ds, h5py.Dataset) and ds.ndim == 3:
                np.testing.assert_array_equal(ds[0], b["series"][name][0], err_msg=name)


def test_results_do_not_depend_on_the_thread_count(run_civsim, small_scenario, tmp_path):
    one, two = tmp_path / "t1.h5", tmp_path / "t2.h5"
    args = ["compare", small_scenario, "--arms", "broadcast,reactive,dialogue", "--replicates", "2"]
    run_civsim(*args, "-o", one, env={"OMP_NUM_THREADS": "1"}, check=True)
    run_civsim(*args, "-o", two, env={"OMP_NUM_THREADS": "2"}, check=True)
    with h5py.File(one) as a, h5py.File(two) as b:
        assert a.attrs["threads"] == 1 and b.attrs["threads"] == 2
    d1, d2 = datasets(one), datasets(two)
    assert d1.keys() == d2.keys()
    for name in d1:
        if name in ("scenario",) or name.endswith("/scenario"):
            assert d1[name] == d2[name], name
            continue
        np.testing.assert_array_equal(d1[name], d2[name], err_msg=name)


def test_seed_and_set_apply_to_every_arm(run_civsim, small_scenario, small_compare, tmp_path):
    out = tmp_path / "seeded.h5"
    run_civsim("compare", small_scenario, "--arms", "broadcast,reactive", "--replicates", "3",
               "--seed", "7", "--set", "diffusion.reshare_probability=0.03", "-o", out, check=True)
    with h5py.File(out) as f, h5py.File(small_compare) as base:
        assert f.attrs["seed"] == 7
        for arm in ARMS:
            resolved = tomllib.loads(f["arms"][arm]["scenario"].asstr()[()])
            assert resolved["seed"] == 7
            assert resolved["diffusion"]["reshare_probability"] == 0.03
        assert not np.array_equal(f["series/reach"][()], base["series/reach"][()])


def test_compare_prints_the_table_and_info_repeats_it(run_civsim, small_scenario, tmp_path):
    out = tmp_path / "table.h5"
    proc = run_civsim("compare", small_scenario, "--arms", "broadcast,reactive",
                      "--replicates", "2", "-o", out, check=True)
    assert "run 4/4" in proc.stderr  # progress: runs done / total (logged when not a terminal)
    text = proc.stdout
    table = text[text.index("key outcomes:"):text.index("run time")].strip()
    for word in ["final_reach [citizens]", "total_impressions", "final_trust_mean",
                 "peak_rumour_believers", "total_questions_answered", "total_staff_hours",
                 "final_gov_followers", "difference vs broadcast", "(reference)", "reactive"]:
        assert word in table, word
    assert "2 arms x 2 replicates = 4" in text
    info = run_civsim("info", out, check=True).stdout
    assert table in info
    assert "civsim-compare" in info and "replicates" in info
    quiet = run_civsim("compare", small_scenario, "--arms", "broadcast", "--replicates", "1",
                       "-o", tmp_path / "quiet.h5", "-q", check=True)
    assert "run 1/1" not in quiet.stderr
    assert "one replicate: no confidence intervals" in quiet.stdout


def test_compare_refuses_to_overwrite(run_civsim, small_scenario, tmp_path):
    out = tmp_path / "keep.h5"
    out.write_bytes(b"precious results")
    args = ["compare", small_scenario, "--arms", "broadcast", "--replicates", "1", "-o", out]
    proc = run_civsim(*args)
    assert proc.returncode == 2 and "--force" in proc.stderr
    assert out.read_bytes() == b"precious results"
    run_civsim(*args, "--force", check=True)
    with h5py.File(out) as f:
        assert f.attrs["filetype"] == "civsim-compare"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.h5"], "no temporary files left"


def test_bad_compare_arguments_exit_2(run_civsim, small_scenario, tmp_path):
    out = tmp_path / "never.h5"
    cases = [
        (["--arms", "broadcast,shouting"], "unknown arm 'shouting'"),
        (["--arms", "broadcast,broadcast"], "arm 'broadcast' is given twice"),
        (["--arms", "broadcast,,reactive"], "'' is not a valid arm name"),
        (["--arms", "a/b"], "'a/b' is not a valid arm name"),
        (["--replicates", "0"], "--replicates must be at least 1"),
        (["--replicates", "-3"], "--replicates must be at least 1"),
        (["--set", "accounts[0].strategy=shouting"], "accounts[0].strategy"),
    ]
    for extra, message in cases:
        proc = run_civsim("compare", small_scenario, "-o", out, *extra)
        assert proc.returncode == 2, (extra, proc.stderr)
        assert message in proc.stderr, (extra, proc.stderr)
        assert "internal error" not in proc.stderr
    proc = run_civsim("compare", tmp_path / "missing.toml", "-o", out)
    assert proc.returncode == 2 and "missing.toml" in proc.stderr
    assert run_civsim("compare", small_scenario).returncode == 2  # no -o
    assert list(tmp_path.iterdir()) == []


def test_info_refuses_unknown_comparison_major_version(run_civsim, small_compare, tmp_path):
    future = tmp_path / "future.h5"
    future.write_bytes(small_compare.read_bytes())
    with h5py.File(future, "a") as f:
        f.attrs["format_version"] = "2.0"
    proc = run_civsim("info", future)
    assert proc.returncode == 2 and "comparison file format version '2.0'" in proc.stderr
