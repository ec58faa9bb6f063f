"""The notebook comparison (booktools.nbcompare): a last-digit difference passes in the tolerant
mode, and every real change still fails: a digit beyond the tolerance, a changed word, a missing
or extra line, a changed integer, an error where none was. The mode follows the platform record."""

import json

import nbformat
import pytest

from booktools.nbcompare import compare_text, number_tolerance, reconcile
from booktools.platform_record import differences, platform_record

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("stored", "now"),
    [
        ("0.11653383\n", "0.11653382\n"),  # chapter 06 on NumPy's baseline kernels
        ("4.539787e-05\n", "4.539786e-05\n"),  # chapter 05
        ("1.1920929e-07\n", "1.1920930e-07\n"),  # errata
        ("[0.5        0.25      ]\n", "[0.50000006 0.25]\n"),  # shortest form, NumPy's padding
        ("loss 1.2228179 at step 3\n", "loss 1.222818 at step 3\n"),
        ("tensor(-0.)\n", "tensor(0.)\n"),
        ("TensorFlow 2.21.0, p = 0.1\n", "TensorFlow 2.21.0, p = 0.1\n"),
    ],
)
def test_differences_a_kernel_can_make_pass(stored, now):
    assert compare_text(stored, now) == []


@pytest.mark.parametrize(
    ("stored", "now", "said"),
    [
        ("0.11653383\n", "0.11653393\n", "0.11653383 stored, 0.11653393 now"),  # 13 ulps
        ("p = 0.5\n", "p = 0.7\n", "0.5 stored, 0.7 now"),
        ("0.25\n", "-0.25\n", "0.25 stored, -0.25 now"),
        ("the sum is zero\n", "the sum is one\n", "'zero' stored, 'one' now"),
        ("a\nb\n", "a\n", "the stored output goes on with 'b'"),  # a missing line
        ("a\n", "a\nb\n", "the new output goes on with 'b'"),  # an extra line
        ("a b\n", "a\nb\n", "'b' stored, '\\n' now"),  # a line break where a space was
        ("100 epochs\n", "101 epochs\n", "integer 100 stored, 101 now"),
        ("float32\n", "float64\n", "'float32' stored, 'float64' now"),
        ("torch 2.13.0\n", "torch 2.13.1\n", "'0' stored, '1' now"),
    ],
)
def test_real_changes_fail_and_say_what_changed(stored, now, said):
    problems = compare_text(stored, now)
    assert problems and said in problems[0], problems


def test_tolerance_is_one_unit_of_the_finer_printing_or_relative():
    # a number printed to 4 decimals may flip its last digit
    assert float(number_tolerance("0.1165", "0.1166")) == pytest.approx(1e-4)
    # float32 printed in full: 2**-22 of the value (about two ulps) when that is larger
    assert float(number_tolerance("4.539787e-05", "4.539786e-05")) == pytest.approx(
        4.539787e-05 * 2**-22
    )
    assert float(number_tolerance("0.5", "0.50000006")) == pytest.approx(0.50000006 * 2**-22)


def _outputs(text, kind="stream"):
    if kind == "stream":
        return [nbformat.v4.new_output("stream", name="stdout", text=text)]
    return [nbformat.v4.new_output("execute_result", data={"text/plain": text}, execution_count=1)]


@pytest.mark.parametrize("kind", ["stream", "execute_result"])
def test_reconcile_hands_nbval_equal_text_within_the_tolerance(kind):
    new, stored = _outputs("[0.11653382]\n", kind), _outputs("[0.11653383]\n", kind)
    assert reconcile(new, stored, skip=()) == []
    assert new == stored


def test_reconcile_leaves_a_real_change_for_nbval():
    new, stored = _outputs("0.3\n"), _outputs("0.1\n")
    problems = reconcile(new, stored, skip=())
    assert problems == [("stream", compare_text("0.1\n", "0.3\n")[0])]
    assert new[0]["text"] == "0.3\n"


def test_platform_differences_name_the_key():
    record = platform_record()
    other = json.loads(json.dumps(record))
    other["numpy_simd"] = "X86_V2"
    other["versions"]["torch"] = "0.0"
    assert differences(record, record) == []
    assert differences(record, other) == [
        f"numpy_simd: {record['numpy_simd']} -> X86_V2",
        f"versions.torch: {record['versions']['torch']} -> 0.0",
    ]


# -- the plugin, end to end: nbval re-executes small notebooks in a real kernel ----------------


def _notebook(path, code, stored, record=None):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(code, execution_count=1)
    cell.outputs = _outputs(stored)
    nb.cells = [cell]
    if record is not None:
        nb.metadata["xent"] = {"platform": record}
    nbformat.write(nb, path)


def _run(pytester, *args):
    result = pytester.runpytest_subprocess(
        "-p", "booktools.nbcompare", "--nbval", "--nbval-current-env", "-v", *args
    )
    outcomes = {}
    for line in result.outlines:
        for name in ("PASSED", "FAILED"):
            if "::Cell 0 " + name in line:
                outcomes[line.split("::")[0].removesuffix(".ipynb")] = name
    return result, outcomes


def test_tolerant_mode_passes_a_last_digit_and_fails_every_real_change(pytester):
    cases = {
        "last_digit": ("print(0.11653382)", "0.11653383\n", "PASSED"),
        "beyond": ("print(0.11653393)", "0.11653383\n", "FAILED"),
        "word": ("print('loss', 0.5)", "lost 0.5\n", "FAILED"),
        "missing_line": ("print('a')", "a\nb\n", "FAILED"),
        "error": ("raise ValueError('x')", "1\n", "FAILED"),
    }
    for name, (code, stored, _) in cases.items():
        _notebook(pytester.path / f"{name}.ipynb", code, stored)
    result, outcomes = _run(pytester, "--nb-compare=tolerant")
    assert outcomes == {name: want for name, (_, _, want) in cases.items()}, result.outlines
    text = result.stdout.str()
    assert "beyond.ipynb cell 0, stream: line 1: 0.11653383 stored, 0.11653393 now" in text
    assert "they differ by 1e-07, more than the tolerance 2.78e-08" in text
    assert "within tolerance: 5 notebooks" in text


def test_auto_mode_is_exact_on_the_recorded_platform_only(pytester, monkeypatch):
    here = platform_record()
    elsewhere = json.loads(json.dumps(here))
    elsewhere["numpy_simd"] = "another CPU"
    _notebook(pytester.path / "here.ipynb", "print(0.11653382)", "0.11653383\n", here)
    _notebook(pytester.path / "elsewhere.ipynb", "print(0.11653382)", "0.11653383\n", elsewhere)
    monkeypatch.delenv("XENT_NB_COMPARE", raising=False)
    result, outcomes = _run(pytester)
    assert outcomes == {"here": "FAILED", "elsewhere": "PASSED"}, result.outlines
    text = result.stdout.str()
    assert "exact: 1 notebooks" in text
    assert f"platform differs: numpy_simd: another CPU -> {here['numpy_simd']}" in text
    # the environment variable forces a mode for every notebook
    monkeypatch.setenv("XENT_NB_COMPARE", "exact")
    result, outcomes = _run(pytester)
    assert outcomes == {"here": "FAILED", "elsewhere": "FAILED"}, result.outlines
