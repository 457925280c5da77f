"""Who may see and change what. Every view and API endpoint fetches through these helpers.

- Agents see cases of their teams and cases with no team; other cases are 404 to them.
- Supervisors and admins see every case.
- Channel settings are for admins only (403 for others).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from careline.accounts.models import Role, User
from careline.cases.models import Conversation


def visible_conversations(user: User) -> QuerySet[Conversation]:
    queryset = Conversation.objects.all()
    if user.role in (Role.SUPERVISOR, Role.ADMIN):
        return queryset
    return queryset.filter(Q(team__isnull=True) | Q(team__in=user.teams.all()))


def get_conversation_for_user(user: User, conversation_id: int) -> Conversation:
    """The case, or Http404 when it does not exist or the user may not see it."""
    try:
        return (
            visible_conversations(user)
            .select_related("channel", "author", "author__customer", "assignee", "team")
            .get(pk=conversation_id)
        )
    except Conversation.DoesNotExist as exc:
        raise Http404("no such conversation") from exc


def require_admin(user: User) -> None:
    if user.role != Role.ADMIN:
        raise PermissionDenied("only an admin may change channels")


def can_assign_to(actor: User, assignee: User | None, *, current: User | None) -> bool:
    """Agents may take a free case or let go of their own; moving cases between people is a
    supervisor's job."""
    if actor.role in (Role.SUPERVISOR, Role.ADMIN):
        return True
    if current is not None and current.pk != actor.pk:
        return False
    return assignee is None or assignee.pk == actor.pk
