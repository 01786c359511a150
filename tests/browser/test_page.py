"""The status page in a real browser, against a real Scribe (nginx, scribe-fcgi, workers, PostgreSQL).

Each test drives the page as a person does (clicks, keys) and checks what the page
shows against what the API says. Screenshots land in artifacts/screenshots/<test>.png.
"""

from __future__ import annotations

import re
import time

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from pagekit import ACTIVE, TERMINAL, jobs_of, modules

HOSTILE = "<img src=x onerror=alert(1)>"


def repository_id_from_url(url: str) -> str:
    m = re.search(r"#/r/([0-9a-fA-F-]{36})", url)
    assert m, f"the page did not route to a repository: {url}"
    return m.group(1)


def session_token(page) -> str | None:
    return page.d.execute_script("return sessionStorage.getItem('scribe.token')")


def count_posts(page, fragment: str) -> None:
    """Counts the page's POST requests whose URL contains fragment, in window.__posts."""
    page.d.execute_script(
        """const fragment = arguments[0];
           window.__posts = 0;
           const original = window.fetch;
           window.fetch = (url, init) => {
             if (init && init.method === 'POST' && String(url).includes(fragment)) window.__posts++;
             return original(url, init);
           };""",
        fragment,
    )


def delay_requests(page, pattern: str, ms: int) -> None:
    """Holds the page's requests whose URL matches pattern (a regex) for ms before sending them."""
    page.d.execute_script(
        """const re = new RegExp(arguments[0]), ms = arguments[1];
           const original = window.fetch;
           window.fetch = (url, init) => re.test(String(url))
             ? new Promise((resolve) => setTimeout(resolve, ms)).then(() => original(url, init))
             : original(url, init);""",
        pattern,
        ms,
    )


def generated(stack, git_repo, name: str, n: int = 2) -> str:
    """A repository registered through the API whose documentation is generated; returns its id."""
    repo_id = stack.add_repository(git_repo(name=name, modules=modules(n)))
    stack.poll_job(stack.generate(repo_id), timeout=120)
    return repo_id


def test_sign_in_rejects_a_wrong_token_then_accepts_the_right_one(page, stack):
    page.open()
    field = page.wait_visible("token-input")
    assert page.d.switch_to.active_element == field, "the token field should have the focus"
    assert page.css("label[for='token-input']")[0].text == "API token"

    field.send_keys("not-a-real-token", Keys.ENTER)
    message = page.wait(lambda: page.by_id("signin-error").text, what="the sign-in error")
    assert "not accepted" in message
    assert field.get_attribute("aria-invalid") == "true"
    assert not page.by_id("app-view").is_displayed()
    assert session_token(page) is None

    field.clear()
    field.send_keys(stack.token)
    page.by_id("signin-button").click()
    page.wait_visible("app-view")
    assert "admin@e2e.test" in page.by_id("account-who").text
    assert page.by_id("signin-error").text == ""
    assert session_token(page) == stack.token

    # The token lives in sessionStorage: a reload keeps the session, signing out ends it.
    page.open()
    page.wait_visible("app-view")
    page.by_id("sign-out").click()
    page.wait_visible("signin-view")
    assert session_token(page) is None
    assert "signed out" in page.by_id("signin-note").text
    assert not page.by_id("account").is_displayed()

    # A saved token that stopped working sends the page back to the form, with a reason.
    page.d.execute_script("sessionStorage.setItem('scribe.token', 'revoked-token')")
    page.open()
    message = page.wait(lambda: page.by_id("signin-error").text, what="the stale-token message")
    assert "no longer accepted" in message
    assert session_token(page) is None


def test_register_generate_watch_progress_and_read_the_docs(page, throttled_stack, git_repo):
    stack = throttled_stack
    repo = git_repo(name="browser-demo", modules=modules(12))
    page.sign_in()

    # Register through the form; a bad URL first shows the server's error inline.
    page.by_id("repo-url").send_keys("ftp://example.com/nope.git")
    page.by_id("register-button").click()
    assert page.wait(lambda: page.by_id("register-error").text, what="the register error")
    assert page.by_id("repo-url").get_attribute("aria-invalid") == "true"
    page.by_id("repo-url").clear()
    page.by_id("repo-url").send_keys(str(repo))
    page.by_id("repo-branch").send_keys("main")
    page.by_id("register-button").click()
    page.wait(lambda: "#/r/" in page.d.current_url and page.by_id("repo-title").text == "browser-demo",
              what="the new repository's panel")
    repo_id = repository_id_from_url(page.d.current_url)
    assert page.by_id("register-error").text == ""
    assert "browser-demo" in page.repo_link(repo_id).text
    assert page.by_id("repo-badge").text == "Idle"
    assert page.by_id("repo-branch-text").text == "main"

    generate = page.by_id("generate-button")
    assert generate.is_enabled()
    generate.click()
    assert not generate.is_enabled(), "the button must be disabled as soon as it is clicked"

    samples: list[dict] = []
    page.wait(lambda: page.css("#event-log li"), timeout=30, what="the first event")
    first_event = page.css("#event-log li")[0]
    final = page.wait_job_status("completed", timeout=120, samples=samples)

    values = [int(s["now"]) for s in samples if s["status"]]
    assert values == sorted(values), f"progress went backwards: {values}"
    between = sorted({v for v in values if 0 < v < 100})
    assert len(between) >= 2, f"the bar should show progress between 0 and 100 (saw {values})"
    assert any(s["status"] == "running" and s["badge"] == "Running" for s in samples)
    assert any("Generating documentation" in s["step"] for s in samples), {s["step"] for s in samples}
    assert not any(s["errorShown"] or s["badge"] == "Failed" for s in samples)
    assert (final["role"], final["min"], final["max"], final["now"], final["text"]) == (
        "progressbar", "0", "100", "100", "100%",
    )
    job = stack.job(final["jobId"])
    assert job["status"] == "completed"
    assert page.by_id("job-total").text == str(job["total_objects"])
    assert page.by_id("job-done").text == str(job["processed_objects"])
    # Documentation coverage, as the job's API field states it.
    coverage = job["coverage"]
    page.wait(lambda: page.by_id("job-coverage").is_displayed(), what="the coverage row")
    assert page.by_id("job-coverage").text == (
        f"{coverage['percent']:.1f} % · {coverage['documented_symbols']} of {coverage['public_symbols']} public symbols documented"
    )

    # Re-enabled when the job ends; the list's badge follows.
    page.wait(lambda: page.by_id("generate-button").is_enabled(), what="Generate to be enabled again")
    page.wait(lambda: "Completed" in page.repo_link(repo_id).text, what="the list's badge")

    # The event log grew by appending: the first line is the same node as before.
    assert page.d.execute_script("return arguments[0].isConnected", first_event)
    seqs = [li.get_attribute("data-seq") for li in page.css("#event-log li")]
    assert len(seqs) >= 5 and len(seqs) == len(set(seqs)), seqs

    # The history lists this one job.
    page.wait(lambda: len(page.css("#history-body tr")) == 1, what="one job in the history")
    assert "Completed" in page.css("#history-body tr")[0].text

    # The documentation: page list, the overview rendered, links between pages.
    page.wait(lambda: page.css("#docs-nav a"), what="the page list")
    titles = [a.text for a in page.css("#docs-nav a")]
    assert any("m01" in t for t in titles), titles
    view = page.by_id("doc-view")
    page.wait(lambda: view.get_attribute("data-path"), what="a page in the viewer")
    assert view.find_elements("css selector", "h3, h4"), "the overview should have headings"
    module_link = page.wait(
        lambda: next((a for a in page.css("#doc-view a.md-internal") if "modules" in (a.get_attribute("href") or "")), None),
        what="a link from the overview to a module page",
    )
    module_link.click()
    page.wait(lambda: (view.get_attribute("data-path") or "").startswith("modules/"), what="the module page")
    module_path = view.get_attribute("data-path")
    assert page.css('#docs-nav a[aria-current="page"]')[0].get_attribute("data-path") == module_path
    back = page.wait(
        lambda: next((a for a in page.css("#doc-view a.md-internal") if "index.md" in (a.get_attribute("href") or "")), None),
        what="the link back to the overview",
    )
    back.click()
    page.wait(lambda: view.get_attribute("data-path") == "index.md", what="the overview again")
    page.d.back()
    page.wait(lambda: view.get_attribute("data-path") == module_path, what="the back button to return to the module")
    page.screenshot("test_register_generate_watch_progress_and_read_the_docs-docs")


def test_double_click_starts_exactly_one_job(page, throttled_stack, git_repo):
    stack = throttled_stack
    repo_id = stack.add_repository(git_repo(name="double-click", modules=modules(4)))
    page.sign_in()
    page.open_repository(repo_id)
    count_posts(page, "/api/documentation/jobs")

    button = page.by_id("generate-button")
    ActionChains(page.d).double_click(button).perform()
    page.d.execute_script("document.getElementById('generate-button').click()")  # a third, scripted click

    page.wait(lambda: page.job_status() in ACTIVE | TERMINAL, what="the job card")
    time.sleep(1)  # a second request, had there been one, has landed by now
    assert page.d.execute_script("return window.__posts") == 1
    assert len(jobs_of(stack, repo_id)) == 1
    assert "already in progress" not in page.by_id("generate-notice").text
    assert not page.by_id("job-error").is_displayed()


def test_generate_while_a_job_is_active_follows_that_job(page, throttled_stack, git_repo):
    stack = throttled_stack
    repo_id = stack.add_repository(git_repo(name="busy-elsewhere", modules=modules(12)))
    page.sign_in()
    page.open_repository(repo_id)
    assert page.by_id("generate-button").is_enabled()

    job_id = stack.generate(repo_id)  # someone else starts a job; the page does not know yet
    page.by_id("generate-button").click()

    notice = page.wait(lambda: page.by_id("generate-notice").text, what="the notice")
    assert "already in progress" in notice
    assert "notice-error" not in page.by_id("generate-notice").get_attribute("class")
    page.wait(lambda: page.progress()["jobId"] == job_id, what="the page to follow the active job")
    p = page.progress()
    assert p["status"] in ACTIVE and p["badge"] != "Failed" and not p["errorShown"]
    assert not page.by_id("generate-button").is_enabled()
    assert [j["id"] for j in jobs_of(stack, repo_id)] == [job_id]


def test_failed_job_shows_its_error_and_retry_works_once_fixed(page, stack, git_repo, tmp_path):
    missing = tmp_path / "appears-later"
    repo_id = stack.add_repository(missing)
    page.sign_in()
    page.open_repository(repo_id)
    page.by_id("generate-button").click()

    samples: list[dict] = []
    failed = page.wait_job_status("failed", timeout=90, samples=samples)
    for s in samples:
        if s["status"] in ACTIVE:
            assert s["badge"] != "Failed" and s["step"] != "Failed", f"showed failed while {s['status']}"
    job = stack.job(failed["jobId"])
    assert job["status"] == "failed" and job["error_message"]
    assert page.by_id("job-error").is_displayed()
    assert page.by_id("job-error-text").text == job["error_message"].strip()
    assert page.by_id("job-error").get_attribute("role") == "alert"
    assert page.by_id("repo-badge").text == "Failed"
    retry = page.by_id("job-retry")
    assert retry.is_displayed() and retry.is_enabled()
    assert page.by_id("generate-button").is_enabled()
    assert not page.by_id("job-pause").is_displayed() and not page.by_id("job-cancel").is_displayed()

    git_repo(name="appears-later")  # the cause is fixed: the repository now exists
    delay_requests(page, r"/retry$", 700)
    retry.click()
    assert not retry.is_enabled(), "Retry must be disabled while its request is in flight"
    page.wait_job_status("completed", timeout=120)
    assert not page.by_id("job-error").is_displayed()
    assert not page.by_id("job-retry").is_displayed()
    assert stack.job(failed["jobId"])["status"] == "completed"
    page.wait(lambda: page.css("#docs-nav a"), what="the documentation after the retry")
    page.wait(lambda: "Completed" in page.repo_link(repo_id).text, what="the list's badge")


def test_pause_resume_and_cancel_from_the_page(page, throttled_stack, git_repo):
    stack = throttled_stack
    repo_id = stack.add_repository(git_repo(name="long-job", modules=modules(40)))
    page.sign_in()
    page.open_repository(repo_id)
    page.by_id("generate-button").click()
    page.wait(lambda: page.job_status() == "running" and page.by_id("job-pause").is_displayed(), timeout=30,
              what="a running job with a Pause button")
    assert not page.by_id("job-resume").is_displayed() and not page.by_id("job-retry").is_displayed()

    delay_requests(page, r"/pause$", 700)
    page.by_id("job-pause").click()
    assert not page.by_id("job-pause").is_enabled(), "Pause must be disabled while its request is in flight"
    paused = page.wait_job_status("paused", timeout=30)
    job_id = paused["jobId"]
    assert stack.job(job_id)["status"] == "paused"
    assert paused["badge"] == "Paused"
    assert page.by_id("job-resume").is_displayed() and page.by_id("job-cancel").is_displayed()
    assert not page.by_id("job-pause").is_displayed()
    assert not page.by_id("generate-button").is_enabled(), "a paused job is still active"
    page.wait(lambda: page.by_id("repo-badge").text == "Paused", what="the repository's badge")
    paused_at = int(paused["now"])

    page.by_id("job-resume").click()
    page.wait(lambda: page.job_status() == "running" and int(page.progress()["now"]) > paused_at, timeout=40,
              what="the job to run on from where it paused")

    page.by_id("job-cancel").click()
    cancelled = page.wait_job_status("cancelled", timeout=30)
    assert cancelled["badge"] == "Cancelled"
    assert stack.job(job_id)["status"] == "cancelled"
    assert page.by_id("job-retry").is_displayed()
    assert not page.by_id("job-cancel").is_displayed() and not page.by_id("job-pause").is_displayed()
    page.wait(lambda: page.by_id("generate-button").is_enabled(), what="Generate to be enabled again")


def test_html_in_a_repository_name_is_shown_as_text(page, stack):
    # The server decodes the URL's path, so the repository's name is the HTML itself.
    url = "https://github.com/evil/%3Cimg%20src=x%20onerror=alert(1)%3E"
    page.sign_in()
    page.by_id("repo-url").send_keys(url)
    page.by_id("register-button").click()
    page.wait(lambda: "#/r/" in page.d.current_url and page.by_id("repo-title").text, what="the new repository")
    repo_id = repository_id_from_url(page.d.current_url)
    repo = stack.api("GET", f"/api/repositories/{repo_id}").body
    assert repo["name"] == HOSTILE, repo
    assert page.by_id("repo-title").text == HOSTILE
    assert HOSTILE in page.repo_link(repo_id).text
    assert page.by_id("repo-url-text").text == repo["url"]
    assert page.d.title.startswith(HOSTILE)

    # The job fails (no GitHub here): its error message is shown as text too.
    page.by_id("generate-button").click()
    page.wait_job_status("failed", timeout=60)
    job = stack.job(page.progress()["jobId"])
    assert page.by_id("job-error-text").text == job["error_message"].strip()
    page.wait(lambda: page.css("#event-log li"), what="the event log")

    images = page.d.execute_script("return [...document.images].map((i) => i.getAttribute('src'))")
    assert images == ["favicon.svg"], images
    assert page.d.execute_script("return document.querySelectorAll('[onerror]').length") == 0


def test_csp_header_favicon_and_a_clean_console(page, stack, git_repo):
    for path in ("/", "/app.js", "/style.css"):
        r = stack.api("GET", path, token=None)
        assert r.status == 200, (path, r.status)
        csp = r.headers.get("Content-Security-Policy") or ""
        for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'"):
            assert directive in csp, (path, csp)
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, csp
    icon = stack.api("GET", "/favicon.svg", token=None)
    assert icon.status == 200 and "svg" in (icon.headers.get("Content-Type") or "")

    repo_id = generated(stack, git_repo, "console-check")
    page.sign_in()
    page.open_repository(repo_id)
    page.wait(lambda: page.css("#docs-nav a") and page.by_id("doc-view").get_attribute("data-path"), what="the docs")
    page.css("#docs-nav a")[-1].click()
    page.wait(lambda: page.by_id("doc-view").get_attribute("data-path") == page.css("#docs-nav a")[-1].get_attribute("data-path"))
    page.wait(lambda: len(page.css("#history-body tr")) == 1 and page.css("#event-log li"), what="history and events")
    entries = page.console()
    assert not [e for e in entries if e["level"] == "SEVERE"], entries


def test_keyboard_only_on_a_375_px_screen(page, stack, git_repo):
    repo_id = generated(stack, git_repo, "narrow-keyboard")
    page.d.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 375, "height": 812, "deviceScaleFactor": 1, "mobile": True}
    )
    page.open()
    page.wait_visible("token-input")
    assert page.d.switch_to.active_element.get_attribute("id") == "token-input"
    page.d.switch_to.active_element.send_keys(stack.token, Keys.ENTER)
    page.wait_visible("app-view")
    page.wait(lambda: page.css(f'#repo-list li[data-id="{repo_id}"]'), what="the repository in the list")

    target = page.repo_link(repo_id)
    for _ in range(300):
        if page.d.switch_to.active_element == target:
            break
        ActionChains(page.d).send_keys(Keys.TAB).perform()
    assert page.d.switch_to.active_element == target, "Tab never reached the repository's link"
    ActionChains(page.d).send_keys(Keys.ENTER).perform()
    page.wait(lambda: page.d.switch_to.active_element.get_attribute("id") == "repo-title", what="focus on the panel")

    ActionChains(page.d).send_keys(Keys.TAB).perform()
    active = page.d.switch_to.active_element
    assert active.get_attribute("id") == "generate-button"
    assert page.d.execute_script("return getComputedStyle(document.activeElement).outlineStyle") != "none"

    page.wait(lambda: page.css("#docs-nav a") and page.by_id("doc-view").get_attribute("data-path"), what="the docs")
    width = page.d.execute_script("return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1] == 375, f"the page is wider than the screen: {width}"

    ActionChains(page.d).send_keys(Keys.ENTER).perform()  # Generate, from the keyboard
    page.wait(lambda: page.job_status() in ACTIVE or page.job_status() in TERMINAL and len(jobs_of(stack, repo_id)) == 2,
              what="a second job started from the keyboard")
    assert len(jobs_of(stack, repo_id)) == 2
    width = page.d.execute_script("return document.documentElement.scrollWidth")
    assert width <= 375, f"the page is wider than the screen while a job runs: {width}"


def test_dependency_diagrams_are_shown_and_assets_are_not_listed(page, stack, git_repo):
    # Two modules where one imports the other: the pages carry an SVG diagram each.
    repo = git_repo(
        name="diagram-demo",
        modules={
            "core": {"__init__.py": '"""Core of the demo."""\n', "calc.py": 'def add(a, b):\n    """Adds."""\n    return a + b\n'},
            "web": {"__init__.py": '"""The web front."""\n', "main.py": 'from core.calc import add\n\ndef run():\n    """Runs."""\n    return add(1, 2)\n'},
        },
    )
    repo_id = stack.add_repository(repo)
    stack.poll_job(stack.generate(repo_id), timeout=120)
    pages = stack.api("GET", f"/api/repositories/{repo_id}/pages").body["pages"]
    assert any(p["path"] == "diagrams/overview.svg" and p["content_type"] == "image/svg+xml" for p in pages), pages

    page.sign_in()
    page.open_repository(repo_id)
    page.wait(lambda: page.by_id("doc-view").get_attribute("data-path") == "index.md", what="the overview")
    # Only the overview and module pages are listed; HTML twins, SVGs and JSON indexes are not.
    listed = [a.get_attribute("data-path") for a in page.css("#docs-nav a")]
    assert listed == ["index.md", "modules/core.md", "modules/web.md"], listed
    img = page.wait(lambda: next((i for i in page.css("#doc-view img.md-diagram") if i.get_attribute("src")), None),
                    what="the overview's diagram")
    assert img.get_attribute("src").startswith("data:image/svg+xml"), img.get_attribute("src")[:40]
    assert page.d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", img), "the SVG did not load"
    assert not [e for e in page.console() if e["level"] == "SEVERE"]


def test_a_partial_job_shows_its_badge_and_failed_modules_and_retry_regenerates_only_them(page, no_dispatcher, git_repo):
    """A module whose page cannot be written (a folder stands where it goes) fails; the job completes
    partial. The page says so, names the module, and its Retry documents that module alone."""
    stack = no_dispatcher
    repo_id = stack.add_repository(git_repo(name="partial-demo", modules={"core": None, "storage": None}))
    job_id = stack.generate(repo_id)
    blocker = stack.data_dir / "jobs" / job_id / "out" / "modules" / "storage.md"
    blocker.mkdir(parents=True)
    (blocker / "keep").write_text("")
    stack.cli("dispatch", timeout=120)
    job = stack.job(job_id)
    assert job["status"] == "completed" and job["partial"] is True and job["failed_objects"] == 1, job

    page.sign_in()
    page.open_repository(repo_id)
    badge = page.wait(lambda: page.by_id("job-badge").text.startswith("Completed with") and page.by_id("job-badge"),
                      what="the partial badge")
    assert badge.text == "Completed with 1 failed module"
    assert "badge-partial" in badge.get_attribute("class")
    page.wait(lambda: "storage" in page.by_id("job-partial-list").text, what="the failed module's name")
    assert "core" not in page.by_id("job-partial-list").text
    retry = page.by_id("job-retry")
    assert retry.is_displayed()

    retry.click()
    new_id = page.wait(lambda: next((j["id"] for j in jobs_of(stack, repo_id) if j["id"] != job_id), None),
                       what="the retry's new job")
    stack.cli("dispatch", timeout=120)
    done = stack.job(new_id)
    assert done["status"] == "completed" and done["partial"] is False, done
    objs = {o["path"]: o for o in stack.api("GET", f"/api/documentation/jobs/{new_id}/objects").body["objects"]}
    assert objs["storage"]["status"] == "done", objs
    assert objs["core"]["status"] == "skipped", "the module documented before is reused, not regenerated"
    page.wait(lambda: page.by_id("job-badge").text == "Completed", timeout=30, what="the new job's badge")
    assert not page.by_id("job-partial").is_displayed()
