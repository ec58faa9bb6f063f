"""Build the book as one PDF, for printing and reading offline: Sphinx's LaTeX builder and XeLaTeX.

Usage::

    python -m booktools.pdf              # writes _build/latex/xent-book.pdf
    python -m booktools.pdf --lang ja    # the Japanese edition: _build/latex/ja/xent-book.pdf
    python -m booktools.pdf --lang all   # English, Chinese (zh_CN) and Japanese

The PDF holds every page of ``_toc.yml`` in reading order (chapters, their code with its stored
outputs, figures, each exercise followed by its solution, the glossary and the bibliography), with
numbered equations and working internal links. It needs TeX: XeLaTeX, latexmk, the LaTeX packages
Sphinx uses, and the Noto CJK fonts for the Chinese and Japanese of the glossary and the sources
(on Debian: ``apt-get install texlive-xetex texlive-latex-extra texlive-fonts-recommended latexmk
fonts-noto-cjk lmodern``; ``pdfinfo`` and ``pdftotext`` of ``poppler-utils`` read it back in the
tests). Nothing is downloaded.

The table of contents is ``_toc.yml``'s, with two changes that only the PDF sees: the part that
continues Part III after the guide (it has no caption in ``_toc.yml``, so that the guide stays
unnumbered on the website) is printed as part of Part III instead of as a part of its own, and the
bibliography page prints no heading of its own, since LaTeX prints the bibliography, with its
heading, at the end of the book.
Parts, chapters and the exercises and equations in them carry the website's numbers
(:func:`number_like_the_website`). A translated edition's PDF takes its prose from the
catalogues in ``locale/`` as the website's editions do, and its parts' captions from the root
page's catalogue (a translated caption is printed as it stands, with the part's number in its own
words); its title, fonts and headings' words come from :mod:`booktools.sphinxext`.
"""

import argparse
import os
import pathlib
import re
import shutil
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGET = "xent-book"  # _config.yml's latex_documents.targetname, without .tex
TOOLS = ("xelatex", "latexmk")


def missing_tools():
    """The TeX programs this build needs that are not on PATH."""
    return [tool for tool in TOOLS if shutil.which(tool) is None]


#: the caption the PDF's table of contents gives a part that has none in ``_toc.yml`` (the part
#: that continues Part III after the guide); :func:`number_like_the_website` removes its heading
CONTINUED = "XentContinuesThePartBefore"


def pdf_toc(path, lang="en"):
    """Write the PDF's table of contents to ``path`` and return ``path``: ``_toc.yml`` with the
    captions in the edition's language, and a placeholder caption (:data:`CONTINUED`) for a part
    without one, whose chapters LaTeX then prints as part of the part before them. (Merging the
    two parts instead would lose the second one's numbering, and with it the numbers of the
    exercises that follow.)"""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    captions = {}
    if lang != "en":  # the parts' captions are messages of the root page's catalogue
        from booktools import translations

        for message in translations.read_catalogue(translations.catalogue_path(lang, toc["root"])):
            if message.string and "fuzzy" not in message.flags:
                captions[message.id] = message.string
    for part in toc["parts"]:
        part["caption"] = (
            captions.get(part["caption"], part["caption"]) if "caption" in part else CONTINUED
        )
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(toc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


_PART = re.compile(r"^\\part\{(.*)\}$", re.M)
_CHAPTER = re.compile(r"^\\chapter\{(.*)\}\n\\label\{\\detokenize\{chapters/([^:}]+):", re.M)
_INLINE_CODE = re.compile(r"\\sphinxupquote\{(?:[^{}]|\{[^{}]*\})*\}")
_NUMBERED_PAGE = re.compile(r"^\d\d_")
_ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def number_like_the_website(tex):
    """The LaTeX source with the website's numbering: LaTeX numbers every ``\\part`` and
    ``\\chapter`` in order, but on the website only the parts "Part N: ..." and the chapters
    ``NN_*`` are numbered. A numbered part keeps its title without the "Part N:" that LaTeX
    prints already; every other part and chapter (the Part III guide, the back matter) is
    printed unnumbered, with its sections, and still listed in the contents. The part captioned
    :data:`CONTINUED` prints no heading. Inline code may break after an underscore."""
    parts = iter(_ROMAN)

    def part(match):
        title = match.group(1)
        if title == CONTINUED:
            return ""
        numbered = re.match(r"Part ([IVX]+): (.*)$", title)
        if numbered:
            expected = next(parts)
            if numbered.group(1) != expected:
                raise ValueError(f"part {title!r} would print as Part {expected}")
            return f"\\part{{{numbered.group(2)}}}"
        return f"\\part*{{{title}}}\\addcontentsline{{toc}}{{part}}{{{title}}}"

    def chapter(match):
        title, page = match.group(1), match.group(2)
        label = match.group(0)[len(f"\\chapter{{{title}}}") :]
        if page == "bibliography":  # only the directive: its entries close the book
            return label.lstrip("\n")
        if _NUMBERED_PAGE.match(page):
            return f"\\setcounter{{secnumdepth}}{{\\xentsecnumdepth}}\n\\chapter{{{title}}}{label}"
        return (
            f"\\setcounter{{secnumdepth}}{{-1}}\n\\chapter*{{{title}}}"
            f"\\addcontentsline{{toc}}{{chapter}}{{{title}}}\\markboth{{{title}}}{{{title}}}{label}"
        )

    tex = _PART.sub(part, tex)
    tex = _CHAPTER.sub(chapter, tex)
    # long identifiers in running text and tables (sparse_softmax_cross_entropy_with_logits) may
    # break after an underscore instead of running into the margin
    tex = _INLINE_CODE.sub(lambda m: m.group(0).replace("\\_", "\\_\\allowbreak{}"), tex)
    # remember the class's depth of numbered sections before the first chapter changes it
    return tex.replace(
        "\\begin{document}", "\\begin{document}\n\\edef\\xentsecnumdepth{\\arabic{secnumdepth}}", 1
    )


def build(build_dir=ROOT / "_build", lang="en"):
    """LaTeX, then XeLaTeX through latexmk, of the edition ``lang``; return the PDF's path.
    Raise ``RuntimeError`` with the end of the log when either step fails."""
    build_dir = pathlib.Path(build_dir).resolve()
    out = latex_dir(build_dir, lang)
    _clear(out)
    pdf_toc(build_dir / f"pdf-toc-{lang}.yml", lang)
    cmd = [sys.executable, "-m", "booktools.pdf", "--latex-only", "--build-dir", str(build_dir)]
    cmd += ["--lang", lang]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"the LaTeX build failed:\n{(proc.stdout + proc.stderr)[-4000:]}")
    tex = out / f"{TARGET}.tex"
    tex.write_text(number_like_the_website(tex.read_text(encoding="utf-8")), encoding="utf-8")
    # Sphinx's latexmkrc reads its options from the environment
    env = {**os.environ, "LATEXOPTS": "-interaction=nonstopmode -halt-on-error -file-line-error"}
    env.setdefault("XINDYOPTS", "")
    proc = subprocess.run(
        ["latexmk", "-xelatex", f"{TARGET}.tex"], capture_output=True, text=True, cwd=out, env=env
    )
    pdf = out / f"{TARGET}.pdf"
    if proc.returncode != 0 or not pdf.is_file():
        raise RuntimeError(
            f"XeLaTeX failed (log: {out / (TARGET + '.log')}):\n{proc.stdout[-4000:]}"
        )
    return pdf


def latex_dir(build_dir, lang="en"):
    """Where one edition's LaTeX and PDF are built: ``latex/`` (English), ``latex/LANG/``."""
    out = pathlib.Path(build_dir) / "latex"
    return out if lang == "en" else out / lang


def _clear(out):
    """Empty an edition's folder, keeping the translated editions' folders inside English's."""
    from booktools.translations import LANGUAGES

    out.mkdir(parents=True, exist_ok=True)
    for path in out.iterdir():
        if path.is_dir() and path.name in LANGUAGES and out.name == "latex":
            continue
        shutil.rmtree(path) if path.is_dir() else path.unlink()


def latex_only(build_dir, lang="en"):
    """The Sphinx part: ``_build/latex/xent-book.tex`` and its figures, warnings as errors."""
    from booktools.editions import sphinx

    build_dir = pathlib.Path(build_dir)
    toc = build_dir / f"pdf-toc-{lang}.yml"
    return sphinx(
        "latex",
        latex_dir(build_dir, lang),
        build_dir / "doctrees" / f"latex-{lang}",
        lang,
        toc_path=toc,
    )


def page_count(pdf):
    """The number of pages, from pdfinfo."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m booktools.pdf", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--build-dir", type=pathlib.Path, default=ROOT / "_build")
    parser.add_argument(
        "--lang",
        action="append",
        choices=["en", "zh_CN", "ja", "all"],
        help="the edition (default: en; 'all' for the three; may be repeated)",
    )
    parser.add_argument("--latex-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    languages = args.lang or ["en"]
    if "all" in languages:
        languages = ["en", "zh_CN", "ja"]
    if args.latex_only:
        return latex_only(args.build_dir, languages[0])
    missing = missing_tools()
    if missing:
        sys.exit(f"the PDF needs {', '.join(missing)} (see `python -m booktools.pdf --help`)")
    for lang in dict.fromkeys(languages):
        start = time.monotonic()
        pdf = build(args.build_dir, lang)
        print(
            f"{pdf.relative_to(ROOT) if pdf.is_relative_to(ROOT) else pdf}: {page_count(pdf)} "
            f"pages, built in {time.monotonic() - start:.0f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
