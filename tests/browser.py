"""A page of a real headless Chromium for the tests of HTML output, recording what goes wrong."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.conftest import require_service

# Headless Chromium as root on a machine with no network or display (see /usr/bin/chromium's flags).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def chromium_page(url: str, problems: list[str]) -> Iterator[Any]:
    """The page at `url`, loaded in headless Chromium (1280 x 900); console errors, page errors and
    failed requests are appended to `problems`."""
    from playwright.sync_api import sync_playwright

    chromium = require_service("ENGAGE_TEST_CHROMIUM", "Chromium (Debian's chromium package)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("requestfailed", lambda request: problems.append(f"failed to load {request.url}"))
        page.goto(url, wait_until="load")
        try:
            yield page
        finally:
            browser.close()
