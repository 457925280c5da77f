"""Forms of the web app: they validate input and nothing more; the services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from careline.accounts.models import User
from careline.cases.models import Conversation
from careline.cases.services import MAX_NOTE_CHARS
from careline.cases.workflow import Status, TransitionError, check_transition
from careline.inbox.models import Channel, Platform, Visibility
from careline.inbox.selectors import MAX_SEARCH_CHARS, InboxFilters
from careline.replies.services import MAX_REPLY_CHARS

STATUS_FILTER_CHOICES = [
    ("", "Any status"),
    ("open", "All open"),
    *[(status.value, status.value.title()) for status in Status],
]
ORDER_CHOICES = [
    ("recent", "Recent activity"),
    ("oldest", "Oldest activity"),
    ("created", "Newest cases"),
    ("priority", "Priority"),
]


class InboxFilterForm(forms.Form):
    """The inbox's GET filters. Invalid values are dropped, never an error page."""

    q = forms.CharField(required=False, max_length=MAX_SEARCH_CHARS, label="Search")
    status = forms.ChoiceField(required=False, choices=STATUS_FILTER_CHOICES)
    channel = forms.ChoiceField(required=False)
    platform = forms.ChoiceField(required=False, choices=[("", "Any platform"), *Platform.choices])
    assignee = forms.ChoiceField(required=False)
    order = forms.ChoiceField(required=False, choices=ORDER_CHOICES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        channels = Channel.objects.order_by("name").values_list("name", flat=True)
        cast(forms.ChoiceField, self.fields["channel"]).choices = [
            ("", "Any channel"),
            *((name, name) for name in channels),
        ]
        people = User.objects.order_by("username").values_list("username", "is_active")
        cast(forms.ChoiceField, self.fields["assignee"]).choices = [
            ("", "Anyone"),
            ("me", "Me"),
            ("none", "Unassigned"),
            *((name, name if active else f"{name} (inactive)") for name, active in people),
        ]

    def filters(self) -> InboxFilters:
        """The valid part of the input as filters; call after ``is_valid()``."""
        data = getattr(self, "cleaned_data", {})
        return InboxFilters(
            status=data.get("status") or "",
            channel=data.get("channel") or "",
            platform=data.get("platform") or "",
            assignee=data.get("assignee") or "",
            q=data.get("q") or "",
            order=data.get("order") or "recent",
        )


class CaseForm(forms.Form):
    """A form of the conversation page. Several share the page (two have a ``reason`` field),
    so each prefixes its element ids to keep every label pointing at its own field."""

    id_prefix = "case"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


class ReplyForm(CaseForm):
    id_prefix = "reply"

    text = forms.CharField(
        label="Reply",
        max_length=MAX_REPLY_CHARS,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "Write a reply…"}),
    )
    visibility = forms.ChoiceField(
        label="Send as",
        choices=[
            (Visibility.PUBLIC, "Public reply"),
            (Visibility.PRIVATE, "Private message"),
        ],
        widget=forms.RadioSelect,
    )

    @classmethod
    def for_case(cls, conversation: Conversation) -> ReplyForm:
        # Answer where the person spoke: privately when the case started in private.
        default = (
            Visibility.PRIVATE
            if conversation.visibility == Visibility.PRIVATE
            else Visibility.PUBLIC
        )
        return cls(initial={"visibility": default})

    @property
    def is_public(self) -> bool:
        return bool(self.cleaned_data["visibility"] == Visibility.PUBLIC)


class AssignForm(CaseForm):
    """Choose an assignee by username; an empty value unassigns.

    The select offers what the actor may choose (agents: themselves or nobody), but any
    existing username validates, so the service gives the reason a choice is refused.
    """

    id_prefix = "assign"

    assignee = forms.CharField(required=False, label="Assignee", widget=forms.Select)

    def __init__(self, *args: Any, actor: User, conversation: Conversation, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"assignee": conversation.assignee.username if conversation.assignee else ""}
        )
        super().__init__(*args, **kwargs)
        current = conversation.assignee
        if actor.is_supervisor_or_admin:
            people = User.objects.filter(is_active=True).order_by("username")
            choices = [("", "Unassigned")] + [(u.username, _person(u)) for u in people]
        else:
            choices = [(actor.username, f"Me ({actor.username})"), ("", "Unassigned")]
        if current is not None and current.username not in dict(choices):
            # Show who has the case even when it is not a choice (another agent, inactive).
            choices.insert(0, (current.username, _person(current)))
        self.fields["assignee"].widget.choices = choices

    def clean_assignee(self) -> User | None:
        username = self.cleaned_data["assignee"]
        if not username:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError(f"There is no user named {username}.")
        return user


class StatusForm(CaseForm):
    """The target status. The select offers only moves the workflow allows this actor, but
    any status validates, so the service gives the reason a move is refused."""

    id_prefix = "status"

    status = forms.ChoiceField(label="Status", choices=[(s.value, s.value.title()) for s in Status])
    reason = forms.CharField(
        required=False,
        max_length=MAX_NOTE_CHARS,
        label="Reason",
        widget=forms.TextInput(attrs={"placeholder": "Reason (optional)"}),
    )

    def __init__(self, *args: Any, actor: User, conversation: Conversation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.targets = allowed_targets(conversation, actor)
        # No preselected move: an accidental click on "Set" must not change the case.
        self.fields["status"].widget.choices = [("", "Choose…")] + [
            (s.value, s.value.title()) for s in self.targets
        ]


class NoteForm(CaseForm):
    id_prefix = "note"

    text = forms.CharField(
        label="Internal note",
        max_length=MAX_NOTE_CHARS,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Only the team sees notes"}),
    )


def allowed_targets(conversation: Conversation, actor: User) -> list[Status]:
    """The statuses ``actor`` may move the case to now, in workflow order."""
    # Asking the workflow about every status keeps its rules in one place.
    allowed = []
    for target in Status:
        try:
            check_transition(
                conversation.status, target, actor_is_supervisor=actor.is_supervisor_or_admin
            )
        except TransitionError:
            continue
        allowed.append(target)
    return allowed


def _person(user: User) -> str:
    full = user.get_full_name()
    return f"{full} ({user.username})" if full else user.username
