"""The window helpers must keep a block inside one rate window, or the tests using them prove nothing."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from api.throttling import WindowCounter
from tests.windows import one_window, seconds_left

BOUNDARY = datetime(2030, 1, 1, 12, 0, tzinfo=UTC).timestamp()  # a multiple of 60, 900 and 3600


def test_seconds_left_is_what_the_window_counter_tells_clients(time_machine):
    time_machine.move_to(BOUNDARY - 0.25, tick=False)

    assert seconds_left(60) == pytest.approx(0.25)
    assert WindowCounter("t", window=60, limits={("id", "x"): 1}).retry_after == pytest.approx(0.25)
    assert seconds_left(60, now=BOUNDARY) == 60


def test_one_window_waits_for_a_fresh_window_when_too_little_is_left(time_machine):
    time_machine.move_to(BOUNDARY - 3, tick=False)
    slept = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        time_machine.shift(seconds)

    with one_window(60, budget=10, sleep=sleep):
        assert seconds_left(60) > 59
    assert slept == [pytest.approx(3.01)]


def test_one_window_starts_at_once_when_the_budget_fits(time_machine):
    time_machine.move_to(BOUNDARY - 11, tick=False)

    with one_window(60, budget=10, sleep=pytest.fail):
        pass


def test_a_block_that_fails_across_a_boundary_says_so(time_machine):
    time_machine.move_to(BOUNDARY - 20, tick=False)

    with pytest.raises(AssertionError) as raised, one_window(60, budget=10):
        time_machine.shift(25)
        raise AssertionError("the fourth request was not refused")
    assert "A 60 s rate window ended during this block, after 25.0 s of its 10 s budget" in raised.value.__notes__[0]


def test_a_budget_as_long_as_the_window_is_refused():
    with pytest.raises(ValueError, match="budget must be between 0 and the window"), one_window(60, budget=60):
        pass


def test_frozen_clock_stops_the_clock_the_windows_read(frozen_clock):
    before = time.time()
    time.sleep(0.02)  # real time passes, as in a slow test; the windows' clock does not
    assert time.time() == before
