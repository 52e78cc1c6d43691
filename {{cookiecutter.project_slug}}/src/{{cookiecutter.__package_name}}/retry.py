"""Retries with exponential backoff and jitter, bounded in attempts and in time.

This module has no WeCom-specific code. The client decides which failures are
transient by raising :class:`TransientError`.
"""

import random
import time
from collections.abc import Callable
from typing import TypeVar

from .config import RetryPolicy
from .i18n import tr
from .redaction import log

T = TypeVar("T")

# The first wait in seconds, doubled after each further failure, and its ceiling.
BASE_DELAY = 1.0
MAX_DELAY = 20.0


class TransientError(Exception):
    """A failure that may pass: the caller retries it.

    ``min_delay`` is the shortest sensible wait, such as a rate-limit window.
    ``final_error`` is the exception to raise when no retry is left.
    """

    def __init__(self, reason: str, final_error: Exception, min_delay: float = 0.0):
        super().__init__(reason)
        self.reason = reason
        self.final_error = final_error
        self.min_delay = min_delay


def call_with_retries(
    attempt: Callable[[], T],
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Call ``attempt`` until it returns, raises a non-transient error or the policy ends.

    Each retry is logged to stderr with the attempt number, the reason and the wait.
    """
    started = clock()
    for number in range(1, policy.max_attempts + 1):
        try:
            return attempt()
        except TransientError as error:
            delay = backoff_delay(number, error.min_delay)
            out_of_attempts = number >= policy.max_attempts
            out_of_time = clock() - started + delay > policy.max_seconds
            if out_of_attempts or out_of_time:
                raise error.final_error from None
            log(tr("retrying", attempt=number, attempts=policy.max_attempts, reason=error.reason, delay=f"{delay:.1f}"))
            sleep(delay)
    raise AssertionError("unreachable: the loop returns or raises")


def backoff_delay(failed_attempts: int, min_delay: float = 0.0) -> float:
    """Return the wait before the next attempt: exponential, capped, with full jitter.

    The jitter spreads the retries of many builds that failed at the same moment.
    """
    ceiling = min(MAX_DELAY, BASE_DELAY * 2 ** (failed_attempts - 1))
    return max(min_delay, random.uniform(ceiling / 2, ceiling))  # noqa: S311 - jitter, not cryptography.
