"""Slowing down password guessing, per account and per network address."""
from collections.abc import Callable
from dataclasses import dataclass, field
from time import monotonic

FREE_FAILURES = 3
MAX_DELAY_SECONDS = 60.0
FORGET_AFTER_SECONDS = 15 * 60.0


@dataclass(kw_only=True, slots=True)
class _Record:
    failures: int = 0
    last_failure: float = 0.0


@dataclass(kw_only=True)
class SignInThrottle:
    """Remembers recent failures in memory (one process serves a self-hosted install).

    The first few failures are free (typos happen); then each further one doubles the wait before the next
    attempt is even checked, up to a minute. A success clears the record.
    """
    clock: Callable[[], float] = monotonic
    _records: dict[str, _Record] = field(default_factory=dict)

    def wait_seconds(self, *keys: str) -> float:
        """How long the caller must wait before an attempt for any of these keys is checked."""
        now = self.clock()
        return max((self._wait_for(key, now) for key in keys), default=0.0)

    def record_failure(self, *keys: str) -> None:
        now = self.clock()
        for key in keys:
            record = self._fresh_record(key, now)
            record.failures += 1
            record.last_failure = now
            self._records[key] = record

    def record_success(self, *keys: str) -> None:
        for key in keys:
            self._records.pop(key, None)

    def _wait_for(self, key: str, now: float) -> float:
        record = self._fresh_record(key, now)
        if record.failures < FREE_FAILURES:
            return 0.0
        delay = min(MAX_DELAY_SECONDS, 2.0 ** (record.failures - FREE_FAILURES))
        return max(0.0, record.last_failure + delay - now)

    def _fresh_record(self, key: str, now: float) -> _Record:
        record = self._records.get(key)
        if record is None or now - record.last_failure > FORGET_AFTER_SECONDS:
            return _Record()
        return record
