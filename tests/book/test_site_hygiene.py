"""What a reader must never see in the built site: tracebacks (except in cells tagged
``raises-exception``, which show an error on purpose), anything written to stderr, and paths of
the machine that built it (the repository, the home folder, the Python prefix, the temp folder,
site-packages)."""

import pathlib
import re
import sys
import tempfile

import nbformat
import pytest
from bs4 import BeautifulSoup

ROOT = pathlib.Path(__file__).resolve().parents[2]
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^\s*File \"[^\"]+\", line \d+", re.M)

pytestmark = pytest.mark.slow


def machine_paths(built_book):
    """Strings that would reveal the machine the book was built on."""
    paths = {
        str(ROOT),
        str(pathlib.Path.home()) + "/",
        sys.prefix + "/",
        sys.base_prefix + "/lib/python",
        str(pathlib.Path(tempfile.gettempdir())) + "/",
        str(built_book.parent.parent),
        "site-packages",
        "dist-packages",
        "file://",
    }
    return sorted(p for p in paths if len(p) > 2)


def built_pages(built_book):
    return sorted(p for p in built_book.rglob("*.html") if "_static" not in p.parts)


def test_no_traceback_or_stderr_in_built_pages(built_book):
    problems = []
    for page in built_pages(built_book):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        name = str(page.relative_to(built_book))
        for cell in soup.select("div.cell"):
            on_purpose = "tag_raises-exception" in cell.get("class", [])
            outputs = cell.select("div.cell_output")
            if any(out.select(".stderr") for out in outputs):
                problems.append(f"{name}: stderr output in a cell")
            if on_purpose:
                continue
            text = "\n".join(out.get_text() for out in outputs)
            if any(out.select(".traceback") for out in outputs) or TRACEBACK.search(text):
                source = cell.select_one("div.cell_input")
                first = source.get_text().strip().splitlines()[0] if source else "?"
                problems.append(f"{name}: traceback in a cell not tagged raises-exception: {first}")
        # outside cells (stray text, a failed directive rendered literally)
        for block in soup.select("div.output.traceback, div.output.stderr"):
            if not block.find_parent("div", class_="cell"):
                problems.append(f"{name}: traceback/stderr block outside a cell")
    assert not problems, "\n".join(problems)


def test_chapter_notebooks_hold_no_stderr_and_only_intended_errors():
    problems = []
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            on_purpose = "raises-exception" in cell.metadata.get("tags", [])
            for out in cell.get("outputs", []):
                if out.output_type == "stream" and out.name == "stderr":
                    problems.append(f"{path.name} cell {i}: stderr: {out.text[:120]!r}")
                if out.output_type == "error" and not on_purpose:
                    problems.append(f"{path.name} cell {i}: {out.ename}: {out.evalue[:120]}")
            has_error = any(out.output_type == "error" for out in cell.get("outputs", []))
            if on_purpose and not has_error:
                problems.append(f"{path.name} cell {i}: tagged raises-exception but raised nothing")
    assert not problems, "\n".join(problems)


def test_no_machine_paths_in_the_site(built_book):
    needles = machine_paths(built_book)
    files = [*built_pages(built_book), built_book / "searchindex.js"]
    files += [p for p in (built_book / "_sources").rglob("*") if p.is_file()]
    leaks = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for needle in needles:
            at = text.find(needle)
            if at >= 0:
                context = text[max(0, at - 40) : at + len(needle) + 40].replace("\n", " ")
                leaks.append(f"{path.relative_to(built_book)}: {needle!r} in ...{context}...")
    assert not leaks, "machine paths in the built site:\n" + "\n".join(leaks[:40])


def test_no_stray_dollar_beside_a_formula(built_book):
    # a display formula that opens a directive's text ("Proof. $$...") was once parsed as a "$"
    # followed by an inline formula: the reader saw the dollar signs
    stray = re.compile(r'\$<span class="math|\\\)</span>\$')
    found = [
        str(page.relative_to(built_book))
        for page in built_pages(built_book)
        if stray.search(page.read_text(encoding="utf-8"))
    ]
    assert not found, f"pages with a stray $ beside a formula: {found}"
