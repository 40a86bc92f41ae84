"""Browser fixtures (a live server and Debian's Chromium through Playwright) and the axe check."""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server

from triage import create_app

CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def chromium_path() -> str | None:
    wanted = os.environ.get("TRIAGE_CHROMIUM")
    if wanted:
        return wanted if shutil.which(wanted) or os.path.exists(wanted) else None
    return next((path for path in CANDIDATES if os.path.exists(path)), None)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = chromium_path()
    if path is None:
        message = "no Chromium found (install Debian's chromium, or set TRIAGE_CHROMIUM)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{message}: browser tests must run in CI")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path, args=["--disable-background-networking", "--disable-component-update"]
        )
        yield browser
        browser.close()


@contextlib.contextmanager
def serving(app: Any) -> Iterator[str]:
    """`app` served on a free local port for the duration, by its address."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    # Many complete runs come from one address in a few seconds: rate limits would get in the way.
    with serving(create_app({"SECRET_KEY": "browser-test-secret", "RATE_LIMIT": "off"})) as url:
        yield url


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in results.response["violations"]]


class Keyboard:
    """No mouse: Tab to each question, arrow keys or Space to answer, Enter to go on; `keys` counts
    every key pressed."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.keys = 0

    def press(self, key: str) -> None:
        self.keys += 1
        self.page.keyboard.press(key)

    def focused(self) -> dict[str, Any]:
        return self.page.evaluate(  # type: ignore[no-any-return]
            "() => { const e = document.activeElement; return {tag: e.tagName, id: e.id, name: e.name || '',"
            " value: e.value || '', text: (e.innerText || '').trim()}; }"
        )

    def tab_to(self, match: Any, limit: int = 60) -> None:
        for _ in range(limit):
            self.press("Tab")
            if match(self.focused()):
                return
        raise AssertionError(f"could not reach the element by keyboard; focus is on {self.focused()}")

    def answer_every_page(self, next_buttons: tuple[str, ...]) -> None:
        """From a question page to the result: the quietest answer to each question ("none of these"
        in a list), then the button named one of `next_buttons`."""
        page = self.page
        while "/questions/" in page.url:
            for name in page.eval_on_selector_all(
                ".field[id$='-group']:not([data-reveal-hidden])", "els => els.map(e => e.id.slice(0, -6))"
            ):
                if page.locator(f"#{name}-group[data-together]").count():
                    self.tab_to(lambda e, name=name: e["name"] == name)  # past the items, to "none of these"
                    self.press("Space")
                    continue
                self.tab_to(lambda e, name=name: e["name"] == name)
                if self.focused()["tag"] == "INPUT" and page.evaluate("document.activeElement.type") == "text":
                    self.press("5")
                    self.press("8")
                    continue
                values = page.eval_on_selector_all(f"input[name='{name}']", "els => els.map(e => e.value)")
                wanted = {"weakness": "no"}.get(name, "no" if "no" in values else values[0])
                if values.index(wanted) == 0:
                    self.press("Space")
                for _ in range(values.index(wanted)):
                    self.press("ArrowDown")
            self.tab_to(lambda e: e["tag"] == "BUTTON" and e["text"] in next_buttons)
            before = page.url
            self.press("Enter")
            page.wait_for_function(f"() => location.href !== {before!r}")
