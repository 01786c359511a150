"""Fixtures of the browser tests: headless Chromium driving the status page of a real Scribe.

The Scribe under test is the end-to-end harness's stack (tests/e2e/harness.py): real
PostgreSQL, scribe-fcgi, scribe-worker and nginx serving static/ with its CSP. Its
fixtures live in tests/e2e/conftest.py; this file loads that module and re-exports
them (`stack`, `git_repo`, `no_dispatcher`, the cleanup after each test, the log tail on failure), so
both folders share one definition. Loaded under its own module name, it gives the
browser tests a stack instance of their own when both folders run in one session.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
E2E_DIR = REPO_ROOT / "tests" / "e2e"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def _load_e2e_conftest():
    path = E2E_DIR / "conftest.py"
    if not path.is_file():
        raise RuntimeError(f"{path} is missing: the browser tests use the end-to-end harness's `stack` fixture")
    if str(E2E_DIR) not in sys.path:
        sys.path.insert(0, str(E2E_DIR))  # its `from harness import …` and `from gitrepos import …`
    spec = importlib.util.spec_from_file_location("scribe_e2e_fixtures", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


_e2e = _load_e2e_conftest()
stack = _e2e.stack
git_repo = _e2e.git_repo
no_dispatcher = _e2e.no_dispatcher
_no_job_left_behind = _e2e._no_job_left_behind
pytest_runtest_makereport = _e2e.pytest_runtest_makereport

from pagekit import Page, page_errors  # noqa: E402  (it imports the harness, now on sys.path)


# --- the browser -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def driver() -> Iterator[Any]:
    """One headless Chromium for the session (about a second to start), with its console log kept."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("selenium is not installed: run scripts/install-deps.sh --test", pytrace=False)
    for exe in (CHROMIUM, CHROMEDRIVER):
        if not Path(exe).exists():
            pytest.fail(f"{exe} is missing: run scripts/install-deps.sh --test", pytrace=False)
    options = Options()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,1000",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-renderer-backgrounding",
        "--disable-background-timer-throttling",
    ):
        options.add_argument(arg)
    # performance: the network log (Network.* events), which the export test reads.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    d = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    d.set_page_load_timeout(30)
    d.set_script_timeout(30)
    try:
        yield d
    finally:
        d.quit()


@pytest.fixture
def page(driver: Any, stack: Any, request: pytest.FixtureRequest) -> Iterator[Page]:
    """The page with a clean tab: no token in sessionStorage, desktop width, console drained.

    After the test: a screenshot in artifacts/screenshots/<test>.png, and a check that
    the page logged no script error or CSP violation.
    """
    p = Page(driver, stack)
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    driver.execute_cdp_cmd("Emulation.setFocusEmulationEnabled", {"enabled": True})
    p.open()
    driver.execute_script("sessionStorage.clear()")
    p.open()
    p.console()
    yield p
    from selenium.common.exceptions import NoAlertPresentException

    alert_text = None
    try:
        alert = driver.switch_to.alert  # a stray alert would also block the screenshot
        alert_text = alert.text
        alert.dismiss()
    except NoAlertPresentException:
        pass
    p.screenshot(request.node.name)
    assert alert_text is None, f"the page opened an alert ({alert_text!r}): text from the server ran as HTML"
    errors = page_errors(p.console())
    assert not errors, f"the page logged errors: {errors}"


@pytest.fixture(scope="module")
def throttled_stack(stack: Any) -> Iterator[Any]:
    """The stack with scribe-fcgi restarted so that each module takes a second in the worker.

    The page polls every 5 s; slow jobs let it see progress between the ends, and let a
    test pause or cancel in the middle. Module-scoped: one restart for the whole file.
    """
    stack.cancel_active_jobs()
    stack.restart_fcgi(SCRIBE_WORKER_OBJECT_DELAY_MS="1000")
    try:
        yield stack
    finally:
        stack.cancel_active_jobs()
        stack.restart_fcgi()
