"""Turning rounds of wrk results into medians, tables, target verdicts and a JSON file."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from statistics import median

from tools.bench import goals
from tools.bench.load import PROJECT_DIR, WrkResult
from tools.bench.targets import ALL_TARGETS, BY_KEY

RESULTS_DIR = Path(__file__).resolve().parent / "results"
# Issue 10: the costliest document the POLYCMS_POSTS limits accept is created within this (one at a time).
WORST_CREATE_P50_MS = 150
# Issue 14 goal 8: each read's p50 at the large size at most this many times its p50 at the small size.
SCALE_P50_RATIO = 1.3
_LABELS = {t.key: t.label for t in ALL_TARGETS}
# The columns "x strict DRF" and "x knox" are shown for the rows they make sense for: the /user family.
_AUTH_ROWS = {"drf_user_strict", "knox_user", "drf_user", "user"}
# Ratios shown in the main table: column name -> reference target.
REFERENCES = {"x_ceiling": "ceiling", "x_drf_strict": "drf_user_strict", "x_knox": "knox_user"}

# ---------------------------------------------------------------------------- summaries


def _paired_ratio(runs: list[WrkResult], reference: list[WrkResult] | None) -> float | None:
    """Median over rounds of this round's req/s divided by the reference's req/s in the same round:
    pairing by round cancels drift between rounds."""
    if not reference:
        return None
    return goals.paired_ratio([r.requests_per_second for r in runs], [r.requests_per_second for r in reference])


def summarize(rounds: dict[str, list[WrkResult]]) -> dict[str, dict]:
    """Per target: median req/s, p50, p99 over rounds; ratios to the references (``REFERENCES``); CPU per
    request; wrong answers and the responses by status over all rounds."""
    summary = {}
    for key, runs in rounds.items():
        statuses: dict[int, int] = {}
        for run in runs:
            for code, n in run.statuses.items():
                statuses[code] = statuses.get(code, 0) + n
        summary[key] = {
            "requests_per_second": median(r.requests_per_second for r in runs),
            "p50_ms": median(r.p50_ms for r in runs),
            "p99_ms": median(r.p99_ms for r in runs),
            **{column: _paired_ratio(runs, rounds.get(ref)) for column, ref in REFERENCES.items()},
            "app_cpu_ms": median(r.app_cpu_ms for r in runs),
            "db_cpu_ms": median(r.db_cpu_ms for r in runs),
            "errors": sum(r.errors for r in runs),
            "expected_status": BY_KEY[key].expect,
            "statuses": statuses,
            "rps_rounds": [r.requests_per_second for r in runs],
            "rounds": [asdict(r) for r in runs],
        }
    return summary


def goal_verdicts(summary: dict[str, dict], missing: dict[str, str]) -> list[dict]:
    """Issue 14's goal ratios (``tools.bench.goals``) for one data set's summary."""
    rps = {key: s["rps_rounds"] for key, s in summary.items()}
    errors = {key: s["errors"] for key, s in summary.items()}
    return goals.judge_all(rps, errors, missing)


def scale_summary(small: dict[str, list[WrkResult]], large: dict[str, list[WrkResult]]) -> dict[str, dict]:
    """Per read target: the large-to-small ratio of p50 and of req/s, each the median of per-round ratios."""
    return {
        key: {
            "small_p50_ms": median(r.p50_ms for r in small[key]),
            "large_p50_ms": median(r.p50_ms for r in large[key]),
            "p50_ratio": median(b.p50_ms / a.p50_ms for a, b in zip(small[key], large[key], strict=True)),
            "small_requests_per_second": median(r.requests_per_second for r in small[key]),
            "large_requests_per_second": median(r.requests_per_second for r in large[key]),
            "rps_ratio": median(
                b.requests_per_second / a.requests_per_second for a, b in zip(small[key], large[key], strict=True)
            ),
            "small_db_cpu_ms": median(r.db_cpu_ms for r in small[key]),
            "large_db_cpu_ms": median(r.db_cpu_ms for r in large[key]),
            "small_app_cpu_ms": median(r.app_cpu_ms for r in small[key]),
            "large_app_cpu_ms": median(r.app_cpu_ms for r in large[key]),
            "errors": sum(r.errors for r in small[key] + large[key]),
        }
        for key in small
        if key in large
    }


# ---------------------------------------------------------------------------- tables


def _fmt(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def _spans(row: list[str]) -> bool:
    """A row with only its first two cells filled ("not run: …") runs its second over the other columns."""
    return len(row) > 2 and not any(row[2:])


def _table(header: list[str], rows: list[list[str]], left: int = 1) -> str:
    """Columns padded to their widest cell; the first ``left`` columns left-aligned, the others right-aligned."""
    widths = [max(len(row[i]) for row in [header, *rows] if not _spans(row)) for i in range(len(header))]

    def line(row: list[str]) -> str:
        if _spans(row):
            return f"{row[0].ljust(widths[0])}  {row[1]}"
        cells = zip(row, widths, strict=True)
        return "  ".join(cell.ljust(w) if i < left else cell.rjust(w) for i, (cell, w) in enumerate(cells))

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *map(line, rows)])


def _wrong(s: dict) -> str:
    """The wrong answers of a row: 0, or their count and the statuses seen (``VOID``)."""
    if not s["errors"]:
        return "0"
    seen = ",".join(f"{code}x{n}" for code, n in sorted(s["statuses"].items()) if code != s["expected_status"])
    return f"VOID {s['errors']} ({seen or 'socket'})"


def main_table(summary: dict[str, dict], counts: dict[str, dict], missing: dict[str, str] | None = None) -> str:
    """req/s, p50, p99, ratios, CPU per request (gunicorn workers, PostgreSQL backends), steady-state
    queries and writes per request, and wrong answers, one row per target in ``ALL_TARGETS`` order; a
    target that could not run says why."""
    rows = []
    for target in ALL_TARGETS:
        key = target.key
        if key in (missing or {}):
            rows.append([target.label, "not run: " + missing[key][:70], *[""] * 10])
            continue
        if key not in summary:
            continue
        s, count = summary[key], counts.get(key, {})
        auth_row = key in _AUTH_ROWS
        rows.append(
            [
                target.label,
                _fmt(s["requests_per_second"], ",.0f"),
                _fmt(s["p50_ms"], ".2f"),
                _fmt(s["p99_ms"], ".2f"),
                _fmt(s["x_ceiling"], ".2f"),
                _fmt(s["x_drf_strict"] if auth_row else None, ".2f"),
                _fmt(s["x_knox"] if auth_row else None, ".2f"),
                _fmt(s["app_cpu_ms"], ".2f"),
                _fmt(s["db_cpu_ms"], ".2f"),
                str(count.get("queries", "?")),
                str(count.get("writes", "?")),
                f"{target.expect} {_wrong(s)}",
            ]
        )
    header = ["target", "req/s", "p50 ms", "p99 ms", "x ceiling", "x strict DRF", "x knox"]
    header += ["app cpu ms", "db cpu ms", "queries", "writes", "status, wrong"]
    return _table(header, rows)


def goals_table(verdicts: list[dict]) -> str:
    """Issue 14's goal ratios: goal number, what is compared, the ratio, the target and the verdict."""
    rows = [[v["goal"], v["name"], v["measured"], v["limit"], v["verdict"]] for v in verdicts]
    return _table(["goal", "ratio (req/s, median of per-round ratios)", "measured", "target", "verdict"], rows, left=2)


def scale_table(summary: dict[str, dict], small: dict, large: dict) -> str:
    """p50 and req/s at both sizes, the p50 ratio, and database CPU and queries per request at each size.
    ``small`` and ``large`` are the datasets' probe records (label, per-request counts)."""
    rows = [
        [
            _LABELS[key],
            _fmt(s["small_p50_ms"], ".2f"),
            _fmt(s["large_p50_ms"], ".2f"),
            _fmt(s["p50_ratio"], ".2f"),
            _fmt(s["small_requests_per_second"], ",.0f"),
            _fmt(s["large_requests_per_second"], ",.0f"),
            f"{s['small_db_cpu_ms']:.2f}/{s['large_db_cpu_ms']:.2f}",
            f"{small['per_request'][key]['queries']}/{large['per_request'][key]['queries']}",
            str(s["errors"]),
        ]
        for key, s in summary.items()
    ]
    header = [
        "target",
        "p50 ms small",
        "p50 ms large",
        "large/small",
        "req/s small",
        "req/s large",
        "db cpu ms s/l",
        "queries s/l",
        "errors",
    ]
    small_label, large_label = small["label"], large["label"]
    return f"small = {small_label}\nlarge = {large_label}\n" + _table(header, rows)


def targets_table(verdicts: list[dict]) -> str:
    rows = [[v["target"], v["measured"], v["limit"], "met" if v["met"] else "NOT MET"] for v in verdicts]
    return _table(["target", "measured", "limit", "verdict"], rows)


# ---------------------------------------------------------------------------- verdicts
# The targets, each as {"target", "measured", "limit", "met"}.


def verdict(name: str, measured: str, limit: str, met: bool) -> dict:
    return {"target": name, "measured": measured, "limit": limit, "met": bool(met)}


def rss_line(rss: dict[str, dict[int, float]]) -> str:
    parts = [
        f"{label}: " + ", ".join(f"pid {pid} {mb:.1f} MB" for pid, mb in sorted(workers.items()))
        for label, workers in rss.items()
    ]
    return "gunicorn worker RSS after the run — " + "; ".join(parts)


def _rss_verdict(rss: dict[str, dict[int, float]], limit_mb: float) -> dict:
    worst = max((mb for workers in rss.values() for mb in workers.values()), default=0.0)
    return verdict("gunicorn worker RSS after the run", f"max {worst:.1f} MB", f"<= {limit_mb:g} MB", worst <= limit_mb)


def _errors_verdict(summary: dict[str, dict]) -> dict:
    failed = {key: s["errors"] for key, s in summary.items() if s["errors"]}
    detail = ", ".join(f"{key}: {n}" for key, n in failed.items()) or "0"
    return verdict("every answer had its expected status (else the run is void)", detail, "0 wrong", not failed)


def main_verdicts(summary: dict[str, dict], probe: dict, rss: dict, rss_limit_mb: float) -> list[dict]:
    """The budgets beside the goal ratios: queries and writes per request, the worst-case create, worker
    memory and wrong answers. A verdict whose targets did not run (``--only``) is left out."""
    counts, auth, by_size = probe["per_request"], probe["authentication"], probe["list_by_page_size"]
    first_use, steady = auth["first_use"], auth["steady"]
    owner_checks = auth["owner_permission_checks"]["queries"]
    verdicts = []
    if "user" in counts:
        queries = counts["user"]["queries"]
        verdicts.append(verdict("GET /api/v1/user queries (steady state)", str(queries), "1", queries == 1))
    verdicts += [
        verdict("authentication queries (steady state)", str(steady["queries"]), "<= 1", steady["queries"] <= 1),
        verdict(
            "authentication writes: first use / steady",
            f"{first_use['writes']} / {steady['writes']}",
            "<= 1 (last_used_at) / 0",
            first_use["writes"] <= 1
            and all("last_used_at" in statement for statement in first_use["write_sql"])
            and steady["writes"] == 0,
        ),
    ]
    token_get_writes = {key: counts[key]["writes"] for key in ("user", "item_pat", "list_pat") if key in counts}
    if token_get_writes:
        verdicts.append(
            verdict(
                "token-authenticated GETs write nothing (steady)",
                ", ".join(f"{key}: {n}" for key, n in token_get_writes.items()),
                "0 each",
                not any(token_get_writes.values()),
            )
        )
    verdicts += [
        verdict("owner permission checks after authentication", f"{owner_checks} queries", "<= 1", owner_checks <= 1),
        verdict(
            "posts list queries at per_page 1/20/100",
            "; ".join(f"{key}: {'/'.join(str(n) for n in sizes.values())}" for key, sizes in by_size.items()),
            "<= 4, constant",
            all(len(set(sizes.values())) == 1 and max(sizes.values()) <= 4 for sizes in by_size.values()),
        ),
    ]
    item = {
        name: counts[key]["queries"] for key, name in (("item_pat", "PAT"), ("item_anon", "anonymous")) if key in counts
    }
    if item:
        verdicts.append(
            verdict(
                "posts item GET queries",
                ", ".join(f"{name} {n}" for name, n in item.items()),
                "<= 3",
                max(item.values()) <= 3,
            )
        )
    if "create" in counts and "create_hooked" in counts:
        quiet, hooked = counts["create"], counts["create_hooked"]
        extra = hooked["queries"] - quiet["queries"]
        verdicts.append(
            verdict(
                "queries an event adds to POST /posts (a webhook listening)",
                f"+{extra} ({quiet['queries']} -> {hooked['queries']})",
                "<= 1",
                extra <= 1,
            )
        )
    if "create_worst" in summary:
        worst = summary["create_worst"]
        verdicts.append(
            verdict(
                "worst-case create (largest document the limits accept) p50",
                f"{worst['p50_ms']:.1f} ms (p99 {worst['p99_ms']:.1f} ms)",
                f"<= {WORST_CREATE_P50_MS} ms",
                worst["p50_ms"] <= WORST_CREATE_P50_MS,
            )
        )
    return [*verdicts, _rss_verdict(rss, rss_limit_mb), _errors_verdict(summary)]


def deliveries_verdict(run: dict) -> dict:
    """Issue 15: the delivery measurement (``tools.bench.deliveries``) delivered everything, once."""
    measured = f"{run['per_second']:,.0f}/s ({run['deliveries']:,} in {run['seconds']:.1f} s)"
    return verdict("webhook deliveries, all delivered (rate shown)", measured, "0 lost", run["failed"] == 0)


def scale_verdicts(summary: dict[str, dict], rss: dict, rss_limit_mb: float) -> list[dict]:
    """Issue 14 goal 8: each of our reads no slower than ``SCALE_P50_RATIO`` times at the large size (p50,
    median of per-round ratios); the peers and references are drift controls, not judged."""
    verdicts = [
        verdict(
            f"p50 large/small: {_LABELS[key]}",
            f"{s['p50_ratio']:.2f}x" + (f" VOID ({s['errors']} wrong answers)" if s["errors"] else ""),
            f"<= {SCALE_P50_RATIO:.2f}x",
            s["p50_ratio"] <= SCALE_P50_RATIO and not s["errors"],
        )
        for key, s in summary.items()
        if BY_KEY[key].ours
    ]
    return [*verdicts, _rss_verdict(rss, rss_limit_mb), _errors_verdict(summary)]


# ---------------------------------------------------------------------------- machine and JSON


def machine_info() -> dict:
    """Where the numbers come from: CPU, memory, and the versions of everything in the request path."""
    import django
    import gunicorn
    import psycopg
    import rest_framework
    from django.conf import settings
    from django.db import connection

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout.splitlines()
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu,
        "memory_total_mb": _mem_total_mb(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "djangorestframework": rest_framework.VERSION,
        "gunicorn": gunicorn.__version__,
        "psycopg": psycopg.__version__,
        "postgresql": postgres,
        "wrk": wrk[0] if wrk else None,
        "cache_backend": settings.CACHES["default"]["BACKEND"],
        "git_commit": _git_commit(),
    }


def _mem_total_mb() -> float | None:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024)
    return None


def _git_commit() -> str | None:
    completed = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=PROJECT_DIR, capture_output=True, text=True, check=False
    )
    return completed.stdout.strip() or None


def save(result: dict) -> Path:
    """Write ``result`` to ``tools/bench/results/<UTC timestamp>.json`` and return the path."""
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    return path
