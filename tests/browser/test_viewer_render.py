"""How the docs viewer shows a page, in the browser: the HTML the server rendered (cmark-gfm), rebuilt
through the viewer's allow-list with its links classified, and a page without HTML (a raw Markdown
file) as plain text; the page renders no Markdown of its own.

These need only the static files: a plain file server (with the production CSP)
serves static/, and each test renders a document into the page and inspects the
DOM it built. No API is involved (and none is faked).
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest
from selenium.webdriver.common.by import By

from pagekit import REPO_ROOT, SCREENSHOT_DIR, _screenshot_name

CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'"


class _StaticHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript", ".svg": "image/svg+xml"}

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CSP)
        super().end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def static_url() -> Iterator[str]:
    handler = functools.partial(_StaticHandler, directory=str(REPO_ROOT / "static"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


RENDER = """
const [kind, source, done] = arguments;
Promise.all([import('./js/htmlpage.js'), import('./js/docs.js')]).then(([hp, docs]) => {
  const root = document.createElement('div');
  root.id = 'md-test';
  root.className = 'markdown card';
  const resolveLink = (href, info) => {
    if (info.kind === 'external') return { href: info.href, external: true };
    if (info.kind === 'relative' && /\\.md$/.test(info.path)) {
      return { href: '#/r/x?page=' + encodeURIComponent(docs.resolvePagePath('modules/a.md', info.path)), external: false };
    }
    return null;
  };
  const render = kind === 'html' ? hp.renderHtmlPage : docs.renderPlainText;
  const started = performance.now();
  root.append(render(source, { resolveLink, headingOffset: 0 }));
  const ms = performance.now() - started;
  document.body.replaceChildren(root);
  done({ ms });
}).catch((e) => done({ error: String(e) }));
"""


class Rendered:
    def __init__(self, driver: Any, result: dict) -> None:
        self.d = driver
        self.ms = result.get("ms")

    def all(self, selector: str) -> list[Any]:
        return self.d.find_elements(By.CSS_SELECTOR, f"#md-test {selector}")

    def one(self, selector: str) -> Any:
        found = self.all(selector)
        assert len(found) == 1, f"{selector}: {len(found)} elements"
        return found[0]

    @property
    def text(self) -> str:
        return self.d.find_element(By.ID, "md-test").text

    def count(self, selector: str) -> int:
        return len(self.all(selector))


@pytest.fixture
def render(driver: Any, static_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    driver.get(static_url)
    driver.get_log("browser")

    def do(source: str, kind: str = "markdown") -> Rendered:
        result = driver.execute_async_script(RENDER, kind, source)
        assert "error" not in result, result
        return Rendered(driver, result)

    yield do
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOT_DIR / _screenshot_name(request.node.name)))
    severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not severe, severe


def test_links_internal_external_and_refused_schemes(render):
    r = render(
        "<main><p><a href='../index.md#setup'>next</a> <a href='https://example.com/a_(b)'>site</a> "
        "<a href='mailto:a@b.c'>mail</a> <a href='#here'>here</a></p>"
        "<p><a href='javascript:alert(1)'>x1</a> <a href='JAVASCRIPT:alert(1)'>x2</a> <a href='java&#9;script:alert(1)'>x3</a> "
        "<a href='data:text/html,x'>x4</a> <a href='vbscript:msgbox'>x5</a> <a href='file:///etc/passwd'>x6</a> "
        "<a href='src/main.swift'>x7</a></p></main>",
        kind="html",
    )
    links = {a.text: a.get_attribute("href") for a in r.all("a[href]")}
    assert "page=index.md" in links["next"], links
    assert links["site"] == "https://example.com/a_(b)" and links["mail"] == "mailto:a@b.c", links
    for a in r.all("a[href]"):
        if a.text in ("site", "mail"):
            assert a.get_attribute("rel") == "noopener noreferrer", a.text
    for text in ("x1", "x2", "x3", "x4", "x5", "x6", "x7"):
        assert text not in links and text in r.text, text  # shown, but not as links
    assert r.count("script") == 0


def test_a_page_without_server_html_is_plain_text(render):
    """A raw Markdown file (no HTML twin) is shown as its text: no heading, no link, no element from it."""
    source = "# Title\n\n[next](b.md) **bold** <script>alert(1)</script> <img src=x onerror=alert(1)>\n"
    r = render(source, kind="text")
    pre = r.one("pre.doc-plain")
    assert pre.text == source.rstrip("\n")
    for tag in ("h1", "a", "strong", "script", "img"):
        assert r.count(tag) == 0, tag


def test_the_viewer_loads_no_markdown_renderer(driver, static_url):
    """The status page's modules import no Markdown renderer: every page the viewer shows is the server's HTML."""
    driver.get(static_url)
    found = driver.execute_async_script(
        "const done = arguments[0];"
        "fetch('js/markdown.js').then((r) => done(r.status)).catch((e) => done(String(e)));"
    )
    assert found == 404, found
    loaded = driver.execute_script("return performance.getEntriesByType('resource').map((e) => e.name)")
    assert not [u for u in loaded if u.endswith("markdown.js")], loaded


def test_html_pages_are_rebuilt_from_an_allow_list(render):
    r = render(
        "<h1 id=top onclick=alert(1)>Hi</h1><script>alert(1)</script><p style='color:red'>para "
        "<a href='javascript:alert(1)'>bad</a> <a href='https://ok.example'>ok</a> <a href='b.md'>page</a></p>"
        "<img src=x onerror=alert(1)><iframe src='https://evil.example'></iframe><custom>kept text</custom>",
        kind="html",
    )
    h1 = r.one("h1")
    assert h1.get_attribute("id") == "md-top" and h1.get_dom_attribute("onclick") is None
    assert r.count("script") == 0 and r.count("img") == 0 and r.count("iframe") == 0
    assert r.one("p").get_dom_attribute("style") is None
    links = {a.text: a.get_attribute("href") for a in r.all("a[href]")}
    assert links["ok"] == "https://ok.example/" and "page=modules%2Fb.md" in links["page"]
    assert "bad" not in links
    assert "kept text" in r.text and "alert" not in r.text
