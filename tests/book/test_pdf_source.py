"""The PDF's LaTeX source, without TeX: the table of contents it is built from, the website's
numbering, and each translated edition's settings (booktools/pdf.py, booktools/sphinxext.py)."""

import types

import pytest
import yaml

from booktools import pdf as book_pdf
from booktools import sphinxext, translations


def test_the_part_after_the_guide_continues_part_three(tmp_path):
    toc = yaml.safe_load(book_pdf.pdf_toc(tmp_path / "toc.yml").read_text(encoding="utf-8"))
    source = yaml.safe_load((book_pdf.ROOT / "_toc.yml").read_text(encoding="utf-8"))
    # every part stays (with its numbering); the one without a caption gets the placeholder
    assert [p.get("numbered") for p in toc["parts"]] == [p.get("numbered") for p in source["parts"]]
    assert [p["chapters"] for p in toc["parts"]] == [p["chapters"] for p in source["parts"]]
    captions = [p["caption"] for p in toc["parts"]]
    assert captions == [p.get("caption", book_pdf.CONTINUED) for p in source["parts"]]
    after = captions.index(book_pdf.CONTINUED)
    assert captions[after - 1].startswith("Part III:")


@pytest.mark.parametrize("lang", list(translations.LANGUAGES))
def test_a_translated_pdf_has_its_languages_captions(tmp_path, lang):
    english = yaml.safe_load(book_pdf.pdf_toc(tmp_path / "en.yml").read_text(encoding="utf-8"))
    toc = yaml.safe_load(book_pdf.pdf_toc(tmp_path / "t.yml", lang).read_text(encoding="utf-8"))
    catalogue = translations.read_catalogue(translations.catalogue_path(lang, toc["root"]))
    expected = {m.id: m.string for m in catalogue}
    for ours, theirs in zip(toc["parts"], english["parts"], strict=True):
        if theirs["caption"] == book_pdf.CONTINUED:
            assert ours["caption"] == book_pdf.CONTINUED
            continue
        assert ours["caption"] == expected[theirs["caption"]] != theirs["caption"]
        assert ours["chapters"] == theirs["chapters"]


def test_parts_and_chapters_numbered_as_on_the_website():
    tex = (
        "\\begin{document}\n"
        "\\part{Part I: From likelihood}\n"
        "\\chapter{Likelihood}\n\\label{\\detokenize{chapters/01_likelihood::doc}}\n"
        f"\\part{{{book_pdf.CONTINUED}}}\n"
        "\\chapter{Keras}\n\\label{\\detokenize{chapters/06_keras::doc}}\n"
        "\\part{For readers}\n"
        "\\chapter{Glossary}\n\\label{\\detokenize{chapters/glossary::doc}}\n"
        "\\sphinxupquote{log\\_softmax}\n"
    )
    out = book_pdf.number_like_the_website(tex)
    assert "\\part{From likelihood}" in out
    assert "\\part*{For readers}\\addcontentsline{toc}{part}{For readers}" in out
    assert "\\chapter{Likelihood}" in out and "\\chapter*{Glossary}" in out
    assert book_pdf.CONTINUED not in out and "\\chapter{Keras}" in out
    assert "log\\_\\allowbreak{}softmax" in out
    with pytest.raises(ValueError, match="would print as Part I"):
        book_pdf.number_like_the_website("\\part{Part II: Skipped}\n")
    # a translated caption carries its own number and is printed as it stands
    caption = "第一部分\uff1a从似然到交叉熵"
    assert f"\\part*{{{caption}}}" in book_pdf.number_like_the_website(f"\\part{{{caption}}}\n")


@pytest.mark.parametrize("lang, font", [("zh_CN", "SC"), ("ja", "JP")])
def test_a_translated_pdfs_fonts_and_words(lang, font):
    preamble = '\\setCJKmainfont{Noto Serif CJK SC}\n\\xeCJKDeclareCharClass{Default}{"2018}\n'
    english = {"preamble": preamble}
    config = types.SimpleNamespace(latex_elements=english)
    sphinxext._localise_latex(config, lang)
    out = config.latex_elements["preamble"]
    assert f"\\setCJKmainfont{{Noto Serif CJK {font}}}" in out
    assert "xeCJKDeclareCharClass" not in out  # quotes full-width, as the language sets them
    names = sphinxext.LATEX_NAMES[lang]
    assert f"\\renewcommand{{\\contentsname}}{{{names['contents']}}}" in out
    assert "\\def\\@chappos{章\\quad}" in out
    assert english == {"preamble": preamble}  # the configuration's own dictionary is left alone
