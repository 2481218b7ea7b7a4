"""Fixtures of the Python API tests: the module built into build/python (on PYTHONPATH, set by
CTest) and a crisis scenario small enough for seconds."""
from __future__ import annotations

import pytest

from api_helpers import CRISIS_SET, DEFAULT


@pytest.fixture(scope="session")
def civsim():
    import civsim as module
    return module


@pytest.fixture(scope="session")
def crisis(civsim):
    return civsim.Scenario.load(DEFAULT, overrides=CRISIS_SET)
