"""Emulated clock: real time, shifted by jumps and optionally sped up.

now()  = the time of the emulated resources: anchor + elapsed * speed.
wall() = AWS's wall clock as clients see it: real time + jumps only.
SigV4 and credential expiry use wall(), so running the resources fast
(--speed) never makes signatures look stale; jumps (advance/set) move
both, which is how tests produce "Signature expired".
"""
import datetime
import threading
import time

UTC = datetime.timezone.utc


def utcnow():
    return datetime.datetime.now(UTC)


class Clock:
    def __init__(self, speed=1.0, start=None):
        self._lock = threading.Lock()
        self._initial_speed = float(speed)
        self._initial_start = start
        self._speed = float(speed)
        self._jump = datetime.timedelta(0)
        self._reanchor(start or utcnow())
        if start is not None:
            self._jump = start - utcnow()

    def now(self):
        with self._lock:
            return self._now_locked()

    def wall(self):
        with self._lock:
            return utcnow() + self._jump

    def _now_locked(self):
        elapsed = (time.monotonic() - self._anchor_real) * self._speed
        return self._anchor_emu + datetime.timedelta(seconds=elapsed)

    def _reanchor(self, emu):
        self._anchor_real = time.monotonic()
        self._anchor_emu = emu

    @property
    def speed(self):
        return self._speed

    def set_speed(self, speed):
        if speed < 0:
            raise ValueError("speed must be >= 0")
        with self._lock:
            self._reanchor(self._now_locked())
            self._speed = float(speed)

    def advance(self, seconds, wall=True):
        """Jump the resources' clock; with wall=False AWS's wall clock stays
        (signatures made now stay current however far the resources go)."""
        delta = datetime.timedelta(seconds=float(seconds))
        with self._lock:
            self._reanchor(self._now_locked() + delta)
            if wall:
                self._jump += delta

    def set(self, when):
        with self._lock:
            delta = when - self._now_locked()
            self._reanchor(when)
            self._jump += delta

    def reset(self):
        """Back to real time at the start-up speed."""
        with self._lock:
            self._speed = self._initial_speed
            self._jump = datetime.timedelta(0)
            self._reanchor(utcnow())

    def skew_seconds(self):
        """How far AWS's wall clock is from the host's clock."""
        with self._lock:
            return self._jump.total_seconds()


def parse_iso(text):
    """Parse an ISO 8601 timestamp into an aware UTC datetime.

    Accepts 'Z' or numeric offsets and fractional seconds; a value without
    an offset is taken as UTC.  Raises ValueError.
    """
    text = text.strip()
    if not text:
        raise ValueError("empty timestamp")
    dt = datetime.datetime.fromisoformat(text.replace("z", "Z"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def iso(dt):
    """AWS reply format: 2024-03-29T06:45:00.123Z."""
    dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (dt.microsecond // 1000)


def amz_date(dt):
    return dt.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
