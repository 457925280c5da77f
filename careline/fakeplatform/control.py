"""The control API under ``/_fake/``: JSON in, JSON out, for tests and the demo.

Never recorded as platform traffic. See docs/connectors/fake-platform.md for each endpoint.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from careline.fakeplatform.common import InboundError
from careline.fakeplatform.config import PLATFORMS
from careline.fakeplatform.web import Request, Response, Router, json_response

if TYPE_CHECKING:
    from careline.fakeplatform.server import FakePlatform


def handle(fake: FakePlatform, request: Request) -> Response:
    router = _router(fake)
    found = router.match(request.method, request.path)
    if found is None:
        allowed = router.allows(request.path)
        if allowed:
            return json_response(405, {"error": f"use {' or '.join(allowed)}"})
        return json_response(404, {"error": f"no control endpoint {request.path}"})
    route, params = found
    try:
        return route.handler(request, params)
    except InboundError as exc:
        return json_response(exc.status, {"error": str(exc)})
    except ValueError as exc:
        return json_response(400, {"error": str(exc)})


def _body(request: Request) -> Any:
    try:
        return request.json()
    except ValueError as exc:
        raise ValueError(f"the body is not JSON: {exc}") from exc


def _router(fake: FakePlatform) -> Router:
    router = Router()

    def posts(request: Request, params: dict[str, str]) -> Response:
        rows = fake.requests(
            platform=request.param("platform") or None,
            method=request.param("method") or None,
            path=request.param("path") or None,
        )
        if request.param("writes") == "1":
            rows = [r for r in rows if r["write"]]
        return json_response(200, list(reversed(rows)))

    def webhooks(request: Request, params: dict[str, str]) -> Response:
        return json_response(200, list(reversed(fake.webhooks())))

    def redeliver(request: Request, params: dict[str, str]) -> Response:
        try:
            return json_response(200, fake.redeliver(int(params["seq"])))
        except KeyError:
            return json_response(404, {"error": f"no webhook {params['seq']}"})

    def inbound(request: Request, params: dict[str, str]) -> Response:
        return json_response(201, fake.inbound(params["platform"], _body(request)))

    def add_failure(request: Request, params: dict[str, str]) -> Response:
        body = _body(request)
        if not isinstance(body, dict):
            raise ValueError("the rule must be a JSON object")
        rule = fake.fail(**body)
        return json_response(201, {"rule": asdict(rule)})

    def list_failures(request: Request, params: dict[str, str]) -> Response:
        return json_response(200, fake.fail_rules())

    def clear_failures(request: Request, params: dict[str, str]) -> Response:
        fake.clear_failures()
        return json_response(200, [])

    def handshake(request: Request, params: dict[str, str]) -> Response:
        platform = params["platform"]
        try:
            result = fake.handshake(platform)
        except KeyError:
            return json_response(404, {"error": f"{platform} has no webhook handshake"})
        return json_response(200 if result["ok"] else 502, result)

    def config(request: Request, params: dict[str, str]) -> Response:
        return json_response(
            200,
            {
                "base_url": fake.base_url,
                "urls": fake.urls(),
                "credentials": {p: fake.credentials(p) for p in PLATFORMS},
                "webhook_targets": {p: fake.config.target(p) for p in PLATFORMS},
            },
        )

    def targets(request: Request, params: dict[str, str]) -> Response:
        body = _body(request)
        if not isinstance(body, dict):
            raise ValueError('give {"platform": "URL", …}')
        for platform, url in body.items():
            fake.set_target(str(platform), str(url or ""))
        return json_response(200, {p: fake.config.target(p) for p in PLATFORMS})

    def expire(request: Request, params: dict[str, str]) -> Response:
        try:
            return json_response(200, {"expired": fake.expire_tokens(params["platform"])})
        except KeyError:
            return json_response(404, {"error": "only bluesky tokens expire"})

    def reset(request: Request, params: dict[str, str]) -> Response:
        fake.reset()
        return json_response(200, {"reset": True})

    router.add("GET", r"/_fake/posts", "posts", posts)
    router.add("GET", r"/_fake/webhooks", "webhooks", webhooks)
    router.add("POST", r"/_fake/webhooks/(?P<seq>\d+)/redeliver", "redeliver", redeliver)
    router.add("POST", r"/_fake/inbound/(?P<platform>[a-z]+)", "inbound", inbound)
    router.add("POST", r"/_fake/fail", "fail", add_failure)
    router.add("GET", r"/_fake/fail", "fail", list_failures)
    router.add("DELETE", r"/_fake/fail", "fail", clear_failures)
    router.add("POST", r"/_fake/handshake/(?P<platform>[a-z]+)", "handshake", handshake)
    router.add("GET", r"/_fake/config", "config", config)
    router.add("POST", r"/_fake/targets", "targets", targets)
    router.add("POST", r"/_fake/expire-tokens/(?P<platform>[a-z]+)", "expire", expire)
    router.add("POST", r"/_fake/reset", "reset", reset)
    return router
