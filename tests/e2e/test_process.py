"""scribe-fcgi as a process: how it stops."""

from __future__ import annotations

from harness import Stack


def test_sigterm_stops_scribe_fcgi_promptly_and_removes_its_socket(stack: Stack) -> None:
    stack.cancel_active_jobs()
    try:
        took = stack.stop_fcgi(timeout=10)
        assert took is not None, "scribe-fcgi ignored SIGTERM for 10 s and was killed"
        assert took < 3, f"scribe-fcgi took {took:.1f} s to stop"
        assert not stack.socket.exists(), "the socket was left behind"
        # nginx answers JSON while scribe-fcgi is away.
        r = stack.api("GET", "/api/health", token=None)
        assert r.status == 503  # nginx's error_page turns its 502 into the API's 503
        assert r.body == {"error": "Service temporarily unavailable"}
    finally:
        if stack.fcgi is None:
            stack.start_fcgi()
            stack.wait_healthy()
