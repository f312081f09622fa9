"""Take the README's screenshots of the patient page: docs/screenshots/form.png and result.png.

Run from the repository root: ``python3 tests/browser/take_screenshots.py``. It starts the real
server on a free port and drives Debian's chromium, the same way as the browser tests.
"""

from __future__ import annotations

import sys

from patient_page_support import ROOT, fill_form_as_a_person, launch_chromium, running_server

OUT = ROOT / "docs" / "screenshots"
VIEWPORT = {"width": 1000, "height": 1500}


def main() -> int:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with running_server() as base, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_context(viewport=VIEWPORT).new_page()
            page.goto(f"{base}/")
            fill_form_as_a_person(page, javascript=True)
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(OUT / "form.png"))
            page.get_by_role("button", name="Show my guide and questions").click()
            page.wait_for_load_state()
            page.screenshot(path=str(OUT / "result.png"))
        finally:
            browser.close()
    for name in ("form.png", "result.png"):
        print(OUT / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
