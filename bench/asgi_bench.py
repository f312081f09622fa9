"""Through the ASGI app, in-process: CPU per request for POST /v1/guide and the bare endpoint.

    python3 bench/asgi_bench.py [--requests 3000] [--repeats 5] [--guide-cache-size 0]

No network and no uvicorn: each request is handed straight to ``bench.app:app`` (every middleware,
FastAPI's routing, the route), cycling through the benchmark profiles, so the difference between
the two endpoints is what the decision aid's route costs. The CPU time of this process is measured
(``time.process_time``), so it is steadier than the HTTP figures on a shared machine; the minimum
of the repeats is shown. The guide cache is off unless ``--guide-cache-size`` says otherwise. The
access log is written, as by the benchmark server, to a null device.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ENDPOINTS = {"guide": "/v1/guide", "bare": "/bench/bare"}


def _scope(path: str, body: bytes) -> dict[str, Any]:
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
        "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
    }


async def _request(app: Any, path: str, body: bytes) -> bytes:
    sent: list[bytes] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start" and message["status"] != 200:
            raise SystemExit(f"{path}: status {message['status']}")
        if message["type"] == "http.response.body":
            sent.append(message.get("body", b""))

    await app(_scope(path, body), receive, send)
    return b"".join(sent)


async def _cpu_per_request(app: Any, path: str, bodies: list[bytes], requests: int) -> float:
    started = time.process_time()
    for i in range(requests):
        await _request(app, path, bodies[i % len(bodies)])
    return (time.process_time() - started) * 1e6 / requests


async def _run(args: argparse.Namespace) -> None:
    from bench.app import app
    from bench.profiles import bodies

    requests = list(bodies().values())
    async with app.router.lifespan_context(app):
        for body in requests:
            if await _request(app, ENDPOINTS["guide"], body) != await _request(app, ENDPOINTS["bare"], body):
                raise SystemExit("the bare endpoint does not answer with the guide's bytes")
        results: dict[str, list[float]] = {name: [] for name in ENDPOINTS}
        for _ in range(args.repeats):
            for name, path in ENDPOINTS.items():
                results[name].append(await _cpu_per_request(app, path, requests, args.requests))
    best = {name: min(values) for name, values in results.items()}
    for name, path in ENDPOINTS.items():
        print(f"{path:12} {best[name]:6.1f} µs CPU/request (min of {args.repeats} x {args.requests})")
    print(f"difference: {best['guide'] - best['bare']:.1f} µs; load average {os.getloadavg()[0]:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--guide-cache-size", type=int, default=0)
    args = parser.parse_args()
    os.environ["DECISION_AID_GUIDE_CACHE_SIZE"] = str(args.guide_cache_size)
    # The access log stays on, as in the HTTP benchmark's server, but its lines go nowhere.
    with open(os.devnull, "w") as nowhere:
        sys.stderr = nowhere
        try:
            asyncio.run(_run(args))
        finally:
            sys.stderr = sys.__stderr__
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
