"""What the nginx configuration (nginx/scribe-dev.conf.in) promises, through a real nginx."""

from __future__ import annotations

import pytest

from harness import Stack

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


@pytest.mark.parametrize(
    "path, token",
    [
        ("/", None),
        ("/api/health", None),
        ("/api/me", None),  # 401
        ("/api/no-such-thing", "admin"),  # 404 from scribe-fcgi
        ("/no-such-file", None),  # 404 from nginx
    ],
)
def test_security_headers_on_every_answer(stack: Stack, path: str, token) -> None:
    r = stack.api("GET", path, token=stack.token if token else None)
    assert r.headers.get_all("Content-Security-Policy") == [CSP], (r.status, r.headers.get_all("Content-Security-Policy"))
    assert r.headers.get_all("X-Content-Type-Options") == ["nosniff"]
    assert r.headers.get_all("Referrer-Policy") == ["no-referrer"]


def test_the_status_page_is_served(stack: Stack) -> None:
    r = stack.api("GET", "/", token=None)
    assert r.status == 200, r.status
    assert r.headers["Content-Type"].startswith("text/html")
    assert "<script" not in r.body or "<script>" not in r.body, "no inline script under the CSP"


@pytest.mark.parametrize("path", ["/_scribe_docs/", "/_scribe_docs/x/y/index.md", "/_scribe_docs/../docs/"])
def test_the_internal_docs_location_is_not_reachable(stack: Stack, path: str) -> None:
    assert stack.api("GET", path, token=None).status in (400, 404)


def test_a_body_over_nginx_limit_is_413_json(stack: Stack) -> None:
    r = stack.api("POST", "/api/generate-docs", b"x" * (3 * 1024 * 1024))
    assert r.status == 413
    assert r.body == {"error": "Request body too large"}
