"""Which conversation a new item joins. Pure: it sees plain facts, not the database.

Rules, in order:
1. A reply joins its parent's conversation (a closed one starts a new case; a resolved one is
   reopened by the caller).
2. A reply whose parent we have not seen joins a conversation that already holds a sibling
   (another reply to the same post), so out-of-order deliveries stay together.
3. A post whose replies arrived before it joins their conversation.
4. A direct message joins the author's open conversation, whatever channel it started on, so a
   public acknowledgment and the private follow-up stay one case.
5. Anything else starts a new conversation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from careline.connectors.base import InboundItem


@dataclass(frozen=True, slots=True)
class KnownMessage:
    conversation_id: int | str  # an int for stored cases, a str key for ones made in this batch
    thread_root: str
    conversation_closed: bool


@dataclass(frozen=True, slots=True)
class ThreadDecision:
    conversation: int | str | None  # None: start a new conversation
    thread_root: str
    reason: str


def decide_thread(
    item: InboundItem,
    *,
    by_external_id: Mapping[str, KnownMessage],
    by_thread_root: Mapping[str, KnownMessage],
    open_conversation_of_author: Mapping[str, int | str],
) -> ThreadDecision:
    if item.reply_to:
        parent = by_external_id.get(item.reply_to)
        if parent is not None:
            root = parent.thread_root or item.reply_to
            if parent.conversation_closed:
                return ThreadDecision(None, root, f"reply to {item.reply_to}, whose case is closed")
            return ThreadDecision(parent.conversation_id, root, f"reply to {item.reply_to}")
        sibling = by_thread_root.get(item.reply_to)
        if sibling is not None and not sibling.conversation_closed:
            return ThreadDecision(
                sibling.conversation_id,
                item.reply_to,
                f"reply to {item.reply_to} (not received yet), beside other replies to it",
            )
    else:
        early = by_thread_root.get(item.external_id)
        if early is not None and not early.conversation_closed:
            return ThreadDecision(
                early.conversation_id, item.external_id, "its replies arrived before it"
            )
    root = item.reply_to or item.external_id
    if not item.public:
        open_case = open_conversation_of_author.get(item.author_id)
        if open_case is not None:
            return ThreadDecision(open_case, root, "direct message from a person with an open case")
    if item.reply_to:
        return ThreadDecision(None, root, f"reply to {item.reply_to}, which was never received")
    kind = "public post" if item.public else "direct message"
    return ThreadDecision(None, root, f"new {kind}")
