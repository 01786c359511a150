"""How the page polls a job: If-None-Match (304s), every 5 s, slower while the tab is hidden,
at once when it is visible again. Read from nginx's access log of the real stack."""

from __future__ import annotations

import time

from pagekit import modules

HIDE = """Object.defineProperty(document, 'hidden', {configurable: true, get: () => arguments[0]});
Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => arguments[0] ? 'hidden' : 'visible'});
document.dispatchEvent(new Event('visibilitychange'));"""


def test_polling_uses_etags_and_slows_down_while_hidden(page, no_dispatcher, git_repo):
    stack = no_dispatcher  # no dispatcher: the job stays queued, so the page's polls see no change
    repo_id = stack.add_repository(git_repo(name="polling", modules=modules(1)))
    job_id = stack.generate(repo_id)
    access_log = stack.nginx_prefix / "logs" / "access.log"

    def polls() -> list[str]:
        return [line for line in access_log.read_text().splitlines() if f"GET /api/documentation/jobs/{job_id} " in line]

    page.sign_in()
    page.open_repository(repo_id)
    page.wait(lambda: page.progress()["jobId"] == job_id and page.job_status() == "queued", what="the queued job")
    assert not page.by_id("generate-button").is_enabled()

    start = len(polls())
    time.sleep(11.5)
    visible = polls()[start:]
    assert 2 <= len(visible) <= 3, f"expected a poll every 5 s, got {len(visible)} in 11.5 s"
    assert all('" 304 ' in line for line in visible), visible

    page.d.execute_script(HIDE, True)
    hidden_at = time.monotonic()
    mark = len(polls())
    time.sleep(12)
    assert len(polls()) == mark, "a hidden tab should poll every 30 s, not every 5 s"
    # Slower, not stopped: the hidden tab still polls, 30 s after it was hidden.
    page.wait(lambda: len(polls()) > mark, timeout=40, what="a poll while the tab is hidden")
    waited = time.monotonic() - hidden_at
    assert 27 <= waited <= 36, f"a hidden tab should poll every 30 s, its first poll came after {waited:.1f} s"
    assert all('" 304 ' in line for line in polls()[mark:]), polls()[mark:]

    mark = len(polls())
    page.d.execute_script(HIDE, False)
    page.wait(lambda: len(polls()) > mark, timeout=3, what="an immediate poll when the tab is visible again")
    assert page.job_status() == "queued" and page.progress()["badge"] == "Queued"
