"""The built site in a real browser: headless Chromium, driven by Playwright, fully offline.

Every page in ``_toc.yml`` must load without console errors, without asking for anything outside
the local server, with every image loaded and no page-wide horizontal scroll; every formula must
be typeset by the MathJax that the site serves itself, without TeX errors; every numbered chapter
must end with exercises whose solutions are hidden until clicked; and the search page must find
"logits". The Chinese and Japanese editions (``zh_CN/``, ``ja/``) pass the same page checks, carry
their ``lang``, are reached from every page by the language switcher, and their search finds the
cross-entropy chapter for 交叉熵 and 交差エントロピー. Screenshots land in
``test-artifacts/screenshots/`` for a human to look at: the top of every page, and, where
``XENT_FULL_SCREENSHOTS=1`` (CI sets it), every English page whole (rendering a long page whole
for its screenshot takes longer than loading it).

Chromium is the system package (``/usr/bin/chromium``; override with ``XENT_CHROMIUM``). Where it
is missing these tests skip with one line, unless ``XENT_REQUIRE_BROWSER=1`` (CI sets it), which
turns the skip into a failure.
"""

import functools
import http.server
import os
import pathlib
import re
import shutil
import sys
import threading

import pytest
import yaml

from booktools.editions import EDITIONS
from booktools.translations import LANGUAGES, complete_pages

ROOT = pathlib.Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
VIEWPORT = {"width": 1280, "height": 900}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
]
NUMBERED_CHAPTER = re.compile(r"^chapters/\d\d_")
TRANSLATIONS = list(LANGUAGES)  # the editions besides English, each in a folder of the site
# A page here loads in 2-5 s. The limit (for loads and for every other wait) is generous so that a
# machine busy with other work does not fail the test. A load that still times out is retried once
# in a fresh context and listed at the end of the run; a second timeout fails and names the
# requests that were still in flight.
TIMEOUT_MS = 90_000
#: English pages screenshotted whole, not only their top (each check is the same either way)
FULL_SCREENSHOTS = os.environ.get("XENT_FULL_SCREENSHOTS") == "1"

pytestmark = pytest.mark.slow


def toc_pages():
    """Every page of the book, in reading order, as paths without suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [entry["file"] for entry in part.get("chapters", [])]
    return pages


def chromium_executable():
    """Path of the Chromium binary, or None."""
    candidates = [os.environ.get("XENT_CHROMIUM", ""), "/usr/bin/chromium"]
    candidates += [shutil.which(name) or "" for name in ("chromium", "chromium-browser")]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


@pytest.fixture(scope="module")
def browser():
    executable = chromium_executable()
    if executable is None:
        reason = "Chromium not found (apt-get install chromium, or set XENT_CHROMIUM)"
        if os.environ.get("XENT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"XENT_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: one connection serves many of a page's requests

    def log_message(self, format, *args):  # keep the test output clean
        pass


class _Server(http.server.ThreadingHTTPServer):
    request_queue_size = 64  # the default backlog of 5 can drop a burst of connections

    def handle_error(self, request, client_address):
        # a browser context closed mid-response is normal here; anything else is printed
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="module")
def site(built_book):
    """Serve the built HTML on 127.0.0.1 at a free port; yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(built_book))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


class Visit:
    """One page opened in a fresh browser context that can reach only the local site."""

    def __init__(self, browser, base, path, viewport=VIEWPORT):
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        self.browser, self.base, self.path, self.viewport = browser, base, path, viewport
        self.retried = None
        try:
            self._open()
        except PlaywrightTimeout:
            stuck = sorted(self.pending)
            self.close()
            self._open()  # a second timeout propagates
            self.retried = f"first load timed out with {stuck} in flight"
        self.mathjax = self.page.evaluate(
            """async () => {
                if (!window.MathJax || !MathJax.startup || !MathJax.startup.promise) return false;
                await MathJax.startup.promise;
                return true;
            }"""
        )

    def _open(self):
        self.errors, self.blocked, self.failed, self.bad_status = [], [], [], []
        self.pending = set()
        self.context = self.browser.new_context(viewport=self.viewport, service_workers="block")
        self.context.set_default_timeout(TIMEOUT_MS)  # navigations included
        self.context.route("**/*", functools.partial(self._route, self.base))
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))
        self.page.on("request", lambda request: self.pending.add(request.url))
        self.page.on("requestfinished", lambda request: self.pending.discard(request.url))
        self.page.on("requestfailed", self._request_failed)
        self.page.on("response", self._response)
        try:
            self.response = self.page.goto(f"{self.base}/{self.path}", wait_until="load")
        except Exception as exc:
            # name what the page was still waiting for; the first timeout is retried
            exc.add_note(f"requests still in flight: {sorted(self.pending) or 'none'}")
            raise

    def _route(self, base, route):
        url = route.request.url
        if url == base or url.startswith(base + "/") or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def _console(self, msg):
        if msg.type == "error":
            self.errors.append(f"console: {msg.text} ({msg.location.get('url', '')})")

    def _response(self, response):
        if response.status >= 400:
            self.bad_status.append(f"{response.url}: HTTP {response.status}")

    def _request_failed(self, request):
        self.pending.discard(request.url)
        if request.url not in self.blocked:
            self.failed.append(f"{request.url}: {request.failure}")

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, site, request):
    opened = []

    def open_page(path, **kwargs):
        opened.append(Visit(browser, site, path, **kwargs))
        if opened[-1].retried:  # listed at the end of the run by conftest's terminal summary
            request.node.user_properties.append(("navigation retried", opened[-1].retried))
        return opened[-1]

    yield open_page
    for v in opened:
        v.close()


def screenshot(page, name, full_page=True):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def check_loaded_offline_with_math_typeset(v, page_path, name, full_page=FULL_SCREENSHOTS):
    """The checks every page of every edition passes; a screenshot named ``name``."""
    assert v.response is not None and v.response.status == 200, f"{page_path}: HTTP error"
    assert not v.blocked, f"{page_path} asked for resources outside the site: {v.blocked}"
    assert not v.failed, f"{page_path}: requests that failed: {v.failed}"
    assert not v.bad_status, f"{page_path}: resources the site does not have: {v.bad_status}"
    assert not v.errors, f"{page_path}: console errors: {v.errors}"
    broken = v.page.evaluate(
        "() => [...document.images].filter(i => !i.complete || i.naturalWidth === 0)"
        ".map(i => i.getAttribute('src'))"
    )
    assert not broken, f"{page_path}: images that did not load: {broken}"
    overflow = v.page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{page_path}: the page scrolls sideways by {overflow}px"
    toc_overflow = v.page.evaluate(
        "() => [...document.querySelectorAll('.bd-sidebar-secondary')]"
        ".map(e => e.scrollWidth - e.clientWidth).concat([0])[0]"
    )
    assert toc_overflow <= 1, f"{page_path}: 'on this page' entries cut off by {toc_overflow}px"
    screenshot(v.page, name, full_page=full_page)

    # math: every formula typeset by the site's own MathJax, none left as TeX, no TeX errors
    sources = v.page.locator("div.math, span.math").count()
    if sources == 0:
        return
    assert v.mathjax, f"{page_path} has {sources} formulas but MathJax did not start"
    typeset = v.page.locator("mjx-container").count()
    assert typeset >= sources, f"{page_path}: {typeset} of {sources} formulas typeset"
    # a TeX error (unknown macro, unbalanced brace) is drawn as <mjx-merror> in red
    tex_errors = v.page.locator("mjx-merror").all_inner_texts()
    assert not tex_errors, f"{page_path}: TeX errors in formulas: {tex_errors}"
    raw_tex = v.page.evaluate(
        "() => [...document.querySelectorAll('div.math, span.math')]"
        ".filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 60))"
    )
    assert not raw_tex, f"{page_path}: formulas left as raw TeX: {raw_tex}"


@pytest.mark.parametrize("page_path", toc_pages())
def test_page_loads_offline_with_its_math_typeset(visit, page_path):
    v = visit(f"{page_path}.html")
    check_loaded_offline_with_math_typeset(v, page_path, page_path.replace("/", "__"))
    assert v.page.get_attribute("html", "lang") == "en"


@pytest.mark.parametrize("lang", TRANSLATIONS)
@pytest.mark.parametrize("page_path", toc_pages())
def test_translated_page_loads_offline_with_its_math_typeset(visit, lang, page_path):
    v = visit(f"{lang}/{page_path}.html")
    name = f"{lang}__{page_path.replace('/', '__')}"
    # the top of the page only: the layout below is the English edition's (whole with
    # XENT_FULL_SCREENSHOTS=1)
    check_loaded_offline_with_math_typeset(v, f"{lang}/{page_path}", name, full_page=False)
    assert v.page.get_attribute("html", "lang") == lang.replace("_", "-")
    notice = v.page.locator("p.xent-unfinished").count()
    if page_path in complete_pages(lang):
        # the page's own title is the translation's, not the English one
        heading = v.page.locator("article h1").first.inner_text()
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", heading), (
            f"{lang}/{page_path}: {heading!r}"
        )
        assert notice == 0, f"{lang}/{page_path}: complete, yet it says it is unfinished"
    else:  # an unfinished translation says so, in its language
        assert notice == 1, f"{lang}/{page_path}: unfinished (locale/complete.yml), with no notice"


def test_switcher_leads_to_the_same_page_in_every_edition(visit):
    page_path = "chapters/03_cross_entropy"
    v = visit(f"{page_path}.html")
    # every translation in turn, then back to English
    english, *translations = EDITIONS.items()
    editions = [*translations, english]
    for lang, (folder, name) in editions:
        v.page.locator("nav.xent-editions a", has_text=name).click()
        v.page.wait_for_url(f"{v.base}/{folder + '/' if folder else ''}{page_path}.html")
        assert v.page.get_attribute("html", "lang") == lang.replace("_", "-")
        current = v.page.locator("nav.xent-editions [aria-current=page]").inner_text()
        assert current == name, f"{folder or 'English'}: the switcher marks {current!r} as current"
        assert v.page.locator("article h1").count() >= 1
    assert not v.errors, v.errors
    assert not v.blocked, v.blocked


@pytest.mark.parametrize("page_path", [p for p in toc_pages() if NUMBERED_CHAPTER.match(p)])
def test_chapter_has_exercises_with_hidden_solutions_that_open(visit, page_path):
    v = visit(f"{page_path}.html")
    page = v.page
    assert page.locator("div.exercise.admonition").count() >= 1, f"{page_path}: no exercise"
    solutions = page.locator("div.solution.dropdown.admonition")
    assert solutions.count() >= 1, f"{page_path}: no solution in a dropdown"
    objectives = page.locator("div.admonition.tip p.admonition-title")
    assert "What you will learn" in objectives.all_inner_texts(), f"{page_path}: no objectives"
    assert page.locator("section[id^='summary'] h2").count() == 1, f"{page_path}: no Summary"

    for i in range(solutions.count()):
        solution = solutions.nth(i)
        body = solution.locator(":scope > section, :scope > div:not(.admonition-title)").first
        assert body.count() == 1, f"{page_path}: solution {i + 1} has no body"
        assert not body.is_visible(), f"{page_path}: solution {i + 1} is shown before a click"
    first = solutions.first
    first.locator(".admonition-title").click()
    body = first.locator(":scope > section, :scope > div:not(.admonition-title)").first
    body.wait_for(state="visible", timeout=30_000)
    assert body.inner_text().strip(), f"{page_path}: the opened solution is empty"
    assert not v.errors, v.errors
    first.scroll_into_view_if_needed()
    screenshot(page, f"{page_path.replace('/', '__')}__solution_open", full_page=False)


def search(visit, query, edition=""):
    """Open the search page of an edition for ``query``; return the visit and the result links."""
    v = visit(f"{edition}search.html?q={query}")
    results = v.page.locator("#search-results ul.search li")
    results.first.wait_for(state="attached", timeout=60_000)
    links = [a.get_attribute("href") for a in results.locator("a").all()]
    assert not v.errors, v.errors
    assert not v.blocked, v.blocked
    return v, links


def test_search_finds_logits(visit):
    v, links = search(visit, "logits")
    assert links, "the search for 'logits' found nothing"
    screenshot(v.page, "search_logits", full_page=False)


@pytest.mark.parametrize(("lang", "query"), [("zh_CN", "交叉熵"), ("ja", "交差エントロピー")])
def test_search_in_each_language_finds_the_cross_entropy_chapter(visit, lang, query):
    v, links = search(visit, query, f"{lang}/")
    chapter = [link for link in links if link and "chapters/03_cross_entropy.html" in link]
    assert chapter, f"{lang}: searching {query} found {links[:10]}, not chapter 3"
    screenshot(v.page, f"{lang}__search", full_page=False)


def test_chapter_reads_on_a_phone(visit):
    """A narrow screen: the first numbered chapter must not scroll sideways as a whole."""
    chapters = [p for p in toc_pages() if NUMBERED_CHAPTER.match(p)]
    if not chapters:
        pytest.fail("_toc.yml lists no numbered chapter")
    v = visit(f"{chapters[0]}.html", viewport={"width": 390, "height": 844})
    overflow = v.page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{chapters[0]} scrolls sideways by {overflow}px on a phone"
    assert not v.errors, v.errors
    screenshot(v.page, "phone__" + chapters[0].replace("/", "__"), full_page=False)
