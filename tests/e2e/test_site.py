"""The documentation as a site (issue 13): anchors that links land on, no broken internal link,
links from signatures to entries, source links at the documented commit, the search index
through the API, and the export's llms.txt and Markdown twins.

A repository made by the test is documented twice: by `scribe generate` (the folder is read
as a site from disk) and by a real job through nginx (search through the API).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import unquote, urldefrag

import pytest

from gitrepos import _git as git, head_commit, make_git_repo
from harness import Stack
from sitefixture import MODULES, README

@pytest.fixture(scope="module")
def site(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> dict:
    parent = tmp_path_factory.mktemp("site")
    repo = make_git_repo(parent, MODULES, name="shop", readme=README)
    (repo / "pyproject.toml").write_text('[project]\nname = "shop"\n\n[project.scripts]\nshop-serve = "api:main"\n')
    git(repo, "add", "pyproject.toml")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "Entry point")
    out = parent / "out"
    stack.cli("generate", str(repo), "--out", str(out), timeout=120)
    return {"repo": repo, "out": out, "commit": head_commit(repo)}


def ids_of(page: Path) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', page.read_text()))


def test_every_heading_has_an_anchor_and_no_internal_link_is_broken(site: dict) -> None:
    out: Path = site["out"]
    pages = sorted(out.rglob("*.html"))
    assert len(pages) >= 5, pages
    checked = 0
    for page in pages:
        text = page.read_text()
        # Quoted doc comments' own headings are the source's text, not sections of the page.
        for level, attrs in re.findall(r"<h([1-6])([^>]*)>", re.sub(r"<blockquote>.*?</blockquote>", "", text, flags=re.S)):
            assert 'id="' in attrs, f"{page}: <h{level}> without an id"
        for href in re.findall(r'href="([^"]+)"', text):
            href = html.unescape(href)
            if "://" in href:
                continue
            target, fragment = urldefrag(href)
            dest = (page.parent / unquote(target)).resolve() if target else page
            assert dest.is_file(), f"{page.relative_to(out)}: link to {href} lands on no file"
            if fragment:
                assert fragment in ids_of(dest), f"{page.relative_to(out)}: link to {href}: no id {fragment!r} there"
            checked += 1
    assert checked > 30, checked


def test_markdown_contents_use_the_html_anchors(site: dict) -> None:
    md = (site["out"] / "modules" / "shop.md").read_text()
    anchors = re.findall(r"\]\(#([^)]+)\)", md)
    assert "widget" in anchors and "cheapest" in anchors, md
    assert set(anchors) <= ids_of(site["out"] / "modules" / "shop.html")


def test_a_type_in_a_signature_links_to_its_entry(site: dict) -> None:
    page = (site["out"] / "modules" / "api.html").read_text()
    entry = page[page.index('id="best"'):]
    link = re.search(r'<a href="([^"]+)"><code>Widget</code></a>', entry)
    assert link, entry[:2000]
    target, fragment = urldefrag(link.group(1))
    dest = (site["out"] / "modules" / target).resolve()
    assert dest == (site["out"] / "modules" / "shop.html").resolve() and fragment == "widget"
    heading = re.search(rf'<h3 id="{fragment}">(.*?)</h3>', dest.read_text())
    assert heading and "Widget" in heading.group(1)


def test_a_source_link_lands_on_the_cited_line_at_the_documented_commit(site: dict) -> None:
    out: Path = site["out"]
    page = (out / "modules" / "shop.html").read_text()
    cite = re.search(r'<a href="([^"]+)"><code>shop/__init__.py:(\d+)</code></a>', page[page.index('id="cheapest"'):])
    assert cite, page
    target, fragment = urldefrag(html.unescape(cite.group(1)))
    line = int(cite.group(2))
    assert fragment == f"L{line}"
    view = (out / "modules" / target).resolve().read_text()
    assert site["commit"] in view, "the source view names the commit it shows"
    row = re.search(rf'<li id="L{line}">(.*?)</li>', view)
    assert row and html.unescape(row.group(1)).startswith("def cheapest("), row


def test_diagrams_appear_once_in_html_and_mermaid_stays_in_markdown(site: dict) -> None:
    md = (site["out"] / "modules" / "api.md").read_text()
    page = (site["out"] / "modules" / "api.html").read_text()
    assert "```mermaid" in md
    assert "mermaid" not in page and page.count("diagrams/api.svg") == 1


def test_the_overview_quotes_what_the_project_is_not_a_banner(site: dict) -> None:
    md = (site["out"] / "index.md").read_text()
    about = md[md.index("## About"):]
    assert about.split("\n\n")[1] == "> Shop is a small store that sells widgets over HTTP.", about[:300]


def test_llms_txt_lists_every_markdown_twin(site: dict) -> None:
    out: Path = site["out"]
    listed = re.findall(r"^- \[[^\]]+\]\(([^)]+)\): ", (out / "llms.txt").read_text(), re.M)
    assert "index.md" in listed and "modules/shop.md" in listed and "modules/api.md" in listed
    for md in listed:
        assert (out / md).is_file() and (out / md.replace(".md", ".html")).is_file()


def test_search_through_the_api_finds_a_symbol_by_name_and_by_its_doc(stack: Stack, site: dict) -> None:
    repo_id = stack.add_repository(site["repo"])
    stack.poll_job(stack.generate(repo_id), timeout=120)
    by_name = stack.api("GET", f"/api/repositories/{repo_id}/search?q=cheapest")
    assert by_name.status == 200, by_name.body
    first = by_name.body["results"][0]
    assert first["kind"] == "symbol" and first["qualified_name"] == "cheapest", by_name.body
    assert first["page"] == "modules/shop.md" and first["anchor"] == "cheapest"
    assert first["cite"] == "shop/__init__.py:12"
    by_doc = stack.api("GET", f"/api/repositories/{repo_id}/search?q=expensive")
    assert [r.get("qualified_name") for r in by_doc.body["results"]] == ["cheapest"], by_doc.body
    # The page named by a result has the anchor.
    page = stack.api("GET", f"/api/repositories/{repo_id}/pages/modules/shop.html")
    assert page.status == 200 and 'id="cheapest"' in page.body
    assert stack.api("GET", f"/api/repositories/{repo_id}/search?q=").status == 400
    assert stack.api("GET", f"/api/repositories/{repo_id}/search?q=x&limit=0").status == 400
    assert stack.api("GET", f"/api/repositories/{repo_id}/search?q=cheapest", token=stack.other_token).status == 404
    index = stack.api("GET", f"/api/repositories/{repo_id}/pages/search.json")
    assert index.status == 200


def line_in(repo: Path, path: str, needle: str) -> int:
    return next(i for i, line in enumerate((repo / path).read_text().split("\n"), 1) if needle in line)


def test_the_overview_onboards_with_a_citation_on_the_right_line_for_each_fact(site: dict) -> None:
    repo, md = site["repo"], (site["out"] / "index.md").read_text()

    def cited(path: str, needle: str) -> str:
        return rf"\[`{re.escape(path)}:{line_in(repo, path, needle)}`\]\([^)\s]+#L{line_in(repo, path, needle)}\)"

    assert re.search(r"^- `pip install -e \.` — Installation, " + cited("README.md", "pip install -e ."), md, re.M), md
    assert re.search(r"^- `shop-serve` — console script, " + cited("pyproject.toml", "shop-serve"), md, re.M), md
    assert re.search(r"^\| GET \| `/widgets/cheapest` \| " + cited("api/__init__.py", "@app.get") + r" \|$", md, re.M), md
    assert re.search(r'^\| `SHOP_PORT` \| `"8080"` \| ' + cited("api/__init__.py", "SHOP_PORT") + r" \|$", md, re.M), md
    start = md[md.index("## Where to start reading"):]
    assert start.split("\n")[4].startswith("- [`shop`](modules/shop.md) — imported by 1 module"), start[:400]
    layers = md[md.index("## Module layers"):]
    assert "- Layer 0: [`shop`](modules/shop.md)" in layers and "- Layer 1: [`api`](modules/api.md)" in layers, layers


# What a browser would follow or fetch, and what a Markdown reader would: attributes and CSS in HTML and
# SVG, links and images in Markdown. A source view's text (a README's badge URL as the file has it) is
# the repository's words, not a reference. Graphviz's SVG names its XML vocabulary by URL (xmlns).
REFERENCES = {
    ".html": re.compile(r"""(?:href|src|srcset|action|poster|data)\s*=\s*["']?(https?://[^"'\s>]+)|url\(\s*["']?(https?://[^"')]+)"""),
    ".svg": re.compile(r"""(?:href|src)\s*=\s*["'](https?://[^"']+)|url\(\s*["']?(https?://[^"')]+)"""),
    ".css": re.compile(r"""url\(\s*["']?(https?://[^"')]+)|@import\s+["'](https?://[^"']+)"""),
    ".md": re.compile(r"\]\((https?://[^)\s]+)"),
    ".txt": re.compile(r"\]\((https?://[^)\s]+)"),
    ".js": re.compile(r"""(?:fetch|import|XMLHttpRequest|src\s*=)\s*\(?\s*["'`](https?://[^"'`]+)"""),
}


def test_generate_site_writes_the_self_contained_export(stack: Stack, site: dict, tmp_path: Path) -> None:
    """`scribe generate --site`: the site docs.zip gives, in a folder: pages, style, script, search index,
    llms.txt and the Markdown twins, every citation on a source view beside the pages, and no file that
    refers to any other place (the README's badges and links included)."""
    out = tmp_path / "site"
    r = stack.cli("generate", str(site["repo"]), "--out", str(out), "--site", timeout=120)
    assert r.returncode == 0, r.stderr
    for name in ["index.html", "index.md", "style.css", "site.js", "search-index.js", "search.json", "llms.txt"]:
        assert (out / name).is_file(), name
    index = json.loads((out / "search.json").read_text())
    assert any(e.get("qualified_name") == "cheapest" for e in index["entries"])
    for md in re.findall(r"^- \[[^\]]+\]\(([^)]+)\): ", (out / "llms.txt").read_text(), re.M):
        assert (out / md).is_file() and (out / md.replace(".md", ".html")).is_file(), md
    checked = 0
    for f in out.rglob("*"):
        pattern = REFERENCES.get(f.suffix)
        if not f.is_file() or pattern is None:
            continue
        urls = {u for groups in pattern.findall(f.read_text(errors="replace")) for u in (groups if isinstance(groups, tuple) else (groups,)) if u}
        assert not urls, f"{f.relative_to(out)} refers to {sorted(urls)[:5]}"
        checked += 1
    assert checked > 10, checked
    # The check sees a reference where there is one: the README's badge, as a page would link it.
    assert REFERENCES[".md"].findall(README) and REFERENCES[".html"].findall('<img src="https://example.invalid/badge.svg">')
    # Each citation lands on a source view in the folder, at the documented commit.
    page = (out / "modules" / "shop.html").read_text()
    cite = re.search(r'<a href="([^"]+)"><code>shop/__init__.py:\d+</code></a>', page)
    assert cite and cite.group(1).startswith("../source/"), cite
    assert site["commit"] in (out / "modules" / urldefrag(html.unescape(cite.group(1)))[0]).resolve().read_text()
