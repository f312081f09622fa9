"""``HEAD`` answered as ``GET`` without the body, on every path that answers ``GET``.

HTTP requires a server that answers GET to answer HEAD (RFC 9110, section 9.3.2), and load
balancers and uptime checks often probe with it; FastAPI's routes answer only the methods they
name, so without this ``HEAD /healthz`` got 405. The headers, Content-Length included, are those a
GET would get; a path that does not answer GET still says 405 with its ``Allow`` header.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGetMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        # A new scope, so the server still knows the request was HEAD; the state dict is shared.
        await self.app({**scope, "method": "GET"}, receive, send_without_body)
