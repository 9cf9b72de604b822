"""Browser fixtures: Debian's Chromium driven by Playwright (sites are served by tests/conftest.py's `serve`)."""
from __future__ import annotations

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
KIOSK_WIDTH, KIOSK_HEIGHT = 1080, 1920      # the service hall's portrait touchscreen


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is not installed: run `make test`, which installs it")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        yield b
        b.close()




@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    pg = context.new_page()
    pg.external_requests = []
    pg.on("request", lambda r: None if r.url.startswith(("http://127.0.0.1", "file://", "data:", "about:"))
          else pg.external_requests.append(r.url))
    yield pg
    context.close()


@pytest.fixture
def screen(browser):
    """A portrait touchscreen page with the network cut off; .left lists what tried to leave."""
    contexts = []

    def open_screen(idle_seconds=None):
        context = browser.new_context(viewport={"width": KIOSK_WIDTH, "height": KIOSK_HEIGHT}, has_touch=True,
                                      locale="zh-CN", service_workers="block")
        left = []

        def route(r):
            if r.request.url.startswith("file:"):
                r.continue_()
            else:
                left.append(r.request.url)
                r.abort()
        context.route("**/*", route)
        context.on("request", lambda req: None if req.url.startswith("file:") else left.append(req.url))
        if idle_seconds is not None:
            context.add_init_script(f"window.KIOSK_IDLE_SECONDS = {idle_seconds};")
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.left = left
        contexts.append(context)
        return page

    yield open_screen
    for context in contexts:
        context.close()
