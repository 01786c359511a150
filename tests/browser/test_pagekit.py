"""The clean-console check itself: which of Chromium's network lines it forgives."""

from __future__ import annotations

from pagekit import page_errors


def entry(message: str) -> dict:
    return {"level": "SEVERE", "source": "network", "message": message}


def test_only_deliberate_api_refusals_are_left_out_of_the_console_check() -> None:
    base = "http://127.0.0.1:8080"
    refused = entry(f"{base}/api/me - Failed to load resource: the server responded with a status of 401 (Unauthorized)")
    conflict = entry(f"{base}/api/generate-docs - Failed to load resource: the server responded with a status of 409 ()")
    crashed = entry(f"{base}/api/repositories - Failed to load resource: the server responded with a status of 500 ()")
    gateway = entry(f"{base}/api/health - Failed to load resource: the server responded with a status of 502 (Bad Gateway)")
    unanswered = entry(f"{base}/api/me - Failed to load resource: net::ERR_CONNECTION_REFUSED")
    missing_file = entry(f"{base}/js/gone.js - Failed to load resource: the server responded with a status of 404 (Not Found)")
    # A 4xx of a static file whose name merely mentions /api/ in its query is still a defect.
    static_404 = entry(f"{base}/app.js?from=/api/x - Failed to load resource: the server responded with a status of 404 ()")
    warning = {"level": "WARNING", "source": "console-api", "message": "just a warning"}

    entries = [refused, conflict, crashed, gateway, unanswered, missing_file, static_404, warning]
    assert page_errors(entries) == [crashed, gateway, unanswered, missing_file, static_404]
