"""The suite's own guards in ``tests/conftest.py``: a test reaches the shared Redis only when marked ``redis``."""

import pytest

from tests.conftest import suite_redis_url
from tests.live import free_port


def test_a_test_without_the_redis_mark_cannot_reach_redis(request):
    with pytest.raises(
        pytest.fail.Exception, match=r"test_conftest\.py::\S+ uses the Redis at .* but is not marked redis"
    ):
        suite_redis_url(request)


def test_a_marked_test_skips_without_showing_the_url_when_no_redis_answers(request, monkeypatch):
    request.applymarker(pytest.mark.redis)
    monkeypatch.setenv("REDIS_URL", f"redis://:hunter2@127.0.0.1:{free_port()}/5")  # nobody listens there

    with pytest.raises(pytest.skip.Exception, match=r"needs Redis at 127\.0\.0\.1:\d+/5 \(set REDIS_URL\)") as skip:
        suite_redis_url(request)
    assert "hunter2" not in str(skip.value)
