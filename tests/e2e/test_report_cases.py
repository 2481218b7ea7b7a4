"""End-to-end: the report cases (scenarios/report/) validate, run in quick mode with headline
outputs in plausible published ranges, and `civsim calibrate` recovers known parameters from
targets the model itself generated; the shipped Timmermans scenario reproduces its targets."""
from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import h5py
import numpy as np
import pytest

from civsim_analysis import open_calibration, open_compare
from civsim_analysis.cases import per_run, quake_volumes

ROOT = Path(os.environ.get("CIVSIM_SOURCE_DIR", Path(__file__).resolve().parents[2]))
REPORT = ROOT / "scenarios" / "report"
CASES = ["groningen-quake", "timmermans-facebook", "municipal-webcare"]


def means(path: Path, statistic: str) -> dict[str, float]:
    """A statistic ("total_likes / total_posts") per arm, mean over replicates."""
    cmp = open_compare(path)
    values = per_run(cmp, statistic)
    return {arm: float(np.mean(v[np.isfinite(v)])) if np.isfinite(v).any() else float("nan")
            for arm, v in zip(cmp.arms, values)}


@pytest.fixture(scope="module")
def quick(run_civsim, tmp_path_factory):
    """The comparison file of each case in quick mode (as scripts/reproduce-report --quick)."""
    out = tmp_path_factory.mktemp("report")
    settings = {"groningen-quake": ["--replicates", "2", "--set", "population=26000"],
                "timmermans-facebook": ["--replicates", "2"],
                "municipal-webcare": ["--replicates", "4"]}
    files = {}
    for case, extra in settings.items():
        files[case] = out / f"{case}.h5"
        run_civsim("compare", REPORT / f"{case}.toml", "-o", files[case], "--quiet", *extra,
                   check=True)
    return files


@pytest.mark.parametrize("case", CASES)
def test_report_scenario_validates_and_cites_its_figures(run_civsim, case):
    path = REPORT / f"{case}.toml"
    proc = run_civsim("validate", path, check=True)
    assert "valid" in proc.stdout
    header = path.read_text().split("\nname = ")[0]
    assert "calibration.md" in header, "the header cites the published figures"
    assert re.search(r"[Ss]cal", header), "the header says how the figures were scaled"
    scenario = tomllib.loads(path.read_text())
    assert len(scenario["arms"]) >= 2


def test_every_headline_output_is_finite(quick):
    for case, path in quick.items():
        cmp = open_compare(path)
        for name in cmp.key_outcomes:
            if name in ("final_trust_mean",) or not name.startswith(("final", "total", "peak")):
                continue
            assert np.all(np.isfinite(cmp._summary[name]["values"])), (case, name)
        trust = cmp._summary["final_trust_mean"]["values"]
        assert np.all((trust >= 0) & (trust <= 1)), case


def test_timmermans_quick_reproduces_the_factsheet_within_10_percent(quick):
    """The shipped, fitted scenario at 2 of its 3 calibration replicates: likes and comments per
    post and unique engagers of the personal arm within 10% of the factsheet (calibration.md),
    and the page keeps its 37,523 followers (within 1%)."""
    targets = tomllib.loads((REPORT / "timmermans-targets.toml").read_text())["targets"]
    assert {k: t["value"] for k, t in targets.items()} == {
        "likes_per_post": 990, "comments_per_post": 158, "unique_engagers": 4277}
    for name, t in targets.items():
        simulated = means(quick["timmermans-facebook"], t["statistic"])["personal"]
        assert simulated == pytest.approx(t["value"], rel=0.10), name
    followers = means(quick["timmermans-facebook"], "final_gov_followers")
    assert followers["personal"] == pytest.approx(37523, rel=0.01)
    posts = means(quick["timmermans-facebook"], "total_posts")
    assert posts == {"personal": 75, "press-office": 75}  # the factsheet's 75 posts in each arm


def test_groningen_quick_volumes_and_rumour_are_plausible(quick):
    """Questions after the quake in the order of the Westerwijtwerd tweet volumes scaled by
    f = 26,000 / 2.6M = 0.01 (~200 f = 2 in 10 minutes, ~7,000 f = 70 in 12 hours): within a
    factor 3 for the 12 hours, 0-10 for the first 10 minutes (a count of ~2 is noisy). The
    rumour spreads beyond its 30 seeds but not to the whole network; only reactive and dialogue
    answer; only dialogue corrects."""
    path = quick["groningen-quake"]
    cmp = open_compare(path)
    v = quake_volumes(cmp)
    assert float(v["f"]) == pytest.approx(0.01)
    first, half_day = v["first_10min"].mean(), v["first_12h"].mean()
    assert 0 <= first <= 10
    assert 70 / 3 <= half_day <= 70 * 3
    peak = means(path, "peak_rumour_believers")
    assert all(30 < p < 0.5 * 26000 for p in peak.values()), peak
    answered = means(path, "total_questions_answered")
    assert answered["broadcast"] == 0 and answered["reactive"] > 0 and answered["dialogue"] > 0
    corrections = means(path, "final_correction_reach")
    assert corrections["broadcast"] == 0 and corrections["reactive"] == 0
    assert corrections["dialogue"] > 0


def test_municipal_webcare_is_in_the_published_ranges(quick):
    """About one question a day (5% of municipalities reply more than once a day), tens on the
    announcement day (Breda scaled: ~18 to >36); webcare arms reply to at least the US cities'
    38% and answer in a mean time between 2 h and 3 days (published: 21 h, 40% within 2 h)."""
    path = quick["municipal-webcare"]
    cmp = open_compare(path)
    per_day = cmp.array("questions_asked").reshape(len(cmp.arms), cmp.replicates, 28, 24).sum(3)
    quiet_days = np.delete(per_day[0].mean(0), [15, 16])
    assert 0.3 <= quiet_days.mean() <= 3
    assert 10 <= per_day[0, :, 15].mean() <= 80  # Tuesday of week 3: the announcement
    reply = means(path, "reply_rate")
    mean_rt = means(path, "mean_response_time")
    within = means(path, "answered_within_2h")
    assert reply["broadcast"] == 0
    for arm in ("webcare-0.2fte", "webcare-1fte", "webcare-3fte", "dialogue-1fte"):
        assert 0.38 <= reply[arm] <= 1, arm
        assert 2 <= mean_rt[arm] <= 72, arm
        assert 0.05 <= within[arm] <= 0.8, arm
    # More staff answers more and faster.
    assert reply["webcare-3fte"] >= reply["webcare-0.2fte"]
    assert mean_rt["webcare-3fte"] <= mean_rt["webcare-0.2fte"]


# --- calibration --------------------------------------------------------------------------------

SYNTHETIC = """
[targets.likes_per_post]
statistic = "total_likes / total_posts"
value = {likes}
tolerance = 0.05
[targets.comments_per_post]
statistic = "total_comments / total_posts"
value = {comments}
tolerance = 0.05
[targets.reach]
statistic = "final_reach"
value = {reach}
tolerance = 0.05

[params.like]
keys = ["reactions.information.like"]
lower = 0.001
upper = 0.5
scale = "log"
start = 0.01
[params.comment]
keys = ["reactions.information.comment"]
lower = 0.0001
upper = 0.05
scale = "log"
start = 0.001
[params.organic_reach]
keys = ["platform.organic_reach"]
lower = 0.02
upper = 1.0
start = 0.6

[calibration]
replicates = 2
max_evaluations = 120
"""
TRUE = {"like": 0.06, "comment": 0.01, "organic_reach": 0.3}
# 24 posts a day instead of 6: larger counts, a smoother objective.
POSTS = ["--set", "accounts[0].posts_per_day=24", "--set", "accounts[0].strategy=broadcast"]


def test_calibration_recovers_known_parameters_from_synthetic_targets(run_civsim, small_scenario,
                                                                      tmp_path):
    """Targets generated by the model itself at known parameters (the small scenario, 2
    replicates) are fitted from a distant start; the fit recovers the parameters within 10%
    and reproduces the targets within 5%, the log records every evaluation, and the fitted
    scenario runs again."""
    sets = ["--set", f"reactions.information.like={TRUE['like']}",
            "--set", f"reactions.information.comment={TRUE['comment']}",
            "--set", f"platform.organic_reach={TRUE['organic_reach']}"]
    truth = tmp_path / "truth.h5"
    run_civsim("compare", small_scenario, "--arms", "broadcast", "--replicates", "2", "-o", truth,
               "--quiet", *POSTS, *sets, check=True)
    likes = means(truth, "total_likes / total_posts")["broadcast"]
    comments = means(truth, "total_comments / total_posts")["broadcast"]
    reach = means(truth, "final_reach")["broadcast"]
    targets = tmp_path / "targets.toml"
    targets.write_text(SYNTHETIC.format(likes=repr(likes), comments=repr(comments),
                                        reach=repr(reach)))
    fitted, log = tmp_path / "fitted.toml", tmp_path / "fit.h5"
    proc = run_civsim("calibrate", small_scenario, "--targets", targets, "-o", fitted, "--log",
                      log, *POSTS, check=True)
    assert "3 of 3 targets within tolerance" in proc.stdout, proc.stdout

    cal = open_calibration(log)
    fit = dict(zip(cal.parameters["name"], cal.parameters["fitted"]))
    for name, value in TRUE.items():
        assert fit[name] == pytest.approx(value, rel=0.10), (name, fit)
    assert cal.within_tolerance().all()
    ev = cal.evaluations
    assert len(ev) == cal.attrs["evaluations"] <= 121 and ev["final"].sum() == 1
    assert ev["final"].iloc[-1] and np.all(np.isfinite(ev["distance"]))
    assert cal.replicate_values.shape == (len(ev), 2, 3)
    np.testing.assert_allclose(ev.loc[ev["final"], "like"], fit["like"])
    with h5py.File(log) as f:
        assert f.attrs["filetype"] == "civsim-calibration" and f.attrs["format_version"] == "1.0"
        assert f.attrs["method"] == "nelder-mead" and f.attrs["replicates"] == 2
        for key in ("git_sha", "created", "command_line", "scenario_file", "targets_file"):
            assert f.attrs[key], key
        assert "likes_per_post" in f["targets_file"].asstr()[()]

    text = fitted.read_text()
    assert text.startswith("# Fitted by `civsim calibrate`")
    assert "3 of 3 targets within tolerance" in text
    assert "# ---- the header of" in text  # the scenario's own header comment is kept
    resolved = tomllib.loads(text)
    assert resolved["reactions"]["information"]["like"] == fit["like"]
    assert resolved["platform"]["organic_reach"] == fit["organic_reach"]
    run_civsim("validate", fitted, check=True)
    # The same fit again: deterministic (common random numbers, a deterministic optimiser).
    again = tmp_path / "again.toml"
    run_civsim("calibrate", small_scenario, "--targets", targets, "-o", again, *POSTS, "-q",
               check=True)
    strip = lambda t: "\n".join(l for l in t.splitlines() if not l.startswith("#"))  # noqa: E731
    assert strip(again.read_text()) == strip(text)


BAD = """[targets.x]
statistic = "total_likes / total_posts"
value = 10
[params.like]
keys = ["reactions.information.like"]
lower = 0.001
upper = 0.5
"""


@pytest.mark.parametrize("targets,params,message", [
    (BAD.replace("value = 10", "vlaue = 10"), [],
     r"t\.toml:3:1: error: unknown key 'targets\.x\.vlaue'"),
    (BAD.replace("total_posts\"", "total_psts\""), [],
     r"t\.toml:2:13: error: targets\.x\.statistic: unknown scalar 'total_psts'"),
    (BAD.replace("information.like", "information.likes"), [],
     r"t\.toml:5:8: error: params\.\"like\": the scenario key 'reactions\.information\.likes' "),
    (BAD.replace("information.like\"]", "information.like\"]\nstart = 0.9"), [],
     r"t\.toml:6:9: error: params\.\"like\"\.start = 0\.9: must lie strictly between"),
    (BAD.replace("reactions.information.like", "network.mean_followees")
        .replace("lower = 0.001", "lower = 5").replace("upper = 0.5", "upper = 15"), [],
     r"t\.toml:5:8: error: params\.\"like\": 'network\.mean_followees' changes the follower "
     r"network"),
    (BAD.replace("upper = 0.5", "upper = 2"), [],
     r"cannot take the value 2 \(at the bound 2\).*is invalid; valid: a number in \[0, 1\]"),
    (BAD, ["--params", "like,nope"], r"--params: 'nope' is not a parameter"),
    (BAD.replace("lower = 0.001", "lower = 0.03"), [],
     r"the scenario's value reactions\.information\.like = 0\.02 is not strictly inside"),
])
def test_bad_targets_files_exit_2_with_file_line_and_key(run_civsim, small_scenario, tmp_path,
                                                         targets, params, message):
    path = tmp_path / "t.toml"
    path.write_text(targets)
    fitted = tmp_path / "fitted.toml"
    proc = run_civsim("calibrate", small_scenario, "--targets", path, "-o", fitted, "-q",
                      *params)
    assert proc.returncode == 2, proc.stderr
    assert re.search(message, proc.stderr.replace(str(tmp_path) + "/", "")), proc.stderr
    assert not fitted.exists() and not (tmp_path / "fitted.calibration.h5").exists()


def test_calibrate_refuses_a_missing_targets_file_and_existing_outputs(run_civsim, small_scenario,
                                                                       tmp_path):
    proc = run_civsim("calibrate", small_scenario, "--targets", tmp_path / "none.toml", "-o",
                      tmp_path / "f.toml")
    assert proc.returncode == 2 and "cannot read targets file" in proc.stderr
    (tmp_path / "t.toml").write_text(BAD)
    (tmp_path / "f.toml").write_text("exists")
    proc = run_civsim("calibrate", small_scenario, "--targets", tmp_path / "t.toml", "-o",
                      tmp_path / "f.toml")
    assert proc.returncode == 2 and "exists" in proc.stderr
    assert (tmp_path / "f.toml").read_text() == "exists"
