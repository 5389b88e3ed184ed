"""The ``POLYCMS_WEBHOOKS`` settings dict, with its defaults."""

from polycms.conf import AppSettings

webhook_settings = AppSettings(
    "POLYCMS_WEBHOOKS",
    {
        # SSRF guard (webhooks.transport). Off in production: targets must be https:// and resolve only to public
        # addresses. polycms/settings.py turns both on with DJANGO_DEBUG=1, or from POLYCMS_WEBHOOKS_ALLOW_HTTP /
        # POLYCMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS. Link-local addresses (169.254.0.0/16: cloud metadata; fe80::/10),
        # multicast and unspecified ones are refused even then.
        "ALLOW_HTTP": False,
        "ALLOW_PRIVATE_NETWORKS": False,
        # Seconds an attempt may take, connecting and reading the response together.
        "TIMEOUT": 10,
        # Delays (seconds) before each retry of a failed attempt (network error, timeout, 5xx, 429); after the last
        # one fails the delivery is failed. ±JITTER of each delay is random, so retries of many deliveries spread.
        "RETRY_SCHEDULE": [5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 14 * 3600, 20 * 3600, 24 * 3600],
        "JITTER": 0.1,
        # A 429's Retry-After is honoured up to this many seconds.
        "MAX_RETRY_AFTER": 24 * 3600,
        # An endpoint whose every attempt failed for this long is disabled and its owner emailed.
        "DISABLE_AFTER_FAILING_DAYS": 5,
        # After a secret rotation the previous secret signs too (a second signature) for this many seconds.
        "PREVIOUS_SECRET_TTL": 24 * 3600,
        # Bytes of a response body kept with an attempt.
        "RESPONSE_EXCERPT_BYTES": 4096,
        # Attempts (and finished deliveries, their events and job results) older than this are deleted by
        # `manage.py prunewebhooks`.
        "RETENTION_DAYS": 30,
        # A delivery job still running this many seconds after it started (much longer than TIMEOUT) belongs to
        # a dead worker: the upkeep queues the delivery again.
        "LEASE_SECONDS": 60,
        # Seconds between two looks of each worker (`manage.py worker`) for events whose time has come (the outbox's
        # relay): an event is dispatched into its deliveries within about this long, at the cost of one indexed
        # query per look when there is nothing to do.
        "DISPATCH_INTERVAL": 1,
        # Seconds between two upkeep passes of each worker: re-queue what a dead worker left, disable the webhooks of
        # expired tokens.
        "UPKEEP_INTERVAL": 15,
        # Work due this many seconds ago and still not queued counts as lost (so a busy queue is not doubled).
        "UPKEEP_GRACE": 30,
        # Webhooks one user may hold; creating one more is refused (422).
        "MAX_PER_USER": 100,
    },
)
