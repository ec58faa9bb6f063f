"""pytest plugin: nbval's exact comparison where the outputs were made, a stated tolerance elsewhere.

nbval re-executes every chapter and compares each output with the stored one as text. On the
platform the outputs were recorded on, that comparison is exact, digit for digit. On another CPU,
operating system or build of the frameworks, other SIMD kernels round differently and a float32
value may print one unit differently in its last digit; the number is right and the text check
fails. This plugin keeps nbval's comparison and forgives only such differences.

Modes, chosen with ``--nb-compare=MODE`` or the environment variable ``XENT_NB_COMPARE=MODE`` (the
option wins; the default is ``auto``):

``exact``
    nbval's own comparison, unchanged.
``tolerant``
    each output is split into tokens: numbers, words, punctuation and line breaks (runs of spaces
    are not tokens, since NumPy pads columns to the widest number). Words, punctuation and line
    breaks must match exactly, integers too; every other number may differ from its stored value
    by at most one unit in its last printed digit (of the finer of the two printings) or
    ``REL_TOL`` of its size, whichever is larger. Outputs within that are handed to nbval as equal;
    anything else fails in nbval as before, with a line per number or word that differs.
``auto``
    per notebook: ``exact`` when the platform record the refresh command stored in the notebook
    (:mod:`booktools.platform_record`) equals the running platform's, ``tolerant`` otherwise.

The terminal summary says which notebooks were compared how, and why.
"""

import dataclasses
import decimal
import os
import re

import pytest

MODES = ("auto", "exact", "tolerant")
ENV_VAR = "XENT_NB_COMPARE"

# Relative tolerance for numbers printed to more digits than a last-digit flip explains: NumPy
# prints float32 in its shortest unique form, so one ulp can turn "0.5" into "0.50000006" (six units
# of the new last digit). 2**-22, about 2.4e-7, is two to four float32 ulps of the value.
REL_TOL = decimal.Decimal(2) ** -22
# one unit in the last printed digit: what rounding a value that moved by an ulp can change
UNITS = 1

_TOKEN = re.compile(
    r"(?P<number>(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?!\w|\.\d))"
    r"|(?P<word>\w+)"
    r"|(?P<newline>\n)"
    r"|(?P<punct>[^\w\s])"
)


@dataclasses.dataclass(frozen=True)
class Token:
    kind: str  # "number", "word", "newline" or "punct"
    text: str
    line: int  # 1-based line of the output the token is on


def tokens(text):
    """Split ``text`` into :class:`Token` objects; horizontal whitespace separates, nothing more."""
    out, line = [], 1
    for match in _TOKEN.finditer(text):
        out.append(Token(match.lastgroup, match.group(), line))
        if match.lastgroup == "newline":
            line += 1
    return out


def _is_integer(text):
    return not re.search(r"[.eE]", text)


def _last_digit_unit(text):
    """10 to the power of the last printed digit's place: "4.5398e-05" -> 1e-09, "12." -> 1."""
    mantissa, _, exponent = text.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return decimal.Decimal(1).scaleb(int(exponent or 0) - decimals)


def number_tolerance(stored, now):
    """The largest difference allowed between two printed floats, as a Decimal."""
    unit = min(_last_digit_unit(stored), _last_digit_unit(now))
    size = max(abs(decimal.Decimal(stored)), abs(decimal.Decimal(now)))
    return max(UNITS * unit, REL_TOL * size)


def compare_text(stored, now):
    """Differences between a stored output and a new one beyond the tolerance, as sentences.

    An empty list means the two agree: same words, punctuation and lines, same integers, and
    every other number within :func:`number_tolerance`.
    """
    old, new = tokens(stored), tokens(now)
    problems = []
    for a, b in zip(old, new, strict=False):
        if a.kind != b.kind or (a.kind != "number" and a.text != b.text):
            problems.append(f"line {a.line}: {a.text!r} stored, {b.text!r} now")
            break  # the rest is shifted: one message says where
        if a.kind != "number" or a.text == b.text:
            continue
        if _is_integer(a.text) or _is_integer(b.text):
            if decimal.Decimal(a.text) != decimal.Decimal(b.text):
                problems.append(f"line {a.line}: integer {a.text} stored, {b.text} now")
            continue
        diff = abs(decimal.Decimal(a.text) - decimal.Decimal(b.text))
        tol = number_tolerance(a.text, b.text)
        if diff > tol:
            problems.append(
                f"line {a.line}: {a.text} stored, {b.text} now: they differ by {float(diff):.3g}, "
                f"more than the tolerance {float(tol):.3g}"
            )
    if not problems and len(old) != len(new):
        longer = old if len(old) > len(new) else new
        extra = longer[min(len(old), len(new))]
        where = "stored output" if longer is old else "new output"
        problems.append(
            f"line {extra.line}: the {where} goes on with {extra.text!r} where the other ends "
            f"({len(old)} tokens stored, {len(new)} now)"
        )
    return problems


def _text_fields(output, skip):
    """(name, getter, setter) for each text of one output that nbval compares."""
    if output.get("output_type") == "stream":
        yield "stream", output.get("text"), lambda v: output.__setitem__("text", v)
    elif output.get("output_type") == "error":
        yield "evalue", output.get("evalue"), lambda v: output.__setitem__("evalue", v)
    for key, value in output.get("data", {}).items():
        if key not in skip:
            yield key, value, lambda v, k=key: output["data"].__setitem__(k, v)


def reconcile(test, ref, skip):
    """Make each new output equal to its stored one where the two agree within the tolerance.

    ``test`` (new outputs, modified in place) and ``ref`` are nbval's coalesced output lists.
    Returns the differences beyond the tolerance, each as ``(field, sentence)``; outputs whose
    structure differs are left alone for nbval to report.
    """
    shape = [(o.get("output_type"), o.get("name")) for o in test]
    if shape != [(o.get("output_type"), o.get("name")) for o in ref]:
        return []
    problems = []
    for new, old in zip(test, ref, strict=True):
        old_fields = {name: value for name, value, _ in _text_fields(old, skip)}
        for name, value, set_value in _text_fields(new, skip):
            stored = old_fields.get(name)
            if not isinstance(value, str) or not isinstance(stored, str) or value == stored:
                continue
            found = compare_text(stored, value)
            if found:
                problems += [(name, sentence) for sentence in found]
            else:
                set_value(stored)
    return problems


class _Modes:
    """The mode of each notebook of this session, decided once per notebook."""

    def __init__(self, setting):
        self.setting = setting
        self.decided = {}  # notebook path -> (mode, reason)
        self._platform = None

    def current_platform(self):
        if self._platform is None:
            from booktools.platform_record import platform_record

            self._platform = platform_record()
        return self._platform

    def mode_for(self, nbfile):
        key = str(nbfile.path)
        if key not in self.decided:
            self.decided[key] = self._decide(nbfile)
        return self.decided[key][0]

    def _decide(self, nbfile):
        if self.setting != "auto":
            return self.setting, f"{self.setting} chosen"
        from booktools.platform_record import differences

        stored = nbfile.nb.metadata.get("xent", {}).get("platform")
        if stored is None:
            return "tolerant", "no platform record in the notebook"
        changed = differences(stored, self.current_platform())
        if changed:
            return "tolerant", "platform differs: " + "; ".join(changed)
        return "exact", "recorded on this platform"


_KEY = pytest.StashKey[_Modes]()
_nbval_compare = None


def _compare_outputs(self, test, ref, skip_compare=None):
    """nbval's ``IPyNbCell.compare_outputs``, with the tolerance applied first where it is due."""
    modes = self.config.stash.get(_KEY, None)
    if modes is None or modes.mode_for(self.parent) == "exact":
        return _nbval_compare(self, test, ref, skip_compare)
    problems = reconcile(test, ref, skip_compare or self.parent.skip_compare)
    if _nbval_compare(self, test, ref, skip_compare):
        return True
    where = f"{self.parent.path.name} cell {self.cell_num}"
    self.comparison_traceback += [
        f"{where}, {field}: {sentence}" for field, sentence in problems
    ] or [f"{where}: the outputs differ in kind or number (see above)"]
    self.comparison_traceback.append(
        f"(compared within tolerance: words, punctuation, lines and integers exactly; other "
        f"numbers to {UNITS} unit in the last printed digit or {float(REL_TOL):.2g} relative)"
    )
    return False


def pytest_addoption(parser):
    parser.getgroup("nbval").addoption(
        "--nb-compare",
        choices=MODES,
        default=None,
        help=f"how notebook outputs are compared: exact, tolerant, or auto (exact where the "
        f"notebook's platform record matches this platform). Default: ${ENV_VAR}, else auto.",
    )


def pytest_configure(config):
    global _nbval_compare
    setting = config.getoption("nb_compare") or os.environ.get(ENV_VAR) or "auto"
    if setting not in MODES:
        raise pytest.UsageError(f"{ENV_VAR}={setting!r}: expected one of {', '.join(MODES)}")
    config.stash[_KEY] = _Modes(setting)
    from nbval.plugin import IPyNbCell

    if _nbval_compare is None:  # once per process; sessions without this plugin compare exactly
        _nbval_compare = IPyNbCell.compare_outputs
        IPyNbCell.compare_outputs = _compare_outputs


def pytest_collection_modifyitems(config, items):
    """Decide each collected notebook's mode up front and attach it to its cells' reports.

    The reports carry it to the summary, also from pytest-xdist's workers to the main process.
    """
    from nbval.plugin import IPyNbCell

    modes = config.stash[_KEY]
    for item in items:
        if isinstance(item, IPyNbCell):
            mode = modes.mode_for(item.parent)
            item.user_properties.append(
                ("nb-compare", (mode, modes.decided[str(item.parent.path)][1]))
            )


def pytest_report_header(config):
    setting = config.stash[_KEY].setting
    return f"notebook comparison: {setting} (--nb-compare or ${ENV_VAR})"


def pytest_terminal_summary(terminalreporter, config):
    decided = {}  # notebook -> (mode, reason), from the reports of its cells
    for reports in terminalreporter.stats.values():
        for report in reports:
            for name, value in getattr(report, "user_properties", ()):
                if name == "nb-compare":
                    decided[report.nodeid.split("::")[0]] = tuple(value)
    if not decided:
        return
    terminalreporter.section("notebook comparison")
    for mode in ("exact", "tolerant"):
        names = sorted(n for n, (m, _) in decided.items() if m == mode)
        if not names:
            continue
        label = "exact" if mode == "exact" else "within tolerance"
        terminalreporter.line(f"{label}: {len(names)} notebooks")
        for name in names:
            terminalreporter.line(f"  {name}: {decided[name][1]}")
