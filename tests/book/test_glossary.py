"""The glossary: every entry gives the English term with its Chinese and Japanese equivalents, and
every {term} role in the chapters points at an entry (checked here before the slower build)."""

import pathlib
import re

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
TERM_ROLE = re.compile(r"\{term\}`([^`]+)`")


def glossary_entries():
    text = (ROOT / "chapters" / "glossary.md").read_text(encoding="utf-8")
    body = text.split("```{glossary}", 1)[1].split("\n```", 1)[0]
    entries, term = {}, None
    for line in body.splitlines():
        if line and not line[0].isspace():
            term = line.strip()
            entries[term] = []
        elif term is not None and line.strip():
            entries[term].append(line.strip())
    return entries


def test_every_entry_has_chinese_and_japanese():
    entries = glossary_entries()
    assert len(entries) >= 20
    problems = []
    for term, lines in entries.items():
        head = lines[0].split(". ", 1)[0] if lines else ""
        names = [part.strip() for part in head.split("·")]
        # "zh · ja", optionally after an abbreviation ("NLL · zh · ja"): the last two hold CJK
        if len(names) < 2 or not all(CJK.search(n) for n in names[-2:]):
            problems.append(f"{term!r}: expected 'Chinese · Japanese.' first, got {head!r}")
        if len(lines) < 1 or len(" ".join(lines)) < len(head) + 20:
            problems.append(f"{term!r}: no definition")
    assert not problems, "\n".join(problems)


def test_every_term_role_in_the_chapters_has_an_entry():
    defined = {t.lower() for t in glossary_entries()}
    missing = {}
    for path in sorted((ROOT / "chapters").glob("*")):
        if path.suffix == ".ipynb":
            cells = nbformat.read(path, as_version=4).cells
            text = "\n".join(c.source for c in cells if c.cell_type == "markdown")
        elif path.suffix == ".md":
            text = path.read_text(encoding="utf-8")
        else:
            continue
        for role in TERM_ROLE.findall(text):
            target = role.rsplit("<", 1)[1].rstrip(">").strip() if "<" in role else role.strip()
            if target.lower() not in defined:
                missing.setdefault(path.name, set()).add(target)
    assert not missing, f"{{term}} roles without a glossary entry: {missing}"
