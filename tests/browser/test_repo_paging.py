"""The repository list at 20,000 repositories: pages, "Show more" and a server-side search."""

from __future__ import annotations

import pytest

REPOS = 20_000


@pytest.fixture(scope="module")
def crowded(stack) -> str:
    token = stack.cli("user", "create", "--org", "crowded", "--email", "crowded@example.test", "--admin").stdout.strip()
    stack.psql(
        f"""
        INSERT INTO repositories (organisation_id, url, name, created_at)
        SELECT o.id, 'https://github.com/crowded/r' || i, 'r' || i, timestamptz '2026-01-01 00:00:00+00' + i * interval '1 second'
        FROM organisations o, generate_series(1, {REPOS}) i WHERE o.name = 'crowded';
        ANALYZE repositories;
        """
    )
    return token


def names(page) -> list[str]:
    # Read in one script: the list is re-rendered while the search answers, so elements found one
    # by one could go stale between two reads.
    return page.d.execute_script(
        "return [...document.querySelectorAll('#repo-list a.repo-link .repo-name')].map((e) => e.textContent)")


def test_the_repository_list_pages_and_searches_on_the_server(page, stack, crowded) -> None:
    page.sign_in(crowded)
    # Newest first, one page: the 20,000 are never loaded at once.
    page.wait(lambda: len(page.repo_links()) == 50, what="the first page of repositories")
    assert names(page)[:3] == ["r20000", "r19999", "r19998"]
    more = page.by_id("repos-more")
    assert more.is_displayed()

    more.click()
    page.wait(lambda: len(page.repo_links()) == 100, what="the second page")
    shown = names(page)
    assert shown[50] == "r19950" and len(set(shown)) == 100

    # The search asks the server (a name prefix), and the list shows only what matches.
    search = page.by_id("repos-search")
    search.send_keys("r1234")
    page.wait(lambda: names(page) and all(n.startswith("r1234") for n in names(page)), what="the search's answer")
    assert sorted(names(page)) == sorted(["r1234"] + [f"r1234{i}" for i in range(10)])
    assert not page.by_id("repos-more").is_displayed()

    search.clear()
    search.send_keys("nothing-like-this")
    page.wait(lambda: page.by_id("repos-status").text == "No repository matches the search.", what="the empty search")
    assert page.repo_links() == []

    # A URL prefix works too, and a result opens its repository.
    search.clear()
    search.send_keys("https://github.com/crowded/r777")
    page.wait(lambda: "r777" in names(page), what="the URL search")
    page.css('#repo-list a.repo-link[title="https://github.com/crowded/r777"]')[0].click()
    page.wait(lambda: page.by_id("repo-title").text == "r777", what="the repository's panel")
