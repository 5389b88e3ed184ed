"""The SSRF guard: targets are checked when subscribing and again, on the resolved address, at every attempt."""

from __future__ import annotations

import ipaddress
import socket

import pytest
from django.core.exceptions import ValidationError

from posts.services import post_create
from webhooks import services, transport
from webhooks.models import Delivery, DeliveryAttempt

pytestmark = pytest.mark.django_db

PRODUCTION = {"ALLOW_HTTP": False, "ALLOW_PRIVATE_NETWORKS": False}


@pytest.fixture
def production(settings):
    settings.POLYCMS_WEBHOOKS = {**settings.POLYCMS_WEBHOOKS, **PRODUCTION}


def resolving(monkeypatch, table: dict[str, list[str]]) -> None:
    """Make ``getaddrinfo`` answer ``table`` for its names (as a DNS server an attacker controls would)."""
    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):
        if host in table:
            family = {4: socket.AF_INET, 6: socket.AF_INET6}
            return [
                (family[ipaddress.ip_address(a).version], socket.SOCK_STREAM, 6, "", (a, port)) for a in table[host]
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://hooks.example.com/in", "https"),
        ("https://127.0.0.1/in", "loopback"),
        ("https://[::1]/in", "loopback"),
        ("https://10.1.2.3/in", "private"),
        ("https://192.168.0.10/in", "private"),
        ("https://169.254.169.254/latest/meta-data", "link-local"),
        ("https://[::ffff:127.0.0.1]/in", "loopback"),
        ("https://224.0.0.1/in", "multicast"),
        ("https://0.0.0.0/in", "unspecified"),
        ("https://localhost/in", "loopback"),  # a host name that resolves to 127.0.0.1
        ("https://user:pass@hooks.example.com/in", "credentials"),
        ("ftp://hooks.example.com/in", "https"),
    ],
)
def test_subscribing_to_an_internal_or_plain_http_target_is_refused(production, user, url, why):
    with pytest.raises(ValidationError) as raised:
        services.webhook_create(owner=user, target_url=url, events=["*"])
    assert why in str(raised.value.message_dict["target_url"])


def test_a_host_resolving_to_loopback_is_refused_at_subscription(production, user, monkeypatch):
    resolving(monkeypatch, {"evil.example": ["127.0.0.1"]})
    with pytest.raises(ValidationError, match=r"evil\.example resolves to 127\.0\.0\.1"):
        services.webhook_create(owner=user, target_url="https://evil.example/in", events=["*"])


def test_one_internal_answer_among_public_ones_refuses_the_host(production, monkeypatch):
    resolving(monkeypatch, {"mixed.example": ["93.184.216.34", "10.0.0.5"]})
    with pytest.raises(transport.Refused, match=r"10\.0\.0\.5"):
        transport.resolve("mixed.example", 443)


def test_dns_rebinding_is_refused_at_delivery_on_the_resolved_address(production, author, monkeypatch, jobs):
    resolving(monkeypatch, {"rebind.example": ["93.184.216.34"]})  # public when subscribing
    services.webhook_create(owner=author, target_url="https://rebind.example/in", events=["post.created"])
    resolving(monkeypatch, {"rebind.example": ["127.0.0.1"]})  # loopback when delivering
    connected = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connected.append(a) or pytest.fail("connected"))
    post_create(author=author, data={"title": "Rebound"})
    jobs()
    attempt = DeliveryAttempt.objects.get()
    assert attempt.outcome == DeliveryAttempt.Outcome.FAILED  # not retried: nothing was sent
    assert "rebind.example resolves to 127.0.0.1" in attempt.error
    assert Delivery.objects.get().status == Delivery.Status.FAILED
    assert connected == []


@pytest.mark.parametrize("address", ["127.0.0.1", "169.254.169.254", "10.0.0.1", "::1", "fd00::1", "100.64.0.1"])
def test_internal_addresses_are_refused_in_production(production, address):
    assert transport.address_refusal(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"])
def test_public_addresses_are_allowed(production, address):
    assert transport.address_refusal(ipaddress.ip_address(address)) is None


def test_private_networks_can_be_allowed_but_never_metadata_or_multicast(settings):
    settings.POLYCMS_WEBHOOKS = {**settings.POLYCMS_WEBHOOKS, "ALLOW_PRIVATE_NETWORKS": True}
    assert transport.address_refusal(ipaddress.ip_address("127.0.0.1")) is None
    assert transport.address_refusal(ipaddress.ip_address("10.0.0.1")) is None
    assert "link-local" in transport.address_refusal(ipaddress.ip_address("169.254.169.254"))
    assert "multicast" in transport.address_refusal(ipaddress.ip_address("239.1.1.1"))


def test_the_request_goes_to_the_checked_address_with_the_host_name_as_host_header(local_targets, monkeypatch):
    from tests.webhooks.receivers import running_receiver

    with running_receiver() as receiver:
        port = receiver.server.server_address[1]
        resolving(monkeypatch, {"receiver.internal": ["127.0.0.1"]})
        response = transport.post(f"http://receiver.internal:{port}/hook?x=1", b"{}", {"webhook-id": "msg_1"})
        (request,) = receiver.wait_for(1)
    assert response.status == 200
    assert request.headers["host"] == f"receiver.internal:{port}"
    assert request.path == "/hook?x=1"


def test_https_pools_check_the_certificate_against_the_host_name_and_send_it_as_sni():
    pool = transport._pool("https", "93.184.216.34", 443, "hooks.example.com", 10)
    assert (pool.host, pool.port) == ("93.184.216.34", 443)
    assert pool.conn_kw["server_hostname"] == "hooks.example.com"
    assert pool.assert_hostname == "hooks.example.com"
    assert pool.cert_reqs == "CERT_REQUIRED"
