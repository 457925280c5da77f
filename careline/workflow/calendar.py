"""Business hours in one time zone: opening intervals per weekday, holidays, DST-correct. Pure.

Opening hours are local wall-clock times; business time is real elapsed time while open, so a
night shift that spans a clock change lasts one hour less (spring) or more (autumn) than its
wall-clock length. A wall-clock time skipped by a spring-forward change is read as the moment
the clock jumps (an office "open from 01:30" on that night opens at the jump); an ambiguous
time on a fall-back night is its first occurrence. Every result is returned in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# A calendar with no opening in this span is a configuration error, not a long weekend.
_MAX_CLOSED_DAYS = 3 * 366
# An interval ending at 00:00 ends at midnight at the end of its day ("09:00-00:00").
END_OF_DAY = time(0, 0)

Interval = tuple[time, time]


class CalendarError(ValueError):
    """The calendar definition is unusable, or it never opens; the message names the field."""


def as_utc(value: datetime, name: str = "datetime") -> datetime:
    """Return ``value`` in UTC; raise ValueError for a naive datetime (we never guess a zone)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


def _normalise_day(weekday: int, intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """Sort, validate and merge touching intervals; overlaps are refused, not guessed."""
    name = WEEKDAY_NAMES[weekday]
    spans: list[tuple[time, time, bool]] = []
    for pair in intervals:
        try:
            start, end = pair
        except (TypeError, ValueError) as exc:
            raise CalendarError(f"weekly.{name}: each interval is a (start, end) pair") from exc
        if not isinstance(start, time) or not isinstance(end, time):
            raise CalendarError(f"weekly.{name}: interval times must be datetime.time values")
        if start.tzinfo is not None or end.tzinfo is not None:
            raise CalendarError(f"weekly.{name}: times are wall-clock times without a zone")
        to_midnight = end == END_OF_DAY
        if not to_midnight and end <= start:
            raise CalendarError(
                f"weekly.{name}: interval {start:%H:%M}-{end:%H:%M} ends before it starts"
            )
        spans.append((start, end, to_midnight))
    spans.sort(key=lambda s: s[0])
    merged: list[tuple[time, time, bool]] = []
    for start, end, to_midnight in spans:
        if merged:
            p_start, p_end, p_midnight = merged[-1]
            if p_midnight or start < p_end:
                raise CalendarError(
                    f"weekly.{name}: intervals {p_start:%H:%M}-{p_end:%H:%M} and "
                    f"{start:%H:%M}-{end:%H:%M} overlap"
                )
            if start == p_end:
                merged[-1] = (p_start, end, to_midnight)
                continue
        merged.append((start, end, to_midnight))
    return tuple((start, end) for start, end, _ in merged)


@dataclass(frozen=True)
class BusinessCalendar:
    """When a team works: ``weekly`` maps a weekday (0 = Monday) to local (start, end) times.

    ``holidays`` are local dates with no business hours. ``always_open`` ignores both and
    counts every minute (24/7). An end time of 00:00 means midnight at the end of the day.
    Raises CalendarError for an unknown zone, a bad weekday, reversed or overlapping intervals,
    or a calendar with no hours at all.
    """

    tz: str
    weekly: Mapping[int, Sequence[Interval]]
    holidays: AbstractSet[date] = frozenset()
    always_open: bool = False
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _days: tuple[tuple[Interval, ...], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            zone = ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise CalendarError(f"tz: unknown time zone {self.tz!r}") from exc
        for key in self.weekly:
            if isinstance(key, bool) or not isinstance(key, int) or not 0 <= key <= 6:
                raise CalendarError(f"weekly: weekday {key!r} is not 0 (Monday) to 6 (Sunday)")
        days = tuple(_normalise_day(d, self.weekly.get(d, ())) for d in range(7))
        if not self.always_open and not any(days):
            raise CalendarError("weekly: the calendar has no business hours on any weekday")
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "_zone", zone)
        object.__setattr__(self, "_days", days)

    def __hash__(self) -> int:
        return hash((self.tz, self._days, self.holidays, self.always_open))

    @classmethod
    def office_hours(
        cls,
        tz: str,
        *,
        start: time = time(9),
        end: time = time(17),
        weekdays: Iterable[int] = (MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY),
        holidays: Iterable[date] = (),
    ) -> BusinessCalendar:
        """The same hours on each of ``weekdays`` (default Monday to Friday, 09:00-17:00)."""
        return cls(tz=tz, weekly={d: [(start, end)] for d in weekdays}, holidays=set(holidays))

    @classmethod
    def twenty_four_seven(cls, tz: str = "UTC") -> BusinessCalendar:
        """Always open: business time is elapsed time."""
        return cls(tz=tz, weekly={}, always_open=True)

    # -- queries -----------------------------------------------------------------------------

    def add_business_time(self, start: datetime, minutes: float | timedelta) -> datetime:
        """Return the UTC instant at which ``minutes`` of business time after ``start`` end.

        Adding zero returns ``start`` (in UTC) even when closed; otherwise counting begins at
        the next opening. A target that ends exactly at closing time returns closing time, not
        the next morning. Raises ValueError for a naive ``start`` or negative ``minutes``.
        """
        cursor = as_utc(start, "start")
        remaining = minutes if isinstance(minutes, timedelta) else timedelta(minutes=minutes)
        if remaining < timedelta(0):
            raise ValueError(f"cannot add negative business time ({remaining})")
        if not remaining:
            return cursor
        if self.always_open:
            return cursor + remaining
        for opens, closes in self._open_intervals(cursor):
            opens = max(opens, cursor)
            span = closes - opens
            if remaining <= span:
                return opens + remaining
            remaining -= span
        raise CalendarError("the calendar stopped opening")  # _open_intervals raises first

    def business_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Business time from ``a`` to ``b``; negative when ``b`` is before ``a``."""
        a, b = as_utc(a, "a"), as_utc(b, "b")
        if b < a:
            return -self.business_time_between(b, a)
        if self.always_open:
            return b - a
        total = timedelta(0)
        for opens, closes in self._open_intervals(a):
            if opens >= b:
                break
            total += min(closes, b) - max(opens, a)
        return total

    def business_minutes_between(self, a: datetime, b: datetime) -> float:
        """Business minutes from ``a`` to ``b`` (negative when ``b`` is before ``a``)."""
        return self.business_time_between(a, b) / timedelta(minutes=1)

    def is_open(self, at: datetime) -> bool:
        """Whether business time is counting at ``at``."""
        at = as_utc(at, "at")
        if self.always_open:
            return True
        opens, _ = next(self._open_intervals(at))
        return opens <= at

    def next_opening(self, at: datetime) -> datetime:
        """``at`` (in UTC) when open, else the UTC instant the calendar next opens."""
        at = as_utc(at, "at")
        if self.always_open:
            return at
        opens, _ = next(self._open_intervals(at))
        return max(opens, at)

    # -- serialisation -----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form: {"tz", "always_open", "weekly": {"monday": [["09:00","17:00"]]},
        "holidays": ["2026-12-25"]}."""
        return {
            "tz": self.tz,
            "always_open": self.always_open,
            "weekly": {
                WEEKDAY_NAMES[d]: [
                    [_hhmm(s), "24:00" if e == END_OF_DAY else _hhmm(e)] for s, e in self._days[d]
                ]
                for d in range(7)
                if self._days[d]
            },
            "holidays": sorted(h.isoformat() for h in self.holidays),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BusinessCalendar:
        """Inverse of ``to_dict``; raises CalendarError naming the bad field."""
        unknown = set(data) - {"tz", "always_open", "weekly", "holidays"}
        if unknown:
            raise CalendarError(f"{sorted(unknown)[0]}: unknown field")
        tz = data.get("tz")
        if not isinstance(tz, str) or not tz:
            raise CalendarError("tz: a time zone name such as 'Europe/London' is required")
        always_open = data.get("always_open", False)
        if not isinstance(always_open, bool):
            raise CalendarError("always_open: must be true or false")
        raw_weekly = data.get("weekly", {})
        if not isinstance(raw_weekly, Mapping):
            raise CalendarError("weekly: must be an object keyed by weekday name")
        weekly: dict[int, list[Interval]] = {}
        for name, pairs in raw_weekly.items():
            if name not in WEEKDAY_NAMES:
                raise CalendarError(f"weekly.{name}: not a weekday name (monday ... sunday)")
            if not isinstance(pairs, list):
                raise CalendarError(f"weekly.{name}: must be a list of [start, end] pairs")
            day = WEEKDAY_NAMES.index(name)
            weekly[day] = []
            for i, pair in enumerate(pairs):
                if not isinstance(pair, list | tuple) or len(pair) != 2:
                    raise CalendarError(f"weekly.{name}[{i}]: must be a [start, end] pair")
                weekly[day].append(
                    (
                        _parse_hhmm(pair[0], f"weekly.{name}[{i}]"),
                        _parse_hhmm(pair[1], f"weekly.{name}[{i}]"),
                    )
                )
        raw_holidays = data.get("holidays", [])
        if not isinstance(raw_holidays, list):
            raise CalendarError("holidays: must be a list of YYYY-MM-DD dates")
        holidays = set()
        for i, value in enumerate(raw_holidays):
            try:
                holidays.add(date.fromisoformat(value))
            except (TypeError, ValueError) as exc:
                raise CalendarError(f"holidays[{i}]: {value!r} is not a YYYY-MM-DD date") from exc
        return cls(tz=tz, weekly=weekly, holidays=holidays, always_open=always_open)

    # -- internals ---------------------------------------------------------------------------

    def _wall_to_utc(self, day: date, at: time) -> datetime:
        naive = datetime.combine(day, at)
        instant = naive.replace(tzinfo=self._zone).astimezone(UTC)  # fold=0: first occurrence
        if instant.astimezone(self._zone).replace(tzinfo=None) == naive:
            return instant
        # Skipped by a spring-forward change: fold=1 lands before the jump, fold=0 after it.
        before = naive.replace(tzinfo=self._zone, fold=1).astimezone(UTC)
        return self._transition_between(before, instant)

    def _transition_between(self, before: datetime, after: datetime) -> datetime:
        """The first second whose UTC offset differs from ``before``'s (tz changes are whole
        seconds)."""
        offset = before.astimezone(self._zone).utcoffset()
        lo, hi = int(before.timestamp()), int(after.timestamp())
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if datetime.fromtimestamp(mid, self._zone).utcoffset() == offset:
                lo = mid
            else:
                hi = mid
        return datetime.fromtimestamp(hi, UTC)

    def _day_intervals(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        if day in self.holidays:
            return
        for start, end in self._days[day.weekday()]:
            opens = self._wall_to_utc(day, start)
            if end == END_OF_DAY:
                closes = self._wall_to_utc(day + timedelta(days=1), END_OF_DAY)
            else:
                closes = self._wall_to_utc(day, end)
            yield opens, closes

    def _open_intervals(self, since: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Yield open [opens, closes) UTC intervals, in order, that close after ``since``.

        Raises CalendarError after ``_MAX_CLOSED_DAYS`` without an opening.
        """
        # Start a day early: UTC and local dates differ near midnight.
        day = since.astimezone(self._zone).date() - timedelta(days=1)
        last_close: datetime | None = None
        closed_days = 0
        while True:
            opened = False
            for opens, closes in self._day_intervals(day):
                # Clock changes can make consecutive wall-clock intervals touch or cross.
                if last_close is not None and opens < last_close:
                    opens = last_close
                if closes <= opens:
                    continue
                last_close = closes
                opened = True
                if closes > since:
                    yield opens, closes
            closed_days = 0 if opened else closed_days + 1
            if closed_days > _MAX_CLOSED_DAYS:
                raise CalendarError(
                    f"the calendar has no business hours for {_MAX_CLOSED_DAYS} days after {day}"
                )
            day += timedelta(days=1)


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M") if not value.second else value.strftime("%H:%M:%S")


def _parse_hhmm(value: object, path: str) -> time:
    if not isinstance(value, str):
        raise CalendarError(f"{path}: times are 'HH:MM' strings, got {value!r}")
    if value == "24:00":
        return END_OF_DAY
    try:
        return time.fromisoformat(value)
    except ValueError as exc:
        raise CalendarError(f"{path}: {value!r} is not an 'HH:MM' time") from exc


ALWAYS_OPEN = BusinessCalendar.twenty_four_seven()
