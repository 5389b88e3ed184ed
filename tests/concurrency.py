"""Helpers for tests that race real database connections (PostgreSQL)."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import Any

from django.db import connections
from rest_framework.test import APIClient


def run_concurrently(action: Callable[[int], Any], count: int = 20) -> list:
    """Run ``action(i)`` in ``count`` threads released together; each thread uses its own connection."""
    barrier = Barrier(count)

    def worker(index: int):
        try:
            barrier.wait()
            return action(index)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(worker, range(count)))


def bearer(plaintext: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client
