"""Fixtures of the end-to-end tests: one private Scribe per session (see harness.py)."""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Callable, Iterator

import pytest

from gitrepos import make_git_repo
from harness import HarnessError, Stack, find_bin_dir
from stopping import PRODUCTION_TIMING

# The stack of this session, for the failure reports below.
_stack: Stack | None = None

# Per-module throttle for tests that must catch a job in the middle (kill, cancel, pause).
SLOW_OBJECT_DELAY_MS = "400"


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A running Scribe: its own database on DATABASE_URL's server, scribe-fcgi and nginx."""
    global _stack
    server_url = os.environ.get("DATABASE_URL")
    if not server_url:
        pytest.exit("DATABASE_URL is not set: run `make test`, or point it at a PostgreSQL server", returncode=1)
    try:
        bin_dir = find_bin_dir()
    except HarnessError as e:
        pytest.exit(str(e), returncode=1)
    s = Stack(bin_dir, tmp_path_factory.mktemp("stack"), server_url)
    try:
        s.start()
    except BaseException as e:
        tail = s.log_tail()
        s.stop()
        if isinstance(e, (HarnessError, AssertionError)):
            # Every test needs the stack: say why once, instead of once per test.
            pytest.exit(f"the stack did not start: {e}\n{tail}", returncode=1)
        raise
    _stack = s
    try:
        yield s
    finally:
        _stack = None
        s.stop()


@pytest.fixture(autouse=True)
def _no_job_left_behind(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test that used the stack, cancel whatever job it left active.

    A job left running would hold a worker slot and slow the next test down; one left
    running across a restart of scribe-fcgi would be rescued in the middle of another test.
    """
    yield
    if "stack" in request.fixturenames and _stack is not None and _stack.fcgi is not None:
        try:
            _stack.cancel_active_jobs()
        except Exception as e:  # the test's own failure says more than this one
            print(f"cleanup: could not cancel active jobs: {e}")


@contextmanager
def restarted(stack: Stack, **env: str) -> Iterator[Stack]:
    """The stack with scribe-fcgi restarted with env (its workers inherit it); the test settings come back after."""
    stack.cancel_active_jobs()
    stack.restart_fcgi(**env)
    try:
        yield stack
    finally:
        stack.cancel_active_jobs()
        stack.restart_fcgi()


@pytest.fixture
def slow_worker(stack: Stack) -> Iterator[Stack]:
    """The stack with scribe-fcgi restarted so that workers spend 400 ms per module."""
    with restarted(stack, SCRIBE_WORKER_OBJECT_DELAY_MS=SLOW_OBJECT_DELAY_MS) as s:
        yield s


@pytest.fixture
def no_dispatcher(stack: Stack) -> Iterator[Stack]:
    """The stack with scribe-fcgi's dispatcher off (SCRIBE_DISPATCHER=0): jobs stay queued."""
    with restarted(stack, SCRIBE_DISPATCHER="0") as s:
        yield s


@pytest.fixture
def production_timing(stack: Stack) -> Iterator[Stack]:
    """The stack with the production heartbeat (5 s) and lease (30 s), for tests where timing is the point."""
    with restarted(stack, **PRODUCTION_TIMING) as s:
        yield s


@pytest.fixture
def private_networks_refused(stack: Stack) -> Iterator[Callable[..., None]]:
    """A function that restarts scribe-fcgi (and so its workers) as production runs, refusing
    loopback and private addresses, with the settings it is given; the test settings come back after."""
    stack.cancel_active_jobs()

    def restart(**extra_env: str) -> None:
        stack.restart_fcgi(**{**extra_env, **Stack.PRIVATE_NETWORKS_REFUSED})

    try:
        yield restart
    finally:
        stack.cancel_active_jobs()
        stack.restart_fcgi()


@pytest.fixture
def git_repo(tmp_path):
    """make_git_repo bound to this test's temporary folder: git_repo(modules={...}, ...)."""

    def make(**kwargs):
        return make_git_repo(tmp_path, **kwargs)

    return make


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.failed and _stack is not None:
        report.sections.append(("scribe logs (last lines)", _stack.log_tail()))
