"""Profile the served path of POST /v1/guide in-process with pyinstrument.

    python3 bench/profile_hot_path.py [--seconds 3] [--reference]

It runs what the route runs for the benchmark profiles in turn (validate the raw body, then
``guide_json``), or with ``--reference`` the reference path (``build_guide(...).model_dump_json()``),
and prints the call tree. The text also goes to ``bench/results/hot-path[-reference].txt``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pyinstrument import Profiler  # noqa: E402

from bench.profiles import bodies  # noqa: E402
from decision_aid.engine import build_guide, guide_json, prepare  # noqa: E402
from decision_aid.knowledge_base import load_knowledge_base  # noqa: E402
from decision_aid.profile import Profile  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--reference", action="store_true", help="profile build_guide + model_dump_json instead")
    args = parser.parse_args()
    kb = load_knowledge_base()
    prepared = prepare(kb)
    context = {"drugs": kb.drugs}
    requests = list(bodies().values())
    profiler = Profiler(interval=0.0002)
    profiler.start()
    deadline = time.perf_counter() + args.seconds
    count = 0
    while time.perf_counter() < deadline:
        for body in requests:
            profile = Profile.model_validate_json(body, context=context)
            if args.reference:
                build_guide(profile, kb).model_dump_json()
            else:
                guide_json(profile, prepared)
            count += 1
    profiler.stop()
    text = profiler.output_text(unicode=False, color=False)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"hot-path{'-reference' if args.reference else ''}.txt").write_text(text)
    print(f"{count} guides in {args.seconds:.1f} s\n{text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
