"""xentlib.softmax against PyTorch and TensorFlow: random and extreme inputs, both dtypes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from tolerances import DTYPES, assert_close

import xentlib


# float32 results match to 1e-6, float64 to 1e-12 (relative, with the same absolute floor)
def inputs(dtype):
    """Random logits, extreme logits, -inf entries and empty batches, as (array, axis) pairs."""
    rng = np.random.default_rng(3)
    cases = [
        (rng.normal(size=(5, 7)) * 3, -1),
        (rng.normal(size=(4, 3, 6)) * 10, 1),
        (rng.normal(size=(4, 3, 6)) * 10, 0),
        (np.array([[1e3, 0.0, -1e3], [-1e3, -1e3, -1e3], [1e3, 1e3 - 1, 1e3 - 30]]), -1),
        (np.array([[0.0, -np.inf, 2.0], [-np.inf, 5.0, -np.inf]]), -1),
        (np.array([[100.0, 90.0, 80.0]]), -1),
        (np.zeros((0, 4)), -1),
        (np.array([1.0, 2.0, 3.0]), 0),
    ]
    return [(x.astype(dtype), axis) for x, axis in cases]


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_log_softmax_logsumexp_match_torch(torch, dtype):
    for x, axis in inputs(dtype):
        t = torch.from_numpy(x)
        assert_close(xentlib.softmax(x, axis=axis), torch.softmax(t, dim=axis).numpy(), dtype)
        assert_close(
            xentlib.log_softmax(x, axis=axis), torch.log_softmax(t, dim=axis).numpy(), dtype
        )
        assert_close(xentlib.logsumexp(x, axis=axis), torch.logsumexp(t, dim=axis).numpy(), dtype)
        assert_close(
            xentlib.logsumexp(x, axis=axis, keepdims=True),
            torch.logsumexp(t, dim=axis, keepdim=True).numpy(),
            dtype,
        )


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_log_softmax_logsumexp_match_tensorflow(tf_keras, dtype):
    tf, _ = tf_keras
    for x, axis in inputs(dtype):
        assert_close(xentlib.softmax(x, axis=axis), tf.nn.softmax(x, axis=axis).numpy(), dtype)
        assert_close(
            xentlib.log_softmax(x, axis=axis), tf.nn.log_softmax(x, axis=axis).numpy(), dtype
        )
        assert_close(
            xentlib.logsumexp(x, axis=axis), tf.math.reduce_logsumexp(x, axis=axis).numpy(), dtype
        )


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_and_log_sigmoid_match_frameworks(torch, tf_keras, dtype):
    tf, _ = tf_keras
    rng = np.random.default_rng(4)
    x = np.concatenate([rng.normal(size=50) * 20, [-1e3, -100.0, -20.0, 0.0, 20.0, 100.0, 1e3]])
    x = x.astype(dtype)
    t = torch.from_numpy(x)
    assert_close(xentlib.sigmoid(x), torch.sigmoid(t).numpy(), dtype)
    assert_close(xentlib.sigmoid(x), tf.math.sigmoid(x).numpy(), dtype)
    assert_close(xentlib.log_sigmoid(x), torch.nn.functional.logsigmoid(t).numpy(), dtype)
    assert_close(xentlib.log_sigmoid(x), tf.math.log_sigmoid(x).numpy(), dtype)
    assert xentlib.sigmoid(np.zeros((0, 3), dtype)).shape == (0, 3)


@pytest.mark.parametrize("dtype", DTYPES)
def test_gradient_of_logsumexp_is_softmax(torch, dtype):
    x = (np.random.default_rng(5).normal(size=(6, 5)) * 50).astype(dtype)
    x[0] = [1e3, -1e3, 0.0, 999.0, -5.0]
    # the reference gradient runs in float64: torch's float32 backward rounds logsumexp at the
    # size of the logits (1e3) first and is itself off by 3e-5 on the first row
    t = torch.tensor(x.astype(np.float64), requires_grad=True)
    torch.logsumexp(t, dim=1).sum().backward()
    assert_close(xentlib.softmax(x), t.grad.numpy().astype(dtype), dtype)


def test_no_overflow_at_the_edge_of_the_float_range():
    for dtype in DTYPES:
        big = np.finfo(dtype).max
        x = np.array([[big, big / 2, -big]], dtype)
        # pytest turns any RuntimeWarning (overflow, invalid, divide) into an error
        p = xentlib.softmax(x)
        logp = xentlib.log_softmax(x)
        lse = xentlib.logsumexp(x)
        np.testing.assert_array_equal(p, np.array([[1, 0, 0]], dtype))
        assert logp[0, 0] == 0 and logp[0, 2] == -np.inf
        assert lse[0] == big


def test_log_softmax_is_finite_where_log_of_softmax_is_minus_inf():
    x = np.array([1000.0, 0.0, -1000.0], np.float32)
    with np.errstate(divide="ignore"):
        naive = np.log(xentlib.softmax(x))
    assert naive[2] == -np.inf
    np.testing.assert_array_equal(
        xentlib.log_softmax(x), np.array([0.0, -1000.0, -2000.0], np.float32)
    )


def test_published_softmax_rows_seed003softmaxstability():
    x = np.array([[1.0, 2.0, 3.0]] * 3, np.float32)
    np.testing.assert_allclose(
        xentlib.softmax(x), [[0.09003057, 0.24472848, 0.66524094]] * 3, atol=1e-8
    )
    # exactly 3 - log(e + e**2 + e**3) rounded once to float32: -0.40760598, one float32 step
    # (2.98e-8) from the -0.40760595 that tf.nn.log_softmax prints
    exact = 3 - np.log(np.exp(1) + np.exp(2) + np.exp(3))
    np.testing.assert_array_equal(xentlib.log_softmax(x)[:, 2], np.float32(exact))
    np.testing.assert_allclose(xentlib.log_softmax(x)[:, 2], -0.40760595, rtol=0, atol=3e-8)


def test_all_minus_inf_row_and_empty_axis_follow_the_frameworks(torch):
    x = np.array([[-np.inf, -np.inf], [0.0, -np.inf]])
    assert (
        np.isnan(xentlib.softmax(x)[0]).all()
        and np.isnan(torch.softmax(torch.from_numpy(x), 1)[0].numpy()).all()
    )
    assert xentlib.logsumexp(x)[0] == -np.inf
    empty = np.zeros((3, 0), np.float32)
    assert xentlib.softmax(empty).shape == (3, 0)
    np.testing.assert_array_equal(xentlib.logsumexp(empty), np.full(3, -np.inf, np.float32))


@settings(max_examples=40, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5),
        elements=st.floats(-1e4, 1e4),
    ),
    st.floats(-1e4, 1e4),
)
def test_shift_invariance_and_normalisation(x, shift):
    p = xentlib.softmax(x)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(xentlib.softmax(x + shift), p, atol=1e-12)
    np.testing.assert_allclose(
        xentlib.logsumexp(x + shift), xentlib.logsumexp(x) + shift, rtol=1e-12, atol=1e-9
    )
    # max <= LSE <= max + log C
    lse = xentlib.logsumexp(x)
    assert np.all(lse >= x.max(axis=-1)) and np.all(
        lse <= x.max(axis=-1) + np.log(x.shape[-1]) + 1e-9
    )


def test_dtypes_are_preserved_and_promoted():
    assert xentlib.softmax(np.zeros(3, np.float32)).dtype == np.float32
    assert xentlib.softmax(np.zeros(3, np.float16)).dtype == np.float32
    assert xentlib.log_softmax([1, 2, 3]).dtype == np.float64
    assert xentlib.log_sigmoid(np.float32(3)).dtype == np.float32


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: xentlib.softmax("abc"), TypeError, "logits must be a real-valued array, got str"),
        (
            lambda: xentlib.softmax([1 + 2j]),
            TypeError,
            "logits must be a real-valued array, got dtype complex",
        ),
        (lambda: xentlib.softmax([[1, 2], [3]]), ValueError, "logits must be a rectangular array"),
        (
            lambda: xentlib.softmax([1.0, 2.0], axis=1),
            ValueError,
            r"axis=1 is out of range for an array with 1",
        ),
        (
            lambda: xentlib.softmax(3.0),
            ValueError,
            "axis=-1 needs an array with at least one dimension",
        ),
        (lambda: xentlib.log_softmax([1.0], axis=0.5), TypeError, "axis must be an int, got float"),
        (lambda: xentlib.log_softmax("x"), TypeError, "logits must be a real-valued"),
        (lambda: xentlib.logsumexp([1.0], axis=True), TypeError, "axis must be an int, got bool"),
        (lambda: xentlib.logsumexp(["a"]), TypeError, "x must be a real-valued array"),
        (
            lambda: xentlib.logsumexp([1.0], keepdims=1),
            TypeError,
            "keepdims must be True or False, got int",
        ),
        (lambda: xentlib.sigmoid("1"), TypeError, "x must be a real-valued array, got str"),
        (
            lambda: xentlib.log_sigmoid([None]),
            TypeError,
            "x must be a real-valued array, got dtype object",
        ),
    ],
)
def test_bad_input_raises_naming_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
