"""Forms of the composer, the playbook editor and approvals: they validate input only."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, cast

from django import forms

from careline.replies.approval import MAX_DECISION_CHARS
from careline.replies.playbook_text import KINDS, PURPOSES
from careline.replies.playbooks import MAX_NAME_CHARS

VARIANT_SEPARATOR = "---"
_SEPARATOR_LINE = re.compile(r"^\s*-{3,}\s*$", re.MULTILINE)


def split_variants(raw: str) -> list[str]:
    """Variants typed in one box, separated by a line of three dashes."""
    return [part.strip() for part in _SEPARATOR_LINE.split(raw or "") if part.strip()]


def join_variants(variants: list[str]) -> str:
    return f"\n{VARIANT_SEPARATOR}\n".join(variants)


class PlaybookForm(forms.Form):
    kind = forms.ChoiceField(choices=list(KINDS.items()), required=False)
    topic = forms.ChoiceField(required=False)
    purpose = forms.ChoiceField(choices=list(PURPOSES.items()))
    name = forms.CharField(max_length=MAX_NAME_CHARS)
    variants = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14, "class": "mono"}),
        help_text=f"One template per variant, separated by a line with {VARIANT_SEPARATOR}.",
    )
    active = forms.BooleanField(required=False, initial=True)

    def __init__(self, *args: Any, topics: list[tuple[str, str]], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "playbook-%s")
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["topic"]).choices = [("", "Any topic"), *topics]

    def variant_list(self) -> list[str]:
        return split_variants(self.cleaned_data.get("variants", ""))


class DecisionForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=MAX_DECISION_CHARS,
        widget=forms.TextInput(attrs={"placeholder": "Reason (required to reject)"}),
    )


class ConcessionLimitForm(forms.Form):
    username = forms.CharField(max_length=150)
    amount = forms.DecimalField(min_value=Decimal(0), max_digits=12, decimal_places=2)
