"""Sphinx extension used by the book's build: serve MathJax from the site itself.

Jupyter Book 1 points MathJax at a CDN, so a reader without network sees raw TeX. This extension
copies MathJax 3 from the ``django-static-mathjax`` package (a maintained, dependency-free copy of
the MathJax distribution) into ``_static/mathjax`` of the built site and points Sphinx at it.
Enabled in ``_config.yml`` under ``sphinx.extra_extensions``; not part of the NumPy library.
"""

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


def setup(app):
    _mathjax_source()  # fail early, with a clear message, if the package is missing
    app.connect("config-inited", _point_at_local_mathjax, priority=900)
    app.connect("build-finished", _copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
