"""The ``POLYCMS_API`` settings dict, with its defaults."""

from polycms.conf import AppSettings

api_settings = AppSettings(
    "POLYCMS_API",
    {
        # Request bodies larger than this answer 413 request_too_large before anything parses them.
        "MAX_BODY_BYTES": 1024 * 1024,
        "DEFAULT_PAGE_SIZE": 20,
        # Failed bearer authentications allowed per client IP in each fixed window of
        # BEARER_FAILURE_WINDOW seconds; past it every bearer request from that IP is 429.
        "BEARER_FAILURES_PER_IP": 30,
        "BEARER_FAILURE_WINDOW": 5 * 60,
        # A worker may reuse a failure count it read or wrote this many seconds ago (api.leases).
        "COUNT_CHECK_INTERVAL": 1.0,
        # A worker counts a rate (throttles) in leases of up to this many requests, spent locally; 1: each
        # request is counted in the shared cache as it comes (api.leases).
        "RATE_LEASE_MAX": 10,
        "MAX_PAGE_SIZE": 100,
        # List totals are exact up to this many matching rows, lower bounds beyond (meta.total_exact).
        "COUNT_LIMIT": 10_000,
        # Failed sign-ins (POST /auth/login) allowed per account and per client IP in each fixed window of
        # LOGIN_FAILURE_WINDOW seconds; past either limit every attempt is 429 until the window ends.
        "LOGIN_FAILURES_PER_USERNAME": 5,
        "LOGIN_FAILURES_PER_IP": 20,
        "LOGIN_FAILURE_WINDOW": 15 * 60,
    },
)
