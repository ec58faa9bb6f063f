"""The Chinese and Japanese editions' prose, checked like the numbers (booktools/translations.py).

Every message of every page is translated and not fuzzy; each translation keeps the numbers, the
inline formulas, the code literals and the role and link targets of its English message, and a
rendering of every glossary term the English uses; the catalogues hold exactly the messages the
English pages have now. The unit tests show that the check fails on each kind of change.
"""

import collections
import pathlib
import re
import subprocess
import sys

import pytest

from booktools import translations as tr

ROOT = pathlib.Path(__file__).resolve().parents[2]
TERMS = tr.load_terms()
EXCEPTIONS = tr.load_exceptions()

ENGLISH = (
    'With {term}`label smoothing` of $s = 0.1$ and `reduction="sum"`, the '
    "{term}`cross-entropy` of {cite:t}`mueller2019` is 2.3026 (see {doc}`06_keras` and "
    "[the guide](https://pytorch.org/docs/))."
)
CHINESE = (
    '在 {term}`标签平滑 <label smoothing>` 取 $s = 0.1$、`reduction="sum"` 时，'
    "{cite:t}`mueller2019` 的 {term}`交叉熵 <cross-entropy>` 为 2.3026（见 {doc}`06_keras` 与"
    "[指南](https://pytorch.org/docs/)）。"
)


def problems(msgstr, msgid=ENGLISH, lang="zh_CN", exceptions=None):
    return tr.check_message(msgid, msgstr, lang, TERMS, exceptions or {})


# ------------------------------------------------------------------------------------------------
# The check itself: it passes a faithful translation and fails on each kind of change


def test_a_faithful_translation_passes():
    assert problems(CHINESE) == []


def test_an_untranslated_message_fails():
    assert problems("") == ["untranslated"]
    assert problems("  \n") == ["untranslated"]


def test_a_changed_number_fails():
    found = problems(CHINESE.replace("2.3026", "2.3025"))
    assert any(p.startswith("numbers missing") and "2.3026" in p for p in found), found
    assert any(p.startswith("numbers not in the English") and "2.3025" in p for p in found)


def test_an_added_number_fails():
    found = problems(CHINESE.replace("时，", "时（共 3 类），"))
    assert found == ["numbers not in the English: ['3']"], found


DATED = "A question of 21 April 2021, and an article of January 29, 2024."


@pytest.mark.parametrize(
    "translation",
    [
        "2021 年 4 月 21 日的一个问题，以及 2024 年 1 月 29 日的一篇文章。",
        "2021 年四月 21 日的一个问题，以及 2024 年一月 29 日的一篇文章。",
    ],
)
def test_a_dates_month_may_be_written_in_digits(translation):
    assert tr.month_numbers(DATED) == collections.Counter({"4": 1, "1": 1})
    assert problems(translation, msgid=DATED) == []


def test_only_the_dates_own_month_may_be_added():
    wrong_month = "2021 年 5 月 21 日的一个问题，以及 2024 年 1 月 29 日的一篇文章。"
    assert problems(wrong_month, msgid=DATED) == ["numbers not in the English: ['5']"]
    twice = "2021 年 4 月 21 日的 4 个问题，以及 2024 年 1 月 29 日的一篇文章。"
    assert problems(twice, msgid=DATED) == ["numbers not in the English: ['4']"]
    undated = "In April the loss was 2.3026."
    assert tr.month_numbers(undated) == collections.Counter()


@pytest.mark.parametrize(
    "english, translation",
    [
        ("**On the web:** read the chapters.", "**在网页上阅读：**按顺序阅读各章。"),
        ('**"none"** means no call.', "**“无”**表示没有调用。"),
        ("the *certain* outcome", "*完全确定。*的结果"),
    ],
)
def test_bold_or_italic_that_would_not_render_fails(english, translation):
    found = problems(translation, msgid=english)
    assert len(found) == 1 and found[0].startswith("bold/italic spans"), found


@pytest.mark.parametrize(
    "english, translation",
    [
        ("**On the web:** read the chapters.", "**在网页上阅读**：按顺序阅读各章。"),
        ('**"none"** means no call.', "“**无**”表示没有调用。"),
        ("a product $a * b * c$ and *one* more", "乘积 $a * b * c$ 以及*另一个*"),
    ],
)
def test_emphasis_that_renders_passes(english, translation):
    assert problems(translation, msgid=english) == []


def test_an_italic_title_may_be_set_in_title_marks_instead():
    english = "A post, *Python实现交叉熵损失函数的调用方法*, and the *only* answer."
    chinese = "一篇帖子《Python实现交叉熵损失函数的调用方法》，以及*唯一的*回答。"
    japanese = "投稿「Python实现交叉熵损失函数的调用方法」と、*唯一の*回答。"
    assert problems(chinese, msgid=english) == []
    assert problems(japanese, msgid=english, lang="ja") == []
    # the other italic is no title: dropping it still fails
    dropped = chinese.replace("*唯一的*", "唯一的")
    assert problems(dropped, msgid=english)[0].startswith("bold/italic spans")
    # nor does a title mark excuse an italic whose text it does not hold
    other = "一篇帖子《另一个标题》，以及唯一的回答。"
    assert problems(other, msgid=english)[0].startswith("bold/italic spans")


def test_a_changed_formula_fails():
    found = problems(CHINESE.replace("$s = 0.1$", "$s=0.1$"))
    assert any(p.startswith("formulas missing") for p in found), found


def test_a_dropped_formula_fails():
    found = problems(CHINESE.replace("$s = 0.1$", "s = 0.1"))
    assert any(p.startswith("formulas missing") and "$s = 0.1$" in p for p in found), found


def test_a_changed_code_literal_fails():
    found = problems(CHINESE.replace('`reduction="sum"`', '`reduction="mean"`'))
    assert any(p.startswith("code literals missing") for p in found), found
    assert any(p.startswith("code literals not in the English") for p in found), found


def test_a_translated_code_literal_fails():
    found = problems(CHINESE.replace('`reduction="sum"`', "求和归约"))
    assert any(p.startswith("code literals missing") for p in found), found


@pytest.mark.parametrize(
    ("dropped", "replacement"),
    [
        ("{term}`标签平滑 <label smoothing>`", "标签平滑"),  # a term role
        ("{cite:t}`mueller2019`", "Müller 等人"),  # a citation
        ("{doc}`06_keras`", "第 6 章"),  # a page link
        ("[指南](https://pytorch.org/docs/)", "指南"),  # a link's address
    ],
)
def test_a_dropped_role_or_link_target_fails(dropped, replacement):
    found = problems(CHINESE.replace(dropped, replacement))
    assert any(p.startswith("role or link targets missing") for p in found), found


def test_a_changed_role_target_fails():
    found = problems(CHINESE.replace("<cross-entropy>", "<entropy>"))
    assert any("term:cross-entropy" in p for p in found), found


def test_the_shown_text_of_a_role_may_be_translated_but_not_its_target():
    english = "See {ref}`the proof <thm-gibbs>` and {numref}`Figure {number} <fig-kl>`."
    assert problems("见{ref}`证明 <thm-gibbs>`与{numref}`图 {number} <fig-kl>`。", english) == []
    found = problems("见{ref}`证明 <thm-gibbs2>`与{numref}`图 {number} <fig-kl>`。", english)
    assert any("ref:thm-gibbs" in p for p in found), found


def test_a_glossary_term_without_its_rendering_fails():
    found = problems(CHINESE.replace("交叉熵 <cross-entropy>", "损失 <cross-entropy>"))
    assert len(found) == 1 and "glossary term 'cross-entropy'" in found[0], found


def test_a_longer_term_hides_the_shorter_inside_it():
    english = "The binary cross-entropy of one flip."
    assert tr.terms_used(english, TERMS) == ["binary cross-entropy"]
    assert problems("一次抛掷的二元交叉熵。", english) == []
    found = problems("一次抛掷的交叉熵。", english)
    assert found and "binary cross-entropy" in found[0], found


def test_terms_are_found_as_whole_words_plural_and_sentence_initial():
    assert sorted(tr.terms_used("Logits in, softmax out.", TERMS)) == ["logits", "softmax"]
    assert tr.terms_used("The gradients vanish.", TERMS) == ["gradient"]
    assert tr.terms_used("A sigmoidal curve, a renormalised sum.", TERMS) == []
    assert tr.terms_used("Cross entropy, spelt without the hyphen.", TERMS) == ["cross-entropy"]


def test_code_shown_by_a_role_is_not_prose():
    english = "The curve is {func}`xentlib.softmax` of the {term}`logits`."
    assert tr.terms_used(tr.parts(english).prose, TERMS) == ["logits"]
    assert problems("曲线是 {term}`logits` 的 {func}`xentlib.softmax`。", english) == []


def test_another_sense_of_a_word_is_not_the_term():
    senses = EXCEPTIONS["other_senses"]
    assert tr.terms_used("Half precision has 11 bits of precision.", TERMS, senses) == []
    assert tr.terms_used("Recall that the precision is 0.5.", TERMS, senses) == ["precision"]


def test_an_exception_lets_one_message_go_without_a_rendering():
    exceptions = {"messages": {ENGLISH: {"zh_CN": ["cross-entropy"]}}}
    translation = CHINESE.replace("交叉熵 <cross-entropy>", "损失 <cross-entropy>")
    assert problems(translation, exceptions=exceptions) == []
    assert problems(translation, lang="zh_CN", exceptions={"messages": {}}) != []


def test_a_display_formula_must_stay_as_it_is():
    formula = "\n\\mathcal{L} = -\\log \\operatorname{softmax}(z)_y\n"
    assert tr.is_display_formula(formula) and not tr.has_prose(formula)
    assert problems(formula, formula) == []
    found = problems(formula.replace("-", "- "), formula)
    assert found == ["a display formula must stay exactly as in the English"]


def test_a_module_name_stays_as_it_is():
    assert tr.is_identifier("xentlib.likelihood") and not tr.has_prose("xentlib.likelihood")
    assert problems("xentlib.likelihood", "xentlib.likelihood") == []
    assert problems("xentlib.似然", "xentlib.likelihood") != []


def test_a_fuzzy_or_untranslated_catalogue_entry_fails(tmp_path):
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    catalogue = Catalog(locale="zh_CN")
    catalogue.add(ENGLISH, CHINESE)
    catalogue.add("What you will learn", "学习目标", flags=["fuzzy"])
    catalogue.add("Summary", "")
    path = tmp_path / "page.po"
    with open(path, "wb") as f:
        write_po(f, catalogue)
    found = tr.check_catalogue(path, "zh_CN", TERMS, {})
    assert [(m, p.split(":")[0]) for m, p in found] == [
        ("What you will learn", "fuzzy"),
        ("Summary", "untranslated"),
    ]


def test_a_sheet_round_trips_and_refuses_a_changed_english(tmp_path):
    text = "@@ 1\nSummary\n@@ ja\nまとめ\n\n@@ 2 ja\n学ぶこと\n"
    assert tr.parse_sheet(text, "ja") == {1: ("Summary", "まとめ"), 2: (None, "学ぶこと")}
    with pytest.raises(ValueError, match="expected language ja"):
        tr.parse_sheet("@@ 1 zh_CN\n小结\n", "ja")


# ------------------------------------------------------------------------------------------------
# The glossary is the authority for the renderings


def test_terms_file_lists_every_glossary_headword_in_order():
    assert list(TERMS) == tr.glossary_headwords()


@pytest.mark.parametrize("headword", list(TERMS))
def test_first_rendering_stands_in_the_glossary_entry(headword):
    # the entry opens with its renderings: "交叉熵 · 交差エントロピー. The expected code length..."
    entry = tr.glossary_entry(headword).split(". ")[0]
    for lang in tr.LANGUAGES:
        first = TERMS[headword][lang][0]
        assert tr._normalise(first) in tr._normalise(entry), (
            f"{headword}: the {lang} rendering {first!r} of locale/terms.yml is not in the "
            f"glossary entry's renderings {entry!r}"
        )


def test_exceptions_name_messages_that_exist():
    catalogued = collections.defaultdict(set)
    for lang in tr.LANGUAGES:
        for page in tr.pages():
            for message in tr.read_catalogue(tr.catalogue_path(lang, page)):
                catalogued[lang].add(message.id)
    stale = [
        (lang, msgid[:60])
        for msgid, langs in (EXCEPTIONS.get("messages") or {}).items()
        for lang in langs
        if msgid not in catalogued[lang]
    ]
    assert not stale, f"locale/exceptions.yml names messages no page has: {stale}"


# ------------------------------------------------------------------------------------------------
# The translations


def translation_cases():
    """Every (language, page); a page not declared complete in locale/complete.yml is expected
    to fail the check (strictly: once it passes, it must be declared)."""
    cases = []
    for lang in tr.LANGUAGES:
        complete = tr.complete_pages(lang)
        for page in tr.pages():
            marks = ()
            if page not in complete:
                reason = f"{lang} {page}: translation unfinished (not in locale/complete.yml)"
                marks = pytest.mark.xfail(strict=True, reason=reason)
            cases.append(pytest.param(lang, page, marks=marks, id=f"{page}-{lang}"))
    return cases


@pytest.mark.parametrize(("lang", "page"), translation_cases())
def test_translation(lang, page):
    found = tr.check_page(lang, page, TERMS, EXCEPTIONS)
    assert not found, f"{len(found)} problems:\n" + tr.format_problems(lang, page, found)


def test_complete_lists_only_pages_that_exist():
    for lang in tr.LANGUAGES:
        unknown = tr.complete_pages(lang) - set(tr.pages())
        assert not unknown, f"locale/complete.yml: {lang} lists pages that do not exist: {unknown}"


def test_every_page_has_a_catalogue_in_each_language():
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    listed = set(re.findall(r"(?:file|root): (chapters/\S+)", toc))
    for lang in tr.LANGUAGES:
        have = {
            p.relative_to(tr.LOCALE / lang / "LC_MESSAGES").with_suffix("").as_posix()
            for p in (tr.LOCALE / lang / "LC_MESSAGES").rglob("*.po")
        }
        assert listed == have, f"{lang}: pages without a catalogue {sorted(listed - have)}"


@pytest.mark.slow
def test_catalogues_hold_the_english_of_today(tmp_path):
    """Extract the English pages afresh: a message edited, added or removed since the last
    ``python -m booktools.translations update`` fails here until the catalogues are updated."""
    pot_dir = tr.extract(tmp_path)
    stale = []
    for pot in sorted(pot_dir.rglob("*.pot")):
        page = pot.relative_to(pot_dir).with_suffix("").as_posix()
        english = {m.id for m in tr.read_catalogue(pot)}
        for lang in tr.LANGUAGES:
            have = {m.id for m in tr.read_catalogue(tr.catalogue_path(lang, page))}
            stale += [f"{lang} {page}: new or changed: {m[:70]!r}" for m in sorted(english - have)]
            stale += [
                f"{lang} {page}: no longer in the English: {m[:70]!r}"
                for m in sorted(have - english)
            ]
    assert not stale, (
        "the catalogues are behind the English pages; run `python -m booktools.translations "
        "update`, then translate what it marks:\n" + "\n".join(stale[:30])
    )


def test_check_command_runs(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "booktools.translations", "check", "--lang", "ja", "chapters/intro"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode in (0, 1) and "problems" in proc.stdout, proc.stdout + proc.stderr
