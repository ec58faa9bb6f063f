"""The build check: the book builds with -W, every page in _toc.yml is there, nothing is fetched
from the network, and MathJax is served from the site itself."""

import pathlib
import pickle
import re

import pytest
import yaml

from booktools.sphinxext import nodes_of_other_documents
from booktools.translations import LANGUAGES

ROOT = pathlib.Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [entry["file"] for entry in part["chapters"]]
    return files


def test_every_chapter_notebook_is_in_the_toc():
    in_toc = set(toc_files())
    on_disk = {f"chapters/{p.stem}" for p in (ROOT / "chapters").glob("*.ipynb")}
    on_disk |= {f"chapters/{p.stem}" for p in (ROOT / "chapters").glob("*.md")}
    assert on_disk <= in_toc, f"pages missing from _toc.yml: {sorted(on_disk - in_toc)}"


def test_every_toc_page_is_built(built_book):
    missing = [f for f in toc_files() if not (built_book / f"{f}.html").is_file()]
    assert not missing, f"pages in _toc.yml without HTML: {missing}"


def test_no_resource_is_loaded_from_the_network(built_book):
    # a page may link out (<a href>), but must not load scripts, styles or images from elsewhere
    remote = re.compile(r'<(script|link|img)\b[^>]*\b(src|href)="(https?:)?//', re.I)
    offenders = {}
    for page in built_book.rglob("*.html"):
        hits = remote.findall(page.read_text(encoding="utf-8"))
        if hits:
            offenders[str(page.relative_to(built_book))] = hits
    assert not offenders, offenders


def test_mathjax_is_served_locally(built_book):
    page = (built_book / "chapters" / "01_likelihood.html").read_text(encoding="utf-8")
    assert 'src="../_static/mathjax/tex-chtml.js"' in page
    assert (built_book / "_static" / "mathjax" / "tex-chtml.js").is_file()
    fonts = list(
        (built_book / "_static" / "mathjax" / "output" / "chtml" / "fonts").rglob("*.woff")
    )
    assert fonts, "MathJax fonts were not copied into the site"


def test_download_as_notebook_button(built_book):
    page = (built_book / "chapters" / "01_likelihood.html").read_text(encoding="utf-8")
    assert "_sources/chapters/01_likelihood.ipynb" in page
    assert (built_book / "_sources" / "chapters" / "01_likelihood.ipynb").is_file()


def test_translated_doctrees_are_as_small_as_the_english(built_book):
    # booktools.sphinxext._detach_translated_nodes: a translated node must find its page through
    # its parent, not keep the small document its message was parsed in (which made each
    # translated doctree about 35 times the English one, and its edition's build twice as slow)
    doctrees = built_book.parent / "doctrees"
    english = sum(p.stat().st_size for p in (doctrees / "en").rglob("*.doctree"))
    for lang in LANGUAGES:
        files = sorted((doctrees / lang).rglob("*.doctree"))
        assert len(files) == len(toc_files()), f"{lang}: {len(files)} doctrees"
        size = sum(p.stat().st_size for p in files)
        assert size < 1.5 * english, f"{lang}: doctrees of {size} bytes, English {english}"
        for path in files:
            foreign = nodes_of_other_documents(pickle.loads(path.read_bytes()))
            assert not foreign, f"{path}: {len(foreign)} nodes point at another document"
