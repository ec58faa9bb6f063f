"""The API reference (chapters/api.md) lists every module that xentlib exports and whose chapter is
in the book, and every public function of those modules appears on the built page with its formula
and a link to its chapter."""

import importlib
import inspect
import pathlib
import re

import pytest
import yaml

import xentlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
API_PAGE = ROOT / "chapters" / "api.md"
# helpers with nothing to put in a formula
NO_FORMULA = {
    "interactive_session",
    "free_port",
    "spawn",
    "run_all",
    "peak_memory_of_loss",
    "memory_worker",
}


def listed_modules():
    return re.findall(
        r"^\.\. xentlib-module:: (\w+)\s*$", API_PAGE.read_text(encoding="utf-8"), re.M
    )


def exported_modules():
    """Submodules that xentlib/__init__.py imports from: the library's public surface."""
    init = (ROOT / "xentlib" / "__init__.py").read_text(encoding="utf-8")
    found = re.findall(r"^from \.(\w+) import", init, re.M)
    found += re.findall(r"^from \. import (\w+)", init, re.M)
    return sorted(set(found))


def chapter_of(module):
    links = re.findall(r":doc:`/chapters/([^`]+)`", inspect.getsource(module))
    return links[0] if links else None


def toc_pages():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return {e["file"].split("/")[-1] for p in toc.get("parts", []) for e in p.get("chapters", [])}


def public_functions(module):
    return [
        f
        for name, f in vars(module).items()
        if inspect.isfunction(f) and f.__module__ == module.__name__ and not name.startswith("_")
    ]


def test_every_module_with_a_chapter_in_the_book_is_listed():
    pages, listed = toc_pages(), set(listed_modules())
    missing = []
    for name in exported_modules():
        chapter = chapter_of(importlib.import_module(f"xentlib.{name}"))
        if chapter in pages and name not in listed:
            missing.append(f".. xentlib-module:: {name}   (chapter {chapter})")
    assert not missing, "add to chapters/api.md:\n" + "\n".join(missing)


def test_listed_modules_have_their_chapter_in_the_book():
    pages = toc_pages()
    for name in listed_modules():
        chapter = chapter_of(importlib.import_module(f"xentlib.{name}"))
        assert chapter in pages, f"xentlib.{name} links chapter {chapter}, which is not in _toc.yml"


@pytest.mark.parametrize("name", listed_modules())
def test_docstrings_give_formula_and_chapter(name):
    module = importlib.import_module(f"xentlib.{name}")
    problems = []
    for f in public_functions(module):
        doc = f.__doc__ or ""
        if ".. math::" not in doc and ":math:" not in doc and f.__name__ not in NO_FORMULA:
            problems.append(f"{f.__name__}: no formula")
        if ":doc:`/chapters/" not in doc:
            problems.append(f"{f.__name__}: no chapter link")
    assert not problems, problems


@pytest.mark.slow
def test_every_function_is_on_the_built_page(built_book):
    html = (built_book / "chapters" / "api.html").read_text(encoding="utf-8")
    missing = []
    for name in listed_modules():
        module = importlib.import_module(f"xentlib.{name}")
        for f in public_functions(module):
            top = getattr(xentlib, f.__name__, None) is f
            anchor = f"xentlib.{f.__name__}" if top else f"{module.__name__}.{f.__name__}"
            if f'id="{anchor}"' not in html:
                missing.append(anchor)
    assert not missing, f"functions missing from the API page: {missing}"
    assert html.count('class="math notranslate nohighlight"') >= len(listed_modules())
