"""``client_ip``: the one place that decides a request's client address."""

import pytest
from django.test import RequestFactory

from polycms.http import client_ip, parse_ip

REMOTE = "198.51.100.7"

# (trusted proxies, X-Forwarded-For as received by gunicorn, expected client address)
CASES = [
    # No proxy: the header is anyone's to write, so it is ignored whatever it holds.
    (0, None, REMOTE),
    (0, "203.0.113.5", REMOTE),
    (0, "203.0.113.5, 192.0.2.1", REMOTE),
    (0, "127.0.0.1", REMOTE),
    (0, "<script>not-an-ip", REMOTE),
    (0, "2001:db8::1", REMOTE),
    # One proxy: it appended the address it saw, the rightmost; the client's own entries are further left.
    (1, None, REMOTE),
    (1, "", REMOTE),
    (1, "203.0.113.5", "203.0.113.5"),
    (1, "10.9.8.7, 203.0.113.5", "203.0.113.5"),
    (1, "127.0.0.1, 203.0.113.5", "203.0.113.5"),
    (1, "203.0.113.5:51234", "203.0.113.5"),
    (1, "<script>not-an-ip", REMOTE),
    (1, ",", REMOTE),
    (1, "203.0.113.5, garbage", REMOTE),
    (1, "2001:DB8:0::1", "2001:db8::1"),
    (1, "[2001:db8::1]:443", "2001:db8::1"),
    (1, "fe80::1%eth0", REMOTE),
    (1, "1" * 500, REMOTE),
    # Two proxies: the outer one appended the client, the inner one appended the outer proxy.
    (2, None, REMOTE),
    (2, "203.0.113.5", "203.0.113.5"),
    (2, "203.0.113.5, 10.0.0.2", "203.0.113.5"),
    (2, "10.9.8.7, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
    (2, "127.0.0.1, 10.9.8.7, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
    (2, "not-an-ip, 10.0.0.2", REMOTE),
    (2, "[2001:db8::1], 10.0.0.2", "2001:db8::1"),
    (2, "2001:db8::1, fd00::2", "2001:db8::1"),
]


@pytest.mark.parametrize(("proxies", "forwarded", "expected"), CASES)
def test_client_ip(settings, proxies, forwarded, expected):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    request = RequestFactory().get("/", REMOTE_ADDR=REMOTE, **headers)
    assert client_ip(request) == expected


def test_client_ip_is_none_when_not_even_remote_addr_is_an_address(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="unix:/run/gunicorn.sock")
    assert client_ip(request) is None


def test_client_ip_is_decided_once_per_request(settings):
    request = RequestFactory().get("/", REMOTE_ADDR=REMOTE)
    assert client_ip(request) == REMOTE
    request.META["REMOTE_ADDR"] = "192.0.2.99"
    assert client_ip(request) == REMOTE


@pytest.mark.parametrize(
    ("value", "expected"),
    [("192.0.2.1", "192.0.2.1"), (" 192.0.2.1 ", "192.0.2.1"), ("2001:0db8::0001", "2001:db8::1"), ("", None)],
)
def test_parse_ip(value, expected):
    assert parse_ip(value) == expected
