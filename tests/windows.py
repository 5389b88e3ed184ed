"""Fixed rate-limit windows in tests (a pytest plugin, loaded by ``tests/conftest.py``).

``api.throttling.WindowCounter`` counts in windows that start at multiples of their length
(``time.time() // window``). A test that expects its requests to land in one window fails when the clock
crosses a boundary between them (``3/min`` at hh:mm:00). Two ways to keep a test inside one window:

- ``frozen_clock`` (fixture): the test runs the API in its own process, so it stops the clock; no boundary
  can pass, however long the test takes.
- ``one_window(window, budget=...)``: the clock is another process's (a live gunicorn), so the block waits
  for a fresh window when fewer than ``budget`` seconds are left in the current one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest


def seconds_left(window: float, now: float | None = None) -> float:
    """Seconds until the fixed window of ``window`` seconds holding ``now`` (default: the clock) ends, as
    ``WindowCounter`` computes its ``Retry-After``."""
    now = time.time() if now is None else now
    return (now // window + 1) * window - now


@pytest.fixture
def frozen_clock(time_machine) -> None:
    """Stop the wall clock where it is for the test: rate windows cannot roll over between its requests."""
    time_machine.move_to(time.time(), tick=False)


@contextmanager
def one_window(window: int, *, budget: float, sleep: Callable[[float], None] = time.sleep) -> Iterator[None]:
    """Run the block inside one fixed window of ``window`` seconds, provided it takes under ``budget``
    seconds: when fewer are left, first sleep until the next window begins. A block that fails after
    crossing a boundary anyway says so, since its requests were then counted in two windows."""
    if not 0 < budget < window:
        raise ValueError(f"budget must be between 0 and the window ({window} s), not {budget}")
    left = seconds_left(window)
    if left < budget:
        sleep(left + 0.01)  # a hair past the boundary, whatever the float rounding
    started = time.time()
    try:
        yield
    except BaseException as exc:
        ended = time.time()
        if ended // window != started // window:
            exc.add_note(
                f"A {window} s rate window ended during this block, after {ended - started:.1f} s of its "
                f"{budget} s budget: its requests were counted in two windows. Raise the budget."
            )
        raise
