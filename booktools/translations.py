"""The book's translations: extract the English prose, keep the catalogues, check the translations.

Usage::

    python -m booktools.translations update            # English changed: refresh every catalogue
    python -m booktools.translations check             # every translation, as the tests check it
    python -m booktools.translations check --lang ja chapters/01_likelihood
    python -m booktools.translations export ja chapters/01_likelihood > sheet.txt
    python -m booktools.translations import ja chapters/01_likelihood sheet.txt

The English pages are the source. ``update`` extracts every message of every page (Sphinx's
gettext builder: a paragraph, a heading, a list item, a caption, as MyST source) into
``_build/gettext/*.pot`` and merges them into ``locale/LANG/LC_MESSAGES/PAGE.po`` with
``sphinx-intl``: a new message arrives untranslated, a changed one keeps its old translation marked
fuzzy. Code cells and their stored outputs are not messages; every edition shows the same ones.

``check`` is the fidelity test (``tests/book/test_translations.py`` runs it): every message is
translated and not fuzzy, and each translation keeps what must not change between languages --
its numbers, its inline formulas, its code literals, its link and role targets, and a rendering
(``locale/terms.yml``) of every glossary term its English message uses.

``export`` and ``import`` move a page's messages in and out of a plain-text sheet, for translators
who would rather not write PO escapes (every backslash of a formula doubled) by hand::

    @@ 12
    The English message, exactly as in the catalogue (may span lines).
    @@ ja
    その訳。複数行でもよい。

``import`` checks that every English message of the sheet is the catalogue's, word for word. A
block may also be written as ``@@ 12 ja`` followed by the translation alone.
"""

import argparse
import collections
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
GLOSSARY = ROOT / "chapters" / "glossary.md"

#: the editions besides English: Sphinx language code -> the language's own name
LANGUAGES = {"zh_CN": "中文", "ja": "日本語"}

#: pages whose catalogue keeps only the page's own prose: the API reference's docstrings are
#: English in every edition (the page says so)
DOCSTRING_PAGES = ("chapters/api",)

# ------------------------------------------------------------------------------------------------
# What a message holds besides prose

_DISPLAY_MATH = re.compile(r"\$\$.+?\$\$", re.S)
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<!\\)\$", re.S)
_ROLE = re.compile(r"\{([a-zA-Z][\w:.-]*)\}`([^`]+)`")
_LITERAL = re.compile(r"``(.+?)``|`([^`\n]+)`")
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>|(?<![<(])\bhttps?://[^\s)>\]]+")
_TITLED_TARGET = re.compile(r"^(.*?)\s*<([^<>]+)>$", re.S)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*(?:[eE][-+]?\d+)?")
# roles whose content is always a target, never text of the reader's language
_TARGET_ONLY_ROLES = {"cite", "cite:p", "cite:t", "cite:ps", "cite:ts", "eq", "math"}


def _role_target_and_text(name, content):
    """A role's target and the prose it shows: ``{term}`交叉熵 <cross-entropy>``` has the target
    ``cross-entropy`` and shows ``交叉熵``; an untitled ``{term}`cross-entropy``` shows its
    target as prose. Every other untitled role shows code (``{func}`xentlib.softmax```), a
    citation, or a title taken from its target, none of it prose of the message."""
    titled = _TITLED_TARGET.match(content)
    if titled and name not in _TARGET_ONLY_ROLES:
        return titled.group(2).strip(), titled.group(1).strip()
    return content.strip(), content.strip() if name == "term" else ""


class Parts(collections.namedtuple("Parts", "formulas literals targets numbers prose")):
    """The language-neutral parts of one message, and the prose left around them.

    ``formulas``, ``literals`` and ``targets`` (``role:target`` strings and link addresses) are
    multisets (``collections.Counter``); ``numbers`` is the multiset of the numbers written in
    digits in the prose; ``prose`` is the text a reader reads, with each role replaced by the text
    it shows and formulas, literals and addresses removed.
    """


def parts(message):
    """Split a message (MyST source) into its language-neutral parts and its prose."""
    formulas, literals, targets = (collections.Counter() for _ in range(3))

    def take(counter, value, keep=""):
        counter[value] += 1
        return f" {keep} "

    text = _DISPLAY_MATH.sub(lambda m: take(formulas, m.group(0)), message)
    text = _INLINE_MATH.sub(lambda m: take(formulas, m.group(0)), text)

    def role(m):
        target, shown = _role_target_and_text(m.group(1), m.group(2))
        return take(targets, f"{m.group(1)}:{target}", shown)

    text = _ROLE.sub(role, text)
    text = _LITERAL.sub(lambda m: take(literals, m.group(1) or m.group(2)), text)
    text = _LINK.sub(lambda m: take(targets, f"link:{m.group(1)}", "]"), text)
    text = _AUTOLINK.sub(lambda m: take(targets, f"link:{m.group(1) or m.group(0)}"), text)
    numbers = collections.Counter(_NUMBER.findall(text))
    return Parts(formulas, literals, targets, numbers, text)


def is_display_formula(message):
    """Whether a message is a display formula: Sphinx extracts a ``$$ ... $$`` block as its LaTeX
    alone, between newlines, and no paragraph begins with one."""
    return message.startswith("\n") and message.endswith("\n")


def is_identifier(message):
    """Whether a message is a dotted Python name alone (a module's heading on the API page)."""
    return re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+", message) is not None


def has_prose(message):
    """Whether a message has anything to translate (a display formula or a module name has not)."""
    if is_display_formula(message) or is_identifier(message):
        return False
    return bool(re.search(r"[^\W\d_]", parts(message).prose))


# ------------------------------------------------------------------------------------------------
# Glossary terms


def load_terms():
    """The glossary's terms with their English spellings and accepted renderings (terms.yml)."""
    import yaml

    entries = yaml.safe_load((LOCALE / "terms.yml").read_text(encoding="utf-8"))
    terms = {}
    for headword, entry in entries.items():
        english = [headword, *entry.get("en", [])]
        if not headword.endswith("s") and headword[-1].isalpha() and headword.islower():
            english.append(headword + "s")
        terms[headword] = {"en": english, **{lang: entry[lang] for lang in LANGUAGES}}
    return terms


def _glossary_entries():
    """``{headword: definition}`` from chapters/glossary.md's glossary directive, in order."""
    text = GLOSSARY.read_text(encoding="utf-8")
    block = re.search(r"```\{glossary\}\n(.*?)\n```", text, re.S).group(1)
    entries, headword = {}, None
    for line in block.splitlines():
        if line and not line[0].isspace():
            headword = line.strip()
            entries[headword] = ""
        elif headword is not None:
            entries[headword] += " " + line.strip()
    return entries


def glossary_headwords():
    """The headwords of the glossary, in order."""
    return list(_glossary_entries())


def glossary_entry(headword):
    """The glossary's definition of a headword (its Chinese and Japanese renderings first)."""
    return _glossary_entries()[headword].strip()


def _english_pattern(spelling):
    """A spelling as a whole word or phrase; a lower-case one may also open a sentence."""
    first = re.escape(spelling[0])
    if spelling[0].islower():
        first = f"[{re.escape(spelling[0])}{re.escape(spelling[0].upper())}]"
    rest = re.escape(spelling[1:]).replace(r"\ ", r"[\s-]").replace(r"\-", r"[\s-]")
    return re.compile(rf"(?<![\w-]){first}{rest}(?![\w-])")


def _normalise(text):
    return re.sub(r"\s+", "", text).casefold()


def terms_used(prose, terms, other_senses=()):
    """The headwords of ``terms`` that an English prose uses, longest first; a longer term hides
    the shorter ones inside it (``binary cross-entropy`` is not also ``cross-entropy``).
    ``other_senses`` are regular expressions of phrases in which a word is not the term."""
    for sense in other_senses:
        prose = re.sub(sense, " ", prose)
    spellings = sorted(
        ((s, headword) for headword, entry in terms.items() for s in entry["en"]),
        key=lambda pair: -len(pair[0]),
    )
    used = []
    for spelling, headword in spellings:
        pattern = _english_pattern(spelling)
        if pattern.search(prose):
            prose = pattern.sub(" ", prose)
            if headword not in used:
                used.append(headword)
    return used


# ------------------------------------------------------------------------------------------------
# The fidelity check


def _emphasis_spans(message):
    """The bold and italic spans a message renders, as MyST's Markdown parser reads it: a list of
    ``(kind, text)`` with kind ``"strong"`` or ``"em"``. Inline formulas are parsed as formulas,
    so a ``*`` inside one is not emphasis. In CommonMark a closing ``**`` that follows full-width
    punctuation and precedes a letter (``**标签。**按``) does not close, and the asterisks print
    as they are."""
    global _MARKDOWN
    if _MARKDOWN is None:
        from markdown_it import MarkdownIt
        from mdit_py_plugins.dollarmath import dollarmath_plugin

        _MARKDOWN = MarkdownIt("commonmark").use(dollarmath_plugin, double_inline=True)
    spans, open_spans = [], []
    for token in _MARKDOWN.parseInline(message):
        for child in token.children or ():
            if child.type in ("strong_open", "em_open"):
                open_spans.append([child.type[: -len("_open")], ""])
            elif child.type in ("strong_close", "em_close"):
                spans.append(tuple(open_spans.pop()))
            elif open_spans:
                for span in open_spans:
                    span[1] += child.content
    return spans


def emphasis(message):
    """How many bold and italic spans a message renders (``{"strong": n, "em": m}``)."""
    return collections.Counter(kind for kind, _ in _emphasis_spans(message))


def _title_marks(english, translated):
    """The English italics that the translation sets as a title instead, between 《》 (Chinese)
    or 「」 or 『』 (Japanese), as its own typography marks a title (*Intuition behind
    categorical cross entropy* is 《Intuition behind categorical cross entropy》)."""
    marked = collections.Counter()
    for kind, text in _emphasis_spans(english):
        if kind == "em" and any(f"{a}{text}{b}" in translated for a, b in ("《》", "「」", "『』")):
            marked["em"] += 1
    return marked


_MARKDOWN = None

_MONTHS = (
    "January February March April May June July August September October November December"
).split()
_DATE = re.compile(
    r"\b(?:\d{1,2} (%s) \d{4}|(%s) \d{1,2}, \d{4}|(%s) \d{4})\b" % (("|".join(_MONTHS),) * 3)
)


def month_numbers(english):
    """The months, as numbers, of the dates the English writes with a month's name ("21 April
    2021", "April 21, 2021", "April 2021"): Chinese and Japanese write the month in digits
    (2021 年 4 月 21 日), so a translation may add each of them once."""
    found = collections.Counter()
    for m in _DATE.finditer(english):
        name = m.group(1) or m.group(2) or m.group(3)
        found[str(_MONTHS.index(name) + 1)] += 1
    return found


def _differences(label, english, translated):
    missing = english - translated
    extra = translated - english
    found = []
    if missing:
        found.append(f"{label} missing from the translation: {sorted(missing.elements())}")
    if extra:
        found.append(f"{label} not in the English: {sorted(extra.elements())}")
    return found


def check_message(msgid, msgstr, lang, terms, exceptions=None):
    """What is wrong with one translation, as a list of sentences (empty when nothing is)."""
    if not msgstr.strip():
        return ["untranslated"]
    if is_display_formula(msgid):
        return [] if msgstr == msgid else ["a display formula must stay exactly as in the English"]
    if is_identifier(msgid):
        return [] if msgstr == msgid else ["a Python name must stay exactly as in the English"]
    english, translated = parts(msgid), parts(msgstr)
    problems = []
    problems += _differences("formulas", english.formulas, translated.formulas)
    problems += _differences("code literals", english.literals, translated.literals)
    problems += _differences("role or link targets", english.targets, translated.targets)
    english_emphasis, translated_emphasis = emphasis(msgid), emphasis(msgstr)
    titles = _title_marks(msgid, msgstr) & (english_emphasis - translated_emphasis)
    if english_emphasis != translated_emphasis + titles:
        problems.append(
            f"bold/italic spans {dict(english_emphasis)} in the English but "
            f"{dict(translated_emphasis)} in the translation (a closing ** or * right after "
            "full-width punctuation and before a letter does not close: put the punctuation "
            "outside the emphasis)"
        )
    # a date's month may be written in digits in the translation, where the English names it
    months = month_numbers(english.prose) & (translated.numbers - english.numbers)
    problems += _differences("numbers", english.numbers, translated.numbers - months)
    exceptions = exceptions or {}
    allowed = set(exceptions.get("messages", {}).get(msgid, {}).get(lang, []))
    other_senses = exceptions.get("other_senses", [])
    text = _normalise(translated.prose)
    for headword in terms_used(english.prose, terms, other_senses):
        renderings = terms[headword][lang]
        if headword in allowed or any(_normalise(r) in text for r in renderings):
            continue
        problems.append(f"glossary term {headword!r} has none of its renderings {renderings}")
    return problems


def read_catalogue(path):
    """The messages of a PO file (babel's reader), without the header."""
    from babel.messages.pofile import read_po

    with open(path, "rb") as f:
        catalogue = read_po(f)
    return [m for m in catalogue if m.id]


def load_exceptions():
    import yaml

    path = LOCALE / "exceptions.yml"
    if not path.is_file():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def catalogue_path(lang, page):
    return LOCALE / lang / "LC_MESSAGES" / f"{page}.po"


def complete_pages(lang):
    """The pages whose ``lang`` translation is declared complete in ``locale/complete.yml``."""
    import yaml

    path = LOCALE / "complete.yml"
    listed = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
    return set((listed or {}).get(lang) or ())


def pages():
    """Every page with a catalogue, as ``chapters/NAME`` (the English extraction's list)."""
    found = sorted(
        p.relative_to(LOCALE / "zh_CN" / "LC_MESSAGES").with_suffix("").as_posix()
        for p in (LOCALE / "zh_CN" / "LC_MESSAGES").rglob("*.po")
    )
    return found


def check_catalogue(path, lang, terms, exceptions, neutral=()):
    """Every problem of one catalogue, as ``(message, problem)`` pairs; the messages in
    ``neutral`` (the glossary's English headwords) must stay exactly as they are."""
    problems = []
    for message in read_catalogue(path):
        if message.fuzzy:
            problems.append((message.id, "fuzzy: the English changed since it was translated"))
            continue
        if message.id in neutral:
            if message.string != message.id:
                problems.append((message.id, "a glossary headword stays in English"))
            continue
        found = check_message(message.id, message.string, lang, terms, exceptions)
        problems += [(message.id, p) for p in found]
    return problems


def check_page(lang, page, terms=None, exceptions=None):
    """Every problem of one page's translation, as ``(message, problem)`` pairs."""
    terms = terms if terms is not None else load_terms()
    exceptions = exceptions if exceptions is not None else load_exceptions()
    path = catalogue_path(lang, page)
    if not path.is_file():
        hint = "run `python -m booktools.translations update`"
        return [("", f"no catalogue {path.relative_to(ROOT)}: {hint}")]
    neutral = set(glossary_headwords()) if page == "chapters/glossary" else set()
    return check_catalogue(path, lang, terms, exceptions, neutral)


def format_problems(lang, page, problems):
    lines = []
    for msgid, problem in problems:
        short = msgid if len(msgid) < 90 else msgid[:87] + "..."
        lines.append(f"{lang} {page}: {problem}\n    English: {short!r}")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------
# Extraction and merging


def extract(build_dir=ROOT / "_build"):
    """Run Sphinx's gettext builder over the book into ``build_dir/gettext`` (with doctrees of its
    own, so that it never disturbs an HTML build); return that folder of ``.pot`` files."""
    cmd = [sys.executable, "-m", "booktools.editions", "--one", "en", "--builder", "gettext"]
    cmd += ["--build-dir", str(build_dir)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        sys.exit(f"gettext extraction failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    pot_dir = pathlib.Path(build_dir) / "gettext"
    for page in DOCSTRING_PAGES:
        _keep_page_prose(pot_dir / f"{page}.pot")
    return pot_dir


def _keep_page_prose(pot):
    """Drop the messages that autodoc took from docstrings (located in no page of the book)."""
    from babel.messages.pofile import read_po, write_po

    with open(pot, "rb") as f:
        catalogue = read_po(f)
    for message in list(catalogue):
        pages = [loc for loc, _ in message.locations if loc.endswith((".md", ".ipynb"))]
        if message.id and not pages:
            catalogue.delete(message.id, message.context)
    with open(pot, "wb") as f:
        write_po(f, catalogue, width=0)


def fill_language_neutral(lang):
    """Give every message with nothing to translate (a display formula, a glossary headword, a
    module name, a bare code literal) its English text as translation, so that no edition shows it
    untranslated; a fuzzy one too, since its one right translation is itself."""
    from babel.messages.pofile import read_po, write_po

    headwords = set(glossary_headwords())
    for path in (LOCALE / lang / "LC_MESSAGES").rglob("*.po"):
        with open(path, "rb") as f:
            catalogue = read_po(f)
        changed = False
        for message in catalogue:
            if not message.id or (message.string and not message.fuzzy):
                continue
            glossary = path.stem == "glossary" and message.id in headwords
            if glossary or not has_prose(message.id):
                # untranslated or fuzzy, it has one right translation: itself
                message.string, changed = message.id, True
                message.flags.discard("fuzzy")
        if changed:
            with open(path, "wb") as f:
                write_po(f, catalogue, width=0)


def update():
    """Extract the English and merge it into every language's catalogues."""
    from sphinx_intl.basic import update as intl_update

    pot_dir = extract()
    intl_update(
        str(LOCALE), str(pot_dir), tuple(LANGUAGES), line_width=0, ignore_obsolete=True, jobs=1
    )
    for lang in LANGUAGES:
        fill_language_neutral(lang)


# ------------------------------------------------------------------------------------------------
# Sheets


def export_sheet(lang, page):
    """A page's messages as a plain-text sheet (see the module's docstring)."""
    chunks = []
    for number, message in enumerate(read_catalogue(catalogue_path(lang, page)), 1):
        flag = " fuzzy" if message.fuzzy else ""
        chunks.append(f"@@ {number}{flag}\n{message.id}\n@@ {lang}\n{message.string}\n")
    return "\n".join(chunks)


_SHEET_HEAD = re.compile(r"^@@ (\d+)(?: fuzzy)?(?: (\S+))?$")


def parse_sheet(text, lang):
    """``{number: (english, translation)}`` from a sheet; ``english`` is None for a block written
    as ``@@ N LANG`` followed by the translation alone."""
    entries, number, english, translated, into = {}, None, [], [], None

    def close():
        if number is not None:
            source = None if english is None else "\n".join(english).strip("\n")
            entries[number] = (source, "\n".join(translated).strip("\n"))

    for line in text.splitlines():
        head = _SHEET_HEAD.match(line)
        if head and head.group(2) not in (None, lang):
            raise ValueError(f"sheet line {line!r}: expected language {lang}")
        if head:
            close()
            number, translated = int(head.group(1)), []
            english, into = ([], "en") if head.group(2) is None else (None, "tr")
        elif line == f"@@ {lang}" and into == "en":
            into = "tr"
        elif into == "en":
            english.append(line)
        elif into == "tr":
            translated.append(line)
    close()
    return entries


def import_sheet(lang, page, text):
    """Write a sheet's translations into the page's catalogue; return how many were set."""
    from babel.messages.pofile import read_po, write_po

    path = catalogue_path(lang, page)
    with open(path, "rb") as f:
        catalogue = read_po(f)
    messages = [m for m in catalogue if m.id]
    entries = parse_sheet(text, lang)
    errors = []
    for number, (english, _) in entries.items():
        if not 1 <= number <= len(messages):
            errors.append(f"message {number}: the catalogue has {len(messages)} messages")
        elif english is not None and english != messages[number - 1].id.strip("\n"):
            errors.append(f"message {number}: its English differs from the catalogue's")
    if errors:
        raise ValueError(f"{path.name}: " + "; ".join(errors))
    count = 0
    for number, (_, translated) in entries.items():
        if translated.strip():
            message = messages[number - 1]
            original = message.id
            # keep the English's leading and trailing newlines (display formulas carry them)
            lead = original[: len(original) - len(original.lstrip("\n"))]
            tail = original[len(original.rstrip("\n")) :]
            message.string = lead + translated + tail
            message.flags.discard("fuzzy")
            count += 1
    with open(path, "wb") as f:
        write_po(f, catalogue, width=0)
    return count


# ------------------------------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m booktools.translations", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("update", help="extract the English and merge it into every catalogue")
    check = sub.add_parser(
        "check", help="check translations (all pages of both languages by default)"
    )
    check.add_argument("--lang", choices=sorted(LANGUAGES), action="append")
    check.add_argument("pages", nargs="*", help="pages as chapters/NAME")
    export = sub.add_parser("export", help="write a page's messages as a sheet to stdout")
    export.add_argument("lang", choices=sorted(LANGUAGES))
    export.add_argument("page")
    imp = sub.add_parser("import", help="read a sheet's translations into the page's catalogue")
    imp.add_argument("lang", choices=sorted(LANGUAGES))
    imp.add_argument("page")
    imp.add_argument("sheet", type=pathlib.Path)
    args = parser.parse_args(argv)

    if args.command == "update":
        update()
    elif args.command == "export":
        sys.stdout.write(export_sheet(args.lang, args.page))
    elif args.command == "import":
        count = import_sheet(args.lang, args.page, args.sheet.read_text(encoding="utf-8"))
        print(
            f"{count} translations written to {catalogue_path(args.lang, args.page).relative_to(ROOT)}"
        )
    elif args.command == "check":
        terms, exceptions, failed = load_terms(), load_exceptions(), 0
        for lang in args.lang or LANGUAGES:
            for page in args.pages or pages():
                problems = check_page(lang, page, terms, exceptions)
                if problems:
                    failed += len(problems)
                    print(format_problems(lang, page, problems))
        print(f"{failed} problems" if failed else "every translation checked: no problems")
        return 1 if failed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
