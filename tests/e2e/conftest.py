"""Browser tests: Playwright's sync API driving Debian's chromium against pytest-django's live server."""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the tests themselves are safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1366, "height": 768}


@pytest.fixture
def browser(transactional_db):
    # Started per test, after the database fixture: Playwright's sync API runs in greenlets, and Django's
    # connections are context-local, so a browser started first would hide the serialized test data from the
    # restore that each transactional test begins with.
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    from playwright.sync_api import expect

    # `expect(...)` waits 5 s by default, independently of the page's timeout: on a loaded 2-core CI machine a
    # page with the live server, htmx and axe can take longer than that, so the assertions wait like the actions.
    expect.set_options(timeout=15_000)
    context = browser.new_context(viewport=VIEWPORT, base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
