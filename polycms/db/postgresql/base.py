"""Django's PostgreSQL backend (psycopg 3), with a health check that costs no round trip.

With ``CONN_HEALTH_CHECKS`` Django runs ``SELECT 1`` before the first query of every request that reuses
a persistent connection: on the bearer ``/user`` path that was a second database round trip beside the
token lookup, about a fifth of the request's wall time. A PostgreSQL server that ends a session (restart,
``pg_terminate_backend``, ``idle_session_timeout``, a crashed backend) sends a FATAL message and closes
its end, and an idle connection then has bytes (or EOF) to read; a healthy idle connection has none,
since nothing here uses ``LISTEN``. So the check asks the kernel, without waiting, whether the socket is
readable, and reads nothing. Whatever it cannot vouch for (a connection psycopg knows is closed or broken,
one in a failed transaction, a readable socket) is reported unusable: Django then closes it and the request connects
afresh, which is never wrong, only slower.

A peer that vanished without closing (a network partition, a powered-off host) is not detected by either
check in time: ``SELECT 1`` would wait for TCP to give up, this one lets the first query do so.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus

_CHECKABLE = (TransactionStatus.IDLE, TransactionStatus.INTRANS)


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        raw = self.connection
        if raw is None or raw.closed or raw.broken:
            return False
        # As Django's SELECT 1 would: fine idle or inside a transaction, not in a failed one (INERROR) or unknown.
        if raw.info.transaction_status not in _CHECKABLE:
            return False
        try:
            poller = select.poll()
            poller.register(raw.fileno(), select.POLLIN | select.POLLPRI)
            return not poller.poll(0)  # nothing to read: the server has not ended the session
        except (OSError, ValueError):
            return False
