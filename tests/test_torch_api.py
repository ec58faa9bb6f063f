"""xentlib.torch_api against torch.nn.functional, torch's own reference losses, and its errors.

Agreement: the ``MIRROR`` level of tests/tolerances.py, with its absolute floor scaled by the
largest logit, since log_softmax(x) = x - LSE(x) cancels to within a few ulps of |x|.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tolerances import MIRROR
from tolerances import assert_close as _assert_close

import xentlib
from xentlib import torch_api as X

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)
DTYPES = st.sampled_from([np.float32, np.float64])
SCALES = st.sampled_from([1.0, 10.0, 1e3])  # 1e3: logits far beyond float32's exp range


def assert_close(ours, theirs, dtype, scale=1.0):
    """tolerances.assert_close at the MIRROR level; torch's result must have the dtype too."""
    assert theirs.detach().numpy().dtype == dtype
    _assert_close(ours, theirs, dtype, MIRROR, scale)


@st.composite
def class_problems(draw, probs=False):
    """Logits of shape (N, C, d1, ...) or (C,), targets, and the options of a class loss."""
    dtype, scale = draw(DTYPES), draw(SCALES)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    num_classes = draw(st.integers(1, 5))
    if draw(st.booleans()) and not probs:
        shape = (num_classes,)  # a single unbatched sample
    else:
        extra = draw(st.lists(st.integers(1, 3), max_size=2))
        shape = (draw(st.integers(0, 4)), num_classes, *extra)
    logits = (rng.standard_normal(shape) * scale).astype(dtype)
    class_dim = 0 if len(shape) == 1 else 1
    if probs:
        target = np.moveaxis(
            rng.dirichlet(np.ones(num_classes), size=shape[:1] + shape[2:]), -1, class_dim
        ).astype(dtype)
        ignore_index = -100
    else:
        target = rng.integers(0, num_classes, size=shape[:class_dim] + shape[class_dim + 1 :])
        ignore_index = draw(st.sampled_from([-100, -1, 0, num_classes - 1]))
        if target.size and draw(st.booleans()):  # some targets hit ignore_index
            target[rng.random(target.shape) < 0.3] = ignore_index
    weight = rng.uniform(0.1, 2.0, num_classes).astype(dtype) if draw(st.booleans()) else None
    options = {
        "weight": weight,
        "reduction": draw(st.sampled_from(["mean", "sum", "none"])),
        "label_smoothing": draw(st.sampled_from([0.0, 0.1, 1.0, 0.37])),
    }
    if not probs:
        options["ignore_index"] = ignore_index
    return logits, target, options, scale


def torch_options(torch, options):
    out = dict(options)
    if out["weight"] is not None:
        out["weight"] = torch.as_tensor(out["weight"])
    return out


# --- agreement with torch.nn.functional ---------------------------------------------------------


@SETTINGS
@given(class_problems())
def test_cross_entropy_with_class_indices_matches_torch(torch, problem):
    logits, target, options, scale = problem
    expected = torch.nn.functional.cross_entropy(
        torch.as_tensor(logits), torch.as_tensor(target), **torch_options(torch, options)
    )
    assert_close(X.cross_entropy(logits, target, **options), expected, logits.dtype, scale)


@SETTINGS
@given(class_problems(probs=True))
def test_cross_entropy_with_class_probabilities_matches_torch(torch, problem):
    logits, target, options, scale = problem
    expected = torch.nn.functional.cross_entropy(
        torch.as_tensor(logits), torch.as_tensor(target), **torch_options(torch, options)
    )
    assert_close(X.cross_entropy(logits, target, **options), expected, logits.dtype, scale)


@SETTINGS
@given(class_problems())
def test_nll_loss_matches_torch(torch, problem):
    logits, target, options, scale = problem
    del options["label_smoothing"]
    log_probs = X.log_softmax(logits, 0 if logits.ndim == 1 else 1)
    expected = torch.nn.functional.nll_loss(
        torch.as_tensor(log_probs), torch.as_tensor(target), **torch_options(torch, options)
    )
    assert_close(X.nll_loss(log_probs, target, **options), expected, logits.dtype, scale)


@SETTINGS
@given(
    DTYPES,
    SCALES,
    st.lists(st.integers(0, 4), max_size=3),
    st.integers(-3, 2),
    st.integers(0, 2**32 - 1),
)
def test_softmax_and_log_softmax_match_torch(torch, dtype, scale, shape, dim, seed):
    x = (np.random.default_rng(seed).standard_normal(shape) * scale).astype(dtype)
    dim = dim % max(x.ndim, 1)
    tx = torch.as_tensor(x)
    assert_close(X.softmax(x, dim), torch.nn.functional.softmax(tx, dim), dtype)
    assert_close(X.log_softmax(x, dim), torch.nn.functional.log_softmax(tx, dim), dtype, scale)


@st.composite
def binary_problems(draw):
    dtype, scale = draw(DTYPES), draw(SCALES)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    shape = tuple(draw(st.lists(st.integers(0, 4), min_size=0, max_size=3)))
    logits = (rng.standard_normal(shape) * scale).astype(dtype)
    target = rng.random(shape).astype(dtype)
    if draw(st.booleans()):  # hard 0/1 labels
        target = np.round(target)
    weight = None
    if draw(st.booleans()):  # a weight that broadcasts from the right
        weight = rng.uniform(0.1, 2, shape[len(shape) - draw(st.integers(0, len(shape))) :])
        weight = weight.astype(dtype)
    return logits, target, weight, draw(st.sampled_from(["mean", "sum", "none"])), scale


@SETTINGS
@given(binary_problems(), st.booleans())
def test_binary_cross_entropy_with_logits_matches_torch(torch, problem, use_pos_weight):
    logits, target, weight, reduction, scale = problem
    pos_weight = None
    if use_pos_weight and logits.ndim:
        pos_weight = np.linspace(0.5, 3, logits.shape[-1]).astype(logits.dtype)
    expected = torch.nn.functional.binary_cross_entropy_with_logits(
        torch.as_tensor(logits),
        torch.as_tensor(target),
        weight=None if weight is None else torch.as_tensor(weight),
        reduction=reduction,
        pos_weight=None if pos_weight is None else torch.as_tensor(pos_weight),
    )
    ours = X.binary_cross_entropy_with_logits(
        logits, target, weight=weight, reduction=reduction, pos_weight=pos_weight
    )
    assert_close(ours, expected, logits.dtype, scale)


@SETTINGS
@given(binary_problems())
def test_binary_cross_entropy_matches_torch(torch, problem):
    logits, target, weight, reduction, _ = problem
    # sigmoid of large logits is exactly 0 or 1: the -100 clamp is exercised
    probs = X.softmax(np.stack([logits, np.zeros_like(logits)]), 0)[0] if logits.size else logits
    probs = np.clip(probs, 0, 1)
    expected = torch.nn.functional.binary_cross_entropy(
        torch.as_tensor(probs),
        torch.as_tensor(target),
        weight=None if weight is None else torch.as_tensor(weight),
        reduction=reduction,
    )
    ours = X.binary_cross_entropy(probs, target, weight=weight, reduction=reduction)
    assert_close(ours, expected, probs.dtype, scale=100.0)


@SETTINGS
@given(
    DTYPES,
    st.sampled_from(["mean", "batchmean", "sum", "none"]),
    st.booleans(),
    st.lists(st.integers(0, 4), max_size=3),
    st.booleans(),
    st.integers(0, 2**32 - 1),
)
def test_kl_div_matches_torch(torch, dtype, reduction, log_target, shape, broadcast, seed):
    rng = np.random.default_rng(seed)
    # broadcast: input drops target's first dim, and 'batchmean' still divides by input.shape[0]
    log_q = np.log(rng.random(shape[1:] if broadcast else shape) + 1e-3).astype(dtype)
    p = rng.random(shape).astype(dtype)
    p[rng.random(shape) < 0.2] = 0  # 0 log 0 = 0
    target = np.log(p + 1e-3).astype(dtype) if log_target else p
    args = torch.as_tensor(log_q), torch.as_tensor(target)
    with warnings.catch_warnings():
        # 'mean' warns that it divides by the number of classes too; that is what we mirror
        warnings.filterwarnings("ignore", message="reduction: 'mean'", category=UserWarning)
        expected = torch.nn.functional.kl_div(*args, reduction=reduction, log_target=log_target)
    ours = X.kl_div(log_q, target, reduction=reduction, log_target=log_target)
    assert_close(ours, expected, dtype, scale=10.0)


def test_kl_div_mean_warns_in_torch(torch):
    # the reason 'batchmean' exists: 'mean' divides by N·C
    with pytest.warns(UserWarning, match="batchmean"):
        torch.nn.functional.kl_div(torch.zeros(2, 3), torch.full((2, 3), 1 / 3))


# --- torch's own reference implementations as independent oracles -------------------------------


def _torch_references():
    """The loss references from torch.testing._internal.common_nn, independent of F.* kernels."""
    from torch.testing._internal import common_nn  # needs the test-only package expecttest

    names = (
        "nllloss_reference",
        "nlllossNd_reference",
        "cross_entropy_loss_indices_target_reference",
        "cross_entropy_loss_prob_target_reference",
    )
    return {name: getattr(common_nn, name) for name in names}


@pytest.fixture(scope="module")
def references(torch):
    return _torch_references()


@settings(max_examples=40, deadline=None, derandomize=True)
@given(class_problems())
def test_class_index_losses_match_torch_references(torch, references, problem):
    logits, target, options, scale = problem
    if logits.ndim < 2 or logits.shape[0] == 0:
        return  # the references need a non-empty batch dimension
    logits = logits.astype(np.float64)
    topt = torch_options(torch, options)
    if topt["weight"] is not None:
        topt["weight"] = topt["weight"].double()
    tx, tt = torch.as_tensor(logits), torch.as_tensor(target)

    expected = references["cross_entropy_loss_indices_target_reference"](tx, tt, **topt)
    assert_close(X.cross_entropy(logits, target, **options), expected, np.float64, scale)

    del options["label_smoothing"], topt["label_smoothing"]
    log_probs = torch.log_softmax(tx, 1)
    nll_ref = references["nllloss_reference" if logits.ndim == 2 else "nlllossNd_reference"]
    expected = nll_ref(log_probs, tt, **topt)
    assert_close(X.nll_loss(log_probs.numpy(), target, **options), expected, np.float64, scale)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(class_problems(probs=True))
def test_probability_targets_match_torch_reference(torch, references, problem):
    logits, target, options, scale = problem
    topt = torch_options(torch, options)
    expected = references["cross_entropy_loss_prob_target_reference"](
        torch.as_tensor(logits), torch.as_tensor(target), **topt
    )
    assert_close(X.cross_entropy(logits, target, **options), expected, logits.dtype, scale)


# --- published numbers and the semantics the chapter explains -----------------------------------

SEED_001_LOGITS = np.array([[0.0500, -0.6461, 0.9130, -0.0553], [-0.3201, 1.5033, 0.2070, 1.8456]])
SEED_001_NLL_INPUT = np.array(
    [
        [0.1076, -1.4376, -0.6307, 0.6451, -1.5122],
        [1.5105, 0.7662, -1.7587, -1.4581, 1.1357],
        [-1.4673, -0.5111, -0.0779, -0.7404, 1.4447],
    ]
)


def test_published_seed_001_values():
    # printed to 4 decimals in the source, so agreement to 5e-5
    ce = X.cross_entropy(SEED_001_LOGITS.astype(np.float32), [0, 0])
    assert ce == pytest.approx(2.2152, abs=5e-5)
    log_probs = X.log_softmax(SEED_001_NLL_INPUT.astype(np.float32), dim=1)
    assert X.nll_loss(log_probs, [1, 0, 4]) == pytest.approx(1.3537, abs=5e-5)
    # NLLLoss on probabilities runs silently and returns a negative "loss"
    probs = X.softmax(SEED_001_NLL_INPUT.astype(np.float32), dim=1)
    assert X.nll_loss(probs, [1, 0, 4]) == pytest.approx(-0.3861, abs=5e-5)


def test_weighted_mean_divides_by_the_weights_of_the_targets():
    log_probs = np.log(np.array([[0.5, 0.5], [0.25, 0.75], [0.9, 0.1]]))
    weight = np.array([1.0, 3.0])
    target = np.array([0, 1, 1])
    losses = X.nll_loss(log_probs, target, weight=weight, reduction="none")
    np.testing.assert_allclose(losses, [np.log(2), 3 * np.log(4 / 3), 3 * np.log(10)])
    assert X.nll_loss(log_probs, target, weight=weight) == pytest.approx(losses.sum() / 7)
    assert X.nll_loss(log_probs, target, weight=weight) != pytest.approx(losses.mean())


def test_all_ignored_gives_nan_and_empty_batches_follow_torch():
    logits = np.zeros((3, 4), np.float32)
    assert np.isnan(X.cross_entropy(logits, [-100, -100, -100]))
    assert np.isnan(X.cross_entropy(logits, [-100] * 3, label_smoothing=0.1))
    assert X.cross_entropy(logits, [-100] * 3, reduction="sum") == 0
    assert np.isnan(X.cross_entropy(np.zeros((0, 4)), []))
    assert X.cross_entropy(np.zeros((0, 4)), [], reduction="sum") == 0
    assert X.cross_entropy(np.zeros((0, 4)), [], reduction="none").shape == (0,)
    assert np.isnan(X.kl_div(np.zeros((0, 3)), np.zeros((0, 3)), reduction="batchmean"))


def test_bce_clamps_the_log_at_minus_100():
    assert X.binary_cross_entropy(np.float32([0.0]), np.float32([1.0])) == 100
    assert X.binary_cross_entropy(np.float32([1.0]), np.float32([0.0])) == 100
    assert X.binary_cross_entropy(np.float64([0.0]), np.float64([0.0])) == 0


def test_float32_in_float32_out():
    x = np.zeros((2, 3), np.float32)
    assert X.cross_entropy(x, [0, 1]).dtype == np.float32
    assert X.cross_entropy(x, [0, 1], weight=np.ones(3), label_smoothing=0.1).dtype == np.float32
    assert X.binary_cross_entropy_with_logits(x, x, pos_weight=np.ones(3)).dtype == np.float32
    assert X.kl_div(x, x, reduction="none").dtype == np.float32


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_gradients_of_the_mirror_match_torch_autograd(torch, reduction):
    # the mirror returns values only; central differences of it must give torch's gradient
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((4, 3, 2))
    target = np.array([[0, 2], [1, -100], [2, 2], [0, 1]])
    weight = np.array([0.5, 2.0, 1.5])
    opts = {"weight": weight, "reduction": reduction, "label_smoothing": 0.2}
    tx = torch.as_tensor(logits).requires_grad_()
    torch.nn.functional.cross_entropy(
        tx, torch.as_tensor(target), **torch_options(torch, opts)
    ).backward()
    grad = xentlib.numerical_gradient(lambda v: X.cross_entropy(v, target, **opts), logits)
    np.testing.assert_allclose(grad, tx.grad.numpy(), atol=1e-8)

    z = rng.standard_normal((3, 4)) * 5
    y = rng.random((3, 4))
    pos_weight = np.array([1.0, 2.0, 0.5, 4.0])
    tz = torch.as_tensor(z).requires_grad_()
    torch.nn.functional.binary_cross_entropy_with_logits(
        tz, torch.as_tensor(y), reduction=reduction, pos_weight=torch.as_tensor(pos_weight)
    ).backward()
    grad = xentlib.numerical_gradient(
        lambda v: X.binary_cross_entropy_with_logits(
            v, y, reduction=reduction, pos_weight=pos_weight
        ),
        z,
    )
    np.testing.assert_allclose(grad, tz.grad.numpy(), atol=1e-8)


# --- bad input: one per argument, each naming the argument --------------------------------------

Z = np.zeros((2, 3))
T = np.array([0, 1])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        # cross_entropy / nll_loss
        (lambda: X.cross_entropy("logits", T), TypeError, "input must be a real-valued"),
        (lambda: X.cross_entropy(1.0, T), ValueError, "input must have a class axis"),
        (
            lambda: X.cross_entropy(np.zeros((2, 0)), T),
            ValueError,
            "input must have at least one class",
        ),
        (
            lambda: X.cross_entropy(Z, [0, 3]),
            IndexError,
            r"target holds 3.*\[0, 3\).*ignore_index=-100",
        ),
        (lambda: X.cross_entropy(Z, [0, -1]), IndexError, "target holds -1"),
        (lambda: X.cross_entropy(Z, [0, 1, 2]), ValueError, r"target must have shape \(2,\)"),
        (lambda: X.cross_entropy(Z, [0.0, 1.0]), TypeError, "target is floating point"),
        (lambda: X.cross_entropy(Z, Z.astype(int)), TypeError, "read as class probabilities"),
        (
            lambda: X.cross_entropy(Z, T, weight=[1, 2]),
            ValueError,
            r"weight must be a 1-D array with one entry per class \(3\)",
        ),
        (lambda: X.cross_entropy(Z, T, weight="w"), TypeError, "weight must be a real-valued"),
        (lambda: X.cross_entropy(Z, T, ignore_index=1.5), TypeError, "ignore_index must be an int"),
        (
            lambda: X.cross_entropy(Z, Z, ignore_index=0),
            ValueError,
            "ignore_index=0 cannot be used",
        ),
        (
            lambda: X.cross_entropy(Z, T, reduction="batchmean"),
            ValueError,
            "reduction must be one of",
        ),
        (
            lambda: X.cross_entropy(Z, T, label_smoothing=1.5),
            ValueError,
            r"label_smoothing must be in \[0, 1\]",
        ),
        (
            lambda: X.cross_entropy(Z, T, label_smoothing=-0.1),
            ValueError,
            r"label_smoothing must be in \[0, 1\]",
        ),
        (
            lambda: X.cross_entropy(Z, T, label_smoothing="0.1"),
            TypeError,
            "label_smoothing must be a real number",
        ),
        (lambda: X.nll_loss(Z, [0.5, 1.0]), TypeError, "target must hold integer class indices"),
        (lambda: X.nll_loss(Z, [True, False]), TypeError, "target must hold integer class indices"),
        (lambda: X.nll_loss(Z, T, reduction="avg"), ValueError, "reduction must be one of"),
        (lambda: X.nll_loss(Z, [5, 0], ignore_index=5.0), TypeError, "ignore_index must be an int"),
        # softmax / log_softmax
        (lambda: X.softmax(Z, 2), ValueError, "dim=2 is out of range"),
        (lambda: X.softmax(Z, None), TypeError, "dim must be an int"),
        (lambda: X.log_softmax(np.float64(1.0), 1), ValueError, "dim=1 is out of range"),
        (lambda: X.log_softmax(["a"], 0), TypeError, "input must be a real-valued"),
        # binary_cross_entropy
        (
            lambda: X.binary_cross_entropy([1.5], [1.0]),
            ValueError,
            r"input must hold probabilities in \[0, 1\]",
        ),
        (lambda: X.binary_cross_entropy([np.nan], [1.0]), ValueError, "input must not contain NaN"),
        (
            lambda: X.binary_cross_entropy([0.5], [2.0]),
            ValueError,
            r"target must hold probabilities in \[0, 1\]",
        ),
        (
            lambda: X.binary_cross_entropy([0.5], [1.0, 0.0]),
            ValueError,
            r"input and target must have the same shape, got \(1,\) and \(2,\)",
        ),
        (
            lambda: X.binary_cross_entropy([0.5, 0.5], [1.0, 0.0], weight=[1, 2, 3]),
            ValueError,
            "weight of shape",
        ),
        (
            lambda: X.binary_cross_entropy([0.5], [1.0], reduction=None),
            ValueError,
            "reduction must be one of",
        ),
        # binary_cross_entropy_with_logits
        (
            lambda: X.binary_cross_entropy_with_logits("x", Z),
            TypeError,
            "input must be a real-valued",
        ),
        (
            lambda: X.binary_cross_entropy_with_logits(Z, Z[0]),
            ValueError,
            "input and target must have the same shape",
        ),
        (
            lambda: X.binary_cross_entropy_with_logits(Z, "t"),
            TypeError,
            "target must be a real-valued",
        ),
        (
            lambda: X.binary_cross_entropy_with_logits(Z, Z, pos_weight=[1, 2]),
            ValueError,
            r"pos_weight of shape \(2,\) must broadcast",
        ),
        (
            lambda: X.binary_cross_entropy_with_logits(Z, Z, weight=np.ones((3, 2, 3))),
            ValueError,
            "weight of shape",
        ),
        (
            lambda: X.binary_cross_entropy_with_logits(Z, Z, reduction="MEAN"),
            ValueError,
            "reduction must be one of",
        ),
        # kl_div
        (lambda: X.kl_div(Z, np.zeros((3, 2))), ValueError, "must broadcast together"),
        (lambda: X.kl_div(Z, Z, reduction="batch"), ValueError, "reduction must be one of"),
        (lambda: X.kl_div(Z, Z, log_target="yes"), TypeError, "log_target must be True or False"),
        (lambda: X.kl_div("q", Z), TypeError, "input must be a real-valued"),
    ],
)
def test_bad_input_raises_naming_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_valid_edge_inputs_do_not_raise():
    assert X.softmax(np.float32(3.0), 0) == 1  # a scalar is one class, as in torch
    assert X.cross_entropy([1.0, 2.0, 3.0], np.int64(2)).shape == ()  # unbatched sample
    assert X.cross_entropy(Z, np.array([0, 1], dtype=np.uint8)) > 0
    assert X.cross_entropy(Z, [5, 0], ignore_index=5) > 0  # out-of-range target that is ignored
    assert X.kl_div(np.float64(-1.0), np.float64(0.5), reduction="batchmean") > 0
