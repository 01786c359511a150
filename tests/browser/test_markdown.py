"""The page's Markdown renderer (static/js/markdown.js) and HTML hook, in the browser.

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
Promise.all([import('./js/markdown.js'), import('./js/htmlpage.js'), import('./js/docs.js')]).then(([md, hp, docs]) => {
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
  const render = kind === 'html' ? hp.renderHtmlPage : md.renderMarkdown;
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


def test_blocks_and_inline_markup(render):
    r = render(
        "# Title\n\nSome **bold**, *em*, `code`, ~~gone~~ and a snake_case_name.\n\n"
        "Setext\n------\n\n"
        "- one\n- two\n  - nested\n\n"
        "3. three\n4. four\n\n"
        "- [x] done\n- [ ] todo\n\n"
        "> quoted\n\n---\n\n"
        "    indented code\n"
    )
    assert r.one("h1").text == "Title" and r.one("h1").get_attribute("id") == "md-title"
    assert r.one("h2").text == "Setext"
    assert r.one("strong").text == "bold" and r.one("em").text == "em"
    assert r.one("p > code").text == "code" and r.one("del").text == "gone"
    assert "snake_case_name" in r.text, "underscores inside words are not emphasis"
    assert [li.text for li in r.all("ul > li > ul > li")] == ["nested"]
    assert r.one("ol").get_attribute("start") == "3"
    assert r.count("li.md-task input[type=checkbox][disabled]") == 2
    assert r.one("li.md-task input:checked").is_selected()
    assert r.one("blockquote").text == "quoted" and r.count("hr") == 1
    assert r.one("pre code").text == "indented code"


def test_code_blocks_keep_their_text_and_mermaid_is_shown_as_source(render):
    r = render("```swift\nlet a = \"<b>not bold</b>\"\n```\n\n```mermaid\ngraph TD\n  A --> B\n```\n")
    code = r.all("pre code")
    assert code[0].text == 'let a = "<b>not bold</b>"'
    assert code[0].get_attribute("class") == "language-swift"
    assert r.count("b") == 0
    figure = r.one("figure.md-mermaid")
    assert "A --> B" in figure.find_element(By.CSS_SELECTOR, "pre").text
    assert "Mermaid" in figure.find_element(By.CSS_SELECTOR, "figcaption").text


def test_gfm_tables_with_alignment_and_escaped_pipes(render):
    r = render("| Name | Lines | Note |\n| :--- | ---: | :---: |\n| `a|b` | 12 | x \\| y |\n| c | 3 |\n")
    assert [th.text for th in r.all("thead th")] == ["Name", "Lines", "Note"]
    rows = [[td.text for td in tr.find_elements(By.CSS_SELECTOR, "td")] for tr in r.all("tbody tr")]
    assert rows == [["a|b", "12", "x | y"], ["c", "3", ""]]
    assert r.all("tbody tr td")[1].get_attribute("class") == "align-right"
    assert r.all("thead th")[2].get_attribute("class") == "align-center"


def test_links_internal_external_and_refused_schemes(render):
    r = render(
        "[next](../index.md#setup) [site](https://example.com/a_(b)) <https://auto.example> "
        "www.example.org [mail](mailto:a@b.c)\n\n"
        "[x1](javascript:alert(1)) [x2](JAVASCRIPT:alert(1)) [x3](java\tscript:alert(1)) "
        "[x4](data:text/html,<script>alert(1)</script>) [x5](vbscript:msgbox) [x6](file:///etc/passwd) "
        "[x7](src/main.swift)\n\n[ref]: https://ref.example\n\nUse [ref] too.\n"
    )
    internal = r.one('a[href^="#/r/"]')
    assert internal.text == "next" and "index.md" in internal.get_attribute("href")
    external = [a for a in r.all("a") if "#/r/" not in a.get_attribute("href")]
    hrefs = sorted(a.get_attribute("href") for a in external)
    assert hrefs == sorted([
        "https://example.com/a_(b)", "https://auto.example/", "https://www.example.org/", "mailto:a@b.c", "https://ref.example/",
    ]), hrefs
    for a in external:
        assert a.get_attribute("rel") == "noopener noreferrer", a.get_attribute("href")
    assert len(r.all("a")) == 6, [a.get_attribute("href") for a in r.all("a")]
    for text in ("x1", "x2", "x3", "x4", "x5", "x6", "x7"):
        assert text in r.text  # shown, but not as links
    assert r.count("script") == 0


def test_raw_html_and_entities_are_text(render):
    r = render(
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)> and <b>bold?</b>\n\n"
        "&lt;img src=x onerror=alert(1)&gt; &amp; &#169; &#x1F600;\n\n"
        "# <i>heading</i>\n\n![alt <img>](https://example.com/x.png)\n"
    )
    for tag in ("script", "img", "b", "i"):
        assert r.count(tag) == 0, tag
    assert "<script>alert(1)</script>" in r.text
    assert "<img src=x onerror=alert(1)> and <b>bold?</b>" in r.text
    assert "<img src=x onerror=alert(1)> & © 😀" in r.text
    assert r.one("h1").text == "<i>heading</i>"
    assert r.count("[onerror]") == 0


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


def test_pathological_input_renders_quickly(render):
    r = render("*a " * 3000 + "\n\n" + "[" * 2000 + "\n\n" + "`" * 3000 + "\n\n" + "_x " * 3000)
    assert r.ms < 2000, f"rendering took {r.ms:.0f} ms"
