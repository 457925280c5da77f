"""The one outbound HTTP seam. Every call to a platform goes through here, so tests mock it
in one place (respx) and every request gets the same timeouts and identification."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

USER_AGENT = "careline/0.1 (+https://github.com/careline)"


def request(
    method: str,
    url: str,
    *,
    content: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, Any] | None = None,
    timeout: float = 10.0,
) -> httpx.Response:
    """Send one request. Raises httpx.TimeoutException / httpx.TransportError on network trouble."""
    merged = {"User-Agent": USER_AGENT, **(headers or {})}
    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        return client.request(method, url, content=content, headers=merged, params=params)
