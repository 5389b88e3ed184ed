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

from tools.bench.load import PROJECT_DIR, WrkResult
from tools.bench.targets import ALL_TARGETS

RESULTS_DIR = Path(__file__).resolve().parent / "results"
# Issue 10: the costliest document the POLYCMS_POSTS limits accept is created within this (one at a time).
WORST_CREATE_P50_MS = 150
_LABELS = {t.key: t.label for t in ALL_TARGETS}

# ---------------------------------------------------------------------------- summaries


def _paired_ratio(runs: list[WrkResult], reference: list[WrkResult] | None) -> float | None:
    """Median over rounds of this round's req/s divided by the reference's req/s in the same round:
    pairing by round cancels drift between rounds."""
    if not reference:
        return None
    return median(r.requests_per_second / ref.requests_per_second for r, ref in zip(runs, reference, strict=True))


def summarize(rounds: dict[str, list[WrkResult]]) -> dict[str, dict]:
    """Per target: median req/s, p50, p99 over rounds; ratios to the ceiling and the DRF peer."""
    ceiling, peer = rounds.get("ceiling"), rounds.get("drf_user")
    return {
        key: {
            "requests_per_second": median(r.requests_per_second for r in runs),
            "p50_ms": median(r.p50_ms for r in runs),
            "p99_ms": median(r.p99_ms for r in runs),
            "x_ceiling": _paired_ratio(runs, ceiling),
            "x_drf": _paired_ratio(runs, peer),
            "app_cpu_ms": median(r.app_cpu_ms for r in runs),
            "db_cpu_ms": median(r.db_cpu_ms for r in runs),
            "errors": sum(r.errors for r in runs),
            "rounds": [asdict(r) for r in runs],
        }
        for key, runs in rounds.items()
    }


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
    }


# ---------------------------------------------------------------------------- tables


def _fmt(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(row: list[str]) -> str:
        cells = zip(row, widths, strict=True)
        return "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(cells))

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *map(line, rows)])


def main_table(summary: dict[str, dict], counts: dict[str, dict]) -> str:
    """req/s, p50, p99, ratios, CPU per request (gunicorn workers, PostgreSQL backends), and
    steady-state queries and writes per request, one row per target."""
    rows = []
    for key, s in summary.items():
        count = counts.get(key, {})
        rows.append(
            [
                _LABELS[key],
                _fmt(s["requests_per_second"], ",.0f"),
                _fmt(s["p50_ms"], ".2f"),
                _fmt(s["p99_ms"], ".2f"),
                _fmt(s["x_ceiling"], ".2f"),
                _fmt(s["x_drf"], ".2f"),
                _fmt(s["app_cpu_ms"], ".2f"),
                _fmt(s["db_cpu_ms"], ".2f"),
                str(count.get("queries", "?")),
                str(count.get("writes", "?")),
                str(s["errors"]),
            ]
        )
    header = ["target", "req/s", "p50 ms", "p99 ms", "x ceiling", "x DRF", "app cpu ms", "db cpu ms"]
    header += ["queries", "writes", "errors"]
    return _table(header, rows)


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
    return verdict("no failed requests (non-2xx, socket errors)", detail, "0", not failed)


def main_verdicts(summary: dict[str, dict], probe: dict, rss: dict, rss_limit_mb: float) -> list[dict]:
    """The side-by-side targets: speed against the DRF peer, the query and write budgets, and the
    worst-case create. A verdict whose targets did not run (``--only``) is left out."""
    counts, auth, by_size = probe["per_request"], probe["authentication"], probe["list_by_page_size"]
    first_use, steady = auth["first_use"], auth["steady"]
    owner_checks = auth["owner_permission_checks"]["queries"]
    verdicts = []
    if {"user", "drf_user"} <= summary.keys():
        x_drf = summary["user"]["x_drf"]
        verdicts.append(
            verdict(
                "GET /api/v1/user (PAT) req/s vs DRF TokenAuthentication", f"{x_drf:.2f}x", ">= 1.00x", x_drf >= 1.0
            )
        )
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


def scale_verdicts(summary: dict[str, dict], rss: dict, rss_limit_mb: float) -> list[dict]:
    """The scale targets: how much slower the reads get on the large database."""

    def ratio(key: str, limit: float, name: str) -> dict:
        value = summary[key]["p50_ratio"]
        return verdict(name, f"{value:.2f}x", f"<= {limit:.2f}x", value <= limit)

    ratios = [
        ("user", 1.2, "auth latency (GET /api/v1/user p50) large/small"),
        ("list_pat", 1.5, "first-page list p50 large/small (PAT)"),
        ("list_anon", 1.5, "first-page list p50 large/small (anonymous)"),
    ]
    return [
        *(ratio(key, limit, name) for key, limit, name in ratios if key in summary),
        _rss_verdict(rss, rss_limit_mb),
        _errors_verdict(summary),
    ]


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
