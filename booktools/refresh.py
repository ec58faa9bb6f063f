"""Re-execute chapters top to bottom in a fresh kernel and store them with clean metadata.

Usage::

    python -m booktools.refresh                      # every chapter
    python -m booktools.refresh chapters/01_likelihood.ipynb [...]

Each notebook runs in its own directory with a fresh ``python3`` kernel of the interpreter that
runs this command. Cell execution timings and other per-run metadata are dropped, so a refresh
that changes no number changes no byte of the file apart from embedded images. The notebook's
metadata records where its outputs were made (``xent.platform``, see
:mod:`booktools.platform_record`): ``pytest`` compares them digit for digit on that platform and
within a stated tolerance elsewhere (:mod:`booktools.nbcompare`).
"""

import argparse
import pathlib
import sys

from booktools.platform_record import platform_record

# per-run metadata that must not be stored (timings, widget state, collapsed/scrolled UI state)
_CELL_KEYS_DROPPED = ("execution", "collapsed", "scrolled", "jp-MarkdownHeadingCollapsed")
_NOTEBOOK_KEYS_KEPT = ("kernelspec", "language_info", "xent")
KERNEL_SPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def clean(nb):
    """Strip per-run metadata from a notebook node, in place, and return it."""
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in _NOTEBOOK_KEYS_KEPT}
    nb.metadata["kernelspec"] = dict(KERNEL_SPEC)
    nb.metadata.get("language_info", {}).pop("version", None)
    for cell in nb.cells:
        for key in _CELL_KEYS_DROPPED:
            cell.metadata.pop(key, None)
    return nb


def refresh(path, timeout=600):
    """Execute the notebook at ``path`` in a fresh kernel and write it back cleaned."""
    import nbformat
    from nbclient import NotebookClient

    path = pathlib.Path(path)
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        # tracebacks of cells that raise on purpose show only the error line, not machine paths
        extra_arguments=["--InteractiveShell.xmode=Minimal"],
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    client.execute()
    nb.metadata["xent"] = {"platform": platform_record()}
    nbformat.validate(nb)
    text = nbformat.writes(clean(nb)) + "\n"
    path.write_text(text, encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m booktools.refresh", description=__doc__.split("\n")[0]
    )
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path, help="default: chapters/*.ipynb")
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(pathlib.Path("chapters").glob("*.ipynb"))
    if not paths:
        parser.error("no notebooks given and none found in chapters/")
    for path in paths:
        if path.suffix != ".ipynb" or not path.is_file():
            parser.error(f"{path} is not a notebook file")
        print(f"refreshing {path}", flush=True)
        refresh(path, timeout=args.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
