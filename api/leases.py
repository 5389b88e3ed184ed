"""What one worker process knows of the shared rate-limit counters, so most requests need no round trip.

- **Leases.** A throttle's counter of reads is not counted one request at a time: a worker adds up to
  ``RATE_LEASE_MAX`` to the shared count at once and spends those units locally, request by request. The
  shared count always covers every request served, so a limit is never exceeded; what a lease costs is
  the reverse: units a worker holds but never spends count as spent, so near the limit another worker may
  refuse a request up to ``RATE_LEASE_MAX - 1`` units (per worker) early. The lease shrinks as the count
  nears the limit (a sixteenth of the headroom, at least one), so small limits are counted exactly.
- **Observed counts.** A failure counter (bad bearer tokens per client IP) is read on every bearer
  request. A count read or written less than ``COUNT_CHECK_INTERVAL`` seconds ago is reused. A worker
  learns a failure it records at once (the increment answers the new count), so once the limit is
  reached every worker refuses within that interval, after at most one more failure each.

State is per process (a forked worker starts empty) and per counter key, which names its window, so
everything a worker holds expires with the window. It is bounded: past ``MAX_KEYS`` keys the oldest is
dropped, which costs at most its unspent units (counted as spent) or one more read.
"""

from __future__ import annotations

import os
import threading
import time

from api.settings import api_settings

# A lease takes this fraction of the headroom left under the limit (then at most RATE_LEASE_MAX).
LEASE_SHARE_OF_HEADROOM = 16
# Keys of each kind a worker keeps (a client per window each): beyond, the least recently updated goes.
MAX_KEYS = 10_000


class _State:
    """One process's leases and observed counts, keyed by counter key (which names its window)."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.lock = threading.Lock()
        self.leases: dict[str, list] = {}  # key -> [units left, last shared total, limit]
        self.observed: dict[str, tuple[int, float]] = {}  # key -> (count, monotonic time read)


_state = _State()


def _current() -> _State:
    global _state
    if _state.pid != os.getpid():  # a forked child starts with nothing of its parent's
        _state = _State()
    return _state


def spend(key: str, limit: int) -> bool:
    """Spend one unit of this worker's lease on ``key``; False when it holds none (or one granted under
    another limit: settings changed)."""
    state = _current()
    with state.lock:
        lease = state.leases.get(key)
        if lease is None or lease[0] <= 0 or lease[2] != limit:
            return False
        lease[0] -= 1
        return True


def lease_size(key: str, limit: int) -> int:
    """How many units to add to the shared count of ``key`` when this worker's lease is spent."""
    ceiling = api_settings.RATE_LEASE_MAX
    if ceiling <= 1:
        return 1
    lease = _current().leases.get(key)
    headroom = limit - (lease[1] if lease else 0)
    return max(1, min(ceiling, headroom // LEASE_SHARE_OF_HEADROOM))


def grant(key: str, *, limit: int, added: int, total: int) -> bool:
    """Record that ``added`` units were added to ``key``'s shared count, which is now ``total``; keep those
    within ``limit`` as this worker's lease and spend one. False when none was within it (refused)."""
    granted = max(0, min(added, limit - (total - added)))
    state = _current()
    with state.lock:
        _put(state.leases, key, [max(0, granted - 1), total, limit])
    return granted > 0


def observed(keys: list[str]) -> dict[str, int] | None:
    """The counts of ``keys`` observed within ``COUNT_CHECK_INTERVAL`` seconds; None if any is older."""
    state = _current()
    oldest = time.monotonic() - api_settings.COUNT_CHECK_INTERVAL
    counts = {}
    for key in keys:
        seen = state.observed.get(key)
        if seen is None or seen[1] < oldest:
            return None
        counts[key] = seen[0]
    return counts


def observe(counts: dict[str, int]) -> None:
    """Remember counts just read from, or answered by, the shared cache."""
    state = _current()
    now = time.monotonic()
    with state.lock:
        for key, count in counts.items():
            _put(state.observed, key, (count, now))


def _put(held: dict, key: str, value) -> None:
    """Set ``key`` as the most recent entry of ``held``, dropping the oldest past ``MAX_KEYS``: one client per
    window each, so an address-hopping caller cannot grow a worker without bound."""
    held.pop(key, None)
    held[key] = value
    if len(held) > MAX_KEYS:
        del held[next(iter(held))]


def forget(keys: list[str] | None = None) -> None:
    """Drop what this worker holds of ``keys`` (all keys when None): after a counter's reset, or a test's
    fresh cache."""
    state = _current()
    with state.lock:
        if keys is None:
            state.leases.clear()
            state.observed.clear()
        for key in keys or ():
            state.leases.pop(key, None)
            state.observed.pop(key, None)
