"""The HTTP side of `mkc serve` (REST.md): a Starlette app that parses
requests as Marketo does (query and form or JSON body merged, `_method=GET`,
the token from `Authorization: Bearer` or `access_token`), checks the token
and the rate limits, and answers Marketo JSON — also for unknown paths and
for bugs (611, the traceback on stderr only). The endpoints are in
endpoints.py; the database work in world.py.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import os
import re
import secrets
import sys
import time
import traceback
import urllib.parse

import attrs
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mkc.serve.endpoints import ROUTES, Call
from mkc.serve.errors import ApiError
from mkc.serve.world import World

RATE_CALLS, RATE_WINDOW, MAX_CONCURRENT = 100, 20.0, 10
# Test-only: a path (e.g. /rest/v1/leads/describe.json) whose handler raises, to show a 611.
FAULT_ENV = "MKC_SERVE_TEST_FAULT"


@attrs.define
class Options:
    client_id: str | None = None
    client_secret: str | None = None
    token_ttl: int = 3600
    rate_limit: bool = True


class Limits:
    """Marketo's limits: at most 100 calls in any 20 s (606) and 10 at once (615)."""

    def __init__(self):
        self.calls: collections.deque = collections.deque()
        self.running = 0

    def enter(self) -> str | None:
        """The error code refusing a call, or None (then `leave` after it)."""
        now = time.monotonic()
        while self.calls and now - self.calls[0] >= RATE_WINDOW:
            self.calls.popleft()
        if len(self.calls) >= RATE_CALLS:
            return "606"
        if self.running >= MAX_CONCURRENT:
            return "615"
        self.calls.append(now)
        self.running += 1
        return None

    def leave(self) -> None:
        self.running -= 1


def make_app(world: World, options: Options) -> Starlette:
    tokens: dict[str, float] = {}  # access token -> when it expires (monotonic)
    limits = Limits()
    numbers = itertools.count(1)
    fault = os.environ.get(FAULT_ENV)

    def answer(call_result: dict | None = None, error: ApiError | None = None) -> JSONResponse:
        body: dict = {"requestId": f"{next(numbers):x}#{int(time.time() * 1000):x}"}
        if error is not None:
            body |= {"success": False, "errors": [error.error()]}
        else:
            body |= {"success": True, **(call_result or {"result": []})}
        return JSONResponse(body)

    def token_answer(params: dict) -> Response:
        client_id, secret = _one(params.get("client_id")), _one(params.get("client_secret"))
        if options.client_id is not None and (client_id != options.client_id or secret != options.client_secret):
            return JSONResponse(
                {"error": "invalid_client", "error_description": "Bad client credentials"}, status_code=401
            )
        token = secrets.token_hex(16) + ":mkc"
        now = time.monotonic()
        for old in [t for t, until in tokens.items() if until <= now - options.token_ttl]:
            del tokens[old]  # (expired long ago: say 601, as for a token never given)
        tokens[token] = now + options.token_ttl
        return JSONResponse(
            {"access_token": token, "token_type": "bearer", "expires_in": options.token_ttl, "scope": "mkc"}
        )

    def check_token(request: Request, params: dict) -> None:
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.casefold().startswith("bearer ") else _one(params.get("access_token"))
        if not token or token not in tokens:
            raise ApiError("601")
        if time.monotonic() >= tokens[token]:
            raise ApiError("602")

    async def endpoint(request: Request) -> Response:
        try:
            params, body = await _parse(request)
            method = request.method
            if _one(params.get("_method", "")).upper() == "GET":
                method = "GET"
            path = request.url.path
            if path == "/identity/oauth/token" and method == "GET":
                return token_answer(params)
            route, found = _route(method, path)
            check_token(request, params)
            if route is None:
                raise ApiError("610")
        except ApiError as err:
            return answer(error=err)
        refused = limits.enter() if options.rate_limit else None
        if refused is not None:
            return answer(error=ApiError(refused))
        try:
            call = Call(world, params, body, found)
            if fault and path == fault:
                raise RuntimeError(f"{FAULT_ENV} asked for a failure at {path}")
            return answer(await run_in_threadpool(route, call))
        except ApiError as err:
            return answer(error=err)
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug: the client gets 611, the server's stderr the traceback
            print(f"mkc serve: internal error in {request.method} {request.url.path}", file=sys.stderr)
            traceback.print_exc()
            return answer(error=ApiError("611"))
        finally:
            if options.rate_limit:
                limits.leave()

    async def refused(request: Request, exc: HTTPException) -> Response:
        """What Starlette itself refuses (a method no route takes): 610, as Marketo JSON too."""
        return answer(error=ApiError("610"))

    methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
    return Starlette(
        routes=[Route("/{path:path}", endpoint, methods=methods)], exception_handlers={HTTPException: refused}
    )


def _one(value):
    """A parameter given once (the first of several)."""
    return value[0] if isinstance(value, list) else value


async def _parse(request: Request) -> tuple[dict, dict]:
    """Query and body parameters merged (a repeated one is a comma-separated
    list), and the JSON body ({} when empty); 609 when the body is not JSON."""
    params: dict = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    raw = await request.body()
    body: dict = {}
    kind = request.headers.get("content-type", "").split(";")[0].strip().casefold()
    if kind == "application/x-www-form-urlencoded" and not raw.lstrip().startswith(b"{"):  # (curl -d '{...}')
        for key, value in urllib.parse.parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True):
            params.setdefault(key, []).append(value)
    elif raw.strip():
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise ApiError("609") from None
        if not isinstance(body, dict):
            raise ApiError("609", "Invalid JSON: the body is an object")
    return {k: v[0] if len(v) == 1 else ",".join(v) for k, v in params.items()}, body


def _route(method: str, path: str):
    for (want, pattern), handler in ROUTES.items():
        match = re.fullmatch(pattern, path)
        if match and want == method:
            return handler, match.groupdict()
    return None, {}
