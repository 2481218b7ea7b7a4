"""Long runs release the GIL, stop on Ctrl-C (KeyboardInterrupt) between steps and leave the
process fine; exceptions from the progress callback stop them too."""
from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pytest

# Long enough that an interrupt always arrives mid-run: 30 days of hourly steps.
LONG = {"time.duration": "30d"}


@pytest.fixture(scope="module")
def long_scenario(crisis):
    s = crisis.copy()
    for k, v in LONG.items():
        s.set(k, v)
    return s


def sigint_soon(delay: float = 0.05) -> threading.Thread:
    """Sends SIGINT to this process from another thread, as Ctrl-C in a terminal would."""
    t = threading.Thread(target=lambda: (time.sleep(delay), os.kill(os.getpid(), signal.SIGINT)))
    t.start()
    return t


def test_sigint_stops_a_run_between_steps(civsim, long_scenario, crisis):
    steps = []
    sender = []

    def progress(done, total):
        steps.append(done)
        if done == 3:
            sender.append(sigint_soon())

    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        civsim.run(long_scenario, progress=progress)
    sender[0].join()
    assert 3 <= len(steps) < long_scenario.steps
    assert time.monotonic() - t0 < 60
    # The process is fine: the next run completes and is identical to a fresh one.
    a = civsim.run(crisis, threads=1)
    b = civsim.run(crisis, threads=2)
    np.testing.assert_array_equal(a.series["reach"], b.series["reach"])


def test_sigint_stops_a_comparison(civsim, long_scenario, crisis):
    # Runs go side by side on the worker threads (20 000 citizens), so the interrupt reaches
    # every run through the comparison's stop flag.
    sender = sigint_soon(1.5)
    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        civsim.compare(long_scenario, arms=["broadcast", "dialogue"], replicates=4)
    sender.join()
    elapsed = time.monotonic() - t0
    assert elapsed < 60
    result = civsim.compare(crisis, arms=["broadcast", "dialogue"], replicates=2)
    assert result.series["reach"].shape == (2, 2, 48)


def test_exception_in_progress_callback_stops_the_run(civsim, long_scenario, crisis):
    class Stop(Exception):
        pass

    def progress(done, total):
        if done == 5:
            raise Stop()

    with pytest.raises(Stop):
        civsim.run(long_scenario, progress=progress)
    def interrupt(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        civsim.compare(crisis, arms=["broadcast"], replicates=3, progress=interrupt)


def test_runs_release_the_gil(civsim, crisis):
    done = threading.Event()
    result = []
    worker = threading.Thread(target=lambda: (result.append(civsim.run(crisis)), done.set()))
    ticks = 0
    worker.start()
    while not done.is_set():  # pure-Python work on this thread while the simulation runs
        ticks += 1
        time.sleep(0.001)
    worker.join()
    assert result and ticks > 50
