from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from decision_aid.cli import main

MINIMAL = Path(__file__).resolve().parent.parent / "fixtures" / "rules_minimal"


def test_guide_as_markdown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps({"sites": ["bone"], "treatments": [{"drug": "Femara", "outcome": "progressed"}]}))
    assert main(["guide", str(profile)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Discussion guide: metastatic breast cancer")
    sections = [line for line in out.splitlines() if line.startswith("## ")]
    assert sections[:3] == ["## What the guide understood", "## Your questions for this appointment",
                            "## Your options to talk about"], "the same order as the guide: top questions first"
    assert "1. [ ] " in out and "- [ ] " in out


def test_guide_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile = tmp_path / "profile.json"
    profile.write_text("{}")
    assert main(["guide", str(profile), "--format", "json"]) == 0
    guide = json.loads(capsys.readouterr().out)
    assert guide["disclaimer"] and guide["urgent"] == []


def test_guide_with_a_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["guide", "no-such-profile.json"]) == 2
    assert "no readable file at no-such-profile.json" in capsys.readouterr().err


def test_guide_with_an_invalid_profile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps({"receptors": {"her2": "postive"}}))
    assert main(["guide", str(profile)]) == 2
    err = capsys.readouterr().err
    assert "receptors.her2: 'postive' is not an accepted value" in err
    assert "Traceback" not in err


def test_rules_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--rules-dir", str(MINIMAL), "rules"]) == 0
    out = capsys.readouterr().out
    assert "test-bone-medicines" in out and "2 rules" in out


def test_rules_check_passes_on_the_real_knowledge_base(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--check"]) == 0, capsys.readouterr().out


def test_serve_refuses_a_broken_knowledge_base(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(MINIMAL, rules)
    (rules / "bone.yaml").write_text("topic: bone\nrules: [\n")
    result = subprocess.run([sys.executable, "-m", "decision_aid.cli", "--rules-dir", str(rules), "serve"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith("Knowledge base is invalid:\n==> File rules/bone.yaml\n=====> Not valid YAML")
    assert "Traceback" not in result.stderr


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    from decision_aid import vocabulary as v

    profile = tmp_path / "profile.json"  # a guide larger than a pipe's buffer, so the writer meets the closed pipe
    profile.write_text(json.dumps({"sites": list(v.SITES), "symptoms": list(v.SYMPTOMS), "concerns": list(v.CONCERNS),
                                   "receptors": {"er": "positive", "her2": "negative"}}))
    command = f"{sys.executable} -m decision_aid.cli guide {profile} --format json | head -n 1"
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.stdout.strip() == "{"
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr


def test_an_invalid_profile_is_named_as_the_profile_not_the_body(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    profile = tmp_path / "profile.json"
    profile.write_text("[1, 2]")
    assert main(["guide", str(profile)]) == 2
    err = capsys.readouterr().err
    assert "profile:" in err and "body" not in err
