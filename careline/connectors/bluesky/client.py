"""A small XRPC client for one Bluesky account: session handling and error mapping.

Tokens live in this object only. The outbox and the poller build a new connector for every
delivery and every poll, so by default each one signs in again with ``createSession``, which
Bluesky limits per account (30 per 5 minutes, 100 to 300 a day). A caller that wants to keep the
session across runs passes ``access_jwt``/``refresh_jwt`` in and stores ``session_tokens()``
back (encrypted, with the other credentials) when ``session_changed`` is true.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from careline.connectors.base import ConnectorError
from careline.lib import http

CREATE_SESSION = "com.atproto.server.createSession"
REFRESH_SESSION = "com.atproto.server.refreshSession"
# The PDS answers an expired access token with HTTP 400 (some servers 401) and this error name.
_RENEWABLE = {"ExpiredToken", "InvalidToken"}
# 408 and 429 are "try later"; other 4xx mean the request itself is wrong.
_RETRYABLE_4XX = {408, 425, 429}


@dataclass(slots=True)
class Session:
    access_jwt: str
    refresh_jwt: str
    did: str = ""
    handle: str = ""


def _error_name(response: httpx.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        return "", response.text[:200]
    if not isinstance(body, dict):
        return "", ""
    return str(body.get("error") or ""), str(body.get("message") or "")[:300]


def retry_after_seconds(headers: Mapping[str, str], *, now: datetime) -> float | None:
    """Seconds until ``ratelimit-reset`` (Unix seconds), else ``Retry-After``, else None."""
    reset = headers.get("ratelimit-reset")
    if reset:
        try:
            return max(0.0, float(reset) - now.timestamp())
        except ValueError:
            pass
    retry_after = headers.get("retry-after")
    if retry_after:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            return None
    return None


def error_for_response(response: httpx.Response, *, what: str, now: datetime) -> ConnectorError:
    """A ConnectorError saying why Bluesky refused ``what``; permanent unless retrying can help."""
    code = response.status_code
    name, message = _error_name(response)
    detail = ": ".join(part for part in (name, message) if part) or response.reason_phrase
    permanent = 400 <= code < 500 and code not in _RETRYABLE_4XX
    return ConnectorError(
        f"Bluesky {what} failed (HTTP {code}): {detail}",
        permanent=permanent,
        status_code=code,
        retry_after=retry_after_seconds(response.headers, now=now) if code == 429 else None,
    )


class XrpcClient:
    def __init__(
        self,
        *,
        service: str,
        identifier: str,
        password: str,
        access_jwt: str = "",
        refresh_jwt: str = "",
    ) -> None:
        self.service = service.rstrip("/")
        self.identifier = identifier
        self._password = password
        self.session: Session | None = (
            Session(access_jwt=access_jwt, refresh_jwt=refresh_jwt)
            if access_jwt or refresh_jwt
            else None
        )
        self.session_changed = False

    def session_tokens(self) -> dict[str, str]:
        """The current tokens, for a caller that keeps the session across connector instances."""
        if self.session is None:
            return {}
        return {"access_jwt": self.session.access_jwt, "refresh_jwt": self.session.refresh_jwt}

    def ensure_session(self, *, timeout: float) -> Session:
        """The current session, signing in first if there is none. Raises ConnectorError."""
        if self.session is None or not self.session.access_jwt:
            self._renew(timeout=timeout)
        assert self.session is not None  # _renew sets it or raises
        return self.session

    # --- calls ----------------------------------------------------------------------------

    def query(self, nsid: str, *, params: Mapping[str, Any], timeout: float, what: str) -> Any:
        """GET /xrpc/<nsid>. Returns the decoded JSON body. Raises ConnectorError."""
        return self._call("GET", nsid, params=params, body=None, timeout=timeout, what=what)

    def procedure(self, nsid: str, *, body: Mapping[str, Any], timeout: float, what: str) -> Any:
        """POST /xrpc/<nsid> with a JSON body. Returns the decoded JSON body."""
        return self._call("POST", nsid, params=None, body=body, timeout=timeout, what=what)

    def _call(
        self,
        method: str,
        nsid: str,
        *,
        params: Mapping[str, Any] | None,
        body: Mapping[str, Any] | None,
        timeout: float,
        what: str,
    ) -> Any:
        self.ensure_session(timeout=timeout)
        response = self._send(method, nsid, params=params, body=body, timeout=timeout, what=what)
        if self._needs_new_token(response):
            # The request was refused before it did anything, so sending it again is safe.
            self._renew(timeout=timeout)
            response = self._send(
                method, nsid, params=params, body=body, timeout=timeout, what=what
            )
        return self._json(response, what=what)

    def _send(
        self,
        method: str,
        nsid: str,
        *,
        params: Mapping[str, Any] | None,
        body: Mapping[str, Any] | None,
        timeout: float,
        what: str,
        token: str | None = None,
    ) -> httpx.Response:
        if token is None:
            token = self.session.access_jwt if self.session else ""
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        content = None
        if body is not None:
            content = json.dumps(body, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        try:
            return http.request(
                method,
                f"{self.service}/xrpc/{nsid}",
                content=content,
                headers=headers,
                params=params,
                timeout=timeout,
            )
        except httpx.TimeoutException as exc:
            raise ConnectorError(
                f"Bluesky {what} timed out after {timeout:g} s", permanent=False
            ) from exc
        except httpx.HTTPError as exc:
            raise ConnectorError(
                f"could not reach {self.service} for {what}: {exc}", permanent=False
            ) from exc

    @staticmethod
    def _needs_new_token(response: httpx.Response) -> bool:
        return response.status_code in (400, 401) and _error_name(response)[0] in _RENEWABLE

    @staticmethod
    def _json(response: httpx.Response, *, what: str) -> Any:
        if not 200 <= response.status_code < 300:
            raise error_for_response(response, what=what, now=datetime.now(UTC))
        try:
            return response.json()
        except ValueError as exc:
            raise ConnectorError(
                f"Bluesky {what} answered HTTP {response.status_code} with a body that is not JSON",
                permanent=False,
                status_code=response.status_code,
            ) from exc

    # --- session --------------------------------------------------------------------------

    def _renew(self, *, timeout: float) -> None:
        """Refresh the session if there is a refresh token, else (or if that fails) sign in."""
        if self.session is not None and self.session.refresh_jwt:
            response = self._send(
                "POST",
                REFRESH_SESSION,
                params=None,
                body=None,
                timeout=timeout,
                what="session refresh",
                token=self.session.refresh_jwt,
            )
            if response.status_code in (400, 401) and self._password:
                # The refresh token expired or was revoked: fall back to the app password.
                self._login(timeout=timeout)
                return
            self._adopt(self._json(response, what="session refresh"))
            return
        self._login(timeout=timeout)

    def _login(self, *, timeout: float) -> None:
        if not self.identifier or not self._password:
            raise ConnectorError(
                "this Bluesky channel needs a handle (or identifier) and an app password",
                permanent=True,
            )
        response = self._send(
            "POST",
            CREATE_SESSION,
            params=None,
            body={"identifier": self.identifier, "password": self._password},
            timeout=timeout,
            what="sign-in",
            token="",
        )
        if response.status_code == 401:
            name, message = _error_name(response)
            if name == "AuthFactorTokenRequired":
                reason = "the account asks for a 2FA code: use an app password, which skips it"
            else:
                reason = "check the handle and the app password (Settings → App passwords)"
            raise ConnectorError(
                f"Bluesky refused the sign-in ({message or name}); {reason}",
                permanent=True,
                status_code=401,
            )
        self._adopt(self._json(response, what="sign-in"))

    def _adopt(self, payload: Any) -> None:
        if not isinstance(payload, dict) or not payload.get("accessJwt"):
            raise ConnectorError(
                "Bluesky returned a session without an access token", permanent=False
            )
        self.session = Session(
            access_jwt=str(payload["accessJwt"]),
            refresh_jwt=str(payload.get("refreshJwt") or ""),
            did=str(payload.get("did") or ""),
            handle=str(payload.get("handle") or ""),
        )
        self.session_changed = True
