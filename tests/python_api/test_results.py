"""civsim.run / civsim.compare / civsim.network against the command line: the same series, the
same files, and the same tidy frames as the analysis package."""
from __future__ import annotations

import h5py
import numpy as np
import pandas as pd
import pytest

from api_helpers import CRISIS_CLI, DEFAULT, assert_same, assert_same_files, datasets


@pytest.fixture(scope="module")
def crisis_run(civsim, crisis):
    return civsim.run(crisis, seed=11, threads=1)


@pytest.fixture(scope="module")
def crisis_cli_run(run_civsim, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "crisis.h5"
    run_civsim("run", DEFAULT, *CRISIS_CLI, "--seed", "11", "--threads", "2", "-o", out, "-q",
               check=True)
    return out


@pytest.fixture(scope="module")
def crisis_compare(civsim, crisis):
    return civsim.compare(crisis, arms=["broadcast", "dialogue"], replicates=3)


@pytest.fixture(scope="module")
def crisis_cli_compare(run_civsim, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "crisis-compare.h5"
    run_civsim("compare", DEFAULT, *CRISIS_CLI, "--arms", "broadcast,dialogue", "--replicates",
               "3", "-o", out, "-q", check=True)
    return out


def test_run_series_equal_the_cli(crisis_run, crisis_cli_run):
    cli = datasets(crisis_cli_run)
    assert crisis_run.series.keys() == {k[len("series/"):] for k in cli
                                        if k.startswith("series/") and "by_region" not in k
                                        and k not in ("series/step", "series/time_hours")}
    for name, values in crisis_run.series.items():
        assert values.dtype == np.float64 and values.shape == (48,)
        assert_same(values, cli[f"series/{name}"], name)
    for name, values in crisis_run.by_region.items():
        assert values.shape == (48, 2)
        assert_same(values, cli[f"series/by_region/{name}"], name)
    assert_same(crisis_run.step, cli["series/step"], "step")
    assert_same(crisis_run.time_hours, cli["series/time_hours"], "time_hours")
    # Something happened in these two days: the rumour spread and trust moved.
    assert crisis_run.series["rumour_believers"].max() > 0
    assert np.isnan(crisis_run.series["response_time_p50"]).any()


def test_run_summary_and_network_equal_the_cli(crisis_run, crisis_cli_run):
    with h5py.File(crisis_cli_run) as f:
        summary = dict(f["summary"].attrs)
        units = dict(f["summary/units"].attrs)
        network = {**dict(f["network"].attrs),
                   **{k: v[()] for k, v in f["network"].items()}}
        scenario = f["scenario"].asstr()[()]
    assert list(crisis_run.summary) == list(summary) or set(crisis_run.summary) == set(summary)
    for k, v in summary.items():
        assert_same(crisis_run.summary[k], v, k)
        assert crisis_run.summary_units[k] == units[k]
    assert crisis_run.key_outcomes[0] == "final_reach" and len(crisis_run.key_outcomes) == 10
    assert set(crisis_run.network) == set(network)
    for k, v in network.items():
        assert_same(crisis_run.network[k], v, k)
    assert crisis_run.scenario == scenario
    assert crisis_run.attrs["seed"] == 11 and crisis_run.attrs["strategy"] == "broadcast"


def test_series_are_read_only_and_own_their_buffers(crisis_run):
    reach = crisis_run.series["reach"]
    assert not reach.flags.writeable and reach.base is not None  # a capsule owning the C++ vector
    with pytest.raises(ValueError):
        reach[0] = 1
    assert crisis_run["reach"] is reach


def test_run_save_writes_the_cli_file(crisis_run, crisis_cli_run, tmp_path):
    out = crisis_run.save(tmp_path / "py.h5")
    assert out == tmp_path / "py.h5" and crisis_run.path == out
    assert_same_files(out, crisis_cli_run)
    with h5py.File(out) as f:
        assert f.attrs["command_line"].startswith("python: civsim.run(Scenario.load(")
        assert f.attrs["threads"] == 1
    with pytest.raises(FileExistsError, match="force=True"):
        crisis_run.save(out)
    crisis_run.save(out, force=True)


def test_run_is_the_same_for_any_thread_count(civsim, crisis, crisis_run):
    again = civsim.run(crisis, seed=11, threads=2)
    for name, values in crisis_run.series.items():
        assert_same(again.series[name], values, name)


def test_run_dataframe_round_trip(civsim, crisis_run, tmp_path):
    df = crisis_run.to_dataframe()
    assert list(df.columns) == ["arm", "replicate", "step", "time_hours", "series", "value"]
    assert len(df) == 48 * len(crisis_run.series)
    assert set(df["arm"]) == {"broadcast"} and set(df["replicate"]) == {0}
    wide = df.pivot(index="step", columns="series", values="value")
    for name, values in crisis_run.series.items():
        assert_same(wide[name].to_numpy(), values, name)
    # The wide frame matches the analysis package's reading of the saved file.
    from civsim_analysis import open_run
    saved = open_run(crisis_run.save(tmp_path / "run.h5"))
    pd.testing.assert_frame_equal(crisis_run.series_frame(), saved.series(), check_like=True)
    pd.testing.assert_frame_equal(crisis_run.region_frame("trust_mean"),
                                  saved.by_region("trust_mean"))
    assert crisis_run.to_dataframe(["reach"])["series"].unique().tolist() == ["reach"]
    with pytest.raises(KeyError):
        crisis_run.to_dataframe(["no_such_series"])


def test_compare_equals_the_cli(crisis_compare, crisis_cli_compare, tmp_path):
    cli = datasets(crisis_cli_compare)
    assert crisis_compare.arms == ["broadcast", "dialogue"] and crisis_compare.replicates == 3
    for name, values in crisis_compare.series.items():
        assert values.shape == (2, 3, 48) and not values.flags.writeable
        assert_same(values, cli[f"series/{name}"], name)
    for name, values in crisis_compare.by_region.items():
        assert_same(values, cli[f"series/by_region/{name}"], name)
    for name in crisis_compare.series:
        for stat, values in crisis_compare.stats_arrays(name).items():
            assert_same(values, cli[f"stats/{name}/{stat}"], f"{name}/{stat}")
    for name, values in crisis_compare.summary.items():
        assert_same(values, cli[f"summary/{name}/values"], name)
    out = crisis_compare.save(tmp_path / "py-compare.h5")
    assert_same_files(out, crisis_cli_compare)


def test_compare_frames_equal_the_analysis_package(crisis_compare, tmp_path):
    from civsim_analysis import open_compare
    saved = open_compare(crisis_compare.save(tmp_path / "c.h5"))
    pd.testing.assert_frame_equal(crisis_compare.to_dataframe(), saved.tidy())
    pd.testing.assert_frame_equal(crisis_compare.to_dataframe(["trust_mean", "reach"]),
                                  saved.tidy(["trust_mean", "reach"]))
    pd.testing.assert_frame_equal(crisis_compare.stats("trust_mean"), saved.stats("trust_mean"))
    pd.testing.assert_frame_equal(crisis_compare.summary_table(), saved.summary_table())
    pd.testing.assert_frame_equal(crisis_compare.summary_table(key_only=True),
                                  saved.summary_table(key_only=True))
    pd.testing.assert_frame_equal(crisis_compare.run_scalars(), saved.run_scalars())
    assert crisis_compare.outcomes == saved.outcomes
    assert crisis_compare.key_outcomes == saved.key_outcomes
    assert crisis_compare.arm_scenarios == saved.arm_scenarios


def test_compare_dataframe_round_trip(crisis_compare):
    df = crisis_compare.to_dataframe(["trust_mean", "rumour_believers"])
    for name in ("trust_mean", "rumour_believers"):
        part = df[df["series"] == name].sort_values(["arm", "replicate", "step"])
        back = part["value"].to_numpy().reshape(2, 3, 48)
        assert_same(back, crisis_compare.series[name], name)


def test_plot_compare_takes_a_result(crisis_compare, tmp_path):
    import matplotlib.pyplot as plt
    from civsim_analysis import plot_compare
    fig = plot_compare(crisis_compare, ["trust_mean", "rumour_believers"], out=tmp_path / "c.png")
    plt.close(fig)
    assert (tmp_path / "c.png").stat().st_size > 10000


def test_progress_reports_every_step_and_run(civsim, crisis):
    calls = []
    civsim.run(crisis, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(i, 48) for i in range(1, 49)]
    calls.clear()
    civsim.compare(crisis, arms=["broadcast", "reactive"], replicates=2,
                   progress=lambda done, total: calls.append((done, total)))
    assert calls == [(i, 4) for i in range(1, 5)]


def test_compare_refuses_bad_arms_before_building_anything(civsim, crisis):
    with pytest.raises(civsim.ConfigError, match="unknown arm 'nope'") as info:
        civsim.compare(crisis, arms=["broadcast", "nope"])
    assert info.value.key == "arms"
    with pytest.raises(civsim.InputError, match="arm 'broadcast' is given twice"):
        civsim.compare(crisis, arms=["broadcast", "broadcast"])
    with pytest.raises(civsim.InputError, match="replicates must be at least 1"):
        civsim.compare(crisis, replicates=0)


def test_network_equals_cli_export_and_stats(civsim, crisis, run_civsim, tmp_path,
                                             crisis_cli_run):
    net = civsim.network.generate(crisis)
    out = tmp_path / "net.h5"
    run_civsim("network", "export", DEFAULT, *CRISIS_CLI, "-o", out, check=True)
    with h5py.File(out) as f:
        assert_same(net.offsets, f["offsets"][()], "offsets")
        assert_same(net.followers, f["followers"][()], "followers")
    assert net.offsets.dtype == np.uint64 and net.followers.dtype == np.uint32
    assert not net.followers.flags.writeable
    assert net.n_citizens == 20000 and net.n_nodes == 20001
    assert net.account_followers == [len(net.followers_of(20000))] == [1000]
    # Same network as the run with the scenario's seed; the run above used seed 11.
    run = civsim.run(crisis, threads=1)
    for k, v in run.network.items():
        assert_same(net.stats[k], v, k)
    assert net.follower_counts().sum() == net.n_edges
    assert net.to_scipy().nnz == net.n_edges


def test_edge_list_scenario_runs_like_the_cli(civsim, run_civsim, tmp_path):
    from api_helpers import ROOT
    path = ROOT / "tests" / "data" / "edge_list.toml"
    py = civsim.run(str(path))  # a path works too
    cli = tmp_path / "cli.h5"
    run_civsim("run", path, "-o", cli, "-q", check=True)
    assert_same_files(py.save(tmp_path / "py.h5"), cli)
    assert "population" not in py.scenario  # the file decides, as in the CLI's resolved scenario
