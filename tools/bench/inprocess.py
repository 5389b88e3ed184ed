"""``python -m tools.bench.inprocess``: CPU per request of targets, measured in-process, and a profile.

Calls the WSGI application (``polycms.wsgi``, with the bench settings of the target's server) in a loop
with the environ gunicorn would build, on a benchmark database that ``make bench`` seeded, and prints
the process CPU time per request: far less noisy than wrk on a busy machine, and without the network
and gunicorn. ``--profile`` prints the cProfile of one target, ``--pyinstrument`` its call tree (when
pyinstrument is installed). One server's settings per process: run again with ``--server peers`` for
the peers.

    .venv/bin/python -m tools.bench.inprocess --only user,item_anon -n 3000
    .venv/bin/python -m tools.bench.inprocess --server peers --only drf_user_strict,knox_user
    .venv/bin/python -m tools.bench.inprocess --only user --profile
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from urllib.parse import urlsplit

import django

from tools.bench.__main__ import _delete_cache_keys, bench_environment, count
from tools.bench.seed import Sizes
from tools.bench.targets import ALL_TARGETS, APP, PEERS, Target


def environ(target: Target, path: str, headers: dict[str, str]) -> dict:
    """The WSGI environ of a GET of ``path`` as gunicorn builds it (the parts Django reads)."""
    parts = urlsplit(path)
    env = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": parts.path,
        "QUERY_STRING": parts.query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_ACCEPT": "*/*",
        "HTTP_USER_AGENT": "inprocess",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for name, value in headers.items():
        env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


def call(application, target: Target, path: str, headers: dict[str, str]) -> str:
    status = []
    body = application(environ(target, path, headers), lambda s, h, exc_info=None: status.append(s))
    try:
        for _chunk in body:
            pass
    finally:
        if hasattr(body, "close"):
            body.close()
    return status[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench.inprocess", description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", choices=[APP, PEERS], default=APP, help="whose targets (default app)")
    parser.add_argument("--only", help="comma-separated target keys (default: every GET target of the server)")
    parser.add_argument("-n", type=int, default=2000, help="requests per target (default 2000)")
    parser.add_argument("--users", type=count, default=1000)
    parser.add_argument("--tokens", type=count, default=10_000)
    parser.add_argument("--posts", type=count, default=10_000)
    parser.add_argument("--profile", action="store_true", help="print the cProfile of the (first) target")
    parser.add_argument("--sort", default="cumulative", help="the profile's order: cumulative (default), tottime…")
    parser.add_argument("--pyinstrument", action="store_true", help="print pyinstrument's tree of the target")
    args = parser.parse_args(argv)
    sizes = Sizes(args.users, args.tokens, args.posts)
    os.environ.update(bench_environment(sizes.database, args.server))
    django.setup()

    from django.core.wsgi import get_wsgi_application

    from tools.bench import fixtures

    targets = [t for t in ALL_TARGETS if t.server == args.server and t.method == "GET"]
    if args.only:
        keys = args.only.split(",")
        targets = [t for t in targets if t.key in keys]
    fixture = fixtures.make_fixture()
    try:
        fixtures.discover(fixture, targets)
        application = get_wsgi_application()
        for target in targets:
            if target.key in fixture.missing:
                print(f"{target.key:<18} not run: {fixture.missing[target.key]}")
                continue
            path, headers = target.url_path(fixture), fixture.headers(target)
            for _ in range(50):  # warm-up: caches, the token's first last_used_at write
                status = call(application, target, path, headers)
            if args.profile or args.pyinstrument:
                profile(args, application, target, path, headers)
                break
            started, cpu = time.perf_counter(), time.process_time()
            for _ in range(args.n):
                call(application, target, path, headers)
            cpu_us = (time.process_time() - cpu) / args.n * 1e6
            wall_us = (time.perf_counter() - started) / args.n * 1e6
            print(f"{target.key:<18} {status:<16} {cpu_us:8.0f} µs CPU/request  ({wall_us:.0f} µs wall)")
    finally:
        fixtures.remove_run_leftovers(fixture)
        _delete_cache_keys()
    return 0


def profile(args, application, target: Target, path: str, headers: dict[str, str]) -> None:
    if args.pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0002)
        profiler.start()
        for _ in range(args.n):
            call(application, target, path, headers)
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        return
    profiler = cProfile.Profile(time.process_time)  # CPU, not time spent waiting for the database
    profiler.enable()
    for _ in range(args.n):
        call(application, target, path, headers)
    profiler.disable()
    pstats.Stats(profiler).sort_stats(args.sort).print_stats(80)


if __name__ == "__main__":
    sys.exit(main())
