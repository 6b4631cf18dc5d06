"""The request rate of one explorer, adapted to what it accepts (AIMD pacing).

Public explorers do not publish their limits (``explorer-apis.md`` §1.6: Blockstream ~700 an
hour by a 2026 report, mempool.space "429 if you exceed them, a ban if you repeat"). So the
rate is learnt, per explorer, the way TCP learns a path's capacity (additive/multiplicative
increase, multiplicative decrease: Jacobson 1988; RFC 5681 §3.1):

* requests are spaced ``1 / rate`` apart (a slot each, reserved in order, thread-safe);
* on a 429 the rate falls to 90 % of the rate the explorer was *accepting* just before (the
  successful answers of the last two seconds: behind a token bucket that is its refill rate),
  and halves on each further 429 without a success between (a ban-like refusal backs off
  exponentially); 429s within half a second of a cut answer requests sent before it and cut
  nothing more; ``Retry-After`` holds every request until the time it names;
* after each success the rate creeps up by 2 % per second since the last change, never above
  the *ceiling* (the configured rate: ``--rate`` or the host's default, so a public explorer is
  never asked faster than its documented-safe rate).

``rate=None`` starts without pacing (loopback and self-hosted explorers): pacing begins at the
first 429, from the measured rate. ``adapts=False`` (replaying a cassette) never paces.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Callable

__all__ = ["AdaptiveRate", "MIN_RATE"]

MIN_RATE = 1 / 60  # one request a minute: the slowest an explorer is ever asked
_DECREASE = 0.9  # of the accepted rate, on a 429
_GROWTH_PER_SECOND = 0.02
_WINDOW = 2.0  # seconds of successes that measure the accepted rate
_EPISODE = 0.5  # seconds after a cut in which further 429s (of requests already sent) cut nothing
_FIRST_REST, _MAX_REST = 30.0, 600.0
_MAX_GROWTH_SPAN = 2.0  # seconds counted for growth at one success: an idle spell is no licence to burst


class AdaptiveRate:
    """Request slots for one explorer at a rate that adapts to its 429s (see the module)."""

    def __init__(self, rate: float | None, ceiling: float | None = None,
                 clock: Callable[[], float] = time.monotonic, adapts: bool = True) -> None:
        self.rate = rate
        self.adapts = adapts
        self.ceiling = ceiling if ceiling is not None else rate
        self.clock = clock
        self.throttled = 0  # 429s met
        self.slowdowns = 0  # times the rate was lowered
        self._lock = threading.Lock()
        self._next_slot = 0.0
        self._held_until = 0.0
        self._changed = clock()
        self._started: float | None = None
        self._successes: deque[float] = deque()
        self._success_since_throttle = True
        self._rest = 0.0
        self._cut_at = float("-inf")

    def next_free(self, now: float | None = None) -> float:
        """When this explorer's next request could be sent (clock time; *now* if free)."""
        with self._lock:
            return max(self.clock() if now is None else now, self._next_slot, self._held_until)

    def rest(self) -> None:
        """The explorer failed after its retries (unavailable, or still refusing): ask it
        nothing for 30 s, doubling at each failure without a success between, up to 10 min."""
        with self._lock:
            if not self.adapts:
                return
            self._rest = min(_MAX_REST, self._rest * 2 if self._rest else _FIRST_REST)
            self._held_until = max(self._held_until, self.clock() + self._rest)

    def reserve(self) -> float:
        """Take the next slot: the seconds to wait before sending."""
        with self._lock:
            now = self.clock()
            if self._started is None:
                self._started = now
            slot = max(now, self._next_slot, self._held_until)
            if self.rate:
                self._next_slot = slot + 1.0 / self.rate
            return slot - now

    def succeeded(self) -> None:
        """An answer (not a 429): measure it, and let the rate creep up."""
        with self._lock:
            now = self.clock()
            self._successes.append(now)
            while self._successes and self._successes[0] < now - _WINDOW:
                self._successes.popleft()
            self._success_since_throttle = True
            self._rest = 0.0
            if self.rate is not None:
                grown = self.rate * (1 + _GROWTH_PER_SECOND * min(_MAX_GROWTH_SPAN, max(0.0, now - self._changed)))
                self.rate = min(grown, self.ceiling) if self.ceiling else grown
            self._changed = now

    def throttled_by(self, retry_after: float | None) -> None:
        """A 429: slow down (see the module docstring); hold until *retry_after* seconds."""
        with self._lock:
            now = self.clock()
            self.throttled += 1
            if not self.adapts:
                return
            if retry_after:
                self._held_until = max(self._held_until, now + retry_after)
            if now - self._cut_at < max(_EPISODE, 2.0 / (self.rate or 1.0)):
                return  # sent before the last cut took effect: the same episode, already answered
            if self._success_since_throttle:
                span = min(_WINDOW, now - (self._started if self._started is not None else now))
                recent = sum(1 for t in self._successes if t >= now - _WINDOW)
                accepted = recent / span if span > 0 and recent >= 2 else None
                candidates = [r for r in (self.rate, accepted) if r]
                new = _DECREASE * min(candidates) if candidates else 1.0
            else:
                new = (self.rate or 1.0) / 2
            self.rate = max(MIN_RATE, new)
            self.slowdowns += 1
            self._success_since_throttle = False
            self._changed = self._cut_at = now
            self._next_slot = max(self._next_slot, now + 1.0 / self.rate)

    def snapshot(self) -> dict[str, float | int | None]:
        """For the manifest and the progress line: the rate now and the 429s met."""
        with self._lock:
            return {"rate": None if self.rate is None else round(self.rate, 3),
                    "ceiling": self.ceiling, "throttled": self.throttled, "slowdowns": self.slowdowns}
