"""Sphinx extension used by the book's build: MathJax served from the site, the API page's
directive, and the three editions' language switcher, titles and search.

Jupyter Book 1 points MathJax at a CDN, so a reader without network sees raw TeX. This extension
copies MathJax 3 from the ``django-static-mathjax`` package (a maintained, dependency-free copy of
the MathJax distribution) into ``_static/mathjax`` of the built site and points Sphinx at it.

The editions (:mod:`booktools.editions`) are one build per language; here each page gets a switcher
that leads to the same page in the other editions, the book's title in the edition's language, and
a search index that keeps the glossary's terms whole (交叉熵, 交差エントロピー), so that searching for
one finds the pages that use it. Two mendings of Sphinx 7.4 keep the translated builds quick:
translated nodes let go of the small documents their messages were parsed in, and the Chinese
search keeps its Latin words in a set. Enabled in ``_config.yml`` under
``sphinx.extra_extensions``; not part of the NumPy library.
"""

import functools
import html
import pathlib

MATHJAX_ENTRY = "tex-chtml.js"  # TeX input, CommonHTML output, fonts loaded relative to it


def _mathjax_source():
    import mathjax  # the django-static-mathjax distribution

    root = pathlib.Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (root / MATHJAX_ENTRY).is_file():
        raise FileNotFoundError(f"MathJax not found in the django-static-mathjax package at {root}")
    return root


def _point_at_local_mathjax(app, config):
    config.mathjax_path = f"mathjax/{MATHJAX_ENTRY}"


def _copy_mathjax(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    from sphinx.util.fileutil import copy_asset

    copy_asset(str(_mathjax_source()), str(pathlib.Path(app.outdir) / "_static" / "mathjax"))


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    """Write each inline script once.

    Sphinx 7.4 adds an inline script registered after the builder starts (sphinx-thebe's, which
    declares ``const THEBE_JS_URL``) to every page twice; the second copy is a SyntaxError in the
    reader's browser console. Keep the first copy of each (source, attributes) pair.
    """
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        source = getattr(script, "filename", script) or ""
        key = (str(source), repr(getattr(script, "attributes", {})))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def _api_module_directive():
    """The ``xentlib-module`` directive of chapters/api.md (built lazily: docutils is Sphinx's)."""
    from docutils import nodes
    from docutils.statemachine import StringList
    from sphinx.util.docutils import SphinxDirective
    from sphinx.util.nodes import nested_parse_with_titles

    class XentlibModule(SphinxDirective):
        """``.. xentlib-module:: likelihood``: a section with the module's docstring and every
        public function it defines, in source order. A function that ``xentlib`` re-exports is
        documented as ``xentlib.NAME``, the name the chapters call and link it by."""

        required_arguments = 1

        def run(self):
            import importlib
            import inspect

            import xentlib

            module = importlib.import_module(f"xentlib.{self.arguments[0]}")
            functions = [
                f
                for name, f in vars(module).items()
                if inspect.isfunction(f) and f.__module__ == module.__name__ and name[0] != "_"
            ]
            functions.sort(key=lambda f: f.__code__.co_firstlineno)
            lines = [f".. automodule:: {module.__name__}"]
            if getattr(xentlib, self.arguments[0]) is not module:
                # a function of the same name (xentlib.softmax) owns the dotted name
                lines.append("   :no-index:")
            lines.append("")
            for f in functions:
                where = "xentlib" if getattr(xentlib, f.__name__, None) is f else module.__name__
                lines += [f".. autofunction:: {where}.{f.__name__}", ""]
            section = nodes.section(ids=[nodes.make_id(module.__name__)])
            section += nodes.title("", "", nodes.literal(module.__name__, module.__name__))
            nested_parse_with_titles(
                self.state, StringList(lines, self.get_source_info()[0]), section
            )
            return [section]

    return XentlibModule


def _chapter_link_first(app, what, name, obj, options, lines):
    """Move a docstring's closing "See the chapter :doc:`...`." line up, under its summary.

    numpydoc text after the last section (Raises) is read by napoleon as part of that section,
    which breaks its field list; under the summary the link is also where a reader looks first.
    """
    at = [i for i, line in enumerate(lines) if line.strip().startswith("See the chapter :doc:")]
    if what != "function" or len(at) != 1 or at[0] < 2:
        return
    link = lines.pop(at[0])
    while lines and not lines[-1].strip():
        lines.pop()
    summary_end = lines.index("") if "" in lines else len(lines)
    lines[summary_end:summary_end] = ["", link.strip()]


def _resolve_reexported(app, env, node, contnode):
    """Resolve ``xentlib.MODULE.NAME`` (or a bare ``NAME`` inside a xentlib docstring) to
    ``xentlib.NAME``, where the API page documents every function that xentlib re-exports."""
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    in_xentlib = target.startswith("xentlib.") or (
        "." not in target and (node.get("py:module") or "").startswith("xentlib")
    )
    candidate = "xentlib." + target.rsplit(".", 1)[-1]
    obj = env.get_domain("py").objects.get(candidate)
    if not in_xentlib or candidate == target or obj is None:
        return None
    from sphinx.util.nodes import make_refnode

    return make_refnode(app.builder, node["refdoc"], obj.docname, obj.node_id, contnode, candidate)


#: the book's title in each edition (the English one is _config.yml's ``title``)
TITLES = {
    "zh_CN": "从第一性原理理解交叉熵",
    "ja": "ゼロから学ぶ交差エントロピー",
}
#: the notice on a page whose translation is not finished (locale/complete.yml)
UNFINISHED = {
    "zh_CN": "本页的翻译尚未完成，尚未翻译的段落仍以英文显示。",  # noqa: RUF001 (Chinese comma)
    "ja": "このページの翻訳はまだ完成していない。未翻訳の段落は英語のまま表示される。",
}
#: the switcher's label in each edition
SWITCHER_LABELS = {"en": "Editions", "zh_CN": "语言版本", "ja": "言語版"}


def _edition(config):
    return config.language or "en"


def _localise_config(app, config):
    """The edition's title, and a search splitter that knows the glossary's terms."""
    lang = _edition(config)
    if lang in TITLES:
        config.html_title = TITLES[lang]
        config.project = TITLES[lang]
        _localise_latex(config, lang)
    if lang == "zh_CN":
        # jieba reads extra words from a file: the Chinese renderings of the glossary terms
        words = pathlib.Path(app.doctreedir) / "jieba-glossary-terms.txt"
        words.parent.mkdir(parents=True, exist_ok=True)
        words.write_text(
            "".join(f"{w} 20000 n\n" for w in glossary_words("zh_CN")), encoding="utf-8"
        )
        config.html_search_options = {"dict": str(words)}
    elif lang == "ja":
        config.html_search_options = {"type": "booktools.sphinxext.JapaneseSplitter"}


#: the PDF's own words in each translated edition: the contents, the bibliography, the index, and
#: the chapter heading "第 N 章" (Sphinx's running heads read ``\@chapapp`` and ``\@chappos``)
LATEX_NAMES = {
    "zh_CN": {"contents": "目录", "bibliography": "参考文献", "index": "索引", "font": "SC"},
    "ja": {"contents": "目次", "bibliography": "参考文献", "index": "索引", "font": "JP"},
}


def _localise_latex(config, lang):
    """The translated PDF: its title, the CJK fonts of its language as the main fonts of its
    prose (Noto CJK SC or JP), its language's quotation marks, and its headings' words."""
    names = LATEX_NAMES[lang]
    elements = dict(config.latex_elements)
    preamble = elements.get("preamble", "").replace(" CJK SC}", f" CJK {names['font']}}}")
    # English text keeps Western quotes; Chinese and Japanese prose sets them full-width
    preamble = "\n".join(
        line for line in preamble.splitlines() if "xeCJKDeclareCharClass" not in line
    )
    preamble += (
        "\n\\makeatletter\n"
        "\\def\\@chappos{章\\quad}\n"
        "\\def\\xentnames{\\renewcommand{\\chaptername}{第}"
        f"\\renewcommand{{\\contentsname}}{{{names['contents']}}}"
        f"\\renewcommand{{\\bibname}}{{{names['bibliography']}}}"
        f"\\renewcommand{{\\indexname}}{{{names['index']}}}}}\n"
        # after the language package's own words, which it sets when the document begins
        "\\AtBeginDocument{\\xentnames}\n"
        "\\ifdefined\\captionsjapanese\\addto\\captionsjapanese{\\xentnames}\\fi\n"
        "\\renewcommand{\\DOCH}{\\raggedleft\\CNV\\FmN{\\@chapapp}\\,\\CNoV\\thechapter"
        "\\,\\CNV\\FmN{章}\\par\\nobreak\\vskip 40\\p@}\n"
        "\\makeatother\n"
    )
    elements["preamble"] = preamble
    config.latex_elements = elements


def _latex_title(app, env):
    """The translated PDF's title page: Jupyter Book sets ``latex_documents`` (with the English
    title) after the configuration is read, so the title is replaced once the pages are read."""
    lang = _edition(app.config)
    if app.builder.name == "latex" and lang in TITLES:
        app.config.latex_documents = [
            (d[0], d[1], TITLES[lang], *d[3:]) for d in app.config.latex_documents
        ]


def glossary_words(lang):
    """The renderings of the glossary's terms in ``lang`` that are single words (no spaces)."""
    from booktools.translations import load_terms

    words = {r for entry in load_terms().values() for r in entry[lang] if " " not in r}
    return sorted(w for w in words if not w.isascii())


def _japanese_splitter():
    from sphinx.search.ja import DefaultSplitter

    class JapaneseSplitter(DefaultSplitter):
        """Sphinx's Japanese splitter, keeping each glossary term whole as well as in its parts,
        so that a search for 交差エントロピー matches the pages that contain it."""

        def __init__(self, options):
            super().__init__(options)
            self.terms = sorted(glossary_words("ja"), key=len, reverse=True)

        def split(self, input):
            words = super().split(input)
            return words + [term for term in self.terms if term in input]

    return JapaneseSplitter


def _chinese_search():
    from sphinx.search.zh import SearchChinese

    class _LatinTerms(set):
        """The Latin words seen so far, as a set: ``extend`` is what Sphinx calls on them."""

        extend = set.update

    class ChineseSearch(SearchChinese):
        """Sphinx 7.4's Chinese search, with its Latin words in a set instead of a list.

        Sphinx looks each word of a page up in every Latin word of the pages before it (a list:
        quadratic in the size of the book; 17 of the Chinese edition's 75 s on a 2-core machine).
        A set answers the same membership question at once, so the index is the same, byte for
        byte; later Sphinx releases keep these words in a set too.
        """

        def init(self, options):
            super().init(options)
            self.latin_terms = _LatinTerms()

    return ChineseSearch


def nodes_of_other_documents(doctree):
    """The nodes of ``doctree`` that hold a reference to a document other than ``doctree``."""
    return [
        node for node in doctree.findall() if node.__dict__.get("_document") not in (None, doctree)
    ]


def _detach_translated_nodes(app, doctree):
    """Point the translated nodes back at their page.

    Sphinx parses each translated message as a small document of its own and moves its nodes into
    the page, but the moved inline nodes keep a reference to that small document, its settings
    and its reporter; pickled with the page, they made each translated page's doctree about 35
    times its English size (3.5 MB against 0.1 MB) and reading them back took a fifth of the
    translated builds. Without the reference a node finds its document through its parent, as
    every other node of the page does.
    """
    for node in nodes_of_other_documents(doctree):
        del node._document


def __getattr__(name):
    # ``booktools.sphinxext.JapaneseSplitter`` (html_search_options' "type"), built lazily
    if name == "JapaneseSplitter":
        return _japanese_splitter()
    raise AttributeError(name)


@functools.cache
def _unfinished_pages(lang):
    """The pages with a catalogue whose translation is not declared complete."""
    from booktools import translations

    return set(translations.pages()) - translations.complete_pages(lang)


def _edition_links(app, pagename, templatename, context, doctree):
    """A switcher to the same page in every edition, at the top of the page's body, and
    ``<link rel="alternate" hreflang>`` to each of them."""
    from booktools.editions import EDITIONS

    current = _edition(app.config)
    up = "../" * pagename.count("/")  # from this page to its edition's root
    up += "../" if EDITIONS[current][0] else ""  # from the edition's root to the site's
    links, alternates = [], []
    for lang, (folder, name) in EDITIONS.items():
        href = f"{up}{folder + '/' if folder else ''}{pagename}.html"
        code = lang.replace("_", "-")
        alternates.append(f'<link rel="alternate" hreflang="{code}" href="{href}" />')
        if lang == current:
            links.append(
                f'<span class="xent-edition" aria-current="page" lang="{code}">{name}</span>'
            )
        else:
            links.append(
                f'<a class="xent-edition" href="{href}" hreflang="{code}" lang="{code}">{name}</a>'
            )
    label = html.escape(SWITCHER_LABELS.get(current, "Editions"))
    switcher = f'<nav class="xent-editions" aria-label="{label}">{" · ".join(links)}</nav>\n'
    if current in UNFINISHED and pagename in _unfinished_pages(current):
        switcher += (
            f'<p class="xent-unfinished" role="note">{html.escape(UNFINISHED[current])}</p>\n'
        )
    context["metatags"] = context.get("metatags", "") + "\n".join(alternates) + "\n"
    if "body" in context:
        context["body"] = switcher + context["body"]


def setup(app):
    app.connect("config-inited", _localise_config)
    app.connect("html-page-context", _edition_links)
    app.connect("env-updated", _latex_title)
    app.connect("missing-reference", _resolve_reexported)
    app.connect("autodoc-process-docstring", _chapter_link_first, priority=400)
    app.connect("doctree-read", _detach_translated_nodes)
    app.add_search_language(_chinese_search())
    app.add_directive("xentlib-module", _api_module_directive())
    _mathjax_source()  # fail early, with a clear message, if the package is missing
    app.connect("config-inited", _point_at_local_mathjax, priority=900)
    app.connect("html-page-context", _drop_duplicate_scripts)
    app.connect("build-finished", _copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
