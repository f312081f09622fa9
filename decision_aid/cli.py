"""The command line: ``decision-aid guide|rules|serve``."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

from pydantic import ValidationError

from decision_aid.checks import example_failures
from decision_aid.engine import build_guide
from decision_aid.errors import KnowledgeBaseError
from decision_aid.knowledge_base import KnowledgeBase, load_knowledge_base
from decision_aid.profile import parse_profile
from decision_aid.readability import FORMULA, MAX_LIMIT, MEDIAN_LIMIT, masker_for, measure, patient_texts
from decision_aid.render_markdown import render_markdown
from decision_aid.validation_errors import describe_validation_error


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="decision-aid", description=(
        "An open, non-prescriptive decision aid for metastatic breast cancer: a profile in, "
        "a discussion guide out."))
    parser.add_argument("--rules-dir", help="a knowledge-base folder (default: the built-in rules)")
    commands = parser.add_subparsers(dest="command", required=True)

    guide = commands.add_parser("guide", help="build a discussion guide from a profile (JSON file, or - for stdin)")
    guide.add_argument("profile", help="path of a profile JSON file, or - to read standard input")
    guide.add_argument("--format", choices=("markdown", "json"), default="markdown")

    rules = commands.add_parser("rules", help="list the rules (the catalogue)")
    rules.add_argument("--check", action="store_true",
                       help="also run every rule's examples and the readability check; exit 1 on a failure")

    serve = commands.add_parser("serve", help="run the web service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        # The reader went away (``decision-aid guide p.json | head``): stop quietly, as other tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    try:
        kb = load_knowledge_base(args.rules_dir)
    except KnowledgeBaseError as error:
        # Start-up stops here, with the path to the bad value and no traceback.
        print(error.report(), file=sys.stderr)
        return 2
    if args.command == "serve":
        return _serve(args)
    if args.command == "guide":
        return _guide(args, kb)
    return _rules(args, kb)


def _guide(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    try:
        raw = sys.stdin.read() if args.profile == "-" else Path(args.profile).read_text(encoding="utf-8")
    except OSError as error:
        print(f"Cannot read the profile: no readable file at {args.profile} ({error.strerror}).", file=sys.stderr)
        return 2
    try:
        profile = parse_profile(raw.encode("utf-8"), kb.drugs)
    except ValidationError as error:
        print("The profile is not valid:", file=sys.stderr)
        for problem in describe_validation_error(error):
            message = problem["msg"]  # written for HTTP, where the profile is the request body
            print(f"  - {'profile' + message[4:] if message.startswith('body:') else message}", file=sys.stderr)
        return 2
    guide = build_guide(profile, kb)
    if args.format == "json":
        print(guide.model_dump_json(indent=2))
    else:
        print(render_markdown(guide), end="")
    return 0


def _rules(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    print(f"Knowledge base {kb.version}, reviewed on {kb.meta.reviewed_on}: {len(kb.rules)} rules")
    for rule in kb.rules:
        print(f"  {rule.topic:32} {rule.id:48} {rule.title}")
    if not args.check:
        return 0
    problems = example_failures(kb)
    measured = measure(patient_texts(kb), masker_for(kb))
    median = statistics.median(m.grade for m in measured)
    too_hard = sorted((m for m in measured if m.grade > MAX_LIMIT), key=lambda m: -m.grade)
    print(f"\nReadability ({FORMULA}): median {median:.1f} (limit {MEDIAN_LIMIT}), "
          f"{len(too_hard)} texts above {MAX_LIMIT}")
    for m in too_hard:
        problems.append(f"{m.where}: grade {m.grade:.1f} is above {MAX_LIMIT}: {m.text[:90]!r}")
    if median > MEDIAN_LIMIT:
        problems.append(f"median grade {median:.1f} is above {MEDIAN_LIMIT}")
    for problem in problems:
        print(f"FAIL {problem}")
    print("All checks passed." if not problems else f"{len(problems)} problem(s).")
    return 1 if problems else 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    if args.rules_dir:
        os.environ["DECISION_AID_RULES_DIR"] = str(args.rules_dir)
    log_config = Path(__file__).resolve().parent.parent / "api" / "uvicorn_logging.json"
    # The same settings as docs/deployment.md: JSON logs, the service's own access line, and a
    # graceful shutdown that lets requests in flight finish.
    uvicorn.run("api.main:app", host=args.host, port=args.port, workers=args.workers,
                log_config=str(log_config) if log_config.is_file() else None, access_log=False,
                timeout_graceful_shutdown=25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
