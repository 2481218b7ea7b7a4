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


@pytest.fixture(autouse=True)
def sigint_raises():
    """Python's own SIGINT handler, even when the tests were started with SIGINT ignored (as a
    shell does for background jobs)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def interrupted(call, trigger: threading.Event, delay: float) -> bool:
    """Runs call() while another thread sends SIGINT to this process, as Ctrl-C in a terminal
    would, `delay` seconds after `trigger` is set. True if call() raised KeyboardInterrupt. A
    signal that arrives only after call() returned is absorbed here, so it cannot hit a later
    test."""
    def send():
        trigger.wait(60)
        time.sleep(delay)
        os.kill(os.getpid(), signal.SIGINT)

    sender = threading.Thread(target=send)
    sender.start()
    raised = False
    try:
        call()
    except KeyboardInterrupt:
        raised = True
    trigger.set()
    try:
        sender.join()
        time.sleep(0.1)  # a late signal is handled here
    except KeyboardInterrupt:
        pass
    sender.join()
    return raised


def test_sigint_stops_a_run_between_steps(civsim, long_scenario, crisis):
    # A year at 50 000 citizens (0.9 s for the whole run on an idle machine, network included;
    # 30 days at 20 000 took 0.27 s, mostly the network, after the optimisations of issue 7), and
    # the signal at once after step 3: a fixed delay let the run finish before the signal came.
    year = long_scenario.copy()
    year.set("population", 50000)
    year.set("time.duration", "365d")
    steps = []
    started = threading.Event()

    def progress(done, total):
        steps.append(done)
        if done == 3:
            started.set()

    t0 = time.monotonic()
    assert interrupted(lambda: civsim.run(year, progress=progress), started, 0.0)
    assert 3 <= len(steps) < year.steps
    assert time.monotonic() - t0 < 60
    # The process is fine: the next runs complete and agree.
    a = civsim.run(crisis, threads=1)
    b = civsim.run(crisis, threads=2)
    np.testing.assert_array_equal(a.series["reach"], b.series["reach"])


def test_sigint_stops_a_comparison(civsim, long_scenario, crisis):
    # Runs go side by side on the worker threads (20 000 citizens), so the interrupt reaches
    # every run through the comparison's stop flag.
    # The signal follows the first finished run, not a fixed delay: on an idle machine the
    # whole comparison can take less than a second.
    first = threading.Event()
    done = []

    def progress(finished, total):
        done.append(finished)
        first.set()

    t0 = time.monotonic()
    assert interrupted(lambda: civsim.compare(long_scenario, arms=["broadcast", "dialogue"],
                                              replicates=8, progress=progress), first, 0.0)
    assert 1 <= len(done) < 16
    assert time.monotonic() - t0 < 60
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


def test_runs_from_several_threads_at_once(civsim, crisis):
    alone = civsim.run(crisis, threads=1)
    results: dict[int, object] = {}
    threads = [threading.Thread(target=lambda i=i: results.__setitem__(i, civsim.run(crisis)))
               for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results.values():
        for name, values in alone.series.items():
            np.testing.assert_array_equal(r.series[name], values, err_msg=name)
