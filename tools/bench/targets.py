"""What the benchmark measures: the endpoints (targets) and the credentials and ids they need (fixture)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tools.bench import documents
from tools.bench.seed import BENCH_USERNAME, LOAD_SLUG_PREFIX, LOAD_TOKEN_PREFIX

PAT, DRF, ANONYMOUS = "pat", "drf", "anonymous"


@dataclass(frozen=True)
class Target:
    """One endpoint under one kind of caller. ``path`` may hold ``{post_id}``. A POST sends ``document`` as
    the new post's content. ``connections`` overrides ``--connections`` for this target."""

    key: str
    label: str
    path: str
    auth: str = ANONYMOUS
    method: str = "GET"
    document: Callable[[], dict[str, Any]] = documents.typical
    connections: int | None = None

    def url_path(self, fixture: Fixture) -> str:
        return self.path.format(post_id=fixture.post_id)

    def body(self, title: str) -> str:
        """The JSON body of a POST: a draft titled ``title`` with ``document`` as its content."""
        return json.dumps({"title": title, "status": "draft", "content_raw": self.document()})


CEILING = Target("ceiling", "bare Django JSON view (ceiling)", "/bench/ceiling")
DRF_USER = Target("drf_user", "DRF TokenAuthentication user (peer)", "/bench/drf-user", DRF)
USER = Target("user", "GET /api/v1/user  (PAT)", "/api/v1/user", PAT)
ITEM_PAT = Target("item_pat", "GET /api/v1/posts/{id}  (PAT)", "/api/v1/posts/{post_id}", PAT)
ITEM_ANON = Target("item_anon", "GET /api/v1/posts/{id}  (anonymous)", "/api/v1/posts/{post_id}")
LIST_PAT = Target("list_pat", "GET /api/v1/posts?per_page=20  (PAT)", "/api/v1/posts?per_page=20", PAT)
LIST_ANON = Target("list_anon", "GET /api/v1/posts?per_page=20  (anonymous)", "/api/v1/posts?per_page=20")
CREATE = Target("create", "POST /api/v1/posts  (PAT)", "/api/v1/posts", PAT, "POST")
# The costliest document the POLYCMS_POSTS limits accept, one request at a time: its latency is the time
# one create takes, not time spent queueing behind other connections.
CREATE_WORST = Target(
    "create_worst",
    "POST /api/v1/posts worst-case document  (PAT, 1 conn.)",
    "/api/v1/posts",
    PAT,
    "POST",
    document=documents.worst_case,
    connections=1,
)

ALL_TARGETS = [CEILING, DRF_USER, USER, ITEM_PAT, ITEM_ANON, LIST_PAT, LIST_ANON, CREATE, CREATE_WORST]
# What the scale mode compares across sizes: every read, plus the two references as drift controls.
READ_TARGETS = [t for t in ALL_TARGETS if t.method == "GET"]


@dataclass(frozen=True)
class Fixture:
    """Credentials and ids for one benchmark database. The token plaintext lives only in memory and is
    handed to wrk through its environment, never on a command line or in a result file."""

    run_id: str
    user_id: int
    post_id: int
    pat: str = field(repr=False)
    drf_key: str = field(repr=False)

    def authorization(self, target: Target) -> str:
        """The ``Authorization`` header value for ``target`` ("" for anonymous targets)."""
        if target.auth == PAT:
            return f"Bearer {self.pat}"
        if target.auth == DRF:
            return f"Token {self.drf_key}"
        return ""

    @property
    def title_prefix(self) -> str:
        """Titles of posts created by the load start with this, so their slugs start with ``wrk-``."""
        return f"{LOAD_SLUG_PREFIX.rstrip('-')} {self.run_id}"


def make_fixture() -> Fixture:
    """Mint a load token for the ``bench`` user (an Editor) in the current database and pick a live
    post in the middle of the table. Call ``seed.remove_load_leftovers()`` afterwards."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from posts.models import Post
    from tokens.services import token_create

    run_id = secrets.token_hex(4)
    user = get_user_model().objects.get(username=BENCH_USERNAME)
    _, plaintext = token_create(owner=user, name=f"{LOAD_TOKEN_PREFIX}{run_id}")
    live = Post.objects.live().order_by("pk").values_list("pk", flat=True)
    post_id = live[live.count() // 2]
    return Fixture(
        run_id=run_id,
        user_id=user.pk,
        post_id=post_id,
        pat=plaintext,
        drf_key=Token.objects.get(user=user).key,
    )
