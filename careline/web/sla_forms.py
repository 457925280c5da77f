"""Forms of the SLA settings page: they read and validate input; careline.sla.services saves."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms

from careline.cases.models import Priority
from careline.inbox.models import Channel
from careline.sla.models import BusinessHours, SlaPolicyRow
from careline.sla.services import SlaSettingsError, parse_calendar
from careline.workflow.calendar import WEEKDAY_NAMES, BusinessCalendar

_INTERVAL = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-\u2013]\s*(\d{1,2}:\d{2})\s*$")


class PolicyForm(forms.Form):
    name = forms.CharField(max_length=64)
    priority = forms.ChoiceField(choices=Priority.choices)
    channel = forms.ModelChoiceField(
        queryset=Channel.objects.order_by("name"),
        required=False,
        empty_label="Every channel",
        to_field_name="name",
    )
    first_response_minutes = forms.IntegerField(min_value=1, label="First response (min)")
    next_response_minutes = forms.IntegerField(min_value=1, label="Next response (min)")
    resolution_minutes = forms.IntegerField(min_value=1, label="Resolution (min)")
    hours = forms.ModelChoiceField(
        queryset=BusinessHours.objects.order_by("name"),
        required=False,
        empty_label="Around the clock (24/7)",
        label="Business hours",
    )
    warn_before_percent = forms.IntegerField(
        min_value=0,
        max_value=99,
        initial=20,
        label="Warn with % left",
        help_text="Share of each target left when the warning fires; 0 turns warnings off.",
    )
    ordering = forms.IntegerField(min_value=0, max_value=32767, initial=100, label="Order")

    @classmethod
    def for_policy(cls, policy: SlaPolicyRow, **kwargs: Any) -> PolicyForm:
        return cls(
            initial={
                "name": policy.name,
                "priority": policy.priority,
                "channel": policy.channel.name if policy.channel else None,
                "first_response_minutes": policy.first_response_minutes,
                "next_response_minutes": policy.next_response_minutes,
                "resolution_minutes": policy.resolution_minutes,
                "hours": policy.hours_id,
                "warn_before_percent": round(policy.warn_before_fraction * 100),
                "ordering": policy.ordering,
            },
            **kwargs,
        )

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["warn_before_fraction"] = data.pop("warn_before_percent") / 100
        return data

    def add_service_error(self, exc: SlaSettingsError) -> None:
        field = exc.field if exc.field in self.fields else None
        if exc.field == "warn_before_fraction":
            field = "warn_before_percent"
        self.add_error(field, exc.message)


class HoursForm(forms.Form):
    """Named business hours: one line per weekday ("09:00-17:00", several separated by commas,
    empty for closed) and holidays, one date a line."""

    name = forms.CharField(max_length=64)
    tz = forms.CharField(max_length=64, initial="Europe/London", label="Time zone")
    always_open = forms.BooleanField(required=False, label="Open around the clock")
    monday = forms.CharField(required=False, initial="09:00-17:00")
    tuesday = forms.CharField(required=False, initial="09:00-17:00")
    wednesday = forms.CharField(required=False, initial="09:00-17:00")
    thursday = forms.CharField(required=False, initial="09:00-17:00")
    friday = forms.CharField(required=False, initial="09:00-17:00")
    saturday = forms.CharField(required=False)
    sunday = forms.CharField(required=False)
    holidays = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One date a line, YYYY-MM-DD.",
    )

    calendar: BusinessCalendar

    def weekday_fields(self) -> list[forms.BoundField]:
        return [self[day] for day in WEEKDAY_NAMES]

    @classmethod
    def for_hours(cls, hours: BusinessHours, **kwargs: Any) -> HoursForm:
        data = hours.calendar
        initial: dict[str, Any] = {
            "name": hours.name,
            "tz": data.get("tz", ""),
            "always_open": data.get("always_open", False),
            "holidays": "\n".join(data.get("holidays", [])),
        }
        for day in WEEKDAY_NAMES:
            spans = data.get("weekly", {}).get(day, [])
            initial[day] = ", ".join(f"{start}-{end}" for start, end in spans)
        return cls(initial=initial, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        weekly: dict[str, list[list[str]]] = {}
        for day in WEEKDAY_NAMES:
            text = (cleaned.get(day) or "").strip()
            if not text:
                continue
            spans = []
            for part in text.split(","):
                match = _INTERVAL.match(part)
                if match is None:
                    self.add_error(day, f"{part.strip()!r} is not a time span like 09:00-17:00")
                    break
                spans.append([match[1].zfill(5), match[2].zfill(5)])
            weekly[day] = spans
        holidays: list[str] = []
        for line in (cleaned.get("holidays") or "").splitlines():
            line = line.strip()
            if not line:
                continue
            try:
                holidays.append(date.fromisoformat(line).isoformat())
            except ValueError:
                self.add_error("holidays", f"{line!r} is not a date like 2026-12-25")
        if self.errors:
            return cleaned
        try:
            self.calendar = parse_calendar(
                tz=(cleaned.get("tz") or "").strip(),
                always_open=bool(cleaned.get("always_open")),
                weekly=weekly,
                holidays=holidays,
            )
        except SlaSettingsError as exc:
            self.add_service_error(exc)
        return cleaned

    def add_service_error(self, exc: SlaSettingsError) -> None:
        """Put a calendar error on its field: ``weekly.monday[0]`` on monday, ``holidays[2]``
        on holidays; a calendar with no hours at all on the form."""
        field = exc.field.split("[")[0]
        if field.startswith("weekly."):
            field = field.removeprefix("weekly.")
        if field == "weekly":
            self.add_error(None, f"Opening hours: {exc.message}")
        elif field in self.fields:
            self.add_error(field, exc.message)
        else:
            self.add_error(None, str(exc))


class UnansweredFilterForm(forms.Form):
    older_than = forms.IntegerField(
        required=False, min_value=0, label="Older than (minutes)", widget=forms.NumberInput()
    )
