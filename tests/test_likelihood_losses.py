"""xentlib.likelihood_losses against closed forms, torch.distributions and autograd.

The negative log-likelihoods are compared with minus ``log_prob`` of the matching distribution in
``torch.distributions``; the squared error through a sigmoid and its gradient with autograd; the
logistic-regression trainer with a step taken by hand.
"""

import math

import numpy as np
import pytest
from tolerances import DTYPES, assert_close

import xentlib
from xentlib.likelihood_losses import (
    fit_logistic_regression,
    gaussian_nll,
    laplace_nll,
    poisson_nll,
    sigmoid_squared_error,
    sigmoid_squared_error_grad,
)

FINITE_DIFFERENCES = 1e-8  # central differences in float64 on losses of order 1, with margin


def sample(dtype, shape=(3, 4), seed=0):
    rng = np.random.default_rng(seed)
    mean = rng.normal(size=shape).astype(dtype)
    target = rng.normal(size=shape).astype(dtype)
    positive = rng.uniform(0.5, 2.0, size=shape).astype(dtype)
    return mean, target, positive


# --- values against torch.distributions ---------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_gaussian_nll_is_minus_normal_log_prob(torch, dtype):
    mean, target, var = sample(dtype)
    normal = torch.distributions.Normal(torch.as_tensor(mean), torch.as_tensor(np.sqrt(var)))
    assert_close(gaussian_nll(mean, target, var), -normal.log_prob(torch.as_tensor(target)), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_gaussian_nll_with_unit_variance_is_half_squared_error_plus_a_constant(dtype):
    mean, target, _ = sample(dtype)
    expected = 0.5 * (target.astype(np.float64) - mean) ** 2 + math.log(math.sqrt(2 * math.pi))
    assert_close(gaussian_nll(mean, target), expected.astype(dtype), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_laplace_nll_is_minus_laplace_log_prob(torch, dtype):
    loc, target, scale = sample(dtype)
    laplace = torch.distributions.Laplace(torch.as_tensor(loc), torch.as_tensor(scale))
    assert_close(laplace_nll(loc, target, scale), -laplace.log_prob(torch.as_tensor(target)), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_laplace_nll_with_unit_scale_is_absolute_error_plus_log_2(dtype):
    loc, target, _ = sample(dtype)
    expected = np.abs(target.astype(np.float64) - loc) + math.log(2)
    assert_close(laplace_nll(loc, target), expected.astype(dtype), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_poisson_nll_is_minus_poisson_log_prob(torch, dtype):
    rng = np.random.default_rng(1)
    log_rate = rng.normal(size=(3, 5)).astype(dtype)
    counts = rng.poisson(4.0, size=(3, 5))
    counts[0, :3] = [0, 1, 40]
    poisson = torch.distributions.Poisson(torch.as_tensor(np.exp(log_rate)))
    expected = -poisson.log_prob(torch.as_tensor(counts.astype(dtype)))
    ours = poisson_nll(log_rate, counts)  # integer counts keep the log-rates' dtype
    assert_close(ours, expected, dtype, scale=float(np.abs(expected.numpy()).max()))


def test_poisson_nll_is_finite_for_large_log_rates_and_counts():
    losses = poisson_nll([-50.0, 0.0, 50.0], [0, 1000, 10**6])
    assert np.isfinite(losses).all()
    assert losses[0] == pytest.approx(math.exp(-50.0), rel=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_squared_error_and_its_gradient_match_autograd(torch, dtype):
    logits = np.array([-30.0, -5.0, -0.5, 0.0, 0.5, 5.0, 30.0], dtype=dtype)
    labels = np.array([1.0, 1.0, 0.0, 1.0, 0.3, 0.0, 0.0], dtype=dtype)
    # autograd in float64: torch's float32 sigmoid backward, sigma (1 - sigma), cancels for
    # large logits (it gives 0 at z = 30 where the derivative is 1.9e-13)
    z = torch.tensor(logits.astype(np.float64), requires_grad=True)
    loss = (torch.sigmoid(z) - torch.as_tensor(labels.astype(np.float64))) ** 2
    loss.sum().backward()
    assert_close(sigmoid_squared_error(logits, labels), loss.detach().numpy().astype(dtype), dtype)
    assert_close(sigmoid_squared_error_grad(logits, labels), z.grad.numpy().astype(dtype), dtype)


def test_sigmoid_squared_error_grad_matches_finite_differences():
    logits = np.array([-8.0, -1.0, 0.0, 2.0, 9.0])
    labels = np.array([1.0, 0.0, 1.0, 0.5, 1.0])
    numeric = xentlib.numerical_gradient(lambda z: sigmoid_squared_error(z, labels).sum(), logits)
    np.testing.assert_allclose(
        sigmoid_squared_error_grad(logits, labels), numeric, rtol=0, atol=FINITE_DIFFERENCES
    )


def test_gaussian_and_laplace_gradients_match_finite_differences():
    mean, target, var = sample(np.float64, shape=(5,), seed=3)
    d_mean = xentlib.numerical_gradient(lambda m: gaussian_nll(m, target, var).sum(), mean)
    d_var = xentlib.numerical_gradient(lambda v: gaussian_nll(mean, target, v).sum(), var)
    residual = target - mean
    np.testing.assert_allclose(d_mean, -residual / var, rtol=0, atol=FINITE_DIFFERENCES)
    expected_d_var = 0.5 / var - residual**2 / (2 * var**2)
    np.testing.assert_allclose(d_var, expected_d_var, rtol=0, atol=FINITE_DIFFERENCES)
    d_loc = xentlib.numerical_gradient(lambda m: laplace_nll(m, target, var).sum(), mean)
    np.testing.assert_allclose(d_loc, -np.sign(residual) / var, rtol=0, atol=FINITE_DIFFERENCES)


def test_poisson_gradient_is_rate_minus_count():
    log_rate = np.array([-2.0, 0.0, 1.5])
    counts = np.array([0, 3, 2])
    numeric = xentlib.numerical_gradient(lambda z: poisson_nll(z, counts).sum(), log_rate)
    np.testing.assert_allclose(numeric, np.exp(log_rate) - counts, rtol=0, atol=FINITE_DIFFERENCES)


def test_broadcasting_and_float32_dtypes():
    out = gaussian_nll(np.zeros((2, 3), np.float32), np.ones(3, np.float32), np.float32(2.0))
    assert out.shape == (2, 3) and out.dtype == np.float32
    assert laplace_nll(np.zeros(3, np.float32), [1, 2, 3]).dtype == np.float32  # scale 1.0
    assert laplace_nll(np.zeros(3, np.float32), [1, 2, 3], np.ones(3)).dtype == np.float64
    assert poisson_nll(np.zeros(3, np.float32), [1, 2, 3]).dtype == np.float32


# --- the trainer ---------------------------------------------------------------------------------


@pytest.mark.parametrize("loss", ["bce", "mse"])
def test_one_training_step_is_the_hand_computed_step(loss):
    rng = np.random.default_rng(2)
    features = rng.normal(size=(6, 3))
    labels = (rng.random(6) < 0.5).astype(float)
    weight, bias = rng.normal(size=3), 0.3
    before = weight.copy()
    fit = fit_logistic_regression(
        features, labels, weight, bias, loss=loss, learning_rate=0.1, steps=1
    )
    logits = features @ weight + bias
    probs = 1 / (1 + np.exp(-logits))
    g = probs - labels if loss == "bce" else 2 * (probs - labels) * probs * (1 - probs)
    g = g / 6
    assert_close(fit.weight, weight - 0.1 * features.T @ g, np.float64)
    assert fit.bias == pytest.approx(bias - 0.1 * g.sum(), rel=1e-12)
    assert len(fit.history["bce"]) == len(fit.history["mse"]) == len(fit.history["accuracy"]) == 2
    assert fit.history["bce"][0] == pytest.approx(
        float(xentlib.binary_cross_entropy_with_logits(logits, labels).mean()), rel=1e-12
    )
    assert fit.history["mse"][0] == pytest.approx(float(np.mean((probs - labels) ** 2)), rel=1e-12)
    assert fit.history["accuracy"][0] == float(np.mean((logits > 0) == (labels > 0.5)))
    np.testing.assert_array_equal(weight, before)  # the caller's array is not modified


def test_training_reduces_either_loss_on_a_separable_problem():
    rng = np.random.default_rng(4)
    features = rng.normal(size=(40, 2))
    labels = (features[:, 0] + 0.5 * features[:, 1] > 0).astype(float)
    for loss in ("bce", "mse"):
        fit = fit_logistic_regression(
            features, labels, np.zeros(2), 0.0, loss=loss, learning_rate=1.0, steps=50
        )
        assert fit.history[loss][-1] < fit.history[loss][0]
        assert fit.history["accuracy"][-1] > 0.9


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: gaussian_nll("a", [1.0]), TypeError, "mean must be a real-valued array"),
        (lambda: gaussian_nll([1.0], "a"), TypeError, "target must be a real-valued array"),
        (lambda: gaussian_nll([1.0], [1.0], [0.0]), ValueError, "var must be positive"),
        (lambda: gaussian_nll([1.0], [1.0], [np.nan]), ValueError, "var must not contain NaN"),
        (
            lambda: gaussian_nll([1.0, 2.0], [1.0, 2.0, 3.0]),
            ValueError,
            r"broadcast.*mean \(2,\), target \(3,\)",
        ),
        (lambda: laplace_nll([1.0], [1.0], -1.0), ValueError, "scale must be positive"),
        (lambda: laplace_nll(None, [1.0]), TypeError, "loc must be a real-valued array"),
        (lambda: poisson_nll([0.0], [1.5]), ValueError, "target must hold counts"),
        (lambda: poisson_nll([0.0], [-1]), ValueError, "target must hold counts"),
        (lambda: poisson_nll([np.nan], [1]), ValueError, "log_rate must not contain NaN"),
        (lambda: sigmoid_squared_error([0.0], [2.0]), ValueError, "labels must hold probabilit"),
        (lambda: sigmoid_squared_error_grad([np.nan], [1.0]), ValueError, "logits must not"),
        (lambda: sigmoid_squared_error("z", [1.0]), TypeError, "logits must be a real-valued"),
    ],
)
def test_bad_input_raises_naming_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


def _fit(**overrides):
    args = {
        "features": np.zeros((3, 2)),
        "labels": np.array([0.0, 1.0, 1.0]),
        "weight": np.zeros(2),
        "bias": 0.0,
        "loss": "bce",
        "learning_rate": 0.1,
        "steps": 2,
    }
    args.update(overrides)
    return fit_logistic_regression(
        args.pop("features"), args.pop("labels"), args.pop("weight"), args.pop("bias"), **args
    )


@pytest.mark.parametrize(
    ("overrides", "error", "message"),
    [
        ({"features": np.zeros(3)}, ValueError, "features must have shape"),
        ({"features": np.zeros((0, 2))}, ValueError, "features must have shape"),
        ({"labels": np.zeros(4)}, ValueError, r"labels must have shape \(3,\)"),
        ({"labels": np.array([0.0, 2.0, 1.0])}, ValueError, "labels must hold probabilities"),
        ({"weight": np.zeros(3)}, ValueError, r"weight must have shape \(2,\)"),
        ({"bias": "0"}, TypeError, "bias must be a real number"),
        ({"loss": "l1"}, ValueError, "loss must be one of"),
        ({"learning_rate": 0.0}, ValueError, "learning_rate must be greater than 0"),
        ({"steps": 1.5}, TypeError, "steps must be an int"),
        ({"steps": -1}, ValueError, "steps must be at least 0"),
    ],
)
def test_trainer_bad_input_raises_naming_the_argument(overrides, error, message):
    with pytest.raises(error, match=message):
        _fit(**overrides)
