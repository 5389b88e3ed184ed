"""Fixtures of the rate-limit tests (``test_throttling``, ``test_leases``)."""

import pytest


@pytest.fixture
def rates(settings):
    def set_rates(**rates: str) -> None:
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                "token_read": "1000/min",
                "token_write": "1000/min",
                "user_read": "1000/min",
                "user_write": "1000/min",
                "anon": "1000/min",
                **rates,
            },
        }

    return set_rates


@pytest.fixture
def redis_round_trips(monkeypatch) -> list[list[str]]:
    """Every round trip any Redis client makes from now on, as the names of the commands it sends; not a
    new connection's handshake (HELLO, CLIENT SETINFO, SELECT)."""
    import re

    from redis.connection import AbstractConnection

    round_trips = []
    send = AbstractConnection.send_packed_command

    def sending(connection, command, check_health=True):
        payload = command if isinstance(command, bytes) else b"".join(command)
        names = [name.decode() for name in re.findall(rb"\*\d+\r\n\$\d+\r\n([A-Za-z]+)\r\n", payload)]
        if not {"HELLO", "CLIENT", "SELECT"} & set(names):
            round_trips.append(names)
        return send(connection, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", sending)
    return round_trips


@pytest.fixture
def bearer_with_read_rate(editor, token_client, rates, redis_cache, frozen_clock, redis_round_trips):
    """``bearer_with_read_rate(rate)``: an Editor's bearer client whose token may read ``rate`` (``"2/min"``),
    on the suite's Redis, with ``redis_round_trips`` recorded from then on."""

    def make(rate: str):
        rates(token_read=rate)
        client = token_client(editor)
        redis_round_trips.clear()
        return client

    return make
