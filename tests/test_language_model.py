"""xentlib.language_model against torch.nn.functional.cross_entropy, and its error messages."""

import numpy as np
import pytest
from tolerances import CORE, DTYPES, assert_close

import xentlib
from xentlib.language_model import bigram_log_probs, bits_per_unit, perplexity, z_loss

IGNORE = -100


def batch(rng, b, t, v, dtype, ignored=0.3, scale=3.0):
    """Logits (B, T, V) and labels (B, T) with about ``ignored`` of them set to -100."""
    logits = (scale * rng.standard_normal((b, t, v))).astype(dtype)
    labels = rng.integers(0, v, size=(b, t))
    labels[rng.random((b, t)) < ignored] = IGNORE
    return logits, labels


def torch_causal_loss(torch, logits, labels, reduction="mean"):
    """The Hugging Face recipe: shift, flatten, cross_entropy with ignore_index (float64)."""
    shifted = torch.from_numpy(np.asarray(logits, dtype=np.float64)[:, :-1])
    targets = torch.from_numpy(labels[:, 1:])
    return torch.nn.functional.cross_entropy(
        shifted.reshape(-1, shifted.shape[-1]), targets.reshape(-1), ignore_index=IGNORE,
        reduction=reduction,
    )  # fmt: skip


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("b", "t", "v"), [(1, 2, 1), (2, 5, 7), (4, 16, 50), (3, 33, 257)])
def test_matches_torch_cross_entropy_with_ignore_index(torch, dtype, b, t, v):
    logits, labels = batch(np.random.default_rng(b * t * v), b, t, v, dtype)
    labels[0, 1] = 0  # at least one counted target
    loss = xentlib.causal_lm_loss(logits, labels)
    assert loss.dtype == dtype and np.ndim(loss) == 0
    assert_close(loss, torch_causal_loss(torch, logits, labels).numpy(), dtype, scale=3.0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_num_items_divides_the_sum(torch, dtype):
    logits, labels = batch(np.random.default_rng(2), 3, 10, 11, dtype)
    total = torch_causal_loss(torch, logits, labels, reduction="sum").numpy()
    loss = xentlib.causal_lm_loss(logits, labels, num_items=40)
    assert_close(loss, total / 40, dtype, scale=3.0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_gradient_accumulation_identity(dtype):
    # micro-batches with different numbers of counted targets: the sum of micro-batch sums over
    # the total count is the full-batch loss; the mean of micro-batch means is not
    rng = np.random.default_rng(7)
    logits, labels = batch(rng, 6, 12, 9, dtype)
    labels[:2, 3:] = IGNORE  # the first micro-batch has far fewer counted targets
    full = xentlib.causal_lm_loss(logits, labels)
    counts = [np.count_nonzero(labels[i : i + 2, 1:] != IGNORE) for i in (0, 2, 4)]
    assert len(set(counts)) == 3
    total = sum(counts)
    accumulated = sum(
        xentlib.causal_lm_loss(logits[i : i + 2], labels[i : i + 2], num_items=total)
        for i in (0, 2, 4)
    )
    mean_of_means = np.mean([xentlib.causal_lm_loss(logits[i : i + 2], labels[i : i + 2])
                             for i in (0, 2, 4)])  # fmt: skip
    assert_close(accumulated, full, dtype, scale=3.0, check_dtype=False)
    assert abs(mean_of_means - full) > 100 * CORE[dtype]


def test_custom_ignore_index_and_label_zero_position_unused(torch):
    logits, labels = batch(np.random.default_rng(3), 2, 6, 5, np.float64, ignored=0)
    labels[0, 2] = labels[1, 4] = 4
    expected = torch.nn.functional.cross_entropy(
        torch.from_numpy(logits[:, :-1].reshape(-1, 5)), torch.from_numpy(labels[:, 1:].ravel()),
        ignore_index=4,
    )  # fmt: skip
    assert_close(xentlib.causal_lm_loss(logits, labels, ignore_index=4), expected, np.float64)
    # the label at position 0 is never scored: changing it changes nothing
    other = labels.copy()
    other[:, 0] = (labels[:, 0] + 1) % 5
    assert xentlib.causal_lm_loss(logits, other) == xentlib.causal_lm_loss(logits, labels)


def test_all_ignored_is_nan_like_torch(torch):
    logits = np.zeros((1, 3, 4))
    labels = np.full((1, 3), IGNORE)
    assert np.isnan(xentlib.causal_lm_loss(logits, labels))
    assert np.isnan(torch_causal_loss(torch, logits, labels).item())
    assert xentlib.causal_lm_loss(logits, labels, num_items=5) == 0.0


def test_perfect_and_uniform_models():
    v = 8
    labels = np.array([[1, 2, 3, 4, 5]])
    uniform = np.zeros((1, 5, v))
    assert xentlib.causal_lm_loss(uniform, labels) == pytest.approx(np.log(v), rel=1e-15)
    assert perplexity(xentlib.causal_lm_loss(uniform, labels)) == pytest.approx(v, rel=1e-14)
    certain = np.full((1, 5, v), -1e4)
    certain[0, np.arange(4), labels[0, 1:]] = 1e4
    loss = xentlib.causal_lm_loss(certain, labels)
    assert loss == 0.0 and not np.signbit(loss)
    assert perplexity(loss) == 1.0


def test_perplexity_and_bits():
    assert perplexity(np.log(50257.0)) == pytest.approx(50257, rel=1e-14)
    assert perplexity(np.float32(0)) == 1.0
    assert perplexity(np.inf) == np.inf
    assert bits_per_unit(np.log(2) * 30, 10) == pytest.approx(3.0, rel=1e-15)


@pytest.mark.parametrize("dtype", DTYPES)
def test_z_loss_matches_torch_logsumexp(torch, dtype):
    logits = (5 * np.random.default_rng(4).standard_normal((3, 7, 20))).astype(dtype)
    lse = torch.logsumexp(torch.from_numpy(logits.astype(np.float64)), dim=-1)
    expected = 1e-4 * (lse**2).mean()
    assert_close(z_loss(logits), expected.numpy(), dtype, scale=1e-2, check_dtype=True)
    # its gradient is 2 w LSE softmax / N, and a shift of all logits by -LSE zeroes it
    x = logits.astype(np.float64).reshape(-1, 20) / 5  # logits of size 1: small rounding noise
    grad = xentlib.numerical_gradient(lambda z: z_loss(z, weight=0.5), x)
    analytic = 2 * 0.5 * xentlib.logsumexp(x, axis=-1)[:, None] * xentlib.softmax(x) / 21
    np.testing.assert_allclose(grad, analytic, rtol=1e-6, atol=1e-9)
    assert z_loss(x - xentlib.logsumexp(x, axis=-1, keepdims=True)) < 1e-30


def test_bigram_counts_are_the_mle():
    ids = np.array([0, 1, 0, 1, 1, 2, 0])
    log_p = bigram_log_probs(ids, 4)
    np.testing.assert_allclose(np.exp(log_p[0]), [0, 1, 0, 0])
    np.testing.assert_allclose(np.exp(log_p[1]), [1 / 3, 1 / 3, 1 / 3, 0])
    assert np.isnan(log_p[3]).all()  # token 3 never occurs as a current token
    smoothed = np.exp(bigram_log_probs(ids, 4, smoothing=1.0))
    np.testing.assert_allclose(smoothed.sum(axis=1), 1, rtol=1e-15)
    np.testing.assert_allclose(smoothed[0], [1 / 6, 3 / 6, 1 / 6, 1 / 6])
    np.testing.assert_allclose(smoothed[3], 0.25)
    # the counting solution has the smallest training loss of any bigram table
    loss = xentlib.causal_lm_loss(log_p[ids][None], ids[None])
    assert loss < xentlib.causal_lm_loss(np.log(smoothed)[ids][None], ids[None])


GOOD = dict(logits=np.zeros((2, 4, 5)), labels=np.zeros((2, 4), dtype=int))


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (dict(logits=np.zeros((4, 5))), ValueError, r"logits must have shape \(B, T, V\)"),
        (dict(logits=np.full((2, 4, 5), np.nan)), ValueError, "logits must not contain NaN"),
        (dict(logits="abc"), TypeError, "logits must be a real-valued array"),
        (dict(labels=np.zeros((2, 3), dtype=int)), ValueError, r"labels must have shape logits"),
        (dict(labels=np.full((2, 4), 5)), ValueError, r"labels \(other than -100\) must be class"),
        (dict(labels=np.full((2, 4), -1)), ValueError, r"labels \(other than -100\) must be class"),
        (dict(labels=np.zeros((2, 4))), TypeError, "labels.*must hold integer class indices"),
        (dict(ignore_index=-100.0), TypeError, "ignore_index must be an int"),
        (dict(num_items=0), ValueError, "num_items must be greater than 0"),
        (dict(num_items=-3), ValueError, "num_items must be greater than 0"),
        (dict(num_items="8"), TypeError, "num_items must be a real number"),
    ],
)  # fmt: skip
def test_causal_lm_loss_bad_input(change, error, match):
    with pytest.raises(error, match=match):
        xentlib.causal_lm_loss(**{**GOOD, **change})


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: perplexity(-0.1), ValueError, "mean_nll must be at least 0"),
        (lambda: perplexity(float("nan")), ValueError, "mean_nll must be at least 0"),
        (lambda: perplexity("1"), TypeError, "mean_nll must be a real number"),
        (lambda: bits_per_unit(-1.0, 3), ValueError, "total_nll must be at least 0"),
        (lambda: bits_per_unit(1.0, 0), ValueError, "num_units must be at least 1"),
        (lambda: bits_per_unit(1.0, 2.0), TypeError, "num_units must be an int"),
        (lambda: z_loss(np.zeros((2, 3)), weight=-1), ValueError, "weight must be at least 0"),
        (lambda: z_loss(1.0), ValueError, "logits must have a class axis"),
        (lambda: z_loss(np.array([[np.inf, 0]])), ValueError, r"logits must not contain \+inf"),
        (lambda: bigram_log_probs([0, 4], 4), ValueError, r"ids must be class indices in \[0, 4\)"),
        (lambda: bigram_log_probs([[0, 1]], 4), ValueError, "ids must be a 1-D sequence"),
        (lambda: bigram_log_probs([0.0, 1.0], 4), TypeError, "ids must hold integer"),
        (lambda: bigram_log_probs([0, 1], 0), ValueError, "vocab_size must be at least 1"),
        (lambda: bigram_log_probs([0, 1], 4, smoothing=-1), ValueError, "smoothing must be at"),
    ],
)  # fmt: skip
def test_helpers_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
