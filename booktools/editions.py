"""Build the book's three editions into one site: English, Chinese and Japanese.

Usage::

    python -m booktools.editions            # every edition, warnings as errors
    python -m booktools.editions --lang ja  # English and one translation (quicker while translating)

English goes to ``_build/html/``, each translation to ``_build/html/LANG/`` (``zh_CN``, ``ja``).
Every edition is built from the same pages with the same stored code outputs; only the prose
comes from the translation catalogues in ``locale/`` (:mod:`booktools.translations`). The editions
are Sphinx builds of Jupyter Book's configuration (``_config.yml``, ``_toc.yml``) with ``language``
set, run side by side in separate processes, with warnings as errors. ``jupyter-book build .``
still builds the English edition alone.
"""

import argparse
import concurrent.futures
import os
import pathlib
import subprocess
import sys
import time

from booktools.translations import LANGUAGES

ROOT = pathlib.Path(__file__).resolve().parent.parent

#: every edition: language code -> (folder under the site root, the language's own name)
EDITIONS = {"en": ("", "English"), **{lang: (lang, name) for lang, name in LANGUAGES.items()}}


def edition_dir(html_root, lang):
    """The folder of one edition inside the site."""
    folder = EDITIONS[lang][0]
    return pathlib.Path(html_root) / folder if folder else pathlib.Path(html_root)


def sphinx(builder, out, doctrees, lang="en", warnings_are_errors=True, quiet=True, toc_path=None):
    """Run one Sphinx builder over the book with Jupyter Book's configuration, in the edition's
    language, with doctrees of its own (and ``toc_path`` instead of ``_toc.yml`` if given);
    return Sphinx's exit status."""
    from jupyter_book.sphinx import build_sphinx

    overrides = {
        "external_toc_path": str(toc_path or ROOT / "_toc.yml"),
        "latex_individualpages": False,
        "language": lang,
        "nitpicky": True,  # every cross-reference must resolve, in every edition
    }
    return build_sphinx(
        ROOT,
        pathlib.Path(out),
        noconfig=True,
        path_config=str(ROOT / "_config.yml"),
        confoverrides=overrides,
        builder=builder,
        doctreedir=pathlib.Path(doctrees),
        warningiserror=warnings_are_errors,
        keep_going=True,
        quiet=quiet,
    )


def build_edition(lang, build_dir, warnings_are_errors=True, quiet=True):
    """Build one edition's HTML; return Sphinx's exit status.

    A translation is built in ``build_dir/editions/LANG/html`` (MyST-NB writes the notebooks'
    images next to the HTML folder, so each edition needs a folder of its own) and then moved to
    ``build_dir/html/LANG``.
    """
    import shutil

    build_dir = pathlib.Path(build_dir)
    out = build_dir / "html" if lang == "en" else build_dir / "editions" / lang / "html"
    status = sphinx("html", out, build_dir / "doctrees" / lang, lang, warnings_are_errors, quiet)
    if lang != "en":
        final = edition_dir(build_dir / "html", lang)
        shutil.rmtree(final, ignore_errors=True)
        final.parent.mkdir(parents=True, exist_ok=True)
        out.rename(final)
    return status


def build(build_dir=ROOT / "_build", languages=tuple(EDITIONS), warnings_are_errors=True):
    """Build the editions in parallel processes; return ``{lang: (status, seconds, log)}``."""
    build_dir = pathlib.Path(build_dir).resolve()
    results = {}

    def run(lang):
        start = time.monotonic()
        cmd = [
            sys.executable,
            "-m",
            "booktools.editions",
            "--one",
            lang,
            "--build-dir",
            str(build_dir),
        ]
        if not warnings_are_errors:
            cmd.append("--allow-warnings")
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
        return lang, proc.returncode, time.monotonic() - start, proc.stdout + proc.stderr

    workers = min(len(languages), os.cpu_count() or 1)
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        for lang, status, seconds, log in pool.map(run, languages):
            results[lang] = (status, seconds, log)
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m booktools.editions", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--lang",
        choices=sorted(LANGUAGES),
        action="append",
        help="translations to build besides English (default: all)",
    )
    parser.add_argument("--build-dir", type=pathlib.Path, default=ROOT / "_build")
    parser.add_argument(
        "--allow-warnings", action="store_true", help="do not treat warnings as errors"
    )
    parser.add_argument("--one", choices=sorted(EDITIONS), help=argparse.SUPPRESS)
    # another builder in its own folder and doctrees (the catalogues' extraction, the PDF's LaTeX)
    parser.add_argument(
        "--builder", choices=["html", "gettext", "latex"], default="html", help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)

    if args.one and args.builder != "html":
        out, doctrees = args.build_dir / args.builder, args.build_dir / "doctrees" / args.builder
        return sphinx(args.builder, out, doctrees, args.one, not args.allow_warnings)
    if args.one:  # a worker process: one edition
        return build_edition(args.one, args.build_dir, not args.allow_warnings, quiet=True)

    languages = ("en", *(args.lang or LANGUAGES))
    start = time.monotonic()
    results = build(args.build_dir, languages, not args.allow_warnings)
    failed = False
    for lang, (status, seconds, log) in results.items():
        where = edition_dir(args.build_dir / "html", lang)
        print(
            f"{EDITIONS[lang][1]:8} {'built' if status == 0 else 'FAILED'} in {seconds:5.1f} s -> {where}"
        )
        if status != 0:
            failed = True
            print(log.rstrip())
    print(f"{len(results)} editions in {time.monotonic() - start:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
