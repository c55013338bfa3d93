"""The one token bucket of the bot, for the customers' flood limit and the broadcast pace.

Kept as the time the next token is due (the "generic cell rate algorithm" form of a token
bucket): one float instead of a token count and a stamp, and it can both refuse a request
(`take`) and hand out the time of a future one (`reserve`). At most `capacity` requests pass
at once, then `rate` per second. It sits at the bottom and imports nothing of the project.
"""

from __future__ import annotations


class TokenBucket:
    __slots__ = ("interval", "next", "slack", "warned")

    def __init__(self, rate: float, capacity: float, now: float, *, full: bool = True) -> None:
        self.interval = 1.0 / rate  # seconds per token
        self.slack = (capacity - 1) * self.interval  # how far behind `next` may fall: a burst
        self.next = now - self.slack if full else now  # when the next token is due
        self.warned = False  # the flood limit told this customer already (reset on a pass)

    def take(self, now: float) -> bool:
        """Take a token now if there is one."""
        if self.next > now:
            return False
        self.reserve(now)
        self.warned = False
        return True

    def reserve(self, now: float) -> float:
        """Take the next token, whenever it is due; returns that time."""
        slot = max(self.next, now - self.slack)
        self.next = slot + self.interval
        return slot

    def hold(self, until: float) -> None:
        """Nothing passes before `until`; the next token is due one interval after it."""
        self.next = max(self.next, until + self.interval)
