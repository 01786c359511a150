"""The exported documentation site opened from file:// in Chromium (issue 13), as `GET …/docs.zip`
gives it and as `scribe generate --site` writes it: no request to any other place (the browser's
network log), search in the sidebar finds a symbol by name and by a word of its doc comment, and its
links land on their pages and anchors."""

from __future__ import annotations

import json
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

import pytest

from gitrepos import make_git_repo
from harness import Stack, wait_until
from sitefixture import MODULES

@pytest.fixture(scope="module")
def exported(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site as `GET …/docs.zip` gives it, unpacked into a folder."""
    parent = tmp_path_factory.mktemp("export")
    repo = make_git_repo(parent, MODULES, name="shop")
    repo_id = stack.add_repository(repo)
    stack.poll_job(stack.generate(repo_id), timeout=120)
    # The harness decodes bodies as text; an archive is read as bytes.
    req = urllib.request.Request(
        f"http://127.0.0.1:{stack.port}/api/repositories/{repo_id}/docs.zip", headers={"Authorization": f"Bearer {stack.token}"})
    with urllib.request.urlopen(req, timeout=30) as r:
        assert r.status == 200 and r.headers["Content-Type"] == "application/zip", (r.status, r.headers)
        archive = parent / "docs.zip"
        archive.write_bytes(r.read())
    with zipfile.ZipFile(archive) as z:
        assert z.testzip() is None
        z.extractall(parent / "site")
    (root,) = (parent / "site").iterdir()
    assert (root / "index.html").is_file() and (root / "llms.txt").is_file() and (root / "search-index.js").is_file()
    return root


@pytest.fixture(scope="module")
def generated(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site as `scribe generate --site` writes it."""
    parent = tmp_path_factory.mktemp("generated")
    repo = make_git_repo(parent, MODULES, name="shop")
    out = parent / "site"
    stack.cli("generate", str(repo), "--out", str(out), "--site", timeout=120)
    assert (out / "index.html").is_file() and (out / "llms.txt").is_file() and (out / "search-index.js").is_file()
    return out


@pytest.fixture(params=["docs.zip", "generate --site"])
def site(request: pytest.FixtureRequest) -> Path:
    return request.getfixturevalue("exported" if request.param == "docs.zip" else "generated")


def requests_of(driver: Any) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def test_the_export_opens_from_file_with_no_outside_request_and_its_search_and_links_work(driver: Any, site: Path) -> None:
    driver.get_log("performance")  # drain what earlier tests left
    driver.get((site / "index.html").as_uri())
    box = wait_until(lambda: driver.find_elements("css selector", "#site-search"), timeout=10, what="the search box")[0]
    box.send_keys("cheapest")
    hits = wait_until(lambda: driver.find_elements("css selector", ".search ol a"), timeout=10, what="search results")
    assert hits[0].text == "cheapest", [h.text for h in hits]
    hits[0].click()
    wait_until(lambda: driver.current_url.endswith("modules/shop.html#cheapest"), timeout=10, what="the entry's page")
    target = driver.execute_script("return document.querySelector(':target') && document.querySelector(':target').id")
    assert target == "cheapest"
    # By a word of its doc comment.
    box = driver.find_element("css selector", "#site-search")
    box.send_keys("expensive")
    hits = wait_until(lambda: driver.find_elements("css selector", ".search ol a"), timeout=10, what="search results")
    assert [h.text for h in hits] == ["cheapest"]
    # The sidebar and a link from a signature.
    driver.find_element("css selector", "nav.sidebar a[href$='api.html']").click()
    wait_until(lambda: driver.current_url.endswith("modules/api.html"), timeout=10, what="the api page")
    driver.find_element("xpath", "//a[code='Widget']").click()
    wait_until(lambda: driver.current_url.endswith("modules/shop.html#widget"), timeout=10, what="Widget's entry")
    urls = requests_of(driver)
    assert urls, "the network log recorded the pages"
    outside = [u for u in urls if not u.startswith("file://")]
    assert not outside, outside
    # A citation opens the source view beside the pages, at its line.
    driver.find_element("xpath", "//a[code[starts-with(., 'shop/__init__.py:')]]").click()
    wait_until(lambda: "/source/" in driver.current_url and "#L" in driver.current_url, timeout=10, what="the source view")
    assert driver.current_url.startswith("file://")
