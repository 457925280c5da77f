"""SLA pages: the policy and business-hours settings (supervisors) and the unanswered report.

Thin like the rest of the web app: validate a form, call one service, render.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careline.accounts.models import User
from careline.sla.models import BusinessHours, SlaPolicyRow
from careline.sla.selectors import unanswered_rows
from careline.sla.services import (
    SlaSettingsError,
    delete_policy,
    save_business_hours,
    save_policy,
)
from careline.web.sla_forms import HoursForm, PolicyForm, UnansweredFilterForm
from careline.web.templatetags.sla import span
from careline.workflow.sla import DEFAULT_TARGETS


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User), "views behind login_required have a careline user"
    return user


def _supervisor(request: HttpRequest) -> User:
    actor = _actor(request)
    if not actor.is_supervisor_or_admin:
        raise PermissionDenied("only supervisors and admins may change SLA policies")
    return actor


def _minutes(value: timedelta) -> int:
    return int(value.total_seconds() // 60)


@login_required
@require_GET
def sla_settings(request: HttpRequest) -> HttpResponse:
    """Policies and business hours, with forms to add them."""
    _supervisor(request)
    return _render_settings(request)


def _render_settings(
    request: HttpRequest,
    *,
    policy_form: PolicyForm | None = None,
    hours_form: HoursForm | None = None,
    status: int = 200,
) -> HttpResponse:
    defaults = [
        {
            "priority": str(priority),
            "first_response": _minutes(targets.first_response),
            "next_response": _minutes(targets.next_response),
            "resolution": _minutes(targets.resolution),
        }
        for priority, targets in DEFAULT_TARGETS.items()
    ]
    context = {
        "policies": SlaPolicyRow.objects.select_related("channel", "hours"),
        "hours_list": BusinessHours.objects.all(),
        "defaults": defaults,
        "policy_form": policy_form or PolicyForm(auto_id="new-policy-%s"),
        "hours_form": hours_form or HoursForm(auto_id="new-hours-%s"),
    }
    return render(request, "web/sla/settings.html", context, status=status)


@login_required
@require_POST
def policy_new(request: HttpRequest) -> HttpResponse:
    actor = _supervisor(request)
    form = PolicyForm(request.POST, auto_id="new-policy-%s")
    if form.is_valid():
        try:
            policy = save_policy(actor=actor, **form.service_kwargs())
        except SlaSettingsError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"Policy {policy.name} added; open cases are re-timed.")
            return redirect("sla-settings")
    return _render_settings(request, policy_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _supervisor(request)
    policy = get_object_or_404(SlaPolicyRow, pk=pk)
    if request.method == "POST":
        form = PolicyForm(request.POST)
        if form.is_valid():
            try:
                save_policy(actor=actor, policy=policy, **form.service_kwargs())
            except SlaSettingsError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, f"Policy {policy.name} saved; open cases are re-timed.")
                return redirect("sla-settings")
        return _render_edit(request, "policy", policy, form, status=400)
    return _render_edit(request, "policy", policy, PolicyForm.for_policy(policy))


@login_required
@require_POST
def policy_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _supervisor(request)
    policy = get_object_or_404(SlaPolicyRow, pk=pk)
    name = policy.name
    delete_policy(policy, actor=actor)
    messages.success(request, f"Policy {name} removed.")
    return redirect("sla-settings")


@login_required
@require_POST
def hours_new(request: HttpRequest) -> HttpResponse:
    actor = _supervisor(request)
    form = HoursForm(request.POST, auto_id="new-hours-%s")
    if form.is_valid():
        try:
            hours = save_business_hours(
                name=form.cleaned_data["name"], calendar=form.calendar, actor=actor
            )
        except SlaSettingsError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"Business hours {hours.name} added.")
            return redirect("sla-settings")
    return _render_settings(request, hours_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def hours_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _supervisor(request)
    hours = get_object_or_404(BusinessHours, pk=pk)
    if request.method == "POST":
        form = HoursForm(request.POST)
        if form.is_valid():
            try:
                save_business_hours(
                    name=form.cleaned_data["name"], calendar=form.calendar, actor=actor, hours=hours
                )
            except SlaSettingsError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, f"Business hours {hours.name} saved.")
                return redirect("sla-settings")
        return _render_edit(request, "hours", hours, form, status=400)
    return _render_edit(request, "hours", hours, HoursForm.for_hours(hours))


def _render_edit(
    request: HttpRequest, kind: str, obj: Any, form: Any, *, status: int = 200
) -> HttpResponse:
    context = {"kind": kind, "obj": obj, "form": form}
    return render(request, "web/sla/edit.html", context, status=status)


@login_required
@require_GET
def unanswered_report(request: HttpRequest) -> HttpResponse:
    """Complaints nobody answered or decided not to answer, oldest first. Supervisors see every
    case; agents the cases of their teams (and those with no team)."""
    actor = _actor(request)
    form = UnansweredFilterForm(request.GET)
    form.is_valid()
    minutes = form.cleaned_data.get("older_than") if hasattr(form, "cleaned_data") else None
    older_than = timedelta(minutes=minutes) if minutes else None
    now = timezone.now()
    rows = unanswered_rows(actor, older_than=older_than, now=now)
    context = {
        "form": form,
        "rows": [(row, span(row.age)) for row in rows],
        "now": now,
    }
    return render(request, "web/sla/unanswered.html", context)
