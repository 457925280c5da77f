"""A streaming GET: Mastodon's server-sent events, X's filtered stream.

careline.lib.http sends whole requests and returns whole responses; a stream stays open for
hours and must be read as it arrives. This helper still uses httpx, the same User-Agent and no
redirects, so respx intercepts it like any other call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx

from careline.connectors.base import ConnectorError
from careline.lib import http

CONNECT_TIMEOUT = 10.0


def stream_lines(
    url: str,
    *,
    headers: Mapping[str, str],
    params: Mapping[str, Any] | None = None,
    idle_timeout: float,
    on_error: Callable[[httpx.Response], ConnectorError],
) -> Iterator[str]:
    """GET ``url`` and yield the body line by line while the server keeps it open.

    ``idle_timeout`` is how long a silence may last (Mastodon sends a heartbeat every ~15 s, X a
    keep-alive every ~20 s) before the stream counts as dead. Raises ConnectorError:
    ``on_error(response)`` for a non-2xx answer, temporary for a timeout or a dropped
    connection.
    """
    merged = {"User-Agent": http.USER_AGENT, **headers}
    timeout = httpx.Timeout(CONNECT_TIMEOUT, read=idle_timeout)
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=False) as client,
            client.stream("GET", url, headers=merged, params=params) as response,
        ):
            if not 200 <= response.status_code < 300:
                response.read()
                raise on_error(response)
            yield from response.iter_lines()
    except httpx.TimeoutException as exc:
        raise ConnectorError(
            f"the stream was silent for more than {idle_timeout:g} s", permanent=False
        ) from exc
    except httpx.HTTPError as exc:
        raise ConnectorError(f"the stream broke: {exc}", permanent=False) from exc
