"""Supervisor pages for escalation: the rules (edit as JSON, read as a table, test on a case,
history), notification targets, crises and the notifications log. Agents get 403.

Thin like the other views: validate, fetch, call one service, render.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careline.accounts.models import User
from careline.cases.models import Conversation
from careline.escalations.facts import build_facts
from careline.escalations.models import (
    Crisis,
    EscalationRuleSet,
    Notification,
    NotificationStatus,
    NotificationTarget,
    NotifyChannel,
)
from careline.escalations.services import (
    EscalationError,
    current_rules,
    declare_crisis,
    end_crisis,
    save_rules,
    save_target,
)
from careline.workflow.rules import Rule, RuleValidationError, rules_from_json, rules_to_json, trace

PAGE_SIZE = 50


def _supervisor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User), "views behind login_required have a careline user"
    if not user.is_supervisor_or_admin:
        raise PermissionDenied("only supervisors and admins manage escalation")
    return user


class RulesForm(forms.Form):
    rules = forms.CharField(widget=forms.Textarea(attrs={"rows": 24, "class": "mono"}))
    note = forms.CharField(required=False, max_length=200, label="What changed")
    case = forms.IntegerField(required=False, min_value=1, label="Case number")


def _rules_page(
    request: HttpRequest,
    form: RulesForm,
    *,
    rules: list[Rule],
    errors: list[str] | None = None,
    traced: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "rules": rules,
        "errors": errors or [],
        "traced": traced,
        "versions": EscalationRuleSet.objects.select_related("created_by")[:20],
        "in_force": EscalationRuleSet.objects.order_by("-version").first(),
    }
    return render(request, "web/escalations/rules.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def escalation_rules(request: HttpRequest) -> HttpResponse:
    """GET: the rules in force. POST ``action=save`` stores a new version; ``action=test``
    traces the textarea's rules on a case without saving anything."""
    actor = _supervisor(request)
    rules = current_rules()
    if request.method == "GET":
        return _rules_page(request, RulesForm(initial={"rules": rules_to_json(rules)}), rules=rules)
    form = RulesForm(request.POST)
    if not form.is_valid():
        return _rules_page(request, form, rules=rules, status=400)
    text = form.cleaned_data["rules"]
    try:
        if request.POST.get("action") == "test":
            return _test(request, form, text, rules)
        version = save_rules(text=text, actor=actor, note=form.cleaned_data["note"])
    except RuleValidationError as exc:
        return _rules_page(
            request, form, rules=rules, errors=[str(e) for e in exc.errors], status=400
        )
    messages.success(request, f"Escalation rules version {version.version} is in force.")
    return redirect("escalation-rules")


def _test(request: HttpRequest, form: RulesForm, text: str, rules: list[Rule]) -> HttpResponse:
    candidate = rules_from_json(text)
    case_id = form.cleaned_data.get("case")
    case = (
        Conversation.objects.select_related("channel", "author").filter(pk=case_id).first()
        if case_id
        else None
    )
    if case is None:
        form.add_error("case", "no such case")
        return _rules_page(request, form, rules=rules, status=400)
    facts = build_facts(case)
    traced = {"case": case, "facts": facts, "rows": trace(candidate, facts)}
    return _rules_page(request, form, rules=rules, traced=traced)


class TargetForm(forms.Form):
    name = forms.SlugField(max_length=64, help_text='As rules name it, e.g. "supervisors".')
    channel = forms.ChoiceField(choices=NotifyChannel.choices)
    address = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="E-mail addresses (one per line), or the chat webhook's https:// URL.",
    )
    enabled = forms.BooleanField(required=False, initial=True)


@login_required
@require_http_methods(["GET", "POST"])
def notification_targets(request: HttpRequest) -> HttpResponse:
    actor = _supervisor(request)
    form = TargetForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                target = save_target(actor=actor, **form.cleaned_data)
            except EscalationError as exc:
                field, _, message = str(exc).partition(": ")
                form.add_error(field if field in form.fields and message else None, str(exc))
            else:
                messages.success(request, f"Notification target {target} saved.")
                return redirect("notification-targets")
        status = 400
    context = {"form": form, "targets": NotificationTarget.objects.all()}
    return render(request, "web/escalations/targets.html", context, status=status)


class CrisisForm(forms.Form):
    title = forms.CharField(max_length=120)
    topic = forms.CharField(max_length=64, required=False, help_text="A triage topic slug.")
    keywords = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One word or phrase per line. Neither topic nor keywords: every case.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def crisis(request: HttpRequest) -> HttpResponse:
    actor = _supervisor(request)
    form = CrisisForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                declared = declare_crisis(actor=actor, **form.cleaned_data)
            except EscalationError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request, f"Crisis “{declared.title}” declared; supervisors alerted."
                )
                return redirect("crisis")
        status = 400
    crises = Crisis.objects.select_related("started_by", "ended_by")[:50]
    return render(
        request, "web/escalations/crisis.html", {"form": form, "crises": crises}, status=status
    )


@login_required
@require_POST
def crisis_end(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _supervisor(request)
    found = get_object_or_404(Crisis, pk=pk)
    try:
        end_crisis(crisis=found, actor=actor)
    except EscalationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Crisis “{found.title}” ended.")
    return redirect("crisis")


@login_required
@require_GET
def notifications_log(request: HttpRequest) -> HttpResponse:
    _supervisor(request)
    queryset = Notification.objects.select_related("conversation").prefetch_related("attempts")
    status = request.GET.get("status", "")
    if status in NotificationStatus.values:
        queryset = queryset.filter(status=status)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "statuses": NotificationStatus.choices}
    return render(request, "web/escalations/notifications.html", context)
