"""Deliveries end to end in-process: real HTTP receivers (a server thread), the jobs run by django-tasks' own
worker code, the clock moved by time-machine (never slept), signatures checked by the reference
``standardwebhooks`` library."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone
from standardwebhooks import Webhook as Verifier

from posts.models import Post
from posts.services import post_create, post_delete, post_update
from tests.webhooks.receivers import Answer, verify_at_its_time
from tokens.services import token_revoke
from webhooks import crypto, services
from webhooks.models import Delivery, DeliveryAttempt, Webhook, WebhookEvent
from webhooks.settings import webhook_settings

pytestmark = pytest.mark.django_db


def bodies(received) -> list[dict]:
    return [json.loads(request.body) for request in received]


def test_a_published_post_reaches_the_receiver_signed_as_standard_webhooks_verifies(
    author, receiver, make_webhook, jobs, api_client
):
    hook = make_webhook(owner=author, url=receiver.url)
    post = post_create(author=author, data={"title": "Hello", "status": "published"})
    jobs()
    received = receiver.wait_for(2)
    assert [body["type"] for body in bodies(received)] == ["post.created", "post.published"]
    for request in received:
        Verifier(hook.secret).verify(request.body, request.headers)  # raises on a bad signature or timestamp
        assert request.headers["webhook-id"].startswith("msg_")
        assert request.headers["content-type"] == "application/json"
    # data is the post exactly as GET returns it; the body bytes are the stored ones.
    api_client.force_authenticate(author)
    shown = api_client.get(f"/api/v1/posts/{post.pk}", HTTP_ACCEPT="application/json").json()["data"]
    assert bodies(received)[1]["data"] == shown
    event = WebhookEvent.objects.get(type="post.published")
    assert received[1].body == event.body.encode()
    assert bodies(received)[1]["timestamp"].endswith("Z")


def test_another_authors_draft_is_never_delivered(make_user, receiver, make_webhook, jobs, author):
    other = make_user("otto", role="Author")
    make_webhook(owner=other, url=receiver.url)
    draft = post_create(author=author, data={"title": "Embargoed", "status": "draft"})
    post_update(post_id=draft.pk, user=author, data={"title": "Still embargoed"})
    jobs()
    assert Delivery.objects.count() == 0
    post_update(post_id=draft.pk, user=author, data={"status": "published"})
    jobs()
    types = [body["type"] for body in bodies(receiver.wait_for(2))]
    assert types == ["post.updated", "post.published"]  # from the moment it is public
    assert all("Embargoed" not in request.body.decode() for request in receiver.received)


def test_owners_own_drafts_and_editors_see_drafts(author, editor, make_receiver, make_webhook, jobs):
    own, editors = make_receiver(), make_receiver()
    make_webhook(owner=author, url=own.url)
    make_webhook(owner=editor, url=editors.url)
    post_create(author=author, data={"title": "Draft", "status": "draft"})
    jobs()
    assert [body["type"] for body in bodies(own.wait_for(1))] == ["post.created"]
    assert [body["type"] for body in bodies(editors.wait_for(1))] == ["post.created"]


def test_unpublishing_tells_public_readers_only_the_id_and_slug(author, make_user, make_receiver, make_webhook, jobs):
    public_reader = make_user("reader")
    public, own = make_receiver(), make_receiver()
    make_webhook(owner=public_reader, url=public.url, events=["post.unpublished"])
    make_webhook(owner=author, url=own.url, events=["post.unpublished"])
    post = post_create(author=author, data={"title": "Live", "status": "published"})
    post_update(post_id=post.pk, user=author, data={"status": "draft", "title": "Secret rewrite"})
    jobs()
    (brief,) = bodies(public.wait_for(1))
    assert brief["type"] == "post.unpublished"
    assert brief["data"] == {"id": post.pk, "slug": post.slug}
    (full,) = bodies(own.wait_for(1))
    assert full["data"]["title"] == "Secret rewrite"


def test_deleted_post_sends_its_id_and_slug(author, receiver, make_webhook, jobs):
    make_webhook(owner=author, url=receiver.url, events=["post.deleted"])
    post = post_create(author=author, data={"title": "Bye", "status": "published"})
    post_delete(post_id=post.pk, user=author)
    jobs()
    (body,) = bodies(receiver.wait_for(1))
    assert body["type"] == "post.deleted"
    assert body["data"] == {"id": post.pk, "slug": "bye"}


def test_a_rolled_back_change_sends_nothing(author, receiver, make_webhook, jobs):
    make_webhook(owner=author, url=receiver.url)
    with pytest.raises(RuntimeError), transaction.atomic():
        post_create(author=author, data={"title": "Never", "status": "published"})
        raise RuntimeError("the request failed after the write")
    assert jobs() == 0
    assert WebhookEvent.objects.count() == 0
    assert receiver.received == []


def test_a_scheduled_publication_is_delivered_when_its_time_comes(author, make_user, receiver, make_webhook, jobs):
    reader = make_user("reader")
    make_webhook(owner=reader, url=receiver.url)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        at = start + timedelta(hours=2)
        post_create(author=author, data={"title": "Later", "status": "published", "published_at": at})
        jobs()
        assert receiver.received == []  # a scheduled post is not public: not even post.created reaches a reader
        clock.move_to(at - timedelta(seconds=1))
        assert jobs() == 0
        clock.move_to(at + timedelta(seconds=1))
        jobs()
        (body,) = bodies(receiver.wait_for(1))
    assert body["type"] == "post.published"
    assert body["data"]["title"] == "Later"
    assert body["timestamp"] == at.isoformat().replace("+00:00", "Z")


def test_a_rescheduled_publication_fires_once_at_the_new_time(author, receiver, make_webhook, jobs):
    make_webhook(owner=author, url=receiver.url, events=["post.published"])
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        post = post_create(
            author=author, data={"title": "Later", "status": "published", "published_at": start + timedelta(hours=1)}
        )
        post_update(post_id=post.pk, user=author, data={"published_at": start + timedelta(hours=3)})
        post_update(post_id=post.pk, user=author, data={"title": "Later, renamed"})  # the same schedule
        clock.move_to(start + timedelta(hours=2))
        jobs()
        assert receiver.received == []
        clock.move_to(start + timedelta(hours=3, seconds=1))
        jobs()
        (body,) = bodies(receiver.wait_for(1))
    assert body["data"]["title"] == "Later, renamed"
    assert Delivery.objects.count() == 1


def test_failing_twice_then_succeeding_is_delivered_on_the_third_attempt_with_the_same_webhook_id(
    author, receiver, make_webhook, jobs
):
    hook = make_webhook(owner=author, url=receiver.url, events=["post.created"])
    receiver.script = [Answer(status=503), Answer(status=500)]
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        post_create(author=author, data={"title": "Retry me"})
        jobs()
        receiver.wait_for(1)
        delivery = Delivery.objects.get()
        assert delivery.status == Delivery.Status.PENDING
        assert timedelta(seconds=4.5) <= delivery.next_attempt_at - start <= timedelta(seconds=5.5)  # 5 s ± jitter
        clock.move_to(start + timedelta(seconds=4))
        assert jobs() == 0  # not yet
        clock.move_to(start + timedelta(seconds=6))
        jobs()
        receiver.wait_for(2)
        delivery.refresh_from_db()
        assert timedelta(minutes=4.5) <= delivery.next_attempt_at - delivery.last_attempt_at <= timedelta(minutes=5.5)
        clock.move_to(delivery.next_attempt_at + timedelta(seconds=1))
        jobs()
        received = receiver.wait_for(3)
    for request in received:
        verify_at_its_time(hook.secret, request)
    assert len({request.headers["webhook-id"] for request in received}) == 1
    assert len({request.headers["webhook-timestamp"] for request in received}) == 3  # one per attempt
    assert len({request.body for request in received}) == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.attempt_count == 3
    assert [a.status_code for a in delivery.attempts.all()] == [503, 500, 200]
    assert [a.outcome for a in delivery.attempts.all()] == ["retry", "retry", "succeeded"]


def test_the_retry_schedule_ends_in_failure_after_about_three_days(author, receiver, make_webhook, jobs):
    make_webhook(owner=author, url=receiver.url, events=["post.created"])
    receiver.default = Answer(status=502)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        post_create(author=author, data={"title": "Doomed"})
        jobs()
        delivery = Delivery.objects.get()
        while delivery.status == Delivery.Status.PENDING:
            clock.move_to(delivery.next_attempt_at + timedelta(seconds=1))
            jobs()
            delivery.refresh_from_db()
    schedule = webhook_settings.RETRY_SCHEDULE
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempt_count == len(schedule) + 1 == 10
    assert timedelta(days=2.8) < delivery.finished_at - start < timedelta(days=3.5)  # 3.15 days ± 10 % jitter
    assert "Retries exhausted" in delivery.last_error
    assert Webhook.objects.get().enabled  # failing for three days is not yet five


def test_429_retry_after_is_honoured(author, receiver, make_webhook, jobs):
    make_webhook(owner=author, url=receiver.url, events=["post.created"])
    receiver.script = [Answer(status=429, headers={"Retry-After": "120"})]
    post_create(author=author, data={"title": "Slow down"})
    jobs()
    delivery = Delivery.objects.get()
    assert delivery.next_attempt_at - delivery.last_attempt_at >= timedelta(seconds=119)


def test_410_gone_disables_the_webhook_at_once(author, receiver, make_webhook, jobs, caplog):
    hook = make_webhook(owner=author, url=receiver.url)
    receiver.default = Answer(status=410)
    with caplog.at_level(logging.INFO, logger="polycms.audit"):
        post_create(author=author, data={"title": "Zap turned off", "status": "published"})
        jobs()
    hook.refresh_from_db()
    assert not hook.enabled
    assert hook.disabled_reason == Webhook.DisabledReason.GONE
    assert len(receiver.received) == 1  # the second event's delivery is not sent once the hook is disabled
    assert set(Delivery.objects.values_list("status", flat=True)) == {"failed"}
    assert any(record.message == "webhook.disabled" for record in caplog.records)
    post_create(author=author, data={"title": "After"})
    assert jobs() == 0  # nothing is queued for a disabled webhook


def test_redirects_are_not_followed(author, receiver, make_webhook, jobs):
    make_webhook(owner=author, url=receiver.url, events=["post.created"])
    receiver.script = [Answer(status=302, headers={"Location": "http://127.0.0.1:1/elsewhere"})]
    post_create(author=author, data={"title": "Moved"})
    jobs()
    delivery = Delivery.objects.get()
    assert len(receiver.received) == 1
    assert delivery.status == Delivery.Status.FAILED
    assert "not followed" in delivery.last_error


def test_a_slow_receiver_times_out_and_is_retried(author, receiver, make_webhook, jobs, settings):
    settings.POLYCMS_WEBHOOKS = {**settings.POLYCMS_WEBHOOKS, "TIMEOUT": 0.3}
    make_webhook(owner=author, url=receiver.url, events=["post.created"])
    receiver.script = [Answer(delay=1.0)]
    post_create(author=author, data={"title": "Slow"})
    jobs()
    attempt = DeliveryAttempt.objects.get()
    assert attempt.outcome == DeliveryAttempt.Outcome.RETRY
    assert attempt.error.startswith("Timeout")
    assert attempt.duration_ms < 1000


def test_a_refused_connection_is_a_network_error_not_a_timeout(author, make_webhook, jobs, local_targets):
    import socket

    with socket.socket() as closed:  # a port nothing listens on: bound, then closed
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    make_webhook(owner=author, url=f"http://127.0.0.1:{port}/in", events=["post.created"])
    post_create(author=author, data={"title": "Nobody home"})
    jobs()
    attempt = DeliveryAttempt.objects.get()
    assert attempt.outcome == DeliveryAttempt.Outcome.RETRY
    assert attempt.error.startswith("Network error: Could not connect: Connection refused"), attempt.error


def test_response_bodies_are_kept_truncated_to_4_kb(author, receiver, make_webhook, jobs):
    make_webhook(owner=author, url=receiver.url, events=["post.created"])
    receiver.script = [Answer(body=b"x" * 100_000)]
    post_create(author=author, data={"title": "Chatty receiver"})
    jobs()
    assert len(DeliveryAttempt.objects.get().response_excerpt) == 4096


def test_failing_for_five_days_disables_and_emails_the_owner(
    author, receiver, make_webhook, jobs, caplog, django_capture_on_commit_callbacks
):
    hook = make_webhook(owner=author, url=receiver.url, events=["post.created"])
    receiver.default = Answer(status=500)
    start = timezone.now()
    with (
        time_machine.travel(start, tick=False) as clock,
        caplog.at_level(logging.INFO, logger="polycms.audit"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        for day in range(7):
            clock.move_to(start + timedelta(days=day))
            post_create(author=author, data={"title": f"Day {day}"})
            jobs()
            hook.refresh_from_db()
            if not hook.enabled:
                break
    assert not hook.enabled
    assert hook.disabled_reason == Webhook.DisabledReason.FAILING
    assert day == 5
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [author.email]
    assert "127.0.0.1" in mail.outbox[0].subject
    assert hook.target_url in mail.outbox[0].body
    assert any(getattr(r, "audit", {}).get("reason") == "failing" for r in caplog.records)


def test_one_success_ends_the_failure_streak(author, receiver, make_webhook, jobs):
    hook = make_webhook(owner=author, url=receiver.url, events=["post.created"])
    receiver.script = [Answer(status=500)]
    post_create(author=author, data={"title": "Fails"})
    jobs()
    hook.refresh_from_db()
    assert hook.failing_since is not None
    post_create(author=author, data={"title": "Works"})
    jobs()
    hook.refresh_from_db()
    assert hook.failing_since is None


def test_a_rotated_secret_signs_beside_the_previous_one_for_24_hours(author, receiver, make_webhook, jobs):
    hook = make_webhook(owner=author, url=receiver.url, events=["ping"])
    old = hook.secret
    new = services.webhook_rotate_secret(webhook=hook, by=author)
    assert new != old and new.startswith("whsec_")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        services.webhook_ping(webhook=hook)
        jobs()
        first = receiver.wait_for(1)[0]
        assert len(first.headers["webhook-signature"].split(" ")) == 2
        Verifier(old).verify(first.body, first.headers)
        Verifier(new).verify(first.body, first.headers)
        clock.move_to(start + timedelta(hours=24, seconds=1))
        services.webhook_ping(webhook=hook)
        jobs()
        second = receiver.wait_for(2)[1]
        assert len(second.headers["webhook-signature"].split(" ")) == 1
        Verifier(new).verify(second.body, second.headers)
        with pytest.raises(Exception, match="No matching signature"):
            Verifier(old).verify(second.body, second.headers)


def test_ping_reaches_even_a_webhook_subscribed_to_other_events(author, receiver, make_webhook, jobs):
    hook = make_webhook(owner=author, url=receiver.url, events=["post.deleted"])
    delivery = services.webhook_ping(webhook=hook)
    jobs()
    (body,) = bodies(receiver.wait_for(1))
    assert body["type"] == "ping"
    assert body["data"] == {"id": hook.pk, "target_url": receiver.url, "events": ["post.deleted"]}
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED


def test_a_superseded_job_does_nothing(author, receiver, make_webhook, jobs):
    make_webhook(owner=author, url=receiver.url, events=["post.created"])
    post_create(author=author, data={"title": "Twice queued"})
    services.events_dispatch()
    delivery = Delivery.objects.get()
    assert services.delivery_attempt(message_id=delivery.message_id, job_id=str(uuid.uuid4())) == "skipped"
    jobs()
    assert len(receiver.wait_for(1)) == 1


def test_redeliver_sends_the_same_message_again(author, receiver, make_webhook, jobs):
    make_webhook(owner=author, url=receiver.url, events=["post.created"])
    receiver.script = [Answer(status=404)]
    post_create(author=author, data={"title": "Again"})
    jobs()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED  # a 4xx is not retried
    services.delivery_redeliver(delivery=delivery, by=author)
    jobs()
    first, second = receiver.wait_for(2)
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.attempt_count == 2


def test_redeliver_to_a_disabled_webhook_is_refused(author, make_webhook, jobs):
    hook = make_webhook(owner=author, events=["post.created"])
    post_create(author=author, data={"title": "x"})
    with time_machine.travel(timezone.now(), tick=False):
        services.events_dispatch()
    delivery = Delivery.objects.get()
    services.webhook_set_enabled(webhook=hook, enabled=False, by=author)
    with pytest.raises(services.WebhookDisabled):
        services.delivery_redeliver(delivery=delivery, by=author)


def test_revoking_the_token_that_created_a_webhook_disables_it(author, make_token, make_webhook):
    token, _ = make_token(author)
    created = make_webhook(owner=author, created_by_token=token)
    other = make_webhook(owner=author)
    token_revoke(token=token, by=author)
    created.refresh_from_db()
    other.refresh_from_db()
    assert (created.enabled, created.disabled_reason) == (False, "token_revoked")
    assert other.enabled


def test_the_upkeep_disables_webhooks_of_expired_tokens(author, make_token, make_webhook):
    token, _ = make_token(author, expires_at=timezone.now() + timedelta(days=1))
    hook = make_webhook(owner=author, created_by_token=token)
    with time_machine.travel(timezone.now() + timedelta(days=2), tick=False):
        services.webhooks_upkeep()
    hook.refresh_from_db()
    assert (hook.enabled, hook.disabled_reason) == (False, "token_expired")


def test_the_upkeep_requeues_a_delivery_whose_worker_died(author, receiver, make_webhook, jobs):
    from django_tasks_db.models import DBTaskResult

    make_webhook(owner=author, url=receiver.url, events=["post.created"])
    post_create(author=author, data={"title": "Orphan"})
    services.events_dispatch()
    delivery = Delivery.objects.get()
    # A worker claimed the delivery's job, then died: the job stays RUNNING for ever.
    DBTaskResult.objects.filter(id=delivery.task_id).update(status="RUNNING", started_at=timezone.now())
    jobs()
    assert receiver.received == []
    lease = timedelta(seconds=webhook_settings.LEASE_SECONDS)
    assert services.webhooks_upkeep()["requeued"] == 0  # it may still be sending
    with time_machine.travel(timezone.now() + lease + timedelta(seconds=1), tick=False):
        assert services.webhooks_upkeep()["requeued"] == 1
        assert services.webhooks_upkeep()["requeued"] == 0  # queued now: not twice
        jobs()
    receiver.wait_for(1)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED


def test_a_change_queues_no_job_the_relay_dispatches_its_event_once(author, receiver, make_webhook):
    from django_tasks_db.models import DBTaskResult

    make_webhook(owner=author, url=receiver.url, events=["post.created"])
    post_create(author=author, data={"title": "Relayed"})
    assert not DBTaskResult.objects.exists()  # the event is in the outbox; no job until it is dispatched
    assert services.events_dispatch() == 1
    assert services.events_dispatch() == 0  # taken once
    assert DBTaskResult.objects.count() == 1  # the delivery's job


def test_secrets_are_stored_encrypted_and_survive_a_secret_key_rotation(author, make_webhook, settings):
    hook = make_webhook(owner=author)
    stored = Webhook.objects.get(pk=hook.pk).secret_ciphertext
    assert hook.secret not in stored and hook.secret.removeprefix("whsec_") not in stored
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-the-rotation-test-0123456789"
    assert services._signing_keys(Webhook.objects.get(pk=hook.pk)) == [crypto.signing_key(hook.secret)]
    rekeyed = Webhook.objects.get(pk=hook.pk).secret_ciphertext
    assert rekeyed != stored
    assert crypto.decrypt(rekeyed) == (hook.secret, True)


def test_prune_deletes_attempts_older_than_30_days(author, receiver, make_webhook, jobs):
    make_webhook(owner=author, url=receiver.url, events=["post.created"])
    post_create(author=author, data={"title": "Old"})
    jobs()
    with time_machine.travel(timezone.now() + timedelta(days=29), tick=False):
        assert services.webhooks_prune()["attempts"] == 0
    with time_machine.travel(timezone.now() + timedelta(days=31), tick=False):
        counts = services.webhooks_prune()
    assert counts["attempts"] == 1 and counts["deliveries"] == 1 and counts["events"] == 1
    assert counts["jobs"] == 1  # the delivery's
    assert not DeliveryAttempt.objects.exists()
    assert Post.objects.exists()
