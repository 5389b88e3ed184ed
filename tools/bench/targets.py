"""What the benchmark measures: the endpoints (targets), which server answers each, the credentials
and headers it sends and the status every one of its answers must have."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tools.bench import documents

if TYPE_CHECKING:
    from tools.bench.fixtures import Fixture

PAT, DRF, KNOX, ANONYMOUS = "pat", "drf", "knox", "anonymous"
# The app's server runs PolyCMS (tools.bench.settings); the peers' server the strict peers, with no
# middleware and DRF's default settings (tools.bench.peer_settings).
APP, PEERS = "app", "peers"
# Issue 14's light list: what a frontend's index page needs.
LIGHT_FIELDS = "id,title,slug,excerpt,published_at"
# In a title of one seeded post in eight (tools.bench.seed._TOPICS).
SEARCH_WORD = "tutorial"


@dataclass(frozen=True)
class Target:
    """One endpoint under one kind of caller.

    ``path`` may hold ``{post_id}``, ``{all_fields}`` (every post field, comma-separated) and
    ``{deep_cursor_path}`` (a whole path and query found by walking ``links.next``), filled in from
    the fixture. A POST sends ``document`` as the new post's content. ``connections`` overrides
    ``--connections``. ``conditional_on`` names the target whose ``ETag`` this one sends back in
    ``If-None-Match``. ``webhook``: a webhook subscribed to every event is enabled while it runs (none is, for
    the others), so its writes record events. Every answer must have status ``expect``: a run with any other
    is void.
    """

    key: str
    label: str
    path: str
    auth: str = ANONYMOUS
    method: str = "GET"
    document: Callable[[], dict[str, Any]] = documents.typical
    connections: int | None = None
    server: str = APP
    expect: int = 200
    conditional_on: str | None = None
    webhook: bool = False

    def url_path(self, fixture: Fixture) -> str:
        return self.path.format(**fixture.path_values())

    def body(self, title: str) -> str:
        """The JSON body of a POST: a draft titled ``title`` with ``document`` as its content."""
        return json.dumps({"title": title, "status": "draft", "content_raw": self.document()})

    @property
    def ours(self) -> bool:
        """A PolyCMS endpoint (not a reference or a peer)."""
        return self.server == APP and not self.path.startswith("/bench/")


# References and peers
CEILING = Target("ceiling", "bare Django JSON view, our middleware (ceiling)", "/bench/ceiling")
CEILING_BARE = Target("ceiling_bare", "bare Django JSON view, no middleware", "/bench/ceiling", server=PEERS)
DRF_USER_STRICT = Target(
    "drf_user_strict", "DRF TokenAuthentication {id,username,email} (strict peer)", "/bench/drf-user", DRF, server=PEERS
)
KNOX_USER = Target("knox_user", "knox TokenAuthentication, same view (peer)", "/bench/knox-user", KNOX, server=PEERS)
DRF_USER = Target("drf_user", "DRF TokenAuthentication, our /user body (richer peer)", "/bench/drf-user", DRF)
DRF_LIST = Target(
    "drf_list", "DRF ListAPIView + ModelSerializer, 20 full posts (peer)", "/bench/drf-posts", server=PEERS
)

# PolyCMS
USER = Target("user", "GET /api/v1/user  (PAT)", "/api/v1/user", PAT)
ITEM_PAT = Target("item_pat", "GET /api/v1/posts/{id}  (PAT)", "/api/v1/posts/{post_id}", PAT)
ITEM_ANON = Target("item_anon", "GET /api/v1/posts/{id}  (anonymous)", "/api/v1/posts/{post_id}")
ITEM_304 = Target(
    "item_304", "GET /api/v1/posts/{id} If-None-Match -> 304", "/api/v1/posts/{post_id}", expect=304,
    conditional_on="item_anon",
)  # fmt: skip
LIST_PAT = Target("list_pat", "GET /api/v1/posts?per_page=20  (PAT)", "/api/v1/posts?per_page=20", PAT)
LIST_ANON = Target("list_anon", "GET /api/v1/posts?per_page=20  (anonymous)", "/api/v1/posts?per_page=20")
_FULL = "/api/v1/posts?per_page=20&fields={all_fields}"
LIST_FULL_PAT = Target("list_full_pat", "GET /api/v1/posts 20 full posts  (PAT)", _FULL, PAT)
LIST_FULL_ANON = Target("list_full_anon", "GET /api/v1/posts 20 full posts  (anonymous)", _FULL)
LIST_304 = Target(
    "list_304", "GET /api/v1/posts 20 full If-None-Match -> 304", _FULL, expect=304, conditional_on="list_full_anon"
)
LIGHT_LIST_PATH = f"/api/v1/posts?per_page=20&fields={LIGHT_FIELDS}"
LIST_LIGHT = Target("list_light", f"GET /api/v1/posts?fields={LIGHT_FIELDS}", LIGHT_LIST_PATH)
# An empty cursor= asks for the first page of cursor pagination (api.pagination); links.next carries the next.
CURSOR_FIRST = Target(
    "cursor_first", "GET /api/v1/posts?cursor= first page (light fields)", f"{LIGHT_LIST_PATH}&cursor="
)
CURSOR_DEEP = Target("cursor_deep", "GET /api/v1/posts?cursor=<deep page> (light fields)", "{deep_cursor_path}")
SEARCH = Target("search", f"GET /api/v1/posts?search={SEARCH_WORD}", f"/api/v1/posts?per_page=20&search={SEARCH_WORD}")
CREATE = Target("create", "POST /api/v1/posts  (PAT)", "/api/v1/posts", PAT, "POST", expect=201)
# Issue 15: what an event costs a write. The same POST while one webhook listens to every event (its events are
# recorded with their dispatch job; no worker runs during the load, so nothing is delivered then).
CREATE_HOOKED = Target(
    "create_hooked", "POST /api/v1/posts, a webhook listening  (PAT)", "/api/v1/posts", PAT, "POST", expect=201,
    webhook=True,
)  # fmt: skip
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
    expect=201,
)

ALL_TARGETS = [
    CEILING,
    CEILING_BARE,
    DRF_USER_STRICT,
    KNOX_USER,
    DRF_USER,
    USER,
    ITEM_PAT,
    ITEM_ANON,
    ITEM_304,
    DRF_LIST,
    LIST_FULL_ANON,
    LIST_FULL_PAT,
    LIST_LIGHT,
    LIST_ANON,
    LIST_PAT,
    LIST_304,
    CURSOR_FIRST,
    CURSOR_DEEP,
    SEARCH,
    CREATE,
    CREATE_HOOKED,
    CREATE_WORST,
]
BY_KEY = {target.key: target for target in ALL_TARGETS}
# What the scale mode compares across sizes: every read, the references and peers as drift controls.
READ_TARGETS = [t for t in ALL_TARGETS if t.method == "GET"]
