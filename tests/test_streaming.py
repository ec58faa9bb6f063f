"""xentlib.streaming against torch.nn.functional.cross_entropy, and its error messages."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tolerances import DTYPES, assert_close

import xentlib
from xentlib.streaming import online_lse_merge


def torch_loss(torch, logits, targets):
    """torch's mean cross-entropy, computed in float64 as the reference."""
    F = torch.nn.functional
    return F.cross_entropy(
        torch.from_numpy(np.asarray(logits, dtype=np.float64)), torch.from_numpy(targets)
    ).item()


def make(rng, n, v, dtype, scale=3.0):
    logits = (scale * rng.standard_normal((n, v))).astype(dtype)
    targets = rng.integers(0, v, size=n)
    return logits, targets


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("n", "v", "block_size"),
    [
        (1, 1, None),
        (5, 7, None),
        (5, 7, 1),  # one logit per block
        (37, 1000, (4, 300)),  # blocks divide neither N nor V
        (32, 1024, (8, 256)),  # blocks divide both
        (33, 20000, (16, 4096)),
        (8, 50257, None),  # GPT-2's vocabulary, larger than one default block
    ],
)
def test_streaming_matches_torch(torch, dtype, n, v, block_size):
    logits, targets = make(np.random.default_rng(n * v), n, v, dtype)
    loss = xentlib.streaming_cross_entropy(logits, targets, block_size)
    assert loss.dtype == dtype and np.ndim(loss) == 0
    assert_close(loss, np.array(torch_loss(torch, logits, targets)), dtype, check_dtype=False)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("n", "d", "v", "block_size"),
    [
        (1, 1, 1, None),
        (5, 3, 7, 1),
        (37, 16, 1000, (4, 300)),
        (64, 32, 8192, (16, 1024)),
        (9, 8, 50257, None),
    ],
)
def test_fused_matches_torch_linear_then_cross_entropy(torch, dtype, n, d, v, block_size):
    rng = np.random.default_rng(n + d + v)
    hidden = rng.standard_normal((n, d)).astype(dtype)
    weight = (rng.standard_normal((v, d)) / np.sqrt(d)).astype(dtype)
    targets = rng.integers(0, v, size=n)
    linear = torch.nn.Linear(d, v, bias=False, dtype=torch.float64)
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(weight.astype(np.float64)))
        logits = linear(torch.from_numpy(hidden.astype(np.float64)))
        expected = torch.nn.functional.cross_entropy(logits, torch.from_numpy(targets)).item()
    loss = xentlib.fused_linear_cross_entropy(hidden, weight, targets, block_size)
    assert loss.dtype == dtype
    assert_close(loss, np.array(expected), dtype, check_dtype=False)
    # and it is the streaming loss of the materialised logits
    assert_close(loss, xentlib.streaming_cross_entropy(hidden @ weight.T, targets), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_extreme_logits(torch, dtype):
    # +-1e3 overflows a naive exp in both dtypes; the block that holds the maximum changes
    logits = np.array(
        [[1e3, 0.0, -1e3, 5.0, 1e3 - 1], [-1e3, -1e3, -1e3, -1e3, 1e3], [0.0, 0, 0, 0, 0]],
        dtype=dtype,
    )
    targets = np.array([2, 0, 3])
    expected = torch_loss(torch, logits, targets)
    for block_size in (1, 2, (1, 3), None):
        loss = xentlib.streaming_cross_entropy(logits, targets, block_size)
        assert np.isfinite(loss)
        assert_close(loss, np.array(expected), dtype, check_dtype=False, scale=1e3)


def test_minus_inf_logits_have_probability_zero(torch):
    logits = np.array([[0.0, -np.inf, 1.0], [-np.inf, -np.inf, 2.0]])
    targets = np.array([0, 2])
    loss = xentlib.streaming_cross_entropy(logits, targets, block_size=1)
    assert_close(loss, np.array(torch_loss(torch, logits, targets)), np.float64)
    # a block that is entirely -inf must not poison the running sum with nan
    assert xentlib.streaming_cross_entropy(logits, targets, block_size=(2, 2)) == loss
    # and a target with probability 0 costs +inf, as in torch
    assert xentlib.streaming_cross_entropy(logits, np.array([1, 2])) == np.inf


def test_streaming_float32_accumulates_in_float64():
    # many rows of identical loss: a float32 running mean would drift, a float64 one does not
    logits = np.zeros((4096, 3), dtype=np.float32)
    logits[:, 0] = 1.0
    loss = xentlib.streaming_cross_entropy(logits, np.zeros(4096, dtype=int), block_size=(7, 2))
    exact = np.log(np.e + 2) - 1
    assert abs(float(loss) - exact) <= np.finfo(np.float32).eps * exact


def test_threads_do_not_change_the_result():
    logits, targets = make(np.random.default_rng(3), 100, 500, np.float64)
    one = xentlib.streaming_cross_entropy(logits, targets, (8, 64), num_threads=1)
    three = xentlib.streaming_cross_entropy(logits, targets, (8, 64), num_threads=3)
    assert one == three  # rows are independent, so the split cannot change any row's value


def test_empty_batch_is_nan_like_torch(torch):
    expected = torch_loss(torch, np.zeros((0, 4)), np.zeros(0, dtype=np.int64))
    assert np.isnan(expected)
    assert np.isnan(xentlib.streaming_cross_entropy(np.zeros((0, 4), np.float32), []))
    assert np.isnan(xentlib.fused_linear_cross_entropy(np.zeros((0, 2)), np.ones((4, 2)), []))


def test_does_not_modify_its_inputs():
    logits, targets = make(np.random.default_rng(5), 9, 40, np.float32)
    before = logits.copy()
    xentlib.streaming_cross_entropy(logits, targets, 4)
    np.testing.assert_array_equal(logits, before)


@settings(max_examples=40, deadline=None)
@given(
    data=st.lists(st.floats(-50, 50, width=64), min_size=1, max_size=30),
    cut=st.integers(0, 30),
)
def test_merge_of_two_parts_is_the_logsumexp_of_the_whole(data, cut):
    x = np.array(data)
    a, b = x[: cut % (len(x) + 1)], x[cut % (len(x) + 1) :]

    def state(part):
        if part.size == 0:
            return -np.inf, 0.0  # the empty state, the identity of the merge
        return part.max(), np.exp(part - part.max()).sum()

    m, s = online_lse_merge(*state(a), *state(b))
    # the merge rounds differently from one pass over x: CORE's float64 level, scaled by |x|
    assert_close(m + np.log(s), xentlib.logsumexp(x), np.float64, scale=50)


def test_merge_refuses_what_is_not_a_number():
    with pytest.raises(TypeError, match="max_b must be a real-valued array, got str"):
        online_lse_merge(0.0, 1.0, "x", 1.0)
    with pytest.raises(TypeError, match="sum_a must be a real-valued array, got dtype complex"):
        online_lse_merge(0.0, 1j, 0.0, 1.0)


def test_merge_of_two_empty_states_stays_empty():
    m, s = online_lse_merge(-np.inf, 0.0, -np.inf, 0.0)
    assert m == -np.inf and s == 0.0


@pytest.mark.parametrize("dtype", DTYPES)
def test_the_benchmarks_torch_streaming_loss_matches_torch(torch, dtype):
    # the torch version that the benchmark runs on a GPU, checked here on the CPU
    from booktools.bench import torch_streaming_cross_entropy

    logits, targets = make(np.random.default_rng(11), 13, 1000, dtype)
    logits[0, :500] = -np.inf  # an all -inf vocabulary block for row 0
    targets[0] = 700
    loss = torch_streaming_cross_entropy(
        torch.from_numpy(logits), torch.from_numpy(targets), block_vocab=300
    ).item()
    assert_close(loss, np.array(torch_loss(torch, logits, targets)), dtype, check_dtype=False)


X = np.zeros((2, 3), dtype=np.float32)
T = np.array([0, 2])
H = np.zeros((2, 4))
W = np.zeros((3, 4))


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: xentlib.streaming_cross_entropy(np.zeros(3), [0]),
            ValueError,
            "logits must be a 2-D array",
        ),
        (
            lambda: xentlib.streaming_cross_entropy(np.zeros((2, 0)), T),
            ValueError,
            "logits must have at least one class",
        ),
        (
            lambda: xentlib.streaming_cross_entropy(X.astype(complex), T),
            TypeError,
            "logits must be a real-valued",
        ),
        (
            lambda: xentlib.streaming_cross_entropy([[0.0, np.nan, 1.0]], [0]),
            ValueError,
            "logits must not contain NaN",
        ),
        (
            lambda: xentlib.streaming_cross_entropy([[0.0, np.inf, 1.0]], [0]),
            ValueError,
            r"logits must not contain NaN or \+inf",
        ),
        (
            lambda: xentlib.streaming_cross_entropy(X, [0, 3]),
            ValueError,
            r"targets must be class indices in \[0, 3\)",
        ),
        (
            lambda: xentlib.streaming_cross_entropy(X, [0, -1]),
            ValueError,
            r"targets must be class indices in \[0, 3\)",
        ),
        (
            lambda: xentlib.streaming_cross_entropy(X, [0.0, 1.0]),
            TypeError,
            "targets must hold integer",
        ),
        (
            lambda: xentlib.streaming_cross_entropy(X, [0]),
            ValueError,
            r"targets must have shape \(2,\)",
        ),
        (
            lambda: xentlib.streaming_cross_entropy(X, T, 0),
            ValueError,
            "block_size must be at least 1, got 0",
        ),
        (
            lambda: xentlib.streaming_cross_entropy(X, T, (4, -1)),
            ValueError,
            "block_size must be at least 1, got -1",
        ),
        (
            lambda: xentlib.streaming_cross_entropy(X, T, (1, 2, 3)),
            ValueError,
            "block_size must be an int or a pair",
        ),
        (
            lambda: xentlib.streaming_cross_entropy(X, T, 2.5),
            TypeError,
            "block_size must be an int, got float",
        ),
        (
            lambda: xentlib.streaming_cross_entropy(X, T, num_threads=0),
            ValueError,
            "num_threads must be at least 1, got 0",
        ),
        (
            lambda: xentlib.streaming_cross_entropy(X, T, num_threads="2"),
            TypeError,
            "num_threads must be an int, got str",
        ),
        (
            lambda: xentlib.fused_linear_cross_entropy(np.zeros(4), W, [0]),
            ValueError,
            "hidden must be a 2-D array",
        ),
        (
            lambda: xentlib.fused_linear_cross_entropy(H, np.zeros(4), T),
            ValueError,
            "weight must be a 2-D array",
        ),
        (
            lambda: xentlib.fused_linear_cross_entropy(H, W.T, T),
            ValueError,
            "hidden and weight must have the same number of features",
        ),
        (
            lambda: xentlib.fused_linear_cross_entropy(H, np.zeros((0, 4)), T),
            ValueError,
            "weight must have at least one class",
        ),
        (
            lambda: xentlib.fused_linear_cross_entropy("h", W, T),
            TypeError,
            "hidden must be a real-valued",
        ),
        (
            lambda: xentlib.fused_linear_cross_entropy(H, W, [0, 3]),
            ValueError,
            r"targets must be class indices in \[0, 3\)",
        ),
        (
            lambda: xentlib.fused_linear_cross_entropy(H, W, T, (0, 2)),
            ValueError,
            "block_size must be at least 1, got 0",
        ),
        (
            lambda: xentlib.fused_linear_cross_entropy(np.full((2, 4), np.nan), W, T),
            ValueError,
            r"hidden @ weight.T must not contain NaN",
        ),
    ],
)
def test_bad_input_raises_naming_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
