"""Over HTTP: POST /v1/guide against a bare endpoint returning the same bytes, in one run, one server.

    python3 bench/http_bench.py                  # 2 workers, 32 connections, 3 rounds of 10 s each
    python3 bench/http_bench.py --workers 1 --duration 5 --rounds 2

It starts ``uvicorn bench.app:app`` on 127.0.0.1 with the production flags of docs/deployment.md,
checks that both endpoints answer each benchmark profile with identical bytes, warms up, then
alternates the two endpoints round by round under wrk (Debian's ``wrk``: ``apt-get install wrk``),
each request cycling through the benchmark profiles. Loopback only; every run is bounded in time.
The figures and the machine go to standard output and to ``bench/results/http-<time>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.profiles import bodies  # noqa: E402

ENDPOINTS = {"guide": "/v1/guide", "bare": "/bench/bare"}
MAX_DURATION = 60

_LUA = """
local bodies = {%(bodies)s}
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i %% #bodies + 1
  return wrk.format(nil, nil, nil, bodies[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\\nRESULT {"requests": %%d, "duration_us": %%d, "non_2xx": %%d, "socket_errors": %%d, ' ..
    '"p50_us": %%d, "p90_us": %%d, "p99_us": %%d, "max_us": %%d, "mean_us": %%.1f}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as info:
        kib = int(next(line for line in info if line.startswith("MemTotal")).split()[1])
    return {
        "nproc": os.cpu_count(), "cpu": cpu, "memory_gib": round(kib / 1024 / 1024, 1),
        "python": platform.python_version(), "kernel": platform.release(),
        **{name: metadata.version(name) for name in ("fastapi", "starlette", "pydantic", "uvicorn", "httptools",
                                                     "uvloop")},
        "wrk": subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("\n")[0].strip(),
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(port: int, workers: int, log: Path, cache_size: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "uvicorn", "bench.app:app", "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers), "--no-access-log", "--log-config", str(ROOT / "api/uvicorn_logging.json"),
               "--timeout-graceful-shutdown", "20"]
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT),
                                                               "DECISION_AID_GUIDE_CACHE_SIZE": str(cache_size)},
                                  stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped at start-up; see {log}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server was not ready within 60 s")


def same_bytes(base: str) -> dict[str, int]:
    sizes = {}
    with httpx.Client(base_url=base, headers={"content-type": "application/json"}) as client:
        for name, body in bodies().items():
            guide = client.post(ENDPOINTS["guide"], content=body)
            bare = client.post(ENDPOINTS["bare"], content=body)
            if guide.status_code != 200 or guide.content != bare.content:
                raise SystemExit(f"{name}: the bare endpoint does not answer with the guide's bytes")
            sizes[name] = len(guide.content)
    return sizes


def server_cpu_seconds(server: subprocess.Popen[bytes]) -> float:
    """CPU time (user + system) used so far by the server's worker processes."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    ticks = 0
    for pid in [str(server.pid), *children]:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def run_wrk(url: str, script: Path, connections: int, threads: int, seconds: int,
            server: subprocess.Popen[bytes]) -> dict[str, Any]:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), url]
    cpu_before = server_cpu_seconds(server)
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30)
    cpu_used = server_cpu_seconds(server) - cpu_before
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no result:\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(line[len("RESULT "):])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    # Server CPU per request: what the two endpoints cost, much less swayed than req/s by other
    # programs sharing the machine.
    result["server_cpu_us_per_request"] = cpu_used * 1e6 / max(result["requests"], 1)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint per round (at most 60)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--guide-cache-size", type=int, default=1024,
                        help="the service's guide cache (DECISION_AID_GUIDE_CACHE_SIZE); 0 builds every guide")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    seconds = max(1, min(args.duration, MAX_DURATION))

    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(port, args.workers, out_dir / f"server-{stamp}.log", args.guide_cache_size)
    try:
        sizes = same_bytes(base)
        lua_bodies = ", ".join(json.dumps(body.decode()) for body in bodies().values())
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
            handle.write(_LUA % {"bodies": lua_bodies})
            script = Path(handle.name)
        for path in ENDPOINTS.values():  # warm-up: first requests, CPU caches, the OS's TCP state
            run_wrk(base + path, script, args.connections, args.threads, 2, server)
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in ENDPOINTS}
        for round_number in range(args.rounds):
            order = list(ENDPOINTS) if round_number % 2 == 0 else list(reversed(ENDPOINTS))
            for name in order:
                result = run_wrk(base + ENDPOINTS[name], script, args.connections, args.threads, seconds, server)
                if result["non_2xx"] or result["socket_errors"]:
                    raise SystemExit(f"{name}: errors under load: {result}")
                runs[name].append(result)
                print(f"round {round_number + 1} {name:5}: {result['rps']:8.0f} req/s  "
                      f"p50 {result['p50_us'] / 1000:6.2f} ms  p99 {result['p99_us'] / 1000:6.2f} ms  "
                      f"server CPU {result['server_cpu_us_per_request']:5.0f} µs/request", flush=True)
        script.unlink()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    keys = ("rps", "p50_us", "p99_us", "server_cpu_us_per_request")
    summary = {name: {key: statistics.median(r[key] for r in results) for key in keys}
               for name, results in runs.items()}
    cpu_ratio = summary["bare"]["server_cpu_us_per_request"] / summary["guide"]["server_cpu_us_per_request"]
    ratio = summary["guide"]["rps"] / summary["bare"]["rps"]
    p99_ratio = summary["guide"]["p99_us"] / summary["bare"]["p99_us"]
    report = {
        "command": " ".join(["python3", "bench/http_bench.py", *sys.argv[1:]]),
        "machine": machine(),
        "settings": {"workers": args.workers, "connections": args.connections, "wrk_threads": args.threads,
                     "seconds": seconds, "rounds": args.rounds, "guide_cache_size": args.guide_cache_size},
        "response_bytes": sizes,
        "median": summary,
        "throughput_ratio": round(ratio, 3),
        "p99_ratio": round(p99_ratio, 3),
        "cpu_ratio_bare_over_guide": round(cpu_ratio, 3),
        "load_average_after": os.getloadavg(),
        "runs": runs,
    }
    (out_dir / f"http-{stamp}.json").write_text(json.dumps(report, indent=2))
    print()
    print("| endpoint | req/s | p50 ms | p99 ms | server CPU µs/request |")
    print("|---|---:|---:|---:|---:|")
    for name in ENDPOINTS:
        s = summary[name]
        print(f"| {ENDPOINTS[name]} | {s['rps']:.0f} | {s['p50_us'] / 1000:.2f} | {s['p99_us'] / 1000:.2f} | "
              f"{s['server_cpu_us_per_request']:.0f} |")
    print(f"\nthroughput ratio guide/bare: {ratio:.3f} (target >= 0.9); "
          f"p99 ratio guide/bare: {p99_ratio:.3f} (target <= 1.2); "
          f"CPU-per-request ratio bare/guide: {cpu_ratio:.3f}; load average after: {os.getloadavg()}")
    print(f"machine: {json.dumps(report['machine'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
