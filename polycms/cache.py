"""Django's Redis cache, with its redis-py client objects made once instead of on every call.

Django's ``RedisCacheClient.get_client()`` builds a new ``redis.Redis`` over the (shared) connection pool for
each cache operation; building one costs more CPU than the round trip it is for (about 12% of a posts list
page's CPU went to the one ``cache.get`` of its count, profiled). A client object holds no connection of its
own and is safe to share between threads, so one per pool is kept. The pools are Django's, unchanged (and
redis-py's pools reset themselves in a forked child).
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class KeptClientRedisCacheClient(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_kept_clients", {})
        try:
            return clients[id(pool)]  # pools live as long as this object: an id is never reused here
        except KeyError:
            client = clients[id(pool)] = self._client(connection_pool=pool)
            return client


class RedisCache(DjangoRedisCache):
    """``django.core.cache.backends.redis.RedisCache`` (same settings and behaviour) over
    ``KeptClientRedisCacheClient``."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = KeptClientRedisCacheClient
