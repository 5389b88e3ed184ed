"""The bench's goal verdicts (tools/bench/goals.py) and its reading of wrk's statuses: no server needed."""

from __future__ import annotations

import pytest

from tools.bench import goals
from tools.bench.load import parse_wrk

GOAL = goals.Goal("1", "ours vs the peer", "ours", "peer", 1.2)


def test_paired_ratio_is_the_median_of_per_round_ratios():
    # Rounds drift (the machine gets busier), the ratio within each round does not.
    assert goals.paired_ratio([120, 60, 240], [100, 50, 200]) == pytest.approx(1.2)
    assert goals.paired_ratio([100, 300, 100], [100, 100, 50]) == pytest.approx(2.0)
    assert goals.paired_ratio([], []) is None


@pytest.mark.parametrize(
    ("ours", "verdict", "met"),
    [([130, 65], goals.PASS, True), ([110, 55], goals.FAIL, False)],
)
def test_a_ratio_passes_at_its_target(ours, verdict, met):
    result = goals.judge(GOAL, {"ours": ours, "peer": [100, 50]}, {}, {})
    assert (result["verdict"], result["met"]) == (verdict, met)
    assert result["limit"] == ">= 1.20x"


def test_any_wrong_answer_makes_the_goal_void():
    result = goals.judge(GOAL, {"ours": [500], "peer": [100]}, {"ours": 3}, {})
    assert result["verdict"] == goals.VOID and not result["met"]
    assert "ours 3 wrong answers" in result["measured"]


def test_a_target_that_could_not_run_fails_its_goal_with_the_reason():
    result = goals.judge(GOAL, {"peer": [100]}, {}, {"ours": "answered 422"})
    assert result["verdict"] == goals.NOT_RUN and not result["met"]
    assert "answered 422" in result["measured"]


def test_goals_of_targets_not_chosen_are_left_out():
    assert goals.judge(GOAL, {"other": [1]}, {}, {}) is None


def test_a_goal_without_target_is_shown_not_judged():
    info = goals.Goal("1", "context", "ours", "peer", None)
    result = goals.judge(info, {"ours": [50], "peer": [100]}, {}, {})
    assert (result["verdict"], result["met"], result["measured"]) == (goals.INFO, True, "0.50x")


WRK = """Running 5s test @ http://127.0.0.1:8000/api/v1/posts
  Latency Distribution
     50%    2.50ms
     75%    3.00ms
     90%    4.00ms
     99%   12.00ms
  1000 requests in 5.00s, 1.00MB read
Requests/sec:    200.00
Transfer/sec:    200.00KB
status 304 990
status 200 10
"""


def test_statuses_other_than_the_expected_one_are_wrong_answers():
    result = parse_wrk(WRK, expect=304)
    assert (result.requests, result.p50_ms, result.p99_ms) == (1000, 2.5, 12.0)
    assert result.statuses == {304: 990, 200: 10}
    assert result.unexpected == 10 and result.errors == 10
    assert parse_wrk(WRK, expect=200).errors == 990


def test_without_status_counts_no_answer_is_trusted():
    without = WRK.replace("status 304 990\nstatus 200 10\n", "")
    assert parse_wrk(without).errors == 1000
