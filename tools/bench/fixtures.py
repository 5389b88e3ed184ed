"""What the targets need from a benchmark database: credentials for each kind of caller, a live post,
the ETags the conditional targets send back and a deep cursor, found in-process before the load."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from tools.bench.seed import BENCH_USERNAME, LOAD_SLUG_PREFIX, LOAD_TOKEN_PREFIX, Progress
from tools.bench.targets import CURSOR_FIRST, DRF, KNOX, PAT, Target

# Issue 14 goal 6: page 5,000 costs the same as page 1. A smaller table gets the page 90% of the way in.
DEEP_PAGE = 5_000
DEEP_PAGE_SIZE = 20


@dataclass
class Fixture:
    """Credentials and values for one benchmark database. The plaintexts live only in memory and reach
    wrk through its environment, never a command line or a result file. ``missing`` maps the key of a
    target that cannot run on this database (or this code) to the reason."""

    run_id: str
    user_id: int
    post_id: int
    all_fields: str
    pat: str = field(repr=False)
    drf_key: str = field(repr=False)
    knox_key: str = field(repr=False)
    knox_digest: str = field(repr=False)
    webhook_id: int = 0
    etags: dict[str, str] = field(default_factory=dict)
    deep_cursor_path: str = ""
    deep_page: int = 0
    missing: dict[str, str] = field(default_factory=dict)

    def path_values(self) -> dict[str, object]:
        return {"post_id": self.post_id, "all_fields": self.all_fields, "deep_cursor_path": self.deep_cursor_path}

    def headers(self, target: Target) -> dict[str, str]:
        """The request headers of ``target``: its credentials, and ``If-None-Match`` for a conditional one."""
        headers = {}
        if target.auth == PAT:
            headers["Authorization"] = f"Bearer {self.pat}"
        elif target.auth == DRF:
            headers["Authorization"] = f"Token {self.drf_key}"
        elif target.auth == KNOX:
            headers["Authorization"] = f"Token {self.knox_key}"
        if target.conditional_on and target.conditional_on in self.etags:
            headers["If-None-Match"] = self.etags[target.conditional_on]
        return headers

    @property
    def title_prefix(self) -> str:
        """Titles of posts created by the load start with this, so their slugs start with ``wrk-``."""
        return f"{LOAD_SLUG_PREFIX.rstrip('-')} {self.run_id}"


def make_fixture() -> Fixture:
    """Mint the load's tokens for the ``bench`` user (an Editor) in the current database (ours, DRF's is
    seeded, knox's) and pick a live post in the middle of the table. Call ``remove_run_leftovers()``
    afterwards."""
    from django.contrib.auth import get_user_model
    from knox.models import AuthToken
    from rest_framework.authtoken.models import Token

    from posts.models import Post
    from posts.serializers import FIELDS
    from tokens.services import token_create

    run_id = secrets.token_hex(4)
    user = get_user_model().objects.get(username=BENCH_USERNAME)
    _, plaintext = token_create(owner=user, name=f"{LOAD_TOKEN_PREFIX}{run_id}")
    knox_token, knox_key = AuthToken.objects.create(user=user, expiry=timedelta(days=1))
    webhook = _make_listener(user, run_id)
    live = Post.objects.live().order_by("pk").values_list("pk", flat=True)
    post_id = live[live.count() // 2]
    return Fixture(
        run_id=run_id,
        user_id=user.pk,
        post_id=post_id,
        all_fields=",".join(FIELDS),
        pat=plaintext,
        drf_key=Token.objects.get(user=user).key,
        knox_key=knox_key,
        knox_digest=knox_token.digest,
        webhook_id=webhook.pk,
    )


def _make_listener(user, run_id: str):
    """A disabled webhook of ``user`` subscribed to every event, which ``listening()`` enables for the targets
    with ``webhook``. It is never delivered to: no worker runs during the load (its port 9 is discard)."""
    from webhooks.services import webhook_create

    webhook, _secret = webhook_create(
        owner=user, target_url="http://127.0.0.1:9/bench", events=["*"], description=f"{LOAD_TOKEN_PREFIX}{run_id}"
    )
    listening(webhook.pk, False)
    return webhook


def listening(webhook_id: int, enabled: bool) -> None:
    """Enable or disable the run's webhook: while one is enabled, every write records its events (webhooks.outbox)."""
    from webhooks.models import Webhook

    Webhook.objects.filter(pk=webhook_id).update(enabled=enabled)


def remove_run_leftovers(fixture: Fixture) -> None:
    """Delete the tokens and the webhook this run made, the posts its load created, and the events and jobs
    those recorded, in the current database."""
    from knox.models import AuthToken

    from posts.models import Post
    from tokens.models import PersonalAccessToken
    from webhooks.models import Webhook

    listening(fixture.webhook_id, False)
    PersonalAccessToken.objects.filter(name=f"{LOAD_TOKEN_PREFIX}{fixture.run_id}").delete()
    AuthToken.objects.filter(digest=fixture.knox_digest).delete()
    Webhook.objects.filter(pk=fixture.webhook_id).delete()
    created = Post.objects.filter(slug__startswith=f"{LOAD_SLUG_PREFIX}{fixture.run_id}")
    remove_events_of(list(created.values_list("pk", flat=True)))
    created.delete()


def remove_events_of(post_ids: list[int]) -> None:
    """Delete the webhook events of ``post_ids`` (their deliveries go with them) and every webhook job no longer
    useful: the bench's database is its own, and no other worker serves it."""
    from django_tasks_db.models import DBTaskResult

    from webhooks.models import WebhookEvent

    WebhookEvent.objects.filter(post_id__in=post_ids).delete()
    if not WebhookEvent.objects.filter(dispatched_at__isnull=True).exists():
        DBTaskResult.objects.filter(task_path__startswith="webhooks.tasks.").delete()


def discover(fixture: Fixture, targets: list[Target]) -> None:
    """Fill in what the chosen conditional and cursor targets need, in-process with the test client:
    the ``ETag`` each conditional target sends back, and the path of a deep cursor page. What cannot be
    found goes to ``fixture.missing``."""
    from django.test import Client

    client = Client(SERVER_NAME="localhost")
    keys = {target.key for target in targets}
    from tools.bench.targets import BY_KEY

    for target in targets:
        if target.conditional_on is None:
            continue
        source = BY_KEY[target.conditional_on]
        response = client.get(source.url_path(fixture), headers=_headers(fixture, source))
        if response.status_code != 200 or not response.get("ETag"):
            status = response.status_code
            fixture.missing[target.key] = f"{source.url_path(fixture)[:60]} answered {status} without an ETag"
        else:
            fixture.etags[source.key] = response["ETag"]
    if "cursor_deep" in keys:
        _find_deep_cursor(client, fixture)


def fetch_etags(fixture: Fixture, targets: list[Target], base_url: str) -> None:
    """The ``ETag`` each conditional target sends back, fetched from the server wrk will load, just before it
    does: an ETag may depend on the host the request names (a list's absolute links do), which differs from
    the in-process probe's, and on every write since. A source without one leaves the in-process ETag, and
    the target's 200s make it VOID."""
    import urllib.request

    from tools.bench.targets import BY_KEY

    for target in targets:
        if target.conditional_on is None or target.key in fixture.missing:
            continue
        source = BY_KEY[target.conditional_on]
        request = urllib.request.Request(base_url + source.url_path(fixture), headers=fixture.headers(source))
        with urllib.request.urlopen(request, timeout=30) as response:
            if etag := response.headers.get("ETag"):
                fixture.etags[source.key] = etag


def _headers(fixture: Fixture, target: Target) -> dict[str, str]:
    return {name.lower(): value for name, value in fixture.headers(target).items()}


def _find_deep_cursor(client, fixture: Fixture) -> None:
    """Walk ``links.next`` from the first cursor page of the light list (``cursor_first``: an empty
    ``cursor=``) to page ``DEEP_PAGE`` (or 90% of the way through a smaller table), as a client syncing
    everything would, and keep that page's path."""
    from posts.models import Post

    pages = min(DEEP_PAGE, max(2, Post.objects.live().count() * 9 // 10 // DEEP_PAGE_SIZE))
    path = CURSOR_FIRST.url_path(fixture)
    progress = None
    for page in range(1, pages):
        response = client.get(path)
        following = (response.json().get("links") or {}).get("next") if response.status_code == 200 else None
        if not following or "cursor=" not in following:
            answer = f"links.next {following}" if response.status_code == 200 else f"{response.status_code}"
            fixture.missing["cursor_deep"] = f"page {page} of the cursor walk: {answer}"[:200]
            break
        parts = urlsplit(following)
        path = f"{parts.path}?{parts.query}"
        progress = progress or Progress("cursor walk", pages)
        progress.advance()
    else:
        fixture.deep_cursor_path, fixture.deep_page = path, pages
    if progress:
        progress.finish()
