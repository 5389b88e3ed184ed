"""Sending one webhook request, with the SSRF guard at connect time.

The target's host name is resolved once per attempt, every address it resolves to is checked
(``address_refusal``), and the connection is made to that checked address with urllib3, giving the host name
as the ``Host`` header, the TLS SNI and the name the certificate must match. So a name that resolves to a public
address when the webhook is created and to ``127.0.0.1`` later (DNS rebinding) is refused at delivery, and no
second resolution happens between the check and the connection. Redirects are never followed.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from urllib3.exceptions import HTTPError as Urllib3Error

from webhooks.settings import webhook_settings

USER_AGENT = "PolyCMS-Webhooks/1"
# Connection pools kept per worker process, one per (scheme, address, port, host name): receivers that keep
# connections alive are not reconnected for every delivery, and each pool only ever talks to a checked address.
_MAX_POOLS = 64
_pools: OrderedDict[tuple, urllib3.HTTPConnectionPool] = OrderedDict()


class Refused(Exception):
    """The target is not allowed (scheme, credentials, address): nothing was sent."""


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # names in lower case
    excerpt: bytes  # at most RESPONSE_EXCERPT_BYTES of the body


def url_refusal(url: str) -> str | None:
    """Why ``url`` may not be a webhook target before any resolution (scheme, host, credentials), or None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        return "Not a valid URL."
    allowed = ("https", "http") if webhook_settings.ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed:
        return "Use an https:// URL." if parts.scheme == "http" else "Use an https:// URL (or http:// where allowed)."
    if not parts.hostname:
        return "The URL has no host."
    if parts.username is not None or parts.password is not None:
        return "Put no credentials in the URL: verify the signature instead."
    try:
        literal = ipaddress.ip_address(parts.hostname)
    except ValueError:
        return None
    return address_refusal(literal)


def address_refusal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why a connection to ``address`` is refused, or None. Loopback, private, shared, reserved and other
    non-global addresses need ``ALLOW_PRIVATE_NETWORKS``; link-local (cloud metadata at 169.254.169.254),
    multicast and unspecified addresses are refused always."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_link_local:
        return f"{address} is a link-local address (cloud metadata lives there)."
    if address.is_multicast or address.is_unspecified:
        return f"{address} is a multicast or unspecified address."
    if address.is_global:
        return None
    if webhook_settings.ALLOW_PRIVATE_NETWORKS:
        return None
    kind = "loopback" if address.is_loopback else "private" if address.is_private else "reserved or non-public"
    return f"{address} is a {kind} address (set POLYCMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS=1 for on-premise receivers)."


def resolve(host: str, port: int) -> str:
    """The address to connect to for ``host``: every address it resolves to must pass ``address_refusal``
    (one bad answer refuses the host). Raises ``Refused``, or ``OSError`` when it does not resolve."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for text in addresses:
        reason = address_refusal(ipaddress.ip_address(text.split("%", 1)[0]))
        if reason:
            raise Refused(f"{host} resolves to {reason}")
    return addresses[0]


def _pool(scheme: str, address: str, port: int, host: str, timeout: float) -> urllib3.HTTPConnectionPool:
    key = (scheme, address, port, host)
    pool = _pools.get(key)
    if pool is not None:
        _pools.move_to_end(key)
        return pool
    options = {"maxsize": 1, "block": False, "retries": False, "timeout": timeout}
    if scheme == "https":
        # Connect to the address, check the certificate against the host name, and send it as SNI.
        pool = urllib3.HTTPSConnectionPool(
            address, port, server_hostname=host, assert_hostname=host, cert_reqs="CERT_REQUIRED", **options
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, **options)
    _pools[key] = pool
    while len(_pools) > _MAX_POOLS:
        _pools.popitem(last=False)[1].close()
    return pool


def post(url: str, body: bytes, headers: dict[str, str]) -> Response:
    """POST ``body`` to ``url`` and return the answer, whatever its status (a 3xx is returned, not followed).

    Raises ``Refused`` (nothing sent), ``TimeoutError`` (no complete answer within ``TIMEOUT`` seconds) or
    ``OSError`` (name resolution or network failure)."""
    reason = url_refusal(url)
    if reason:
        raise Refused(reason)
    parts = urlsplit(url)
    host = parts.hostname
    port = parts.port or (443 if parts.scheme == "https" else 80)
    timeout = float(webhook_settings.TIMEOUT)
    deadline = time.monotonic() + timeout
    address = resolve(host, port)
    pool = _pool(parts.scheme, address, port, host, timeout)
    host_header = host if ":" not in host else f"[{host}]"
    if parts.port:
        host_header += f":{parts.port}"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    sent = {
        "Host": host_header,
        "User-Agent": USER_AGENT,
        "Content-Type": "application/json",
        **headers,
    }
    limit = int(webhook_settings.RESPONSE_EXCERPT_BYTES)
    try:
        response = pool.urlopen(
            "POST",
            path,
            body=body,
            headers=sent,
            redirect=False,
            retries=False,
            assert_same_host=False,
            preload_content=False,
            timeout=urllib3.Timeout(total=max(deadline - time.monotonic(), 0.001)),
        )
        reusable = False
        try:
            excerpt = response.read(limit + 1)
            # read(n) stops short only at the end of the body: then the connection is reusable. A longer body is
            # not read on, and its connection is dropped.
            reusable = len(excerpt) <= limit
        finally:
            if reusable:
                response.release_conn()
            else:
                response.close()
    except urllib3.exceptions.NewConnectionError as exc:
        # Before TimeoutError: urllib3 2 makes NewConnectionError (refused, unreachable) a ConnectTimeoutError.
        raise OSError(f"Could not connect: {_reason(exc)}") from exc
    except urllib3.exceptions.TimeoutError as exc:
        raise TimeoutError(f"No complete answer within {timeout:g} s.") from exc
    except Urllib3Error as exc:
        raise OSError(str(exc) or type(exc).__name__) from exc
    return Response(response.status, {k.lower(): v for k, v in response.headers.items()}, excerpt[:limit])


def _reason(exc: urllib3.exceptions.NewConnectionError) -> str:
    """The operating system's words for a failed connection ("Connection refused"), without urllib3's wrapping."""
    cause = exc.__cause__ or exc.__context__
    return getattr(cause, "strerror", None) or str(cause or exc)
