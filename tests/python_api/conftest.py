"""Fixtures of the Python API tests: the module built into build/python (on PYTHONPATH, set by
CTest) and a crisis scenario small enough for seconds."""
from __future__ import annotations

import pytest

from api_helpers import CRISIS_SET, DEFAULT


@pytest.fixture(scope="session")
def civsim():
    try:
        import civsim as module
    except ImportError as e:
        pytest.fail(f"cannot import the civsim module ({e}): run the tests through CTest, or with "
                    "PYTHONPATH=build/python after scripts/build")
    return module


@pytest.fixture(scope="session")
def crisis(civsim):
    return civsim.Scenario.load(DEFAULT, overrides=CRISIS_SET)
