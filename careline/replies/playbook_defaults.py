"""The built-in playbooks: used for a kind x topic x purpose when the database has none.

Plain data, no Django. Keys are (kind, topic, purpose); "" is "any". Public initial replies
follow the standard protocol (acknowledge, apologise without blaming, the next step, how to
reach us privately, when to expect an answer) and stay within about four sentences so they fit
every platform. Supervisors override any of them at /settings/playbooks/.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BuiltinPlaybook:
    kind: str
    topic: str
    purpose: str
    name: str
    variants: tuple[str, ...]


_COMPLAINT_INITIAL = (
    "Hi {customer_name}, thank you for telling us about {issue}, and I'm sorry for the "
    "trouble with {product}. I'd like to look into it for you: please {contact_route} with "
    "your order details and we'll get back to you {expected_time}. - {agent_name}",
    "{customer_name}, I'm sorry to hear about {issue}, that's not the experience we want you "
    "to have. Could you {contact_route}? We'll check {order} and reply {expected_time}. "
    "- {agent_name}",
    "Sorry about this, {customer_name}. I understand how frustrating {issue} is. If you "
    "{contact_route} we can go through the details privately, and you'll hear from us "
    "{expected_time}. - {agent_name}",
    "Thanks for raising this, {customer_name}, and apologies for the hassle with {issue}. "
    "The next step is a quick check of {order}: please {contact_route} and we'll be back "
    "{expected_time}. - {agent_name}",
)
_DELIVERY_INITIAL = (
    "Hi {customer_name}, I'm sorry {order} hasn't reached you yet. Let me check where it is: "
    "please {contact_route} with your order number and we'll update you {expected_time}. "
    "- {agent_name}",
    "{customer_name}, sorry you're still waiting for {product}. I'd like to trace it for you, "
    "so could you {contact_route}? You'll hear back {expected_time}. - {agent_name}",
    "Thanks for letting us know, {customer_name}, and apologies for the wait. Please "
    "{contact_route} with the order details and we'll look into the delivery and reply "
    "{expected_time}. - {agent_name}",
)
_REFUND_INITIAL = (
    "Hi {customer_name}, I'm sorry the refund for {order} is causing you trouble. Please "
    "{contact_route} so we can check it together, and we'll reply {expected_time}. "
    "- {agent_name}",
    "{customer_name}, thanks for raising this and sorry for the wait over your return. If you "
    "{contact_route} with the order details, we'll look at where it stands and update you "
    "{expected_time}. - {agent_name}",
    "Sorry about the hassle with your return, {customer_name}. Let's sort it out privately: "
    "please {contact_route} and you'll hear from us {expected_time}. - {agent_name}",
)
_QUALITY_INITIAL = (
    "Hi {customer_name}, I'm sorry {product} isn't right. We'd like to hear more and put it "
    "right: please {contact_route} with a photo and your order details, and we'll reply "
    "{expected_time}. - {agent_name}",
    "{customer_name}, thank you for telling us, and sorry about the problem with {product}. "
    "Could you {contact_route}? We'll look at the options with you {expected_time}. "
    "- {agent_name}",
    "Sorry to hear this, {customer_name}. That's not what you should expect from {product}. "
    "Please {contact_route} and we'll be back to you {expected_time}. - {agent_name}",
)
_QUESTION_INITIAL = (
    "Hi {customer_name}, thanks for asking! I'll find out about {issue} for you. If it needs "
    "your order details, please {contact_route}; either way you'll hear from us "
    "{expected_time}. - {agent_name}",
    "Good question, {customer_name}. Let me check {issue} and come back to you "
    "{expected_time}. For anything about {order}, please {contact_route}. - {agent_name}",
    "Thanks for getting in touch, {customer_name}. We're looking into {issue} and will reply "
    "{expected_time}; if it's about your account or an order, please {contact_route}. "
    "- {agent_name}",
)
_COMPLIMENT_INITIAL = (
    "Thank you so much, {customer_name}! It's great to hear you're happy with {product}, and "
    "I'll pass your kind words on to the team. - {agent_name}",
    "{customer_name}, this made our day, thank you! We're really glad {product} works for "
    "you. - {agent_name}",
    "Thanks for taking the time to share this, {customer_name}. Lovely to hear, and the team "
    "will be delighted. - {agent_name}",
)
_FEEDBACK_INITIAL = (
    "Thanks for the suggestion, {customer_name}. I've shared your idea about {issue} with "
    "the team who look after it. If you'd like to tell us more, please {contact_route}. "
    "- {agent_name}",
    "{customer_name}, thank you for the feedback on {issue}. It helps us get better, and "
    "I've passed it on. - {agent_name}",
    "We appreciate you telling us this, {customer_name}. Your feedback about {issue} is now "
    "with the right team. If there's more, please {contact_route}. - {agent_name}",
)
_ANY_INITIAL = (
    "Hi {customer_name}, thanks for reaching out. We're looking into {issue} and will reply "
    "{expected_time}. If it's about an order, please {contact_route}. - {agent_name}",
    "Thanks for your message, {customer_name}. I'll check {issue} and come back to you "
    "{expected_time}. - {agent_name}",
    "{customer_name}, thanks for getting in touch. You'll hear from us {expected_time}; for "
    "anything private, please {contact_route}. - {agent_name}",
)
_ESCALATION = (
    "Hi {customer_name}, I've passed your case about {issue} to a specialist colleague, who "
    "will be in touch {expected_time}. Thank you for your patience. - {agent_name}",
    "{customer_name}, thanks for your patience. To get this right I've escalated {issue} to "
    "the team that handles it, and you'll hear from them {expected_time}. - {agent_name}",
    "Sorry for the wait, {customer_name}. A senior colleague now has your case and will reply "
    "{expected_time}. - {agent_name}",
)
_FOLLOW_UP = (
    "Hi {customer_name}, thanks for your patience with {issue}. Is there anything more we can "
    "do? - {agent_name}",
    "{customer_name}, sorry again for the trouble with {issue}. If anything is still open, "
    "please {contact_route}. - {agent_name}",
    "Hello again {customer_name}, thank you for being patient. I hope {issue} is sorted now; "
    "let us know if you need anything else. - {agent_name}",
)
_RESOLUTION_CHECK = (
    "Hi {customer_name}, thanks for your patience. Does the solution we proposed for {issue} "
    "work for you? If not, tell us and we'll look again. - {agent_name}",
    "{customer_name}, sorry again for the hassle. Is the resolution for {order} acceptable to "
    "you? We're happy to go through other options if it isn't. - {agent_name}",
    "Hello {customer_name}, we understand how much {issue} matters, so we'd like to make sure "
    "it is properly settled. Are you happy with the outcome? - {agent_name}",
)
_SATISFACTION = (
    "Hi {customer_name}, thanks for your patience with {issue}. Would you tell us how we did? "
    "It takes a minute. {survey_link} - {agent_name}",
    "{customer_name}, thank you for your patience; we hope everything is sorted now. Could you "
    "rate how we handled it? {survey_link} - {agent_name}",
    "Thanks for sticking with us, {customer_name}. Your view helps us improve, so here is one "
    "quick question about your case. {survey_link} - {agent_name}",
)
_STORY_CONSENT = (
    "Hi {customer_name}, thanks for your patience, and we're glad {issue} is resolved. Would "
    "you be happy for us to share your story publicly, without any personal details? Just "
    "reply yes or no. - {agent_name}",
    "{customer_name}, thank you for your patience throughout. May we mention how we resolved "
    "your case as an example for others (no names or order details)? A yes or no is enough. "
    "- {agent_name}",
    "Hello {customer_name}, thanks for sharing your experience with us. With your permission "
    "we'd like to share it as a short success story, anonymised. Is that okay with you? "
    "- {agent_name}",
)

BUILTIN_PLAYBOOKS: tuple[BuiltinPlaybook, ...] = (
    BuiltinPlaybook("complaint", "", "initial", "Complaint: first response", _COMPLAINT_INITIAL),
    BuiltinPlaybook(
        "complaint", "delivery", "initial", "Delivery complaint: first response", _DELIVERY_INITIAL
    ),
    BuiltinPlaybook(
        "complaint",
        "refund_return",
        "initial",
        "Refund or return complaint: first response",
        _REFUND_INITIAL,
    ),
    BuiltinPlaybook(
        "complaint",
        "product_quality",
        "initial",
        "Product quality complaint: first response",
        _QUALITY_INITIAL,
    ),
    BuiltinPlaybook("question", "", "initial", "Question: first response", _QUESTION_INITIAL),
    BuiltinPlaybook("compliment", "", "initial", "Compliment: thank you", _COMPLIMENT_INITIAL),
    BuiltinPlaybook("feedback", "", "initial", "Feedback: thank you", _FEEDBACK_INITIAL),
    BuiltinPlaybook("", "", "initial", "Any message: first response", _ANY_INITIAL),
    BuiltinPlaybook("", "", "escalation_notice", "Escalation notice", _ESCALATION),
    BuiltinPlaybook("", "", "follow_up", "Follow-up", _FOLLOW_UP),
    BuiltinPlaybook("", "", "resolution_check", "Resolution check", _RESOLUTION_CHECK),
    BuiltinPlaybook("", "", "satisfaction_ask", "Satisfaction ask", _SATISFACTION),
    BuiltinPlaybook("", "", "story_consent", "Success-story consent ask", _STORY_CONSENT),
)


def lookup_order(kind: str, topic: str) -> list[tuple[str, str, str]]:
    """(kind, topic, how it matched) from the most to the least specific: the exact kind and
    topic, the kind for any topic, the topic for any kind, then any message."""
    steps = [
        (kind, topic, f"written for {kind} x {topic}"),
        (kind, "", f"written for {kind}, any topic"),
        ("", topic, f"written for {topic}, any kind"),
        ("", "", "written for any message"),
    ]
    out: list[tuple[str, str, str]] = []
    for k, t, how in steps:
        if (k and not kind) or (t and not topic) or any((k, t) == (o[0], o[1]) for o in out):
            continue
        out.append((k, t, how))
    return out


def builtin_for(kind: str, topic: str, purpose: str) -> tuple[BuiltinPlaybook, str] | None:
    """The most specific built-in playbook for the purpose and how it matched, or None."""
    index = {(p.kind, p.topic, p.purpose): p for p in BUILTIN_PLAYBOOKS}
    for want_kind, want_topic, how in lookup_order(kind, topic):
        playbook = index.get((want_kind, want_topic, purpose))
        if playbook is not None:
            return playbook, how
    return None
