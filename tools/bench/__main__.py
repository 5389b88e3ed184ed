"""``python -m tools.bench``: seed PostgreSQL, serve PolyCMS and its peers with gunicorn, load them with wrk in
interleaved rounds, and report medians, ratios to the ceiling and the strict peers, and issue 14's goals
(or, with ``--scale``, small vs large)."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import sys
import time
from dataclasses import asdict

import django

from tools.bench import load, seed
from tools.bench.seed import Sizes
from tools.bench.targets import ALL_TARGETS, APP, PEERS, Target

# Fixed, so digests seeded in one run still match in the next (the seeded database is reused).
BENCH_SECRET_KEY = "polycms-benchmark-secret-key-not-for-production-5f0c9d2e7b1a4c38"
RSS_LIMIT_MB = 120
QUICK = {"users": 20, "tokens": 200, "posts": 200, "rounds": 1, "duration": 2.0, "deliveries": 40}
QUICK_SCALE = ("200:200", "2000:2000")
TARGET_KEYS = [target.key for target in ALL_TARGETS]
# Measurements that are not a wrk target, chosen with --only like one; alone, no target is loaded.
SCENARIOS = {"upload": "issue 17: 2 MB JPEG uploads to /api/v1/media, worker RSS (tools.bench.uploads)"}
SETTINGS = {APP: "tools.bench.settings", PEERS: "tools.bench.peer_settings"}
# When the cache is Redis (REDIS_URL), the run's keys carry this prefix, and are deleted afterwards.
CACHE_KEY_PREFIX = f"polycms-bench-{os.getpid()}"

_SIZE = re.compile(r"^(\d+(?:\.\d+)?)([kKmM]?)$")


def count(text: str) -> int:
    """``10000``, ``10k`` or ``1M`` as an integer."""
    match = _SIZE.match(text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"not a count: {text!r} (e.g. 5000, 10k, 1M)")
    number, unit = match.groups()
    return int(float(number) * {"": 1, "k": 1_000, "m": 1_000_000}[unit.lower()])


def target_keys(text: str) -> list[str]:
    """``create_worst`` or ``user,drf_user``: keys of targets to run."""
    keys = [key.strip() for key in text.split(",") if key.strip()]
    unknown = [key for key in keys if key not in TARGET_KEYS and key not in SCENARIOS]
    if unknown or not keys:
        raise argparse.ArgumentTypeError(
            f"unknown target {', '.join(unknown) or text!r}; one of {', '.join([*TARGET_KEYS, *SCENARIOS])}"
        )
    return keys


def tokens_and_posts(text: str) -> tuple[int, int]:
    """``TOKENS:POSTS``, e.g. ``1M:500k``."""
    tokens, sep, posts = text.partition(":")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected TOKENS:POSTS, e.g. 1M:500k, got {text!r}")
    return count(tokens), count(posts)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__)
    parser.add_argument("--users", type=count, default=1000, help="users to seed (default 1000)")
    parser.add_argument("--tokens", type=count, default=10_000, help="personal access tokens (default 10k)")
    parser.add_argument("--posts", type=count, default=10_000, help="posts (default 10k)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per target (default 3)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of load per target per round (5)")
    parser.add_argument("--warmup", type=float, default=2.0, help="unrecorded seconds per target first (2)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument(
        "--deliveries",
        type=int,
        default=400,
        metavar="EVENTS",
        help="events for the webhook delivery measurement, each to 5 receivers by 2 workers (400; 0 skips it)",
    )
    parser.add_argument(
        "--uploads",
        type=int,
        default=60,
        help="2 MB JPEG uploads for the media measurement, over 4 connections (60; 0 skips it; --only upload: alone)",
    )
    parser.add_argument("--scale", action="store_true", help="compare the reads at a small and a large size")
    sizes = {"type": tokens_and_posts, "default": None, "metavar": "TOKENS:POSTS"}
    parser.add_argument("--scale-small", **sizes, help="the small size for --scale (default 10k:10k)")
    parser.add_argument("--scale-large", **sizes, help="the large size for --scale (default 1M:500k)")
    parser.add_argument("--reseed", action="store_true", help="rebuild the databases even if already seeded")
    parser.add_argument("--quick", action="store_true", help="smoke test: tiny sizes, 1 round of 2 s")
    parser.add_argument("--check", action="store_true", help="exit with status 1 when a target is not met")
    parser.add_argument(
        "--only",
        type=target_keys,
        metavar="KEY[,KEY]",
        help="run only these targets, e.g. --only create_worst (keys: " + ", ".join([*TARGET_KEYS, *SCENARIOS]) + ")",
    )
    args = parser.parse_args(argv)
    if args.quick:
        for name, value in QUICK.items():
            setattr(args, name, value)
        args.warmup = min(args.warmup, 1.0)
    small, large = QUICK_SCALE if args.quick else ("10k:10k", "1M:500k")
    args.scale_small = args.scale_small or tokens_and_posts(small)
    args.scale_large = args.scale_large or tokens_and_posts(large)
    if args.rounds < 1 or args.duration <= 0:
        parser.error("--rounds must be at least 1 and --duration positive")
    return args


def datasets(args: argparse.Namespace) -> dict[str, Sizes]:
    if not args.scale:
        return {"main": Sizes(args.users, args.tokens, args.posts)}
    return {
        "small": Sizes(args.users, *args.scale_small),
        "large": Sizes(args.users, *args.scale_large),
    }


def bench_environment(database: str, server: str = APP) -> dict[str, str]:
    """The environment of the bench process and of gunicorn: bench settings (the app's or the peers'),
    production mode. The cache is Redis when ``REDIS_URL`` is set (as in production), with this run's key
    prefix, else each worker's memory."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS[server],
        "DJANGO_CACHE_KEY_PREFIX": CACHE_KEY_PREFIX,
        "DJANGO_SECRET_KEY": BENCH_SECRET_KEY,
        "DJANGO_SECRET_KEY_FALLBACKS": "",
        "DJANGO_DEBUG": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "POLYCMS_DOTENV": "0",  # measure the bench settings, not whatever a developer's .env adds
        "DATABASE_URL": seed.database_url(seed.server_url(), database),
    }


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when it completed (1 with ``--check`` when a target is not met)."""
    args = parse_args(argv)
    # Stopped with SIGTERM, still stop the gunicorns and remove the run's tokens (finally blocks run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    load.ensure_wrk()
    sets = datasets(args)
    os.environ.update(bench_environment(next(iter(sets.values())).database))
    django.setup()

    from tools.bench import targets

    if args.only and set(args.only) <= set(SCENARIOS) and not args.scale:
        return _scenarios_alone(args, sets["main"])
    chosen = targets.READ_TARGETS if args.scale else targets.ALL_TARGETS
    if args.only:
        chosen = [target for target in chosen if target.key in args.only]
    fixtures, probes = _prepare(args, sets, chosen)
    load_average = os.getloadavg()
    if load_average[0] > (os.cpu_count() or 1):
        log(
            f"warning: load average {load_average[0]:.1f} on {os.cpu_count()} cores: other processes compete "
            "with the benchmark, so absolute numbers will be low and noisy (paired ratios suffer less)"
        )
    deliveries = uploads = None
    try:
        rounds, rss = _load(args, sets, fixtures, chosen)
        if args.deliveries and not args.scale and (not args.only or "create_hooked" in args.only):
            deliveries = _deliveries(args, sets["main"], fixtures["main"])
        if args.uploads and not args.scale and (not args.only or "upload" in args.only):
            uploads = _uploads(args, sets["main"])
    finally:
        from tools.bench.fixtures import remove_run_leftovers

        for label, sizes in sets.items():
            seed.use_database(sizes.database)
            remove_run_leftovers(fixtures[label])
        _delete_cache_keys()
    verdicts = _report(args, probes, rounds, rss, load_average, deliveries, uploads)
    return 1 if args.check and not all(v["met"] for v in verdicts) else 0


def _delete_created_posts(database: str, fixture, *, settle: float = 0.0) -> None:
    """Delete the posts this run created in ``database``. With ``settle``, again every ``settle`` seconds
    until nothing is left: gunicorn finishes the requests wrk had in flight after wrk stops."""
    from django.db import connection

    from posts.models import Post
    from tools.bench.fixtures import remove_events_of

    seed.use_database(database)
    created = Post.objects.filter(slug__startswith=f"{seed.LOAD_SLUG_PREFIX}{fixture.run_id}")
    for _ in range(20):
        remove_events_of(list(created.values_list("pk", flat=True)))  # those a listening webhook recorded
        deleted, _by_model = created.delete()
        if not settle or (not deleted and not created.exists()):
            break
        time.sleep(settle)
    connection.close()


def _delete_cache_keys() -> None:
    """Delete this run's keys (rate-limit windows) from a shared Redis: only ours, by their prefix."""
    url = os.environ.get("REDIS_URL")
    if not url:
        return
    import redis

    client = redis.Redis.from_url(url)
    for keys in _batches(client.scan_iter(match=f"{CACHE_KEY_PREFIX}:*", count=1000), 500):
        client.delete(*keys)


def _batches(items, size: int):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _deliveries(args: argparse.Namespace, sizes: Sizes, fixture) -> dict:
    """Issue 15: webhook deliveries per second by real workers (``tools.bench.deliveries``), after the load."""
    from tools.bench import deliveries

    log(
        f"webhook deliveries: {args.deliveries} events x {deliveries.RECEIVERS} receivers, {deliveries.WORKERS} workers"
    )
    seed.use_database(sizes.database)
    run = deliveries.measure(bench_environment(sizes.database), fixture.title_prefix, events=args.deliveries)
    log(f"  {run.line()}")
    return run.as_dict()


def _uploads(args: argparse.Namespace, sizes: Sizes) -> dict:
    """Issue 17: 2 MB JPEG uploads per second, gunicorn's and a job worker's RSS (``tools.bench.uploads``)."""
    from tools.bench import uploads
    from tools.bench.report import RESULTS_DIR

    log(f"media uploads: {args.uploads} x 2 MB JPEG, {uploads.CONNECTIONS} connections, then their renditions")
    seed.use_database(sizes.database)
    environment = bench_environment(sizes.database)
    run = uploads.measure(environment, uploads=args.uploads, workers=args.workers, log_dir=RESULTS_DIR)
    log(f"  {run.line()}")
    return run.as_dict()


def _scenarios_alone(args: argparse.Namespace, sizes: Sizes) -> int:
    """``--only upload``: the database seeded (or reused), then only that measurement, printed and saved."""
    from tools.bench import report
    from tools.bench.uploads import UploadRun

    log(f"database {sizes.database}: {sizes.label()}")
    seed.prepare(sizes, server=seed.server_url(), reseed=args.reseed)
    run = _uploads(args, sizes)
    print(f"\n{UploadRun(**run).line()}")
    path = report.save({"machine": report.machine_info(), "parameters": vars(args), "media_uploads": run})
    print(f"\nSaved {path.relative_to(load.PROJECT_DIR)}")
    return 1 if args.check and run["failed"] else 0


def _report(
    args: argparse.Namespace,
    probes: dict,
    rounds: dict,
    rss: dict,
    load_average: tuple,
    deliveries: dict | None,
    uploads: dict | None = None,
) -> list[dict]:
    """Print the tables, the goal ratios and the other verdicts, save the JSON, and return every verdict."""
    from tools.bench import report

    result = {
        "machine": {
            **report.machine_info(),
            "load_average_before": load_average,
            "load_average_after": os.getloadavg(),
        },
        "parameters": vars(args),
        "datasets": probes,
        "worker_rss_mb": {label: {str(pid): mb for pid, mb in workers.items()} for label, workers in rss.items()},
    }
    if args.scale:
        summary = report.scale_summary(rounds["small"], rounds["large"])
        verdicts = report.scale_verdicts(summary, rss, RSS_LIMIT_MB)
        result["scale"] = summary
        print(report.scale_table(summary, probes["small"], probes["large"]))
        large = report.summarize(rounds["large"])
        goal_verdicts = report.goal_verdicts(large, probes["large"]["missing"])
        result["results_large"] = large
        print(f"\nIssue 14's goal ratios at the large size ({probes['large']['label']}):")
    else:
        summary = report.summarize(rounds["main"])
        verdicts = report.main_verdicts(summary, probes["main"], rss, RSS_LIMIT_MB)
        goal_verdicts = report.goal_verdicts(summary, probes["main"]["missing"])
        result["results"] = summary
        print(report.main_table(summary, probes["main"]["per_request"], probes["main"]["missing"]))
        print(
            "\nqueries/writes: steady state, counted in-process. A token also writes last_used_at on its "
            "first use and then at most once a minute. status, wrong: the status every answer must have, and "
            "how many had another (any makes the row VOID).\n"
        )
        if probes["main"].get("deep_page"):
            page = probes["main"]["deep_page"]
            print(f"cursor_deep is page {page:,} of the light list, found by walking links.next.")
    print(report.goals_table(goal_verdicts))
    if deliveries:
        from tools.bench.deliveries import DeliveryRun

        print(f"\n{DeliveryRun(**deliveries).line()}")
        result["webhook_deliveries"] = deliveries
        verdicts.append(report.deliveries_verdict(deliveries))
    if uploads:
        from tools.bench.uploads import UploadRun

        print(f"\n{UploadRun(**uploads).line()}")
        result["media_uploads"] = uploads
    result["goals"] = goal_verdicts
    result["targets"] = verdicts
    verdicts = [*goal_verdicts, *verdicts]
    print(f"\n{report.rss_line(rss)}\n\n{report.targets_table(result['targets'])}")
    path = report.save(result)
    print(f"\nSaved {path.relative_to(load.PROJECT_DIR)}")
    return verdicts


def _prepare(args: argparse.Namespace, sets: dict[str, Sizes], chosen: list[Target]) -> tuple[dict, dict]:
    """Seed (or reuse) each database, mint its load token, and count its queries per request in-process."""
    from django.db import connection

    from tools.bench import fixtures as bench_fixtures
    from tools.bench import queries

    server = seed.server_url()
    fixtures, probes = {}, {}
    for label, sizes in sets.items():
        log(f"[{label}] database {sizes.database}: {sizes.label()}")
        if not seed.prepare(sizes, server=server, reseed=args.reseed):
            log("  already seeded at these sizes: reused (--reseed rebuilds it)")
        fixture = fixtures[label] = bench_fixtures.make_fixture()
        bench_fixtures.discover(fixture, chosen)
        per_request = queries.per_request(fixture, chosen)
        _delete_created_posts(sizes.database, fixture)  # the probes' POSTs: not in the lists under load
        for key, why in fixture.missing.items():
            log(f"  {key} cannot run and is left out: {why}")
        probes[label] = {
            "label": sizes.label(),
            "database": sizes.database,
            "sizes": asdict(sizes),
            "post_id": fixture.post_id,
            "deep_page": fixture.deep_page,
            "missing": dict(fixture.missing),
            "per_request": {k: c.as_dict() for k, c in per_request.items()},
            "list_by_page_size": queries.list_by_page_size(fixture),
            "authentication": queries.authentication_costs(fixture),
        }
    connection.close()  # gunicorn's workers get the database to themselves during the load
    return fixtures, probes


def _load(args: argparse.Namespace, sets: dict[str, Sizes], fixtures: dict, chosen: list[Target]) -> tuple[dict, dict]:
    """Serve each database with its own gunicorn and run every (target, database) pair once per
    round, interleaved; return the wrk results (with CPU per request) per database and target, and
    the workers' RSS after the last round."""
    from django.db import connection

    from tools.bench import fixtures as bench_fixtures
    from tools.bench.fixtures import fetch_etags
    from tools.bench.report import RESULTS_DIR

    labels = list(sets)
    # A target that cannot run on one of the databases is left out on all, so sizes compare like for like.
    runnable = [t for t in chosen if not any(t.key in fixture.missing for fixture in fixtures.values())]

    def plan(round_number: int) -> list[tuple[str, Target]]:
        # Every target in the same order each round; with two databases, which size goes first
        # alternates between rounds so neither always follows the other.
        order = labels if round_number % 2 else labels[::-1]
        return [(label, target) for target in runnable for label in order]

    results: dict[str, dict[str, list]] = {label: {t.key: [] for t in runnable} for label in sets}
    kinds = sorted({target.server for target in runnable})
    with contextlib.ExitStack() as stack:
        monitor = stack.enter_context(seed.maintenance_connection(seed.server_url()))
        # Per database, the app's server and (when a peer is chosen) the peers' server: only one of them
        # is loaded at a time, so the idle one takes no CPU from the other.
        servers = {
            (label, kind): stack.enter_context(
                load.GunicornServer(
                    env=bench_environment(sizes.database, kind),
                    workers=args.workers,
                    log_path=RESULTS_DIR / f"gunicorn-{label}-{kind}.log",
                )
            )
            for label, sizes in sets.items()
            for kind in kinds
        }
        meters = {
            (label, kind): load.CpuMeter(server, sets[label].database, monitor)
            for (label, kind), server in servers.items()
        }

        def _after(label: str, target: Target) -> None:
            # The posts a POST target created go as soon as it is done: the largest documents the limits
            # accept, newest of all, would otherwise fill the token's list pages in every later round.
            if target.webhook:
                listening_in(label, False)  # first: deleting the posts must not record events
            if target.method == "POST":
                _delete_created_posts(sets[label].database, fixtures[label], settle=1.0)

        def listening_in(label: str, enabled: bool) -> None:
            seed.use_database(sets[label].database)
            bench_fixtures.listening(fixtures[label].webhook_id, enabled)
            connection.close()

        def run(label: str, target: Target, duration: float) -> load.WrkResult:
            fixture = fixtures[label]
            if target.webhook:
                listening_in(label, True)
            if target.conditional_on:
                # Just before: a write since (the POST targets' posts, their deletion) changes a list's ETag.
                fetch_etags(fixture, [target], servers[label, APP].base_url)
            return meters[label, target.server].measure(
                lambda: load.run_wrk(
                    servers[label, target.server].base_url + target.url_path(fixture),
                    duration=duration,
                    connections=target.connections or args.connections,
                    threads=args.threads,
                    headers=fixture.headers(target),
                    expect=target.expect,
                    body_template=target.body(load.TITLE_PLACEHOLDER) if target.method == "POST" else None,
                    title_prefix=f"{fixture.title_prefix} r{time.monotonic_ns()}",
                )
            )

        if args.warmup > 0:
            log(f"warm-up: {args.warmup:g}s per target")
            for label, target in plan(1):
                run(label, target, args.warmup)
                _after(label, target)
        for n in range(1, args.rounds + 1):
            for label, target in plan(n):
                outcome = run(label, target, args.duration)
                _after(label, target)
                results[label][target.key].append(outcome)
                log(
                    f"  round {n}/{args.rounds}  {label:<5}  {target.label:<56} {outcome.requests_per_second:8,.0f} "
                    f"req/s  p50 {outcome.p50_ms:7.2f} ms  cpu {outcome.app_cpu_ms:5.2f}+{outcome.db_cpu_ms:5.2f} ms"
                    + (f"  VOID: {outcome.errors} wrong answers {outcome.statuses}" if outcome.errors else "")
                )
        # Our workers' memory: the app's servers.
        rss = {label: server.worker_rss_mb() for (label, kind), server in servers.items() if kind == APP}
    return results, rss


if __name__ == "__main__":
    sys.exit(main())
