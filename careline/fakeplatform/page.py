"""``GET /``: what arrived on the platform, newest first, as a small HTML page.

Everything shown is escaped: the bodies are careline's replies, which carry customers' words.
No script; the page reloads itself every few seconds.
"""

from __future__ import annotations

import json
from html import escape
from typing import TYPE_CHECKING, Any

from careline.fakeplatform.web import Response

if TYPE_CHECKING:
    from careline.fakeplatform.server import FakePlatform

MAX_ROWS = 200
STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1d1d1f}
h1{font-size:1.3rem}h2{font-size:1.05rem;margin-top:2rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.35rem;
text-align:left;vertical-align:top}pre{margin:0;white-space:pre-wrap;word-break:break-word;
max-width:60rem}.ok{color:#0a7a2f}.bad{color:#b3261e}.muted{color:#777}code{font-size:.9em}
"""


def _status(value: Any) -> str:
    if value is None:
        return '<span class="bad">no answer</span>'
    css = "ok" if 200 <= int(value) < 300 else "bad"
    return f'<span class="{css}">{int(value)}</span>'


def _pretty(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, indent=1, ensure_ascii=False)
    return escape(text[:4000])


def render(fake: FakePlatform, *, show_all: bool) -> Response:
    rows = fake.requests() if show_all else fake.writes()
    rows = list(reversed(rows))[:MAX_ROWS]
    toggle = (
        '<a href="/">only what careline posted</a>'
        if show_all
        else '<a href="/?all=1">show reads and sign-ins too</a>'
    )
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        '<meta http-equiv="refresh" content="3">',
        "<title>careline fake platform</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>What arrived on the platform</h1>",
        f'<p class="muted">careline fake platform at {escape(fake.base_url)} — newest first, '
        f"{toggle}, JSON at <code>/_fake/posts</code>.</p>",
    ]
    if not rows:
        parts.append("<p>Nothing yet. Send a reply from careline.</p>")
    else:
        parts.append(
            "<table><tr><th>time</th><th>platform</th><th>request</th><th>body</th>"
            "<th>answer</th></tr>"
        )
        for row in rows:
            note = f'<div class="muted">{escape(row["note"])}</div>' if row["note"] else ""
            parts.append(
                f"<tr><td>{escape(row['time'][11:19])}</td><td>{escape(row['platform'])}</td>"
                f"<td><code>{escape(row['method'])} {escape(row['path'])}</code>{note}</td>"
                f"<td><pre>{_pretty(row['body'])}</pre></td>"
                f"<td>{_status(row['status'])}<pre>{_pretty(row['response'])}</pre></td></tr>"
            )
        parts.append("</table>")
    hooks = list(reversed(fake.webhooks()))[:MAX_ROWS]
    if hooks:
        parts.append("<h2>Webhooks sent to careline</h2><table>")
        parts.append("<tr><th>time</th><th>platform</th><th>to</th><th>body</th><th>answer</th>")
        for hook in hooks:
            parts.append(
                f"<tr><td>{escape(hook['time'][11:19])}</td><td>{escape(hook['platform'])}</td>"
                f"<td><code>{escape(hook['url'])}</code></td>"
                f"<td><pre>{_pretty(hook['body'])}</pre></td>"
                f"<td>{_status(hook['status'])}<pre>{_pretty(hook['answer'])}</pre></td></tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>")
    headers = {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(200, "".join(parts).encode(), headers)
