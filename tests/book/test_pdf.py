"""The PDF (``python -m booktools.pdf``), built and read back: every chapter's title, no unresolved
reference, no TeX or ``$...$`` left in the text, no character missing from a font, nothing run off
the paper, and the website's chapter numbers.

Each check runs on the English PDF, and on the Chinese and Japanese editions' PDFs
(``python -m booktools.pdf --lang zh_CN``, ``--lang ja``) where ``XENT_PDF_EDITIONS=1``: CI sets
it; the README's test command leaves them out, since each takes about 2 minutes more.

It needs TeX (XeLaTeX, latexmk, Noto CJK; README, "The PDF") and poppler-utils. Where they are
missing the tests skip with one line, unless ``XENT_REQUIRE_TEX=1`` (CI sets it), which turns the
skip into a failure.
"""

import json
import os
import pathlib
import re
import shutil
import subprocess

import pytest
import yaml

from booktools import pdf as book_pdf
from booktools import translations

ROOT = pathlib.Path(__file__).resolve().parents[2]
POPPLER = ("pdftotext", "pdfinfo")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=["en", *translations.LANGUAGES])
def edition(request):
    if request.param != "en" and os.environ.get("XENT_PDF_EDITIONS") != "1":
        pytest.skip("the translated PDFs are checked where XENT_PDF_EDITIONS=1 (CI sets it)")
    return request.param


@pytest.fixture(scope="module")
def built_pdf(edition, tmp_path_factory):
    missing = book_pdf.missing_tools() + [t for t in POPPLER if shutil.which(t) is None]
    if missing:
        reason = f"the PDF needs {', '.join(missing)} (README: the PDF)"
        if os.environ.get("XENT_REQUIRE_TEX") == "1":
            pytest.fail(f"XENT_REQUIRE_TEX=1 but {reason}")
        pytest.skip(reason)
    return book_pdf.build(tmp_path_factory.mktemp(f"pdf-{edition}"), edition)


@pytest.fixture(scope="module")
def text(built_pdf):
    out = subprocess.run(
        ["pdftotext", "-layout", str(built_pdf), "-"], capture_output=True, text=True, check=True
    )
    return out.stdout


def translate(lang, page, english):
    """``english``, a message of ``page``, in the edition's language (as the catalogue has it)."""
    if lang == "en":
        return english
    path = translations.catalogue_path(lang, page)
    found = {
        m.id.strip("\n"): m.string
        for m in translations.read_catalogue(path)
        if m.string and "fuzzy" not in m.flags
    }
    if page not in translations.complete_pages(lang):  # unfinished: the English shows instead
        return found.get(english, english).strip("\n")
    assert found.get(english), f"{lang} {page}: no translation of {english!r}"
    return found[english].strip("\n")


def page_titles(lang="en"):
    """Every page of _toc.yml with its title (its first heading), in the edition's language."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]] + [c["file"] for p in toc["parts"] for c in p["chapters"]]
    titles = {}
    for name in files:
        path = ROOT / f"{name}.ipynb"
        if path.exists():
            source = "".join(json.loads(path.read_text(encoding="utf-8"))["cells"][0]["source"])
        else:
            source = (ROOT / f"{name}.md").read_text(encoding="utf-8")
        titles[name] = translate(lang, name, re.search(r"^# (.+)$", source, re.M).group(1))
    return titles


def squeeze(s):
    """Text without spaces and line breaks, with typographic quotes plain (as pdftotext gives)."""
    return re.sub(r"\s+", "", s.replace("\u2019", "'").replace("`", ""))


def test_every_chapter_title_is_in_the_pdf(text, edition):
    body = squeeze(text)
    missing = [t for t in page_titles(edition).values() if squeeze(t) not in body]
    assert not missing, f"titles not found in the PDF's text: {missing}"


def test_chapters_carry_the_websites_numbers(text, edition):
    # in the contents (before the introduction's first section): "12 The loss that trains
    # language models"; the guide and the back matter unnumbered; parts numbered as on the
    # website, without "Part N:" printed twice (in a translation: its caption as it stands, its number included)
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    contents = text[: text.index(translate(edition, toc["root"], "What is in it"))]
    contents = contents.replace("\f", "\n")  # a page's first line starts after a form feed
    titles = page_titles(edition)
    for name, title in titles.items():
        number = re.match(r"chapters/(\d\d)_", name)
        if number:
            pattern = (
                rf"^\s*{int(number.group(1))}\s+{re.escape(title.replace('`', '').split()[0])}"
            )
            assert re.search(pattern, contents, re.M), (
                f"chapter {number.group(1)} is not so numbered"
            )
    for name in ("chapters/choosing_a_loss", "chapters/glossary"):
        assert re.search(
            rf"^{re.escape(titles[name].replace('`', '').split()[0])}", contents, re.M
        ), name
    if edition == "en":
        assert "Part I: From" not in contents
        assert re.search(r"^I\s+From likelihood", contents, re.M)
        return
    for part in toc["parts"]:
        if part.get("caption", "").startswith("Part "):
            caption = translate(edition, toc["root"], part["caption"])
            assert re.search(rf"^{re.escape(caption)}", contents, re.M), caption


def test_exercises_carry_their_chapters_number(built_pdf):
    """ "Exercise 9.7.2" stands in chapter 9: Sphinx numbers the exercises, LaTeX the chapters,
    and the two count the same chapters only if the PDF's table of contents numbers the same
    parts as the website's."""
    tex = built_pdf.with_suffix(".tex").read_text(encoding="utf-8")
    chapter, wrong, seen = 0, [], 0
    for line in tex.splitlines():
        if line.startswith("\\chapter{"):
            chapter += 1
        found = re.match(r"\\begin\{sphinxadmonition\}\{note\}\{\S+ (\d+)\.\d+\.\d+\}", line)
        if found:
            seen += 1
            if int(found.group(1)) != chapter:
                wrong.append(f"{line} in chapter {chapter}")
    assert seen > 40 and not wrong, wrong[:5]


def test_no_unresolved_reference(text):
    assert "??" not in text, [line for line in text.splitlines() if "??" in line][:5]


def code_corpus():
    """Every code cell's source and stored text output, and every code span of the prose:
    the only places where ``$`` and backslashes may stand in the PDF's text."""
    chunks = []
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] == "code":
                chunks.append(source)
                for out in cell.get("outputs", []):
                    chunks.append("".join(out.get("text", "")))
                    chunks.append("".join(out.get("data", {}).get("text/plain", "")))
            else:
                chunks += re.findall(r"`([^`]+)`", source)
                chunks += re.findall(r"```[^\n]*\n(.*?)```", source, re.S)
    for path in sorted((ROOT / "xentlib").glob("*.py")):  # the API reference's code
        chunks.append(path.read_text(encoding="utf-8"))
    return squeeze("\n".join(chunks))


def test_no_raw_tex_or_dollar_math_outside_code(text):
    corpus = code_corpus()
    suspicious = re.compile(r"\$[^$\s][^$]*\$|\\[a-zA-Z]{2,}")
    left = []
    for line in text.splitlines():
        clean = line.replace("\u2423", "").replace("\u21aa", "")  # wrapped-line marks
        if suspicious.search(clean) and squeeze(clean) not in corpus:
            left.append(line.strip())
    assert not left, "TeX left in the PDF's text (not in any code):\n" + "\n".join(left[:20])


def test_no_character_missing_from_a_font(built_pdf):
    log = built_pdf.with_suffix(".log").read_text(encoding="utf-8", errors="replace")
    missing = re.findall(r"Missing character: There is no .*", log)
    assert not missing, missing[:10]


def test_nothing_runs_off_the_paper(built_pdf):
    """Every word, long code and output lines included, ends before the paper's right edge."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(built_pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    off = []
    for number, page in enumerate(out.split("<page ")[1:], 1):
        width = float(re.search(r'width="([\d.]+)"', page).group(1))
        for x_max, word in re.findall(
            r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)<', page
        ):
            if float(x_max) > width - 9:  # an eighth of an inch of paper left
                off.append(f"page {number}: {word!r} ends at {float(x_max):.0f} of {width:.0f} pt")
    assert not off, off[:10]


def test_page_count(built_pdf, record_property):
    pages = book_pdf.page_count(built_pdf)
    record_property("pages", pages)
    print(f"\n{built_pdf.name}: {pages} pages")
    assert 300 < pages < 600
