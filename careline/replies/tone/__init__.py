"""The tone guard: checks a reply before it is sent and explains every finding.

Plain Python (no Django). ``check_reply(text, context)`` returns a :class:`ToneReport`; the
composer shows its findings live and asks for a supervisor's approval when
``report.needs_approval``. See docs/tone-guard.md.
"""

from careline.replies.tone.guard import check_reply
from careline.replies.tone.model import CATEGORIES, SEVERITIES, Finding, ReplyContext, ToneReport

__all__ = ["CATEGORIES", "SEVERITIES", "Finding", "ReplyContext", "ToneReport", "check_reply"]
