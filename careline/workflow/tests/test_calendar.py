from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from careline.workflow.calendar import (
    ALWAYS_OPEN,
    FRIDAY,
    MONDAY,
    SUNDAY,
    BusinessCalendar,
    CalendarError,
)

LONDON = ZoneInfo("Europe/London")
OFFICE = BusinessCalendar.office_hours("Europe/London")
EASTER = BusinessCalendar.office_hours(
    "Europe/London", holidays={date(2026, 4, 3), date(2026, 4, 6)}
)
ROUND_THE_CLOCK_LONDON = BusinessCalendar(
    "Europe/London", {d: [(time(0), time(0))] for d in range(7)}
)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


# 2026-03-02 is a Monday; London is on GMT (= UTC) until 2026-03-29.


def test_it_adds_time_within_the_same_day() -> None:
    assert OFFICE.add_business_time(utc(2026, 3, 2, 10), 90) == utc(2026, 3, 2, 11, 30)


def test_it_carries_the_rest_over_the_night() -> None:
    assert OFFICE.add_business_time(utc(2026, 3, 2, 16, 30), 60) == utc(2026, 3, 3, 9, 30)


def test_a_target_ending_at_closing_time_is_due_at_closing_not_next_morning() -> None:
    assert OFFICE.add_business_time(utc(2026, 3, 2, 16), 60) == utc(2026, 3, 2, 17)


def test_it_starts_counting_at_the_next_opening_when_closed() -> None:
    assert OFFICE.add_business_time(utc(2026, 3, 2, 7), 30) == utc(2026, 3, 2, 9, 30)
    assert OFFICE.add_business_time(utc(2026, 3, 7, 12), 30) == utc(2026, 3, 9, 9, 30)


def test_adding_nothing_returns_the_start_even_when_closed() -> None:
    assert OFFICE.add_business_time(utc(2026, 3, 7, 12), 0) == utc(2026, 3, 7, 12)


def test_it_skips_the_weekend() -> None:
    assert OFFICE.add_business_time(utc(2026, 3, 6, 16, 30), 60) == utc(2026, 3, 9, 9, 30)


def test_it_skips_holidays() -> None:
    # Thursday before Easter, 16:30 BST; Good Friday and Easter Monday are closed.
    start = london(2026, 4, 2, 16, 30)
    assert EASTER.add_business_time(start, 60) == utc(2026, 4, 7, 8, 30)
    assert EASTER.business_minutes_between(start, london(2026, 4, 7, 9, 30)) == 60.0


def test_it_adds_across_several_intervals_in_one_day() -> None:
    split = BusinessCalendar("UTC", {MONDAY: [(time(13), time(17)), (time(9), time(12))]})
    assert split.add_business_time(utc(2026, 3, 2, 11, 30), 60) == utc(2026, 3, 2, 13, 30)
    assert split.business_minutes_between(utc(2026, 3, 2, 11), utc(2026, 3, 2, 14)) == 120.0
    # Only Mondays are open: the next opening after Monday 17:00 is a week later.
    assert split.add_business_time(utc(2026, 3, 2, 16), 120) == utc(2026, 3, 9, 10)


def test_it_accepts_a_timedelta() -> None:
    assert OFFICE.add_business_time(utc(2026, 3, 2, 10), timedelta(hours=8)) == utc(2026, 3, 3, 10)


def test_business_minutes_skip_nights_and_weekends() -> None:
    assert OFFICE.business_minutes_between(utc(2026, 3, 6, 16), utc(2026, 3, 9, 10)) == 120.0
    assert OFFICE.business_minutes_between(utc(2026, 3, 2, 18), utc(2026, 3, 3, 8)) == 0.0


def test_business_minutes_are_negative_when_the_end_is_earlier() -> None:
    assert OFFICE.business_minutes_between(utc(2026, 3, 9, 10), utc(2026, 3, 6, 16)) == -120.0


def test_results_are_in_utc_whatever_the_input_zone() -> None:
    due = OFFICE.add_business_time(london(2026, 6, 1, 10), 30)
    assert due == utc(2026, 6, 1, 9, 30)
    assert due.tzinfo is UTC


def test_office_hours_keep_local_time_across_the_spring_clock_change() -> None:
    # Friday 16:00 GMT plus two hours: one hour on Friday, the other from Monday 09:00 BST.
    assert OFFICE.add_business_time(utc(2026, 3, 27, 16), 120) == utc(2026, 3, 30, 9)
    assert OFFICE.business_minutes_between(utc(2026, 3, 27, 16), utc(2026, 3, 30, 9)) == 120.0


def test_office_hours_keep_local_time_across_the_autumn_clock_change() -> None:
    # Friday 16:00 BST (15:00 UTC) plus two hours ends Monday 10:00 GMT.
    assert OFFICE.add_business_time(utc(2026, 10, 23, 15), 120) == utc(2026, 10, 26, 10)


def test_a_round_the_clock_local_calendar_has_a_23_hour_spring_sunday() -> None:
    sunday = ROUND_THE_CLOCK_LONDON.business_minutes_between(
        london(2026, 3, 29, 0), london(2026, 3, 30, 0)
    )
    assert sunday == 23 * 60.0
    # 24 business hours from Saturday noon end at Sunday 13:00 BST: real time, not wall time.
    assert ROUND_THE_CLOCK_LONDON.add_business_time(utc(2026, 3, 28, 12), 24 * 60) == utc(
        2026, 3, 29, 12
    )


def test_a_round_the_clock_local_calendar_has_a_25_hour_autumn_sunday() -> None:
    sunday = ROUND_THE_CLOCK_LONDON.business_minutes_between(
        london(2026, 10, 25, 0), london(2026, 10, 26, 0)
    )
    assert sunday == 25 * 60.0


def test_a_night_shift_ending_in_the_skipped_hour_ends_when_the_clock_jumps() -> None:
    night = BusinessCalendar("Europe/London", {SUNDAY: [(time(0), time(1, 30))]})
    # 00:00-01:30 lasts 90 minutes on an ordinary Sunday...
    assert night.business_minutes_between(utc(2026, 3, 22), utc(2026, 3, 23)) == 90.0
    # ...but on 29 March the clock jumps from 01:00 GMT to 02:00 BST, so it lasts an hour.
    assert night.business_minutes_between(utc(2026, 3, 29), utc(2026, 3, 30)) == 60.0
    # 30 minutes left that night; the other 10 start at 00:00 BST next Sunday (23:00 UTC).
    assert night.add_business_time(utc(2026, 3, 29, 0, 30), 40) == utc(2026, 4, 4, 23, 10)


def test_a_night_shift_over_the_repeated_hour_lasts_an_hour_longer() -> None:
    night = BusinessCalendar("Europe/London", {SUNDAY: [(time(0), time(3))]})
    # 00:00 BST (23:00 UTC on Saturday) to 03:00 GMT: four real hours.
    assert night.business_minutes_between(utc(2026, 10, 24), utc(2026, 10, 26)) == 240.0
    assert night.add_business_time(utc(2026, 10, 24, 22), 210) == utc(2026, 10, 25, 2, 30)


def test_an_always_open_calendar_counts_elapsed_time_across_clock_changes() -> None:
    assert ALWAYS_OPEN.add_business_time(utc(2026, 3, 29, 0, 30), 60) == utc(2026, 3, 29, 1, 30)
    london_24_7 = BusinessCalendar.twenty_four_seven("Europe/London")
    minutes = london_24_7.business_minutes_between(london(2026, 3, 28, 12), london(2026, 3, 29, 12))
    assert minutes == 23 * 60.0
    assert london_24_7.is_open(utc(2026, 12, 25, 3))


def test_is_open_and_next_opening() -> None:
    assert OFFICE.is_open(utc(2026, 3, 2, 9))
    assert not OFFICE.is_open(utc(2026, 3, 2, 17))
    assert OFFICE.next_opening(utc(2026, 3, 6, 17)) == utc(2026, 3, 9, 9)
    assert OFFICE.next_opening(utc(2026, 3, 2, 10, 15)) == utc(2026, 3, 2, 10, 15)
    assert EASTER.next_opening(london(2026, 4, 2, 17)) == utc(2026, 4, 7, 8)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="start must be timezone-aware"):
        OFFICE.add_business_time(datetime(2026, 3, 2, 10), 5)
    with pytest.raises(ValueError, match="b must be timezone-aware"):
        OFFICE.business_minutes_between(utc(2026, 3, 2), datetime(2026, 3, 3))


def test_negative_time_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        OFFICE.add_business_time(utc(2026, 3, 2, 10), -5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tz": "Mars/Olympus", "weekly": {0: [(time(9), time(17))]}}, "tz: unknown time zone"),
        ({"tz": "UTC", "weekly": {7: [(time(9), time(17))]}}, "weekly: weekday 7"),
        ({"tz": "UTC", "weekly": {0: [(time(17), time(9))]}}, "weekly.monday: interval 17:00"),
        (
            {"tz": "UTC", "weekly": {FRIDAY: [(time(9), time(13)), (time(12), time(17))]}},
            "weekly.friday: intervals 09:00-13:00 and 12:00-17:00 overlap",
        ),
        ({"tz": "UTC", "weekly": {}}, "no business hours on any weekday"),
    ],
)
def test_unusable_calendars_are_refused_naming_the_field(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(CalendarError, match=message):
        BusinessCalendar(**kwargs)  # type: ignore[arg-type]


def test_touching_intervals_are_merged() -> None:
    cal = BusinessCalendar("UTC", {MONDAY: [(time(9), time(12)), (time(12), time(17))]})
    assert cal.to_dict()["weekly"] == {"monday": [["09:00", "17:00"]]}


def test_a_calendar_that_never_opens_again_raises_instead_of_looping() -> None:
    closed = {date(2026, 3, 2) + timedelta(days=i) for i in range(4 * 366)}
    cal = BusinessCalendar("UTC", {d: [(time(9), time(17))] for d in range(7)}, holidays=closed)
    with pytest.raises(CalendarError, match="no business hours for 1098 days"):
        cal.add_business_time(utc(2026, 3, 2), 5)


def test_a_calendar_round_trips_through_its_dict_form() -> None:
    data = EASTER.to_dict()
    assert data == {
        "tz": "Europe/London",
        "always_open": False,
        "weekly": {
            day: [["09:00", "17:00"]]
            for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
        },
        "holidays": ["2026-04-03", "2026-04-06"],
    }
    assert BusinessCalendar.from_dict(data) == EASTER
    assert ROUND_THE_CLOCK_LONDON.to_dict()["weekly"]["sunday"] == [["00:00", "24:00"]]
    assert BusinessCalendar.from_dict(ROUND_THE_CLOCK_LONDON.to_dict()) == ROUND_THE_CLOCK_LONDON


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"weekly": {}}, "tz: a time zone name"),
        ({"tz": "UTC", "weekly": {"funday": []}}, "weekly.funday: not a weekday name"),
        ({"tz": "UTC", "weekly": {"monday": [["9am", "17:00"]]}}, r"weekly.monday\[0\]: '9am'"),
        ({"tz": "UTC", "weekly": {"monday": [["09:00"]]}}, r"weekly.monday\[0\]: must be"),
        (
            {"tz": "UTC", "weekly": {"monday": [["09:00", "17:00"]]}, "holidays": ["25/12"]},
            r"holidays\[0\]: '25/12'",
        ),
        ({"tz": "UTC", "open": True}, "open: unknown field"),
    ],
)
def test_calendar_dicts_are_validated_naming_the_field(
    data: dict[str, object], message: str
) -> None:
    with pytest.raises(CalendarError, match=message):
        BusinessCalendar.from_dict(data)
