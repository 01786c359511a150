"""The page says which commit its documentation is of, and that a newer one exists after a signed push."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess

from pagekit import modules


def test_the_docs_say_their_commit_and_a_newer_one_after_a_push(page, no_dispatcher, git_repo):
    stack = no_dispatcher
    repo = git_repo(name="fresh-demo", modules=modules(2))
    repo_id = stack.add_repository(repo)
    job_id = stack.generate(repo_id)
    stack.cli("dispatch", timeout=180)  # the dispatcher of scribe-fcgi is off: cron's command runs the job
    documented = stack.poll_job(job_id, timeout=30)["resolved_commit"]

    page.sign_in()
    page.open_repository(repo_id)
    line = page.wait(lambda: page.by_id("docs-freshness") if page.by_id("docs-freshness").is_displayed() else None,
                     what="the commit line")
    assert line.text == f"documents commit {documented[:7]}", line.text

    secret = "browser-secret-0123"
    assert stack.api("PUT", f"/api/repositories/{repo_id}/push-secret", {"secret": secret}).status == 200
    (repo / "README.md").write_text("# fresh-demo\n\nMoved on.\n")
    subprocess.run(["git", "-C", str(repo), "commit", "-q", "-am", "moved on"], check=True, capture_output=True)
    newer = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    body = json.dumps({"ref": "refs/heads/main", "after": newer, "repository": {"clone_url": str(repo), "default_branch": "main"}}).encode()
    r = stack.api("POST", "/api/hooks/github", body, token=None, headers={
        "X-GitHub-Event": "push", "X-Hub-Signature-256": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()})
    assert r.status == 202, r.body

    page.open_repository(repo_id)
    page.d.refresh()
    page.wait(lambda: "a newer commit exists" in page.by_id("docs-freshness").text, what="the newer commit")
    line = page.by_id("docs-freshness")
    assert line.text == f"documents commit {documented[:7]} · a newer commit exists ({newer[:7]})", line.text
    assert "alert-warning" in line.get_attribute("class")
    page.screenshot("push-freshness")
