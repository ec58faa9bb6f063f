"""xentlib.torch_api.gaussian_nll_loss and poisson_nll_loss against torch.nn.functional.

Values in float32 and float64 for every shape ``var`` may take, both settings of ``full`` and
``log_input``, and every reduction; gradients by central differences against autograd; the bad
inputs PyTorch rejects, rejected here with errors that name the argument.
"""

import numpy as np
import pytest
from tolerances import DTYPES, MIRROR, assert_close

import xentlib
from xentlib import torch_api as X

REDUCTIONS = ["mean", "sum", "none"]
FINITE_DIFFERENCES = 1e-8  # central differences in float64 on losses of order 1, with margin
INPUT_SHAPE = (4, 3)
VAR_SHAPES = {
    "same shape": (4, 3),
    "one per row": (4,),  # input's shape without its last dimension
    "column": (4, 1),  # one dimension of size 1
    "row": (1, 3),
    "number": None,
}


def gaussian_problem(dtype, var_shape, seed=0, zeros=False):
    rng = np.random.default_rng(seed)
    input = rng.normal(size=INPUT_SHAPE).astype(dtype)
    target = rng.normal(size=INPUT_SHAPE).astype(dtype)
    if var_shape is None:
        var = 1.7
    else:
        var = rng.uniform(0.2, 2.0, size=var_shape).astype(dtype)
        if zeros:
            var.flat[0] = 0.0  # clamped at eps
            var.flat[-1] = 1e-9
    return input, target, var


def torch_var(torch, var):
    return var if isinstance(var, float) else torch.as_tensor(var)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("var_kind", list(VAR_SHAPES))
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gaussian_nll_loss_matches_torch(torch, dtype, var_kind, full, reduction):
    input, target, var = gaussian_problem(dtype, VAR_SHAPES[var_kind])
    expected = torch.nn.functional.gaussian_nll_loss(
        torch.as_tensor(input),
        torch.as_tensor(target),
        torch_var(torch, var),
        full,
        1e-6,
        reduction,
    )
    ours = X.gaussian_nll_loss(input, target, var, full=full, reduction=reduction)
    assert_close(ours, expected, dtype, level=MIRROR)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("eps", [1e-6, 1e-3, 0.5])
def test_gaussian_nll_loss_clamps_var_at_eps_like_torch(torch, dtype, eps):
    input, target, var = gaussian_problem(dtype, (4, 3), seed=1, zeros=True)
    expected = torch.nn.functional.gaussian_nll_loss(
        torch.as_tensor(input), torch.as_tensor(target), torch.as_tensor(var), eps=eps
    )
    scale = float(np.max((input - target) ** 2) / eps)  # the clamped terms dominate
    ours = X.gaussian_nll_loss(input, target, var, eps=eps)
    assert_close(ours, expected, dtype, level=MIRROR, scale=scale)


def test_gaussian_nll_loss_eps_is_a_floor_not_an_addend():
    losses = X.gaussian_nll_loss([0.0, 0.0], [1.0, 1.0], [0.5, 0.0], eps=1e-2, reduction="none")
    np.testing.assert_allclose(losses, 0.5 * np.log([0.5, 1e-2]) + 0.5 / np.array([0.5, 1e-2]))


@pytest.mark.parametrize("dtype", DTYPES)
def test_gaussian_nll_loss_three_dimensional_input_and_broadcast_target(torch, dtype):
    rng = np.random.default_rng(2)
    input = rng.normal(size=(2, 3, 5)).astype(dtype)
    target = rng.normal(size=(3, 5)).astype(dtype)  # broadcast against input
    for var_shape in [(2, 3, 5), (2, 3), (2, 1, 5), (2, 3, 1)]:
        var = rng.uniform(0.5, 1.5, size=var_shape).astype(dtype)
        expected = torch.nn.functional.gaussian_nll_loss(
            torch.as_tensor(input), torch.as_tensor(target), torch.as_tensor(var), reduction="none"
        )
        ours = X.gaussian_nll_loss(input, target, var, reduction="none")
        assert_close(ours, expected, dtype, level=MIRROR)


def test_gaussian_nll_loss_dtype_follows_torch_promotion(torch):
    input = np.zeros(3, np.float32)
    cases = [
        (np.arange(3), 2.0),  # integer target, number var: input's dtype
        (np.ones(3, np.float32), np.ones(3)),  # a float64 var with dimensions promotes
    ]
    for target, var in cases:
        expected = torch.nn.functional.gaussian_nll_loss(
            torch.as_tensor(input), torch.as_tensor(target), torch_var(torch, var)
        )
        assert X.gaussian_nll_loss(input, target, var).dtype == expected.numpy().dtype


def test_gaussian_nll_loss_gradients_match_autograd(torch):
    input, target, var = gaussian_problem(np.float64, (4, 3), seed=3)
    tin = torch.tensor(input, requires_grad=True)
    tvar = torch.tensor(var, requires_grad=True)
    torch.nn.functional.gaussian_nll_loss(tin, torch.as_tensor(target), tvar, full=True).backward()
    d_input = xentlib.numerical_gradient(lambda x: X.gaussian_nll_loss(x, target, var), input)
    d_var = xentlib.numerical_gradient(lambda v: X.gaussian_nll_loss(input, target, v), var)
    np.testing.assert_allclose(d_input, tin.grad.numpy(), rtol=0, atol=FINITE_DIFFERENCES)
    np.testing.assert_allclose(d_var, tvar.grad.numpy(), rtol=0, atol=FINITE_DIFFERENCES)


@pytest.mark.parametrize("function", ["gaussian", "poisson"])
def test_empty_input_gives_nan_mean_and_zero_sum(torch, function):
    empty = np.zeros((0, 3))
    if function == "gaussian":
        ours = {r: X.gaussian_nll_loss(empty, empty, empty, reduction=r) for r in REDUCTIONS}
        theirs = {
            r: torch.nn.functional.gaussian_nll_loss(
                *(torch.as_tensor(empty) for _ in range(3)), reduction=r
            )
            for r in REDUCTIONS
        }
    else:
        ours = {r: X.poisson_nll_loss(empty, empty, reduction=r) for r in REDUCTIONS}
        theirs = {
            r: torch.nn.functional.poisson_nll_loss(
                torch.as_tensor(empty), torch.as_tensor(empty), reduction=r
            )
            for r in REDUCTIONS
        }
    for r in REDUCTIONS:
        assert_close(ours[r], theirs[r], np.float64, level=MIRROR)
    assert np.isnan(ours["mean"]) and ours["sum"] == 0


def poisson_problem(dtype, log_input, seed=0):
    rng = np.random.default_rng(seed)
    input = rng.normal(size=(5, 4)).astype(dtype)
    if not log_input:
        input = np.exp(input)  # rates
    target = rng.poisson(3.0, size=(5, 4)).astype(dtype)
    target[0] = [0.0, 1.0, 1.5, 60.0]  # 0 and 1 (no Stirling term), a non-integer, a large count
    return input, target


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("log_input", [True, False])
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_poisson_nll_loss_matches_torch(torch, dtype, log_input, full, reduction):
    input, target = poisson_problem(dtype, log_input)
    expected = torch.nn.functional.poisson_nll_loss(
        torch.as_tensor(input),
        torch.as_tensor(target),
        log_input=log_input,
        full=full,
        reduction=reduction,
    )
    ours = X.poisson_nll_loss(input, target, log_input=log_input, full=full, reduction=reduction)
    # y log x and the Stirling term of a count of 60 are near 250: relative to that size
    assert_close(ours, expected, dtype, level=MIRROR, scale=300.0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("integer_target", [False, True])
def test_poisson_nll_loss_eps_integer_target_and_broadcasting(torch, dtype, integer_target):
    rates = np.array([[0.0, 1e-9, 2.0]], dtype=dtype)
    counts = np.array([[0], [3]])  # broadcast to (2, 3)
    counts = counts if integer_target else counts.astype(dtype)
    # with an integer target PyTorch works the Stirling term in float32 (its default dtype) even
    # for float64 input; xentlib works it in the input's dtype, so float64 agrees to float32's 1e-5
    level = MIRROR if not integer_target else {dtype: MIRROR[np.float32]}
    for eps in [1e-8, 1e-3, 0.0]:
        expected = torch.nn.functional.poisson_nll_loss(
            torch.as_tensor(rates),
            torch.as_tensor(counts),
            log_input=False,
            full=True,
            eps=eps,
            reduction="none",
        )
        ours = X.poisson_nll_loss(
            rates, counts, log_input=False, full=True, eps=eps, reduction="none"
        )
        assert_close(ours, expected, dtype, level=level, scale=30.0)


def test_poisson_nll_loss_gradient_matches_autograd(torch):
    for log_input in (True, False):
        input, target = poisson_problem(np.float64, log_input, seed=4)
        tin = torch.tensor(input, requires_grad=True)
        torch.nn.functional.poisson_nll_loss(
            tin, torch.as_tensor(target), log_input=log_input, full=True
        ).backward()
        numeric = xentlib.numerical_gradient(
            lambda x, log_input=log_input, target=target: X.poisson_nll_loss(
                x, target, log_input=log_input, full=True
            ),
            input,
        )
        np.testing.assert_allclose(numeric, tin.grad.numpy(), rtol=0, atol=FINITE_DIFFERENCES)


# --- bad input ----------------------------------------------------------------------------------

ONES = np.ones(INPUT_SHAPE)


@pytest.mark.parametrize(
    ("kwargs", "error", "message", "torch_rejects"),
    [
        ({"var": -ONES}, ValueError, "var must be non-negative, got a minimum of -1", True),
        ({"var": -1.0}, ValueError, "var must be non-negative", True),
        ({"var": np.ones((1, 1))}, ValueError, r"var must have input's shape .*got \(1, 1\)", True),
        ({"var": np.ones(3)}, ValueError, r"var must have input's shape .*got \(3,\)", True),
        ({"var": np.ones((4, 3, 1))}, ValueError, "var must have input's shape", True),
        ({"var": "1"}, TypeError, "var must be a real-valued array", False),
        ({"input": "x"}, TypeError, "input must be a real-valued array", False),
        ({"target": [[1 + 2j]]}, TypeError, "target must be a real-valued array", False),
        ({"target": np.ones((2, 3))}, ValueError, r"input of shape \(4, 3\) and target", True),
        ({"full": 1}, TypeError, "full must be True or False", False),
        ({"eps": -1e-6}, ValueError, "eps must be at least 0", False),
        ({"eps": "1e-6"}, TypeError, "eps must be a real number", False),
        ({"reduction": "batchmean"}, ValueError, "reduction must be one of", True),
    ],
)
def test_gaussian_nll_loss_bad_input(torch, kwargs, error, message, torch_rejects):
    args = {"input": ONES, "target": ONES, "var": ONES} | kwargs
    with pytest.raises(error, match=message):
        X.gaussian_nll_loss(**args)
    if torch_rejects:  # PyTorch refuses the same input (with a message that names less)
        targs = {k: torch.as_tensor(v) if isinstance(v, np.ndarray) else v for k, v in args.items()}
        with pytest.raises((ValueError, RuntimeError)):
            torch.nn.functional.gaussian_nll_loss(**targs)


@pytest.mark.parametrize(
    ("kwargs", "error", "message", "torch_rejects"),
    [
        ({"input": None}, TypeError, "input must be a real-valued array", False),
        ({"target": "3"}, TypeError, "target must be a real-valued array", False),
        ({"target": np.ones((2, 3))}, ValueError, r"input of shape \(4, 3\) and target", True),
        ({"log_input": "yes"}, TypeError, "log_input must be True or False", False),
        ({"full": None}, TypeError, "full must be True or False", False),
        ({"eps": -1.0}, ValueError, "eps must be at least 0", False),
        ({"eps": None}, TypeError, "eps must be a real number", False),
        ({"reduction": "avg"}, ValueError, "reduction must be one of", True),
    ],
)
def test_poisson_nll_loss_bad_input(torch, kwargs, error, message, torch_rejects):
    args = {"input": ONES, "target": ONES} | kwargs
    with pytest.raises(error, match=message):
        X.poisson_nll_loss(**args)
    if torch_rejects:
        targs = {k: torch.as_tensor(v) if isinstance(v, np.ndarray) else v for k, v in args.items()}
        with pytest.raises((ValueError, RuntimeError)):
            torch.nn.functional.poisson_nll_loss(**targs)
