"""Forms of the web app: they validate input and nothing more; the services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from careline.accounts.models import User
from careline.assessments.models import Assessment, Kind, Legitimacy, Sentiment
from careline.assessments.services import KEYWORD_HELP
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
    ("urgent", "Most urgent first"),
    ("recent", "Recent activity"),
    ("oldest", "Oldest activity"),
    ("created", "Newest cases"),
    ("priority", "Priority"),
    ("severity", "Severity"),
]
SEVERITY_FILTER_CHOICES = [
    ("", "Any severity"),
    ("25", "Medium or worse (25+)"),
    ("50", "High or worse (50+)"),
    ("75", "Critical (75+)"),
]
PRIVATE_DATA_CHOICES = [
    ("", "Private data: any"),
    ("yes", "Has private data"),
    ("no", "No private data"),
]


class InboxFilterForm(forms.Form):
    """The inbox's GET filters. Invalid values are dropped, never an error page."""

    q = forms.CharField(required=False, max_length=MAX_SEARCH_CHARS, label="Search")
    status = forms.ChoiceField(required=False, choices=STATUS_FILTER_CHOICES)
    channel = forms.ChoiceField(required=False)
    platform = forms.ChoiceField(required=False, choices=[("", "Any platform"), *Platform.choices])
    assignee = forms.ChoiceField(required=False)
    order = forms.ChoiceField(required=False, choices=ORDER_CHOICES)
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *Kind.choices])
    severity_min = forms.ChoiceField(required=False, choices=SEVERITY_FILTER_CHOICES)
    sentiment = forms.ChoiceField(
        required=False, choices=[("", "Any sentiment"), *Sentiment.choices]
    )
    topic = forms.ChoiceField(required=False)
    private_data = forms.ChoiceField(required=False, choices=PRIVATE_DATA_CHOICES)
    legitimacy = forms.ChoiceField(
        required=False, choices=[("", "Any legitimacy"), *Legitimacy.choices]
    )

    def __init__(self, *args: Any, topics: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["topic"]).choices = [("", "Any topic"), *topics]
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
            order=data.get("order") or "urgent",
            kind=data.get("kind") or "",
            severity_min=int(data["severity_min"]) if data.get("severity_min") else None,
            sentiment=data.get("sentiment") or "",
            topic=data.get("topic") or "",
            private_data={"yes": True, "no": False}.get(data.get("private_data") or ""),
            legitimacy=data.get("legitimacy") or "",
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


class CorrectionForm(forms.Form):
    """An agent's correction of one message's kind, sentiment and topic. The selects start at
    the current values; the service records only the ones that changed."""

    kind = forms.ChoiceField(label="Kind", choices=Kind.choices)
    sentiment = forms.ChoiceField(label="Sentiment", choices=Sentiment.choices)
    topic = forms.ChoiceField(label="Topic")

    def __init__(
        self,
        *args: Any,
        assessment: Assessment,
        topics: list[tuple[str, str]],
        names: dict[str, str],
        **kwargs: Any,
    ) -> None:
        # Every message of the page has one: ids carry the message id to stay unique.
        kwargs.setdefault("auto_id", f"correct-{assessment.message_id}-%s")
        kwargs.setdefault(
            "initial",
            {"kind": assessment.kind, "sentiment": assessment.sentiment, "topic": assessment.topic},
        )
        super().__init__(*args, **kwargs)
        choices = list(topics)
        if assessment.topic and assessment.topic not in dict(choices):
            name = names.get(assessment.topic, assessment.topic)
            choices.append((assessment.topic, f"{name} (inactive)"))
        cast(forms.ChoiceField, self.fields["topic"]).choices = choices


class TopicForm(forms.Form):
    """A topic of the taxonomy. ``slug`` is asked only when adding one: results refer to it."""

    slug = forms.SlugField(max_length=64, label="Slug", help_text="Lower case, e.g. gift_cards.")
    name = forms.CharField(max_length=80, label="Name")
    keywords = forms.CharField(
        required=False,
        label="Keywords",
        help_text=KEYWORD_HELP,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20_000,
    )
    ordering = forms.IntegerField(min_value=0, max_value=32767, initial=100, label="Order")
    active = forms.BooleanField(required=False, initial=True, label="Active")

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["slug"]


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


class ChannelForm(forms.Form):
    """Connect an account: the name, then the credentials its platform needs
    (careline.inbox.channels.NEEDS). Secret fields are password inputs, never echoed back."""

    name = forms.SlugField(max_length=64, help_text="Short, lowercase; used in the webhook URL.")
    display_name = forms.CharField(max_length=120, required=False)

    SECRET_WORDS = ("secret", "token", "password")

    def __init__(self, *args: Any, platform: str, **kwargs: Any) -> None:
        from careline.inbox.channels import NEEDS

        super().__init__(*args, **kwargs)
        self.platform = platform
        for need in NEEDS[platform]:
            secret = any(word in need.key for word in self.SECRET_WORDS)
            hint = need.help + (" — made for you when left empty" if need.generated else "")
            self.fields[need.key] = forms.CharField(
                label=need.key.replace("_", " ").capitalize(),
                required=need.required,
                help_text=hint,
                max_length=2000,
                widget=forms.PasswordInput(render_value=False) if secret else forms.TextInput,
            )

    def credentials(self) -> dict[str, str | None]:
        from careline.inbox.channels import NEEDS

        return {need.key: self.cleaned_data.get(need.key) or None for need in NEEDS[self.platform]}
