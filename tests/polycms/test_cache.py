"""polycms.cache: Django's Redis cache, whose client object is made once."""

import pytest
from django.core.cache import caches

from polycms.cache import RedisCache

pytestmark = pytest.mark.redis


def test_one_client_object_serves_every_call_and_the_cache_works(redis_cache):
    cache = caches["default"]
    assert isinstance(cache, RedisCache)
    first = cache._cache.get_client(write=True)
    cache.set("kept-client", {"n": 1}, 30)
    assert cache.get("kept-client") == {"n": 1}
    assert cache.get_many(["kept-client", "absent"]) == {"kept-client": {"n": 1}}
    assert cache.add("counter", 0, 30) and cache.incr("counter") == 1
    assert cache._cache.get_client(write=True) is first  # Django's own builds a new one per call
    assert cache._cache.get_client() is first  # one server: reads and writes share its pool and client
