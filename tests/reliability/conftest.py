"""Fixtures for the reliability tests: a tally of fuzzed requests, reported at the end of the run."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from http import HTTPStatus

import pytest

_TALLY_KEY = pytest.StashKey["FuzzTally"]()


@dataclass
class FuzzTally:
    """Status codes of every request the fuzzer made, so the run can quote its figures."""

    statuses: Counter[int] = field(default_factory=Counter)
    by_operation: Counter[tuple[str, int]] = field(default_factory=Counter)

    def record(self, operation: str, status_code: int) -> None:
        self.statuses[status_code] += 1
        self.by_operation[operation, status_code] += 1

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= HTTPStatus.INTERNAL_SERVER_ERROR)

    def summary(self) -> str:
        by_status = ", ".join(f"{status}: {count}" for status, count in sorted(self.statuses.items()))
        return f"fuzz: {self.requests} requests, {self.server_errors} 5xx ({by_status})"


@pytest.fixture
def fuzz_tally(pytestconfig: pytest.Config) -> FuzzTally:
    return pytestconfig.stash.setdefault(_TALLY_KEY, FuzzTally())


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    tally = config.stash.get(_TALLY_KEY, None)
    if tally is not None:
        terminalreporter.write_line(tally.summary())
        if config.get_verbosity() > 0:
            for (operation, status), count in sorted(tally.by_operation.items()):
                terminalreporter.write_line(f"  {operation} -> {status}: {count}")
