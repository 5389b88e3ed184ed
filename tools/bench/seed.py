"""The benchmark databases: created on the ``DATABASE_URL`` server, migrated, bulk-loaded with COPY,
then ``VACUUM ANALYZE``-d. A database already seeded at the same sizes is reused.

Each size gets its own database (``polycms_bench_<users>u_<tokens>t_<posts>p``), so a scale run keeps its
small and large data sets side by side. The ``DATABASE_URL`` database itself is never touched.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DATABASE_PREFIX = "polycms_bench"
# Bump when the shape of the seeded data changes, so old databases are rebuilt instead of reused.
SEED_VERSION = 2  # 2: django-rest-knox tokens
BENCH_USERNAME = "bench"
LOAD_TOKEN_PREFIX = "bench-load-"
# Posts created by the load phase have slugs starting with this; they are deleted before and after a run.
LOAD_SLUG_PREFIX = "wrk-"
COPY_BATCH = 10_000
# Leftovers of a run that started this long ago are a dead run's, deleted by the next run's preparation.
STALE_AFTER = timedelta(hours=6)


@dataclass(frozen=True)
class Sizes:
    """How many rows of each kind a benchmark database holds."""

    users: int
    tokens: int
    posts: int

    @property
    def database(self) -> str:
        return f"{DATABASE_PREFIX}_{self.users}u_{self.tokens}t_{self.posts}p"

    def label(self) -> str:
        return f"{_short(self.users)} users, {_short(self.tokens)} tokens, {_short(self.posts)} posts"


def _short(n: int) -> str:
    if n >= 1_000_000 and n % 100_000 == 0:
        return f"{n / 1_000_000:g}M"
    if n >= 1_000 and n % 100 == 0:
        return f"{n / 1_000:g}k"
    return str(n)


# ---------------------------------------------------------------------------- server and databases


def server_url() -> str:
    """The PostgreSQL server to use: ``DATABASE_URL`` when it is a postgres URL, else the local server."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://", "pgsql://")) else DEFAULT_SERVER_URL


def database_url(server: str, name: str) -> str:
    """``server`` with its database name replaced by ``name``."""
    parts = urlsplit(server)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _libpq(url: str) -> str:
    # libpq only knows the postgres/postgresql schemes.
    return "postgresql" + url[url.index(":") :]


def maintenance_connection(server: str) -> psycopg.Connection:
    """An autocommit connection to the server's ``postgres`` database (for CREATE DATABASE, monitoring)."""
    try:
        return psycopg.connect(_libpq(database_url(server, "postgres")), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        parts = urlsplit(server)
        where = f"{parts.username or ''}@{parts.hostname or 'localhost'}:{parts.port or 5432}"
        raise SystemExit(
            f"Cannot reach PostgreSQL at {where} ({str(exc).strip()}). The benchmark needs a PostgreSQL server: "
            "start one or point DATABASE_URL=postgres://user:password@host:port/any at it."
        ) from None


def database_exists(server: str, name: str) -> bool:
    with maintenance_connection(server) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def create_database(server: str, name: str, *, drop_first: bool = False) -> None:
    with maintenance_connection(server) as conn:
        if drop_first:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def use_database(name: str) -> None:
    """Point Django's default connection at database ``name`` (closing the current connection)."""
    from django.db import connections

    connection = connections["default"]
    connection.close()
    connection.settings_dict["NAME"] = name


# ---------------------------------------------------------------------------- progress


class Progress:
    """A one-line progress bar on stderr; no dependency, redrawn at most ten times a second."""

    WIDTH = 30

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, max(total, 1), 0
        self.started = self._drawn = time.monotonic()
        self._draw()

    def advance(self, n: int = 1) -> None:
        self.done += n
        if time.monotonic() - self._drawn >= 0.1:
            self._draw()

    def finish(self) -> None:
        self.done = self.total
        self._draw()
        sys.stderr.write("\n")

    def _draw(self) -> None:
        self._drawn = time.monotonic()
        filled = int(self.WIDTH * self.done / self.total)
        sys.stderr.write(
            f"\r  {self.label:<14} [{'#' * filled}{'.' * (self.WIDTH - filled)}] "
            f"{self.done:>9,}/{self.total:,}  {self._drawn - self.started:6.1f}s"
        )
        sys.stderr.flush()


# ---------------------------------------------------------------------------- seeding


def prepare(sizes: Sizes, *, server: str, reseed: bool = False) -> bool:
    """Make database ``sizes.database`` ready for a run; returns True when it was (re)seeded.

    Migrates it (cheap when up to date), seeds it unless it already holds a complete seed of these
    sizes, and removes whatever a previous run's load phase left behind.
    """
    name = sizes.database
    fresh = reseed or not database_exists(server, name)
    if fresh:
        create_database(server, name, drop_first=True)
    use_database(name)
    _migrate()
    if not fresh and _stored_sizes() != asdict(sizes):
        create_database(server, name, drop_first=True)
        use_database(name)
        _migrate()
        fresh = True
    if fresh:
        _seed(sizes)
    remove_load_leftovers()
    return fresh


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _stored_sizes() -> dict | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_meta')")
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute("SELECT value FROM bench_meta WHERE key = 'sizes'")
        row = cursor.fetchone()
    if row is None:
        return None
    stored = json.loads(row[0])
    return stored["sizes"] if stored.get("version") == SEED_VERSION else None


def remove_load_leftovers() -> None:
    """Delete what the load phases of runs that started more than ``STALE_AFTER`` ago left behind (a run
    that died): their tokens and posts. A run removes its own when it ends
    (``fixtures.remove_run_leftovers``), so a run going on at the same time keeps its own."""
    from knox.models import AuthToken

    from posts.models import Post
    from tokens.models import PersonalAccessToken

    before = _now() - STALE_AFTER
    PersonalAccessToken.objects.filter(name__startswith=LOAD_TOKEN_PREFIX, created_at__lt=before).delete()
    AuthToken.objects.filter(user__username=BENCH_USERNAME, created__lt=before).delete()  # none is seeded for it
    Post.objects.filter(slug__startswith=LOAD_SLUG_PREFIX, created_at__lt=before).delete()


def _seed(sizes: Sizes) -> None:
    from django.db import connection

    print(f"Seeding {sizes.database} ({sizes.label()}) …", file=sys.stderr)
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    user_ids = _seed_users(sizes.users)
    _seed_roles(user_ids)
    _seed_drf_tokens(user_ids)
    _seed_knox_tokens(user_ids)
    _seed_tokens(user_ids, sizes.tokens)
    _seed_posts(user_ids, sizes.posts)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_meta (key text PRIMARY KEY, value text NOT NULL)")
        cursor.execute(
            "INSERT INTO bench_meta (key, value) VALUES ('sizes', %s)",
            [json.dumps({"version": SEED_VERSION, "sizes": asdict(sizes), "seeded_at": _now().isoformat()})],
        )
    print("  VACUUM ANALYZE …", file=sys.stderr)
    vacuum_analyze()
    print(f"  seeded in {time.monotonic() - started:.1f}s", file=sys.stderr)


def vacuum_analyze() -> None:
    """``VACUUM ANALYZE`` the whole database: fresh statistics and visibility map for the planner."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _now() -> datetime:
    return datetime.now(UTC)


def copy_model(model, columns: list[str], rows: Iterable[tuple], *, total: int, label: str) -> None:
    """COPY ``rows`` (values for ``columns``, in order) into ``model``'s table.

    Columns the bench does not know about (added by a later migration) get the field's default, or
    NULL when nullable; a required field without a default stops the seed with a clear message.
    """
    from django.db import connection

    extra_columns, extra_values = [], []
    for field in model._meta.concrete_fields:
        if field.column in columns or field.primary_key:
            continue
        if field.has_default():
            value = field.get_db_prep_save(field.get_default(), connection)
        elif field.null:
            value = None
        else:
            raise SystemExit(
                f"tools/bench/seed.py does not know how to fill {model._meta.db_table}.{field.column} "
                "(NOT NULL, no default): add it to the seed."
            )
        extra_columns.append(field.column)
        extra_values.append(value)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table), sql.SQL(", ").join(map(sql.Identifier, columns + extra_columns))
    )
    extra = tuple(extra_values)
    progress = Progress(label, total)
    with _secondary_indexes_dropped(model._meta.db_table):
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for i, row in enumerate(rows, 1):
                copy.write_row(row + extra)
                if i % COPY_BATCH == 0:
                    progress.advance(COPY_BATCH)
        progress.finish()


@contextlib.contextmanager
def _secondary_indexes_dropped(table: str) -> Iterator[None]:
    """Drop ``table``'s secondary indexes, unique constraints and foreign keys for a bulk load, and
    rebuild them afterwards: one sorted build (and one validating join) each, instead of a random
    b-tree insert and a foreign-key check per row. Constraints other tables' foreign keys rely on stay."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint c
            WHERE conrelid = %s::regclass AND (contype = 'f' OR (contype = 'u' AND NOT EXISTS (
                SELECT 1 FROM pg_constraint r WHERE r.contype = 'f' AND r.conindid = c.conindid)))
            ORDER BY contype = 'f' DESC
            """,
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            """
            SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
            WHERE indrelid = %s::regclass AND NOT indisprimary
              AND indexrelid NOT IN (SELECT conindid FROM pg_constraint WHERE conrelid = %s::regclass)
            """,
            [table, table],
        )
        indexes = cursor.fetchall()
        alter = sql.SQL("ALTER TABLE {} ").format(sql.Identifier(table))
        for name, _definition, _kind in constraints:
            cursor.execute(alter + sql.SQL("DROP CONSTRAINT {}").format(sql.Identifier(name)))
        for name, _definition in indexes:
            cursor.execute(sql.SQL("DROP INDEX {}").format(sql.SQL(name)))
    yield
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem TO '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        for name, definition, _kind in reversed(constraints):
            cursor.execute(alter + sql.SQL("ADD CONSTRAINT {} ").format(sql.Identifier(name)) + sql.SQL(definition))
    if (elapsed := time.monotonic() - started) >= 1:
        print(f"  {'':<14} indexes and constraints rebuilt in {elapsed:.1f}s", file=sys.stderr)


def _ids(model) -> list[int]:
    return list(model.objects.order_by("pk").values_list("pk", flat=True))


def _seed_users(count: int) -> list[int]:
    """``count`` users, the first being ``bench`` (the load's caller); one hashed password for all."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    user_model = get_user_model()
    password = make_password(secrets.token_urlsafe(16))
    now = _now()

    def rows() -> Iterator[tuple]:
        for i in range(count):
            username = BENCH_USERNAME if i == 0 else f"user{i:07d}"
            joined = now - timedelta(minutes=7 * i % 525_600)
            yield (password, username, "Bench" if i == 0 else "User", f"{i}", f"{username}@example.com", joined)

    columns = ["password", "username", "first_name", "last_name", "email", "date_joined"]
    copy_model(user_model, columns, rows(), total=count, label="users")
    return _ids(user_model)


def _seed_roles(user_ids: list[int]) -> None:
    """``bench`` is an Editor; every 5th user an Author, every 10th otherwise a Contributor."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    groups = dict(Group.objects.values_list("name", "pk"))
    through = get_user_model().groups.through

    def role(index: int) -> str | None:
        if index == 0:
            return "Editor"
        if index % 5 == 0:
            return "Author"
        return "Contributor" if index % 10 == 1 else None

    members = [(user_id, groups[r]) for i, user_id in enumerate(user_ids) if (r := role(i)) and r in groups]
    copy_model(through, ["user_id", "group_id"], iter(members), total=len(members), label="role members")


def _seed_drf_tokens(user_ids: list[int]) -> None:
    """One DRF authtoken per user (40 hex characters, as DRF generates them), for the peer endpoint."""
    from rest_framework.authtoken.models import Token

    now = _now()
    rows = ((secrets.token_hex(20), user_id, now) for user_id in user_ids)
    copy_model(Token, ["key", "user_id", "created"], rows, total=len(user_ids), label="drf tokens")


def _seed_knox_tokens(user_ids: list[int]) -> None:
    """One django-rest-knox token per user but ``bench`` (whose token the load phase mints), digested as
    knox digests them and without expiry; their plaintexts are discarded."""
    from knox.crypto import hash_token
    from knox.models import AuthToken
    from knox.settings import CONSTANTS

    now = _now()

    def rows() -> Iterator[tuple]:
        for user_id in user_ids[1:]:
            plaintext = secrets.token_hex(32)
            yield (hash_token(plaintext), plaintext[: CONSTANTS.TOKEN_KEY_LENGTH], user_id, now, None)

    columns = ["digest", "token_key", "user_id", "created", "expiry"]
    copy_model(AuthToken, columns, rows(), total=len(user_ids) - 1, label="knox tokens")


_ABILITY_MIX = [json.dumps(a) for a in (["*"], ["read"], ["posts:read"], ["posts:write"], ["user:read"])]


def _seed_tokens(user_ids: list[int], count: int) -> None:
    """``count`` personal access tokens round-robin over the users, with real digests under the bench
    secret key. A realistic mix: 10% revoked, 10% expired, 20% expiring later, the rest open-ended.
    Their plaintexts are discarded; the load phase mints its own tokens."""
    from tokens import crypto
    from tokens.models import PersonalAccessToken

    now = _now()
    n_users = len(user_ids)

    def rows() -> Iterator[tuple]:
        for i in range(count):
            random_part = secrets.token_hex(20)  # hex is a subset of base62: a well-formed token
            plaintext = f"{crypto.PREFIX}{random_part}{crypto.checksum(random_part)}"
            owner = user_ids[i % n_users]
            created = now - timedelta(minutes=i % 525_600)
            kind = i % 10
            expires = None
            if kind == 1:
                expires = now - timedelta(days=1 + i % 30)
            elif kind in (2, 3):
                expires = now + timedelta(days=90)
            revoked = created + timedelta(days=1) if kind == 0 else None
            used = now - timedelta(hours=i % 500) if kind >= 4 else None
            yield (
                owner,
                f"token-{i}",
                _ABILITY_MIX[i % len(_ABILITY_MIX)],
                crypto.digest(plaintext),
                crypto.hint(plaintext),
                created,
                expires,
                used,
                "10.0.0.1" if used else None,
                revoked,
                owner if revoked else None,
            )

    columns = [
        "owner_id",
        "name",
        "abilities",
        "digest",
        "hint",
        "created_at",
        "expires_at",
        "last_used_at",
        "last_used_ip",
        "revoked_at",
        "revoked_by_id",
    ]
    copy_model(PersonalAccessToken, columns, rows(), total=count, label="access tokens")


_TOPICS = ["release", "tutorial", "interview", "roadmap", "changelog", "case study", "announcement", "guide"]


def _documents() -> list[tuple[str, str, str]]:
    """A few Editor.js documents as ``(content_raw JSON, content_html, content_text)``, validated and
    rendered by the real code once each, then reused across the seeded posts."""
    from posts import content
    from posts.models import Post

    rendered = []
    for n, topic in enumerate(_TOPICS):
        blocks = [
            {"type": "header", "data": {"text": f"The {topic}", "level": 2}},
            {"type": "paragraph", "data": {"text": f"This <b>{topic}</b> explains what changed and why. " * (2 + n)}},
            {"type": "list", "data": {"style": "unordered", "items": [f"Point {k} of the {topic}" for k in range(4)]}},
            {"type": "paragraph", "data": {"text": "See <a href='https://example.com/docs'>the docs</a> for more."}},
        ]
        post = Post(content_raw=content.parse_document({"blocks": blocks}))
        post.render_content()
        rendered.append((json.dumps(post.content_raw), post.content_html, post.content_text))
    return rendered


def _seed_posts(user_ids: list[int], count: int) -> None:
    """``count`` posts by the bench user and the Authors: ~80% published in the past, the rest drafts;
    one in twenty a page. Newest first by id, spread over about two years."""
    from posts.models import Post

    documents = _documents()
    writers = [user_ids[0], *user_ids[5::5]]
    now = _now()

    def rows() -> Iterator[tuple]:
        for i in range(count):
            raw, html, text = documents[i % len(documents)]
            topic = _TOPICS[i % len(_TOPICS)]
            created = now - timedelta(minutes=(count - i) * 2)
            published = i % 5 != 0
            yield (
                "page" if i % 20 == 7 else "post",
                f"A {topic} worth reading, number {i}",
                f"post-{i}",
                f"What this {topic} is about, in one line.",
                raw,
                html,
                text,
                "published" if published else "draft",
                created + timedelta(minutes=1) if published else None,
                writers[i % len(writers)],
                created,
                created,
                1,
            )

    columns = [
        "type",
        "title",
        "slug",
        "excerpt",
        "content_raw",
        "content_html",
        "content_text",
        "status",
        "published_at",
        "author_id",
        "created_at",
        "updated_at",
        "version",
    ]
    copy_model(Post, columns, rows(), total=count, label="posts")
