"""What the browser tests and the screenshot script share: a real uvicorn server on a free localhost
port, Debian's chromium driven by Playwright, a strict Content-Security-Policy on every page, and a
person filling in the form."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"

#: The policy the security-headers middleware sets. Until it is in place, the tests add it to each
#: page that arrives without one, so the page is proven to work under it either way.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "font-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'")

#: Records securitypolicyviolation events for the test to read (an init script runs outside the CSP).
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_server(timeout: float = 60.0) -> Iterator[str]:
    """Start ``uvicorn api.main:app`` on a free port; yield its base URL; stop it afterwards."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", str(port),
             "--no-access-log", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                if process.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"uvicorn stopped with code {process.returncode}:\n{log.read()}")
                try:
                    with urllib.request.urlopen(f"{base}/readyz", timeout=2) as response:
                        if response.status == 200:
                            break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    pass
                if time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"uvicorn did not become ready within {timeout} s:\n{log.read()}")
                time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def launch_chromium(playwright: Any) -> Any:
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: scripts/test.sh installs Debian's chromium with apt-get.")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def enforce_csp(context: Any) -> None:
    """Give every page the strict policy if the server did not already send one."""

    def handle(route: Any) -> None:
        if route.request.resource_type != "document":
            route.continue_()
            return
        response = route.fetch()
        headers = dict(response.headers)
        if not any(name.lower() == "content-security-policy" for name in headers):
            headers["content-security-policy"] = CSP
        route.fulfill(response=response, headers=headers)

    context.route("**/*", handle)


def normalised(text: str) -> str:
    """Text with ligatures unfolded and all white space removed, to compare PDF text reliably."""
    return "".join(unicodedata.normalize("NFKC", text).split()).replace("\u2019", "'")


def fill_form_as_a_person(page: Any, *, javascript: bool) -> None:
    """Fill the form as a person would: a place, a test result, a brand name (picked from the
    suggestions when JavaScript is on, typed in full when it is off), and a red-flag symptom pair."""
    page.get_by_label("Bones").check()
    page.get_by_role("group", name="ER: does the cancer have receptors for oestrogen?").get_by_label(
        "Positive (+)").check()
    page.get_by_role("group", name="HER2: how much HER2 did the test find?").get_by_label(
        "Negative, with none found (HER2 0)").check()
    drug = page.get_by_label("Name of the medicine").first
    if javascript:
        drug.press_sequentially("ibr", delay=60)
        option = page.get_by_role("option", name="Ibrance")
        option.wait_for()
        option.click()
        if drug.input_value() != "Ibrance":
            raise AssertionError(f"picking the suggestion gave {drug.input_value()!r}")
    else:
        drug.fill("Ibrance")
    page.get_by_label("How did it go?").first.select_option(label="The cancer grew while I had it")
    page.get_by_label("Back pain").check()
    page.get_by_label("Weak, numb or heavy legs").check()
