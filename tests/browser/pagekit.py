"""What the browser tests share: the Page helper, console filtering, repository helpers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

from harness import ACTIVE, TERMINAL, wait_until

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "artifacts" / "screenshots"

__all__ = ["ACTIVE", "TERMINAL", "Page", "jobs_of", "modules", "page_errors", "wait_until"]


def _screenshot_name(node_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", node_name).strip("_") + ".png"


class Page:
    """The status page in the browser, with the waits and look-ups the tests share."""

    def __init__(self, driver: Any, stack: Any) -> None:
        self.d = driver
        self.stack = stack
        self.base_url = stack.base_url + "/"

    # --- navigation and sign-in ---------------------------------------------------------

    def open(self, fragment: str = "") -> None:
        self.d.get(self.base_url + fragment)
        self.wait(lambda: self.d.execute_script("return document.readyState") == "complete", what="page load")

    def sign_in(self, token: str | None = None) -> None:
        """Signs in through the form (the way a person does)."""
        from selenium.webdriver.common.keys import Keys

        self.open()
        field = self.wait_visible("token-input")
        field.clear()
        field.send_keys(token or self.stack.token, Keys.ENTER)
        self.wait_visible("app-view")
        self.wait(lambda: not self.by_id("repos-status").text.startswith("Loading"), what="the repository list")

    def open_repository(self, repository_id: str) -> None:
        self.d.get(f"{self.base_url}#/r/{repository_id}")
        self.wait(lambda: self.by_id("repo-panel").is_displayed() and self.by_id("repo-title").text, what="the panel")

    # --- look-ups -------------------------------------------------------------------------

    def by_id(self, element_id: str) -> Any:
        from selenium.webdriver.common.by import By

        return self.d.find_element(By.ID, element_id)

    def css(self, selector: str) -> list[Any]:
        from selenium.webdriver.common.by import By

        return self.d.find_elements(By.CSS_SELECTOR, selector)

    def repo_links(self) -> list[Any]:
        return self.css("#repo-list a.repo-link")

    def repo_link(self, repository_id: str) -> Any:
        return self.css(f'#repo-list li[data-id="{repository_id}"] a')[0]

    def job_status(self) -> str | None:
        """The job status the job card shows (its data-status), or None while there is no card."""
        card = self.by_id("job-card")
        return None if not card.is_displayed() else card.get_attribute("data-status")

    def progress(self) -> dict:
        """The progress bar as a screen reader and a sighted user see it."""
        return self.d.execute_script(
            """const bar = document.getElementById('job-progress');
               return {now: bar.getAttribute('aria-valuenow'), min: bar.getAttribute('aria-valuemin'),
                       max: bar.getAttribute('aria-valuemax'), role: bar.getAttribute('role'),
                       text: document.getElementById('job-percent').textContent,
                       step: document.getElementById('job-step').textContent,
                       badge: document.getElementById('job-badge').textContent,
                       status: document.getElementById('job-card').dataset.status,
                       jobId: document.getElementById('job-card').dataset.jobId,
                       errorShown: !document.getElementById('job-error').hidden};"""
        )

    # --- waiting --------------------------------------------------------------------------

    def wait(self, check: Callable[[], Any], timeout: float = 20, what: str = "condition") -> Any:
        return wait_until(check, timeout=timeout, interval=0.1, what=what)

    def wait_visible(self, element_id: str, timeout: float = 20) -> Any:
        return self.wait(lambda: self.by_id(element_id) if self.by_id(element_id).is_displayed() else None,
                         timeout, f"#{element_id} to be visible")

    def wait_job_status(self, statuses: set[str] | str, timeout: float = 60, samples: list | None = None) -> dict:
        wanted = {statuses} if isinstance(statuses, str) else set(statuses)

        def check():
            p = self.progress()
            if samples is not None:
                samples.append(p)
            return p if p["status"] in wanted else None

        return self.wait(check, timeout, f"the job card to show {sorted(wanted)}")

    # --- the console ----------------------------------------------------------------------

    def console(self) -> list[dict]:
        """Console entries since the last call (reading drains Chromium's buffer)."""
        return self.d.get_log("browser")

    def screenshot(self, name: str) -> Path:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / _screenshot_name(name)
        self.d.save_screenshot(str(path))
        return path


def page_errors(entries: list[dict]) -> list[dict]:
    """Entries that are defects of the page itself or of the API: script errors, CSP violations,
    missing files, and any /api/ answer that is not a deliberate 4xx.

    An API answering 4xx on purpose (a wrong token's 401, a 409 for a second job) is logged by
    Chromium as a failed resource too; only those are left out. A 404 of a static file, an /api/
    500 or 502, and an /api/ request that got no answer at all are counted.
    """
    bad = []
    for e in entries:
        if e.get("level") != "SEVERE":
            continue
        if e.get("source") == "network" and is_deliberate_api_refusal(e.get("message", "")):
            continue
        bad.append(e)
    return bad


_STATUS = re.compile(r"the server responded with a status of (\d{3})")


def is_deliberate_api_refusal(message: str) -> bool:
    """True for Chromium's line about an /api/ request answered 4xx (`… /api/me - Failed to load
    resource: the server responded with a status of 401 (Unauthorized)`)."""
    path = urlsplit(message.split(" ", 1)[0]).path
    status = _STATUS.search(message)
    return path.startswith("/api/") and status is not None and 400 <= int(status.group(1)) < 500


def modules(n: int) -> dict[str, None]:
    """n small documented Python modules for make_git_repo (m01, m02, …)."""
    return {f"m{i:02d}": None for i in range(1, n + 1)}


def jobs_of(stack: Any, repository_id: str) -> list[dict]:
    r = stack.api("GET", f"/api/documentation/jobs?repository_id={repository_id}&limit=100")
    assert r.status == 200, r
    return r.body["jobs"]

