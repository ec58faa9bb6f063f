"""The instructors' page states which frameworks each chapter needs: check that against what each
notebook actually loads, and that every numbered chapter in _toc.yml has a row."""

import pathlib
import re

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGE = ROOT / "chapters" / "instructors.md"
ROW = re.compile(r"^\| (?:\{doc\}`[^`<]*<([^>]+)>`|([^|]+?)) \| [^|]* \| ([^|]+) \|$", re.M)


def frameworks_table():
    """{page name or label: set of frameworks} from the page's table."""
    table = {}
    for doc, label, used in ROW.findall(PAGE.read_text(encoding="utf-8")):
        name = doc or label.strip()
        table[name] = {f for f in ("PyTorch", "TensorFlow") if f in used}
        if "NumPy only" not in used and not table[name]:
            table[name] = {"?"}
    return table


def frameworks_loaded(notebook):
    text = notebook.read_text(encoding="utf-8")
    used = set()
    if re.search(r"load_torch\(|import torch\b", text):
        used.add("PyTorch")
    if re.search(r"load_tensorflow\(|import tensorflow\b|import keras\b", text):
        used.add("TensorFlow")
    return used


def toc_chapters():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [e["file"].split("/")[-1] for p in toc.get("parts", []) for e in p.get("chapters", [])]


def _numbered_or_listed(name):
    """Numbered chapters must have a row; an unnumbered page (the Part III guide) may have one."""
    return re.match(r"\d\d_", name) is not None or name in frameworks_table()


@pytest.mark.parametrize(
    "name",
    [
        n
        for n in toc_chapters()
        if (ROOT / f"chapters/{n}.ipynb").exists() and _numbered_or_listed(n)
    ],
)
def test_framework_column_matches_the_notebook(name):
    table = frameworks_table()
    assert name in table, f"chapters/instructors.md has no row for {name}"
    assert table[name] == frameworks_loaded(ROOT / f"chapters/{name}.ipynb"), name


def test_rows_point_at_pages_in_the_toc():
    listed = set(toc_chapters())
    stray = [n for n in frameworks_table() if "_" in n and n not in listed]
    assert not stray, f"rows linking to pages missing from _toc.yml: {stray}"
