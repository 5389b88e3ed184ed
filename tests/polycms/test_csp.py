"""polycms.csp.CachedCSPMiddleware: the headers django-csp's middleware would set, built once per policy."""

from __future__ import annotations

import pytest
from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_exempt, csp_replace, csp_update
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from polycms import csp

REPLACE = {"style-src": [SELF, UNSAFE_INLINE], "worker-src": [SELF, "blob:"]}


def plain(request):
    return HttpResponse("ok")


def with_nonce(request):
    return HttpResponse(f"<style nonce='{request.csp_nonce}'></style>")


VIEWS = {
    "plain": plain,
    "nonce": with_nonce,
    "replace": csp_replace(REPLACE)(plain),
    "update": csp_update({"img-src": ["https://cdn.example.com"]})(plain),
    "exempt": csp_exempt()(plain),
}


@pytest.fixture(autouse=True)
def _empty_cache():
    csp._policies.clear()
    yield
    csp._policies.clear()


def headers(middleware_class, view) -> dict[str, str]:
    request = RequestFactory().get("/api/v1/user")
    response = middleware_class(view)(request)
    return {name: value for name, value in response.items() if "Content-Security-Policy" in name}


def directives(header: str) -> dict[str, list[str]]:
    return {name: sources for name, *sources in (part.split() for part in header.split(";") if part.strip())}


@pytest.mark.parametrize("name", [name for name in VIEWS if name != "nonce"])
def test_headers_are_django_csps(name):
    ours, theirs = headers(csp.CachedCSPMiddleware, VIEWS[name]), headers(CSPMiddleware, VIEWS[name])
    assert ours.keys() == theirs.keys()
    assert {k: directives(v) for k, v in ours.items()} == {k: directives(v) for k, v in theirs.items()}


def test_a_policy_is_built_once(monkeypatch):
    built = []
    monkeypatch.setattr(csp, "build_policy", lambda **kw: built.append(kw) or "default-src 'self'")
    for _ in range(3):
        headers(csp.CachedCSPMiddleware, plain)
        headers(csp.CachedCSPMiddleware, VIEWS["replace"])
    # The enforced policy of each view, and the report-only one (empty: no settings), which they share.
    assert len(built) == 3


def test_a_nonce_is_fresh_on_every_response():
    first, second = (directives(headers(csp.CachedCSPMiddleware, with_nonce)["Content-Security-Policy"]) for _ in "12")
    nonces = [[s for s in policy["style-src"] if s.startswith("'nonce-")] for policy in (first, second)]
    assert all(len(n) == 1 for n in nonces) and nonces[0] != nonces[1]
    # A nonce-free response after them gets the policy without a nonce.
    plain_policy = directives(headers(csp.CachedCSPMiddleware, plain)["Content-Security-Policy"])
    assert not any(s.startswith("'nonce-") for s in plain_policy["style-src"])


def test_a_settings_change_is_seen():
    before = headers(csp.CachedCSPMiddleware, plain)["Content-Security-Policy"]
    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'none'"]}}):
        assert headers(csp.CachedCSPMiddleware, plain)["Content-Security-Policy"] == "default-src 'none'"
    assert headers(csp.CachedCSPMiddleware, plain)["Content-Security-Policy"] == before


def test_report_only_policy_and_excluded_prefixes():
    report_only = {"DIRECTIVES": {"default-src": [SELF]}, "EXCLUDE_URL_PREFIXES": ["/admin/"]}
    with override_settings(CONTENT_SECURITY_POLICY_REPORT_ONLY=report_only):
        assert headers(csp.CachedCSPMiddleware, plain)["Content-Security-Policy-Report-Only"] == "default-src 'self'"
        request = RequestFactory().get("/admin/")
        response = csp.CachedCSPMiddleware(plain)(request)
        assert "Content-Security-Policy-Report-Only" not in response
        assert "Content-Security-Policy" in response


def test_the_api_serves_the_policy(client):
    response = client.get("/api/v1/health")
    assert directives(response["Content-Security-Policy"])["frame-ancestors"] == ["'none'"]
