"""civsim.Scenario: the same parsing, validation, overrides and messages as the command line."""
from __future__ import annotations

import copy
import datetime
import tomllib
from pathlib import Path

import pytest

from api_helpers import DEFAULT, ROOT

DATA = ROOT / "tests" / "data"


def cli_print(run_civsim, path, *sets: str) -> str:
    args = [a for s in sets for a in ("--set", s)]
    return run_civsim("validate", path, *args, "--print", check=True).stdout


def test_load_resolves_like_validate_print(civsim, run_civsim):
    s = civsim.Scenario.load(DEFAULT)
    assert s.to_toml() == cli_print(run_civsim, DEFAULT)
    assert (s.name, s.population, s.steps, s.step_hours) == ("default-crisis", 1000000, 168, 1.0)
    assert s.regions == ["quake_region", "rest"] and s.accounts == ["ministry"]
    assert s.arms == ["broadcast", "reactive", "dialogue"] and s.path == str(DEFAULT)


def test_set_matches_cli_overrides(civsim, run_civsim):
    s = civsim.Scenario.load(DEFAULT)
    s.set("population", 5000)
    s.set("accounts[0].capacity_fte", 3.5)
    s.set("accounts[0].strategy", "dialogue")
    s.set("time.duration", datetime.timedelta(days=2, hours=3))
    s.set("trust.updates", False)
    s.set("accounts[1].name", "paper")  # appends an account, as --set does
    s.set("accounts[1].kind", "media")
    expected = cli_print(run_civsim, DEFAULT, "population=5000", "accounts[0].capacity_fte=3.5",
                         "accounts[0].strategy=dialogue", 'time.duration="2d 3h"',
                         "trust.updates=false", "accounts[1].name=paper", "accounts[1].kind=media")
    assert s.to_toml() == expected
    assert s.get("accounts[0].capacity_fte") == 3.5
    assert s.get("time.duration") == "2d 3h"
    assert s.get("accounts[1].kind") == "media"
    assert s.overrides[0] == "population=5000"
    with pytest.raises(KeyError):
        s.get("accounts[5].name")


def test_overrides_as_dict_or_cli_strings(civsim):
    a = civsim.Scenario.load(DEFAULT, overrides={"population": 5000, "seed": 7})
    b = civsim.Scenario.load(DEFAULT, overrides=["population=5000", "seed=7"])
    assert a.to_toml() == b.to_toml() and a.seed == 7


def test_to_toml_round_trips(civsim):
    s = civsim.Scenario.load(DEFAULT, overrides={"population": 5000})
    again = civsim.Scenario.from_toml(s.to_toml())
    assert again.to_toml() == s.to_toml()
    assert tomllib.loads(s.to_toml()) == s.to_dict()


def test_error_in_file_names_file_line_and_key(civsim, run_civsim):
    bad = DATA / "bad_range.toml"
    with pytest.raises(civsim.ConfigError) as info:
        civsim.Scenario.load(bad)
    e = info.value
    assert isinstance(e, ValueError) and isinstance(e, civsim.InputError)
    assert (e.file, e.line, e.key) == (str(bad), 5, "diffusion.reshare_probability")
    assert e.column == 23 and e.override is None
    # The message is the command line's, word for word.
    cli = run_civsim("validate", bad)
    assert cli.returncode == 2
    assert cli.stderr.strip() == f"civsim: {e}"


def test_error_in_set_names_key_and_leaves_scenario_unchanged(civsim, run_civsim):
    s = civsim.Scenario.load(DEFAULT)
    before = s.to_toml()
    with pytest.raises(civsim.ConfigError) as info:
        s.set("diffusion.reshare_probability", 2.0)
    e = info.value
    assert e.key == "diffusion.reshare_probability"
    assert e.override == "diffusion.reshare_probability=2.0"
    assert e.file is None and e.line is None
    assert "valid: a number in [0, 1]" in str(e)
    cli = run_civsim("validate", DEFAULT, "--set", "diffusion.reshare_probability=2.0")
    assert cli.stderr.strip() == f"civsim: {e}"
    assert s.to_toml() == before


def test_unknown_key_suggests_the_right_one(civsim):
    s = civsim.Scenario.load(DEFAULT)
    with pytest.raises(civsim.ConfigError, match="did you mean 'accounts\\[\\].posts_per_day'"):
        s.set("accounts[0].posts_per_dya", 3)


def test_from_toml_errors_carry_source_and_line(civsim):
    text = 'name = "x"\n[network]\nmean_followees = "many"\n'
    with pytest.raises(civsim.ConfigError) as info:
        civsim.Scenario.from_toml(text, source="mine.toml")
    assert (info.value.file, info.value.line, info.value.key) == (
        "mine.toml", 3, "network.mean_followees")
    with pytest.raises(civsim.ConfigError) as info:
        civsim.Scenario.from_toml("name = \n")
    assert info.value.line == 1 and info.value.key is None  # TOML syntax


def test_unreadable_and_empty_files_are_input_errors(civsim, tmp_path):
    with pytest.raises(civsim.InputError, match="cannot read scenario file"):
        civsim.Scenario.load(tmp_path / "missing.toml")
    empty = tmp_path / "empty.toml"
    empty.write_text("# nothing\n")
    with pytest.raises(civsim.InputError, match="is empty"):
        civsim.Scenario.load(empty)


def test_python_values_become_toml(civsim):
    s = civsim.Scenario.load(DEFAULT)
    s.set("name", 'a "quoted"\tname\\')
    assert s.name == 'a "quoted"\tname\\'
    s.set("arms[1].set", ["trust.updates=false", "accounts[0].capacity_fte=1e-05"])
    assert s.get("arms[1].set") == ["trust.updates=false", "accounts[0].capacity_fte=1e-05"]
    s.set("diffusion.reshare_probability", 1e-05)
    assert s.get("diffusion.reshare_probability") == 1e-05
    with pytest.raises(TypeError):
        s.set("population", object())
    with pytest.raises(ValueError):
        s.set("a=b", 1)


def test_copy_is_independent(civsim):
    s = civsim.Scenario.load(DEFAULT)
    for t in (s.copy(), copy.copy(s), copy.deepcopy(s)):
        t.set("population", 5000)
        assert s.population == 1000000 and t.population == 5000


def test_schema_lists_every_key(civsim, run_civsim):
    keys = [k["key"] for k in civsim.schema()]
    assert "diffusion.reshare_probability" in keys and "accounts[].capacity_fte" in keys
    assert len(keys) == len(set(keys))


def test_edge_list_file_is_relative_to_the_scenario(civsim):
    s = civsim.Scenario.load(DATA / "edge_list.toml")
    assert Path(s.get("network.file")).is_absolute()
