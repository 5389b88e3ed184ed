"""Issue 14's goals (and issue 15's cost of an event) as ratios between two targets of one run, and their verdicts.

A ratio is the median over rounds of the two targets' req/s ratio in the same round (so drift between
rounds cancels). A goal is met only when both targets ran and every answer of both had its expected
status: a run with a wrong status (a 429, a 200 where a 304 was due, a socket error) is void.
Pure functions of the numbers, so they are unit-tested without a server.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

PASS, FAIL, VOID, NOT_RUN, INFO = "PASS", "FAIL", "VOID", "NOT RUN", "info"


@dataclass(frozen=True)
class Goal:
    """``numerator``'s req/s over ``denominator``'s must be at least ``at_least`` (None: shown, not judged)."""

    issue_goal: str
    name: str
    numerator: str
    denominator: str
    at_least: float | None

    @property
    def keys(self) -> tuple[str, str]:
        return self.numerator, self.denominator


GOALS = [
    Goal("1", "GET /user vs the strict DRF TokenAuthentication peer", "user", "drf_user_strict", 1.2),
    Goal("1", "GET /user vs django-rest-knox", "user", "knox_user", 1.6),
    Goal("1", "GET /user vs DRF with our /user body (richer peer)", "user", "drf_user", None),
    Goal("1", "strict DRF peer vs the ceiling", "drf_user_strict", "ceiling", None),
    Goal("2", "list 304 (If-None-Match) vs the ceiling", "list_304", "ceiling", 0.5),
    Goal("2", "item 304 (If-None-Match) vs the ceiling", "item_304", "ceiling", 0.5),
    Goal("2", "list 304 vs the ceiling without middleware", "list_304", "ceiling_bare", None),
    Goal("4", "light list (5 fields) vs the full list (anonymous)", "list_light", "list_full_anon", 3.0),
    Goal("5", "full list (anonymous) vs DRF ListAPIView peer", "list_full_anon", "drf_list", 1.5),
    Goal("5", "full list (PAT) vs DRF ListAPIView peer", "list_full_pat", "drf_list", 1.5),
    Goal("6", "deep cursor page vs the first cursor page", "cursor_deep", "cursor_first", 0.9),
    Goal("7", "search vs an unfiltered list page (cost <= 3x)", "search", "list_anon", 1 / 3),
    Goal("15", "POST /posts with a webhook listening vs none (<= 10% slower)", "create_hooked", "create", 0.9),
]


def paired_ratio(numerator: list[float], denominator: list[float]) -> float | None:
    """Median over rounds of ``numerator[i] / denominator[i]``; None without rounds."""
    pairs = [(a, b) for a, b in zip(numerator, denominator, strict=True) if b]
    return median(a / b for a, b in pairs) if pairs else None


def judge(goal: Goal, rps: dict[str, list[float]], errors: dict[str, int], missing: dict[str, str]) -> dict | None:
    """The verdict of ``goal``: ``{"goal", "name", "measured", "limit", "verdict", "met"}``; None when
    neither target was chosen for this run (``--only``). ``rps`` holds each target's req/s per round,
    ``errors`` its count of wrong answers, ``missing`` why a chosen target could not run."""
    chosen = [key for key in goal.keys if key in rps or key in missing]
    if not chosen:
        return None
    limit = "—" if goal.at_least is None else f">= {goal.at_least:.2f}x"
    result = {"goal": goal.issue_goal, "name": goal.name, "limit": limit}
    absent = [key for key in goal.keys if key not in rps]
    if absent:
        # The reasons in full are in the targets table; here the start of each.
        why = "; ".join(f"{key}: {missing.get(key, 'not chosen (--only)')[:50]}" for key in absent)
        return {**result, "measured": f"not run ({why})", "verdict": NOT_RUN, "met": False}
    ratio = paired_ratio(*(rps[key] for key in goal.keys))
    measured = "—" if ratio is None else f"{ratio:.2f}x"
    void = {key: errors[key] for key in goal.keys if errors.get(key)}
    if void:
        detail = ", ".join(f"{key} {n} wrong answers" for key, n in void.items())
        return {**result, "measured": f"{measured} ({detail})", "verdict": VOID, "met": False}
    if goal.at_least is None:
        return {**result, "measured": measured, "verdict": INFO, "met": True}
    met = ratio is not None and ratio >= goal.at_least
    return {**result, "measured": measured, "verdict": PASS if met else FAIL, "met": met}


def judge_all(rps: dict[str, list[float]], errors: dict[str, int], missing: dict[str, str]) -> list[dict]:
    return [v for goal in GOALS if (v := judge(goal, rps, errors, missing)) is not None]
