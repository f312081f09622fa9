"""In-process: guides per second for the benchmark profiles, and the time to load the knowledge base.

    python3 bench/inprocess_bench.py [--rules-dir rules] [--seconds 1.0]

For each profile it times the path the web service runs (validate the raw body once, then
``guide_json``: the guide written straight to JSON) and, beside it, the reference path
(``build_guide(...).model_dump_json()``), and checks that both give the same bytes. The knowledge
base is loaded and validated in a fresh interpreter each time (imports excluded), the way each
worker loads it at start-up.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.profiles import bodies  # noqa: E402
from decision_aid.engine import build_guide, guide_json, prepare  # noqa: E402
from decision_aid.knowledge_base import DEFAULT_RULES_DIR, load_knowledge_base  # noqa: E402
from decision_aid.profile import Profile  # noqa: E402

_LOAD_ONCE = """
import sys, time
sys.path.insert(0, {root!r})
from decision_aid.knowledge_base import load_knowledge_base
from decision_aid.engine import prepare
started = time.perf_counter()
kb = load_knowledge_base({rules!r})
loaded = time.perf_counter()
prepare(kb)
print(loaded - started, time.perf_counter() - loaded, len(kb.rules))
"""


def per_second(work: Callable[[], object], seconds: float) -> float:
    count = 0
    started = time.perf_counter()
    deadline = started + seconds
    while True:
        for _ in range(50):
            work()
        count += 50
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rules-dir", type=Path, default=DEFAULT_RULES_DIR)
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    parser.add_argument("--loads", type=int, default=5, help="fresh interpreters for the load timing")
    args = parser.parse_args()

    timings = []
    for _ in range(args.loads):
        code = _LOAD_ONCE.format(root=str(ROOT), rules=str(args.rules_dir))
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
        timings.append((float(out[0]), float(out[1])))
        rule_count = int(out[2])
    load_ms = statistics.median(t[0] for t in timings) * 1000
    prepare_ms = statistics.median(t[1] for t in timings) * 1000
    print(f"knowledge base: {rule_count} rules; load and validate {load_ms:.0f} ms, "
          f"write the shared JSON (prepare) {prepare_ms:.1f} ms (median of {args.loads} fresh processes)")

    kb = load_knowledge_base(args.rules_dir)
    prepared = prepare(kb)
    context = {"drugs": kb.drugs}
    print()
    print("| profile | points | guide bytes | served path guides/s | µs each | reference path guides/s | speed-up |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    served_all, reference_all = [], []
    for name, body in bodies().items():
        def served(body: bytes = body) -> bytes:
            return guide_json(Profile.model_validate_json(body, context=context), prepared)[0]

        def reference(body: bytes = body) -> bytes:
            return build_guide(Profile.model_validate_json(body, context=context), kb).model_dump_json().encode()

        if served() != reference():
            raise SystemExit(f"{name}: the served JSON differs from the reference guide")
        fast = per_second(served, args.seconds)
        slow = per_second(reference, args.seconds)
        served_all.append(fast)
        reference_all.append(slow)
        guide = json.loads(served())
        print(f"| {name} | {len(guide['urgent']) + len(guide['points'])} | {len(served())} | {fast:,.0f} | "
              f"{1e6 / fast:.0f} | {slow:,.0f} | {fast / slow:.1f}x |")
    print(f"\nmean over the profiles: served {statistics.mean(served_all):,.0f} guides/s, "
          f"reference {statistics.mean(reference_all):,.0f} guides/s (one core)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
