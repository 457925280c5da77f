"""The fake platform: one local HTTP server speaking the platforms careline connects to.

Standalone (no Django). ``FakePlatform(config).start()`` serves from a background thread (tests);
``serve_forever()`` serves in the foreground (the CLI). State lives in memory behind one lock.
Every request to a platform is recorded; ``GET /`` shows them, ``GET /_fake/posts`` lists them
as JSON, and the control API under ``/_fake/`` injects inbound traffic and failures.
"""

from __future__ import annotations

import contextlib
import copy
import fnmatch
import logging
import secrets
import threading
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from careline.fakeplatform import control, page
from careline.fakeplatform.bluesky import BlueskyService
from careline.fakeplatform.common import (
    Clock,
    Counter,
    InboundError,
    InboundSpec,
    Service,
    Webhook,
    iso_z,
    utc_now,
)
from careline.fakeplatform.config import PLATFORMS, FakeConfig
from careline.fakeplatform.generic import GenericService
from careline.fakeplatform.mastodon import MastodonService
from careline.fakeplatform.meta import MetaService
from careline.fakeplatform.signing import x_signature
from careline.fakeplatform.web import Request, Response, decode_body, json_response
from careline.fakeplatform.x import XService

log = logging.getLogger(__name__)

FAIL_MODES = ("rate_limit", "timeout", "error")
# Requests that change nothing on the platform: hidden from the page unless asked for.
_SESSION_ENDPOINTS = (
    "POST /xrpc/com.atproto.server.createSession",
    "POST /xrpc/com.atproto.server.refreshSession",
)
_RECORDED_HEADERS = (
    "content-type",
    "idempotency-key",
    "x-careline-signature",
    "authorization",
)


@dataclass
class FailRule:
    """Make the next ``count`` calls matching ``method`` and ``path`` (a glob over the full
    path, e.g. ``/x/2/tweets`` or ``/graph/*/comments``) fail.

    - ``rate_limit``: the platform's rate-limit answer (``status``, default 429) with its
      documented headers; the window resets after ``retry_after`` seconds.
    - ``error``: the platform's server-error answer (``status``, default 503).
    - ``timeout``: the answer comes ``delay`` seconds late (past careline's client timeout).
      With ``processed`` (default) the request takes effect first — the "may have gone
      through" case idempotency keys exist for; without it nothing happens.
    """

    path: str
    method: str = "*"
    mode: str = "rate_limit"
    count: int = 1
    status: int | None = None
    retry_after: float = 1.0
    delay: float = 12.0
    processed: bool = True

    @classmethod
    def parse(cls, data: Any) -> FailRule:
        """Raises ValueError for an invalid rule."""
        if not isinstance(data, Mapping):
            raise ValueError("the rule must be a JSON object")
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown rule keys: {', '.join(sorted(unknown))}")
        path = data.get("path")
        if not isinstance(path, str) or not path.startswith("/"):
            raise ValueError("'path' must be the full path, e.g. /x/2/tweets")
        rule = cls(
            path=path,
            method=str(data.get("method") or "*").upper(),
            mode=str(data.get("mode") or "rate_limit"),
            count=int(data.get("count", 1)),
            status=int(data["status"]) if data.get("status") is not None else None,
            retry_after=float(data.get("retry_after", 1.0)),
            delay=float(data.get("delay", 12.0)),
            processed=bool(data.get("processed", True)),
        )
        if rule.mode not in FAIL_MODES:
            raise ValueError(f"'mode' must be one of {', '.join(FAIL_MODES)}")
        if rule.count < 1 or rule.delay < 0 or rule.retry_after < 0:
            raise ValueError("'count' must be 1 or more, 'delay' and 'retry_after' 0 or more")
        if rule.status is not None and not 400 <= rule.status <= 599:
            raise ValueError("'status' must be an HTTP error status")
        return rule

    def matches(self, method: str, path: str) -> bool:
        return self.method in ("*", method) and fnmatch.fnmatchcase(path, self.path)

    def describe(self) -> str:
        if self.mode == "timeout":
            done = "processed" if self.processed else "not processed"
            return f"/_fake/fail: answer held back {self.delay:g} s ({done})"
        return f"/_fake/fail: {self.mode.replace('_', ' ')}"


@dataclass
class Outcome:
    response: Response | None  # None: never answer (the client times out)
    delay: float = 0.0


class FakePlatform:
    """All fake platforms on one port; see docs/connectors/fake-platform.md."""

    def __init__(
        self,
        config: FakeConfig | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Clock = utc_now,
    ) -> None:
        self.config = config or FakeConfig()
        self.clock = clock
        self.lock = threading.RLock()
        self.stopping = threading.Event()
        self._seq = Counter(1)
        self._requests: list[dict[str, Any]] = []
        self._webhooks: list[dict[str, Any]] = []
        self._raw_webhooks: dict[int, Webhook] = {}
        self._rules: list[FailRule] = []
        self.services: list[Service] = [
            cls(self.config, clock=clock, stopping=self.stopping)
            for cls in (MetaService, XService, MastodonService, BlueskyService, GenericService)
        ]
        self._httpd = _Server((host, port), _Handler)
        self._httpd.fake = self
        self._thread: threading.Thread | None = None

    # --- lifecycle --------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        host = str(self._httpd.server_address[0])
        return f"http://{host}:{self.port}"

    def start(self) -> FakePlatform:
        """Serve from a daemon thread; returns self."""
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-platform-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until ``stop`` (or KeyboardInterrupt)."""
        try:
            self._httpd.serve_forever(poll_interval=0.2)
        finally:
            self.stopping.set()

    def stop(self) -> None:
        self.stopping.set()  # wakes held-back answers and event streams
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakePlatform:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what careline needs to know ----------------------------------------------------------

    def service_for(self, platform: str) -> Service:
        """The service of a careline platform name. Raises KeyError."""
        for service in self.services:
            if platform in service.platforms:
                return service
        raise KeyError(platform)

    def credentials(self, platform: str) -> dict[str, str]:
        """careline channel credentials for ``platform``, pointing at this server."""
        return dict(self.service_for(platform).credentials(self.base_url)[platform])

    def urls(self) -> dict[str, str]:
        """The host override each connector takes."""
        base = self.base_url
        return {
            "graph_host (facebook, instagram, messenger)": f"{base}/graph",
            "api_base (x)": f"{base}/x/2",
            "instance_url (mastodon)": f"{base}/mastodon",
            "service (bluesky)": f"{base}/bsky",
            "callback_url (generic)": f"{base}/generic/replies",
        }

    def set_target(self, platform: str, url: str) -> None:
        if platform not in PLATFORMS:
            raise ValueError(f"unknown platform {platform!r}")
        if url and not url.startswith(("http://", "https://")):
            raise ValueError("a target must be an http(s) URL")
        with self.lock:
            self.config.targets[platform] = url

    # --- records ----------------------------------------------------------------------------

    def requests(
        self, *, platform: str | None = None, method: str | None = None, path: str | None = None
    ) -> list[dict[str, Any]]:
        """Recorded requests, oldest first; ``path`` is a glob over the full path."""
        with self.lock:
            rows = copy.deepcopy(self._requests)
        return [
            r
            for r in rows
            if (platform is None or r["platform"] == platform)
            and (method is None or r["method"] == method.upper())
            and (path is None or fnmatch.fnmatchcase(r["path"], path))
        ]

    def writes(self, **filters: Any) -> list[dict[str, Any]]:
        """Recorded requests that change something on the platform (not reads, not sign-ins)."""
        return [r for r in self.requests(**filters) if r["write"]]

    def webhooks(self) -> list[dict[str, Any]]:
        with self.lock:
            return copy.deepcopy(self._webhooks)

    def reset(self) -> None:
        """Forget all traffic, injected items, posts and failure rules."""
        with self.lock:
            self._requests.clear()
            self._webhooks.clear()
            self._raw_webhooks.clear()
            self._rules.clear()
            for service in self.services:
                service.reset()

    # --- control ----------------------------------------------------------------------------

    def fail(self, path: str, **options: Any) -> FailRule:
        """Add a FailRule (see its docstring). Raises ValueError."""
        rule = FailRule.parse({"path": path, **options})
        with self.lock:
            self._rules.append(rule)
        return rule

    def fail_rules(self) -> list[dict[str, Any]]:
        with self.lock:
            return [asdict(rule) for rule in self._rules]

    def clear_failures(self) -> None:
        with self.lock:
            self._rules.clear()

    def inbound(self, platform: str, item: Mapping[str, Any]) -> dict[str, Any]:
        """Make ``item`` happen on ``platform``: a signed webhook to careline, or an item
        waiting for careline's next poll. Returns the ids it got and the webhook's answer.
        Raises InboundError."""
        try:
            service = self.service_for(platform)
        except KeyError:
            raise InboundError(f"unknown platform {platform!r}", status=404) from None
        spec = InboundSpec.parse(item)
        with self.lock:
            target = spec.target or self.config.target(platform)
            injection = service.inbound(platform, spec, target)
        result: dict[str, Any] = {
            "platform": platform,
            "ids": injection.ids,
            "queued_for_poll": injection.queued,
        }
        if injection.webhook is not None:
            # Sent outside the lock: careline may call the platform while it handles it.
            result["webhook"] = self._send(platform, injection.webhook)
        return result

    def redeliver(self, seq: int) -> dict[str, Any]:
        """Send a recorded webhook again, byte for byte. Raises KeyError."""
        with self.lock:
            webhook = self._raw_webhooks[seq]
            platform = next(w["platform"] for w in self._webhooks if w["seq"] == seq)
        return self._send(platform, webhook)

    def expire_tokens(self, platform: str) -> int:
        service = self.service_for(platform)
        if not isinstance(service, BlueskyService):
            raise KeyError(platform)
        with self.lock:
            return service.expire_tokens()

    def handshake(self, platform: str) -> dict[str, Any]:
        """Run the platform's webhook verification against careline's target: Meta's
        ``hub.challenge`` or X's CRC. Returns whether careline answered correctly."""
        target = self.config.target(platform)
        if platform == "x":
            token = secrets.token_urlsafe(18)
            expected = x_signature(self.config.x.consumer_secret, token.encode())
            status, text = _get(f"{target}?{urlencode({'crc_token': token})}")
            answer = decode_body(text.encode(), "application/json")
            ok = (
                status == 200
                and isinstance(answer, dict)
                and (answer.get("response_token") == expected)
            )
        elif platform in ("facebook", "instagram", "messenger"):
            challenge = str(secrets.randbelow(10**10))
            query = {
                "hub.mode": "subscribe",
                "hub.challenge": challenge,
                "hub.verify_token": self.config.meta.verify_token,
            }
            status, text = _get(f"{target}?{urlencode(query)}")
            ok = status == 200 and text == challenge
        else:
            raise KeyError(platform)
        return {"platform": platform, "url": target, "ok": ok, "status": status, "answer": text}

    # --- serving ----------------------------------------------------------------------------

    def handle(self, request: Request) -> Outcome:
        path = request.path
        if path == "/" and request.method == "GET":
            return Outcome(page.render(self, show_all=request.param("all") == "1"))
        if path == "/_fake" or path.startswith("/_fake/"):
            return Outcome(control.handle(self, request))
        service = next(
            (s for s in self.services if path == s.prefix or path.startswith(s.prefix + "/")),
            None,
        )
        if service is None:
            return Outcome(
                json_response(404, {"error": f"nothing at {path}; GET / lists what is served"})
            )
        inner = replace(request, path=path[len(service.prefix) :] or "/")
        with self.lock:
            rule = next((r for r in self._rules if r.matches(request.method, path)), None)
            if rule is not None:
                rule.count -= 1
                if rule.count <= 0:
                    self._rules.remove(rule)
            if rule is not None and rule.mode != "timeout":
                status = rule.status or (429 if rule.mode == "rate_limit" else 503)
                if rule.mode == "rate_limit":
                    response = service.throttled(inner, status=status, retry_after=rule.retry_after)
                else:
                    response = service.failed(inner, status=status)
                response.note = rule.describe()
                self._record(service, request, service.dispatch_name(inner), response)
                return Outcome(response)
            if rule is not None and not rule.processed:
                self._record(service, request, service.dispatch_name(inner), None, rule.describe())
                return Outcome(None, delay=rule.delay)
            endpoint, response = service.dispatch(inner)
            if rule is not None:
                response.note = "; ".join(n for n in (response.note, rule.describe()) if n)
            self._record(service, request, endpoint, response)
        return Outcome(response, delay=rule.delay if rule is not None else 0.0)

    def _record(
        self,
        service: Service,
        request: Request,
        endpoint: str,
        response: Response | None,
        note: str = "",
    ) -> None:
        headers = {
            name: ("<redacted>" if name == "authorization" else value)
            for name, value in request.headers.items()
            if name in _RECORDED_HEADERS
        }
        self._requests.append(
            {
                "seq": self._seq(),
                "time": iso_z(self.clock()),
                "platform": (response.platform if response else "") or service.name,
                "method": request.method,
                "path": request.path,
                "endpoint": endpoint,
                "query": {k: v[0] if len(v) == 1 else v for k, v in request.query.items()},
                "headers": headers,
                "body": decode_body(request.body, request.header("content-type")),
                "status": response.status if response else None,
                "response": (
                    "(event stream)"
                    if response is not None and response.stream is not None
                    else response.payload()
                    if response is not None
                    else None
                ),
                "note": response.note if response else note,
                "write": request.method != "GET" and endpoint not in _SESSION_ENDPOINTS,
            }
        )

    def _send(self, platform: str, webhook: Webhook) -> dict[str, Any]:
        status, text = _post(webhook, timeout=self.config.webhook_timeout)
        with self.lock:
            seq = self._seq()
            record = {
                "seq": seq,
                "time": iso_z(self.clock()),
                "platform": platform,
                "url": webhook.url,
                "headers": dict(webhook.headers),
                "body": decode_body(webhook.body, "application/json"),
                "status": status,
                "answer": decode_body(text.encode(), "") if text else None,
            }
            self._webhooks.append(record)
            self._raw_webhooks[seq] = webhook
        log.info("webhook %s to %s: %s", platform, webhook.url, status)
        return copy.deepcopy(record)


def _check_url(url: str) -> None:
    if not url.startswith(("http://", "https://")):
        raise InboundError(f"webhook target {url!r} is not an http(s) URL")


def _post(webhook: Webhook, *, timeout: float) -> tuple[int | None, str]:
    _check_url(webhook.url)
    request = urllib.request.Request(  # noqa: S310 - http(s) checked above
        webhook.url, data=webhook.body, headers=webhook.headers, method="POST"
    )
    return _open(request, timeout=timeout)


def _get(url: str, *, timeout: float = 5.0) -> tuple[int | None, str]:
    _check_url(url)
    return _open(urllib.request.Request(url, method="GET"), timeout=timeout)  # noqa: S310


def _open(request: urllib.request.Request, *, timeout: float) -> tuple[int | None, str]:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            return int(answer.status), answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as exc:
        return None, f"{type(exc).__name__}: {exc}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    fake: FakePlatform


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "careline-fake-platform/0.1"
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def _serve(self) -> None:
        fake = self.server.fake
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        host = self.headers.get("Host") or f"127.0.0.1:{fake.port}"
        request = Request(
            method=self.command,
            path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
            base_url=f"http://{host}",
            full_path=split.path,
        )
        try:
            outcome = fake.handle(request)
        except Exception:
            log.exception("the fake platform failed on %s %s", self.command, self.path)
            outcome = Outcome(json_response(500, {"error": "the fake platform failed"}))
        if outcome.delay:
            fake.stopping.wait(outcome.delay)
        if outcome.response is None:
            self.close_connection = True
            return
        # A client that gave up waiting is the point of a delay, not an error.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._write(outcome.response)

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.stream is None:
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)
            return
        self.end_headers()
        for chunk in response.stream:
            self.wfile.write(chunk)
            self.wfile.flush()

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)


def channel_credentials(
    base_url: str, config: FakeConfig | None = None
) -> dict[str, dict[str, str]]:
    """careline channel credentials for every platform, pointing at a fake platform served at
    ``base_url`` (which need not run yet: the demo seeds its channels before starting it)."""
    cfg = config or FakeConfig()
    credentials: dict[str, dict[str, str]] = {}
    for cls in (MetaService, XService, MastodonService, BlueskyService, GenericService):
        service = cls(cfg, clock=utc_now, stopping=threading.Event())
        credentials.update(service.credentials(base_url))
    return credentials
