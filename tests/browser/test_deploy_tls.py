"""The status page through the shipped production nginx configuration (deploy/nginx/scribe.conf), over TLS.

The configuration's own content types and CSP must let the page load and run: a wrong MIME map
(the `types {}` pitfall) makes Chromium refuse the scripts under nosniff, or download the page.
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from deploy import ProductionNginx  # tests/e2e, on sys.path through conftest.py
from pagekit import Page, page_errors


@pytest.fixture(scope="module")
def tls_nginx(stack: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProductionNginx]:
    n = ProductionNginx(tmp_path_factory.mktemp("tls-nginx"), stack.socket, stack.data_dir, stack.static_dir).start()
    try:
        yield n
    finally:
        n.stop()


def test_the_page_loads_and_signs_in_over_tls_with_no_console_error(driver: Any, stack: Any, tls_nginx: ProductionNginx) -> None:
    # The certificate is self-signed: trusted for this test only, then the browser is strict again.
    driver.execute_cdp_cmd("Security.setIgnoreCertificateErrors", {"ignore": True})
    try:
        page = Page(driver, stack)
        page.base_url = tls_nginx.base_url + "/"
        page.console()  # drain what earlier tests left
        page.open()
        assert driver.execute_script("return document.contentType") == "text/html"
        page.sign_in()
        assert page.by_id("app-view").is_displayed()
        # The stylesheet applied (a wrong type would leave the page unstyled under nosniff).
        assert driver.execute_script("return document.styleSheets.length") >= 1
        assert driver.execute_script("return document.styleSheets[0].cssRules.length") > 0
        errors = page_errors(page.console())
        assert not errors, f"the page logged errors through the production configuration: {errors}"
        page.screenshot("deploy_tls_page")
    finally:
        driver.execute_script("sessionStorage.clear()")
        driver.execute_cdp_cmd("Security.setIgnoreCertificateErrors", {"ignore": False})
