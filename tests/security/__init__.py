"""Security regression tests: each module is an attack tried against PolyCMS, and the defence that stops it.
Every test here failed before its fix.

- ``test_client_ip_spoofing``: a spoofed ``X-Forwarded-For`` lifts the sign-in limit, locks out another
  address with bad tokens, or plants garbage (a 500) in ``last_used_ip`` and audit lines.
- ``test_admin_sign_in``: unlimited, unaudited password guessing on ``/admin/login/``.
- ``test_sign_in_enumeration``: a locked account's email answers differently from an unknown email.
- ``test_content_attacks``: Editor.js documents that cost seconds to sanitize; live HTML kept in
  ``content_raw``.
- ``test_abuse_limits``: unthrottled session writes; many tokens, each with its own write budget.
- ``test_post_attacks``: list responses of hundreds of megabytes; hidden drafts' slugs (the trade-off,
  pinned); Contributors backdating ``published_at``.
- ``test_token_rights``: different token rights in the API and the admin.
- ``test_no_store``: answers about the caller kept by caches.
- ``test_csp``: injected script running in the admin, Swagger UI or the browsable API (the real-browser half
  is ``tests/browser/test_csp.py``).
"""
