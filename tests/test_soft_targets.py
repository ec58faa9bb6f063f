"""xentlib.soft_targets against PyTorch (values and gradients, float32 and float64), closed forms,
and its errors."""

import numpy as np
import pytest
from tolerances import DTYPES, assert_close

import xentlib


def _logits(rng, shape, dtype, scale=3.0):
    return (scale * rng.standard_normal(shape)).astype(dtype)


# label smoothing, the convention with alpha / (C - 1) on the wrong classes only


def test_other_classes_smoothing_of_one_hot_labels():
    labels = xentlib.one_hot([2, 0], 4)
    got = xentlib.smooth_labels_other_classes(labels, 0.3)
    expected = [[0.1, 0.1, 0.7, 0.1], [0.7, 0.1, 0.1, 0.1]]
    np.testing.assert_allclose(got, expected, rtol=1e-15)
    assert xentlib.smooth_labels_other_classes(labels, 0.0).tolist() == labels.tolist()


@pytest.mark.parametrize("dtype", DTYPES)
def test_other_classes_smoothing_keeps_dtype_and_sums_to_one(dtype):
    labels = np.random.default_rng(0).dirichlet(np.ones(5), size=3).astype(dtype)
    got = xentlib.smooth_labels_other_classes(labels, 0.2)
    assert got.dtype == dtype
    assert_close(got.sum(axis=-1), np.ones(3, dtype), dtype)


def test_the_two_conventions_are_one_family():
    # alpha on the wrong classes only is alpha * C / (C - 1) spread over every class
    labels, alpha, num_classes = xentlib.one_hot([1, 3, 0], 5), 0.2, 5
    other = xentlib.smooth_labels_other_classes(labels, alpha)
    uniform = xentlib.smooth_labels(labels, alpha * num_classes / (num_classes - 1))
    np.testing.assert_allclose(other, uniform, rtol=1e-15)


@pytest.mark.parametrize("dtype", DTYPES)
def test_other_classes_smoothing_matches_fairseqs_formula_in_torch(torch, dtype):
    # fairseq's label_smoothed_nll_loss: (1 - eps - eps_i) * nll + eps_i * sum(-log p), eps_i =
    # eps / (C - 1), written here in torch as the reference
    rng = np.random.default_rng(1)
    logits, targets, eps = _logits(rng, (6, 7), dtype), rng.integers(0, 7, 6), 0.1
    log_probs = torch.log_softmax(torch.from_numpy(logits), dim=-1)
    nll = -log_probs.gather(-1, torch.from_numpy(targets)[:, None]).squeeze(-1)
    eps_i = eps / 6
    expected = (1 - eps - eps_i) * nll + eps_i * (-log_probs.sum(-1))
    labels = xentlib.smooth_labels_other_classes(xentlib.one_hot(targets, 7).astype(dtype), eps)
    got = xentlib.cross_entropy_with_logits(logits, labels)
    assert_close(got, expected, dtype, scale=3.0)


def test_other_classes_smoothing_bad_input():
    with pytest.raises(TypeError, match="labels"):
        xentlib.smooth_labels_other_classes("abc", 0.1)
    with pytest.raises(ValueError, match="labels must have at least 2 classes"):
        xentlib.smooth_labels_other_classes([[1.0]], 0.1)
    with pytest.raises(ValueError, match="label_smoothing"):
        xentlib.smooth_labels_other_classes([0.0, 1.0], 1.5)
    with pytest.raises(TypeError, match="label_smoothing"):
        xentlib.smooth_labels_other_classes([0.0, 1.0], "0.1")


# knowledge distillation


def _torch_distillation(torch, student, teacher, temperature):
    s, t = torch.from_numpy(student), torch.from_numpy(teacher)
    kl = torch.nn.functional.kl_div(
        torch.log_softmax(s / temperature, dim=-1),
        torch.softmax(t / temperature, dim=-1),
        reduction="batchmean",
    )
    return kl * temperature**2


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("temperature", [0.5, 1.0, 2.0, 5.0])
def test_distillation_loss_matches_torch_kl_div_batchmean(torch, dtype, temperature):
    rng = np.random.default_rng(2)
    student, teacher = _logits(rng, (8, 10), dtype), _logits(rng, (8, 10), dtype)
    got = xentlib.distillation_loss(student, teacher, temperature)
    expected = _torch_distillation(torch, student, teacher, temperature)
    assert_close(got, expected, dtype)


def test_distillation_loss_gradient_matches_torch_autograd(torch):
    rng = np.random.default_rng(3)
    student, teacher, temperature = (
        _logits(rng, (4, 6), np.float64),
        _logits(rng, (4, 6), np.float64),
        3.0,
    )
    s = torch.from_numpy(student).requires_grad_(True)
    kl = torch.nn.functional.kl_div(
        torch.log_softmax(s / temperature, dim=-1),
        torch.softmax(torch.from_numpy(teacher) / temperature, dim=-1),
        reduction="batchmean",
    )
    (kl * temperature**2).backward()
    grad = xentlib.numerical_gradient(
        lambda z: xentlib.distillation_loss(z, teacher, temperature), student
    )
    np.testing.assert_allclose(grad, s.grad.numpy(), rtol=1e-7, atol=1e-9)
    # the closed form T (q - p) / N, with q and p the softened student and teacher
    closed = (
        temperature
        * (xentlib.softmax(student / temperature) - xentlib.softmax(teacher / temperature))
        / len(student)
    )
    assert_close(s.grad.numpy(), closed, np.float64)


def test_distillation_is_cross_entropy_to_soft_targets_minus_their_entropy():
    rng = np.random.default_rng(4)
    student, teacher, temperature = (
        _logits(rng, (5, 4), np.float64),
        _logits(rng, (5, 4), np.float64),
        2.0,
    )
    soft = xentlib.softmax(teacher / temperature)
    cross = xentlib.softmax_cross_entropy(student / temperature, soft)
    entropy = xentlib.entropy(soft).mean()
    expected = temperature**2 * (cross - entropy)
    assert_close(xentlib.distillation_loss(student, teacher, temperature), expected, np.float64)


def test_distillation_loss_is_zero_for_a_perfect_student():
    teacher = _logits(np.random.default_rng(5), (3, 5), np.float32)
    got = xentlib.distillation_loss(teacher, teacher, 2.0)
    assert got == 0.0 and not np.signbit(got)


def test_distillation_loss_bad_input():
    good = np.zeros((2, 3))
    with pytest.raises(TypeError, match="student_logits"):
        xentlib.distillation_loss("abc", good)
    with pytest.raises(ValueError, match="student_logits must be a 2-D array"):
        xentlib.distillation_loss(np.zeros(3), good)
    with pytest.raises(ValueError, match="student_logits must not contain NaN"):
        xentlib.distillation_loss([[0.0, np.nan, 1.0], [0.0, 0.0, 0.0]], good)
    with pytest.raises(ValueError, match="teacher_logits must not contain \\+inf"):
        xentlib.distillation_loss(good, [[0.0, np.inf, 1.0], [0.0, 0.0, 0.0]])
    with pytest.raises(ValueError, match="student_logits and teacher_logits must have the same"):
        xentlib.distillation_loss(good, np.zeros((2, 4)))
    for bad in (0.0, -1.0, np.inf, np.nan):
        with pytest.raises(ValueError, match="temperature must be in"):
            xentlib.distillation_loss(good, good, bad)
    with pytest.raises(TypeError, match="temperature"):
        xentlib.distillation_loss(good, good, "2")


# InfoNCE


def _torch_info_nce(torch, queries, keys, temperature):
    logits = torch.from_numpy(queries) @ torch.from_numpy(keys).T / temperature
    return torch.nn.functional.cross_entropy(logits, torch.arange(len(queries)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("num_keys", [8, 12])
def test_info_nce_matches_torch_cross_entropy(torch, dtype, num_keys):
    rng = np.random.default_rng(6)
    queries = rng.standard_normal((8, 5)).astype(dtype)
    keys = rng.standard_normal((num_keys, 5)).astype(dtype)
    for temperature in (0.1, 1.0):
        got = xentlib.info_nce(queries, keys, temperature)
        assert_close(got, _torch_info_nce(torch, queries, keys, temperature), dtype, scale=50.0)


def test_info_nce_gradients_match_torch_autograd(torch):
    rng = np.random.default_rng(7)
    queries, keys = rng.standard_normal((4, 3)), rng.standard_normal((6, 3))
    q = torch.from_numpy(queries).requires_grad_(True)
    k = torch.from_numpy(keys).requires_grad_(True)
    torch.nn.functional.cross_entropy(q @ k.T / 0.5, torch.arange(4)).backward()
    grad_q = xentlib.numerical_gradient(lambda x: xentlib.info_nce(x, keys, 0.5), queries)
    grad_k = xentlib.numerical_gradient(lambda x: xentlib.info_nce(queries, x, 0.5), keys)
    np.testing.assert_allclose(grad_q, q.grad.numpy(), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(grad_k, k.grad.numpy(), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("batch", [2, 16, 256])
def test_info_nce_at_chance_is_log_of_the_number_of_keys(batch):
    queries = np.zeros((batch, 4))  # every logit 0: no key preferred
    keys = np.random.default_rng(8).standard_normal((batch, 4))
    assert_close(xentlib.info_nce(queries, keys), np.log(batch), np.float64)


def test_info_nce_bad_input():
    good = np.ones((3, 2))
    with pytest.raises(TypeError, match="queries"):
        xentlib.info_nce("abc", good)
    with pytest.raises(ValueError, match="queries must be a 2-D array"):
        xentlib.info_nce(np.ones(2), good)
    with pytest.raises(ValueError, match="keys must be finite"):
        xentlib.info_nce(good, [[1.0, np.inf]] * 3)
    with pytest.raises(ValueError, match="queries must be finite"):
        xentlib.info_nce([[1.0, np.nan]] * 3, good)
    with pytest.raises(ValueError, match="same embedding size"):
        xentlib.info_nce(good, np.ones((3, 3)))
    with pytest.raises(ValueError, match="keys must have at least as many rows as queries"):
        xentlib.info_nce(good, np.ones((2, 2)))
    with pytest.raises(ValueError, match="temperature must be in"):
        xentlib.info_nce(good, good, 0)
    with pytest.raises(TypeError, match="temperature"):
        xentlib.info_nce(good, good, None)


# CLIP


def _torch_clip(torch, images, texts, temperature):
    normalize = torch.nn.functional.normalize
    logits = normalize(images, dim=1) @ normalize(texts, dim=1).T / temperature
    targets = torch.arange(len(images))
    ce = torch.nn.functional.cross_entropy
    return (ce(logits, targets) + ce(logits.T, targets)) / 2


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("temperature", [0.07, 1.0])
def test_clip_loss_matches_torch(torch, dtype, temperature):
    rng = np.random.default_rng(9)
    images = rng.standard_normal((16, 8)).astype(dtype)
    texts = (images + rng.standard_normal((16, 8))).astype(dtype)  # related pairs
    got = xentlib.clip_loss(images, texts, temperature)
    expected = _torch_clip(torch, torch.from_numpy(images), torch.from_numpy(texts), temperature)
    assert_close(got, expected, dtype, scale=1 / temperature)


def test_clip_loss_gradients_match_torch_autograd(torch):
    rng = np.random.default_rng(10)
    images, texts = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    i = torch.from_numpy(images).requires_grad_(True)
    t = torch.from_numpy(texts).requires_grad_(True)
    _torch_clip(torch, i, t, 0.2).backward()
    grad_i = xentlib.numerical_gradient(lambda x: xentlib.clip_loss(x, texts, 0.2), images)
    grad_t = xentlib.numerical_gradient(lambda x: xentlib.clip_loss(images, x, 0.2), texts)
    np.testing.assert_allclose(grad_i, i.grad.numpy(), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(grad_t, t.grad.numpy(), rtol=1e-6, atol=1e-8)


def test_clip_loss_is_symmetric_and_scale_free():
    rng = np.random.default_rng(11)
    images, texts = rng.standard_normal((6, 4)), rng.standard_normal((6, 4))
    loss = xentlib.clip_loss(images, texts, 0.1)
    assert_close(xentlib.clip_loss(texts, images, 0.1), loss, np.float64)
    assert_close(xentlib.clip_loss(1e200 * images, 1e-200 * texts, 0.1), loss, np.float64)


def test_clip_loss_at_chance_is_log_batch():
    images = np.tile([1.0, 2.0, 3.0], (32, 1))  # one direction for all: every similarity equal
    texts = np.random.default_rng(12).standard_normal((1, 3)).repeat(32, axis=0)
    assert_close(xentlib.clip_loss(images, texts, 0.07), np.log(32), np.float64, scale=1 / 0.07)


def test_clip_loss_bad_input():
    good = np.ones((3, 2))
    with pytest.raises(TypeError, match="image_embeds"):
        xentlib.clip_loss("abc", good, 1.0)
    with pytest.raises(ValueError, match="text_embeds must be a 2-D array"):
        xentlib.clip_loss(good, np.ones((3, 2, 1)), 1.0)
    with pytest.raises(ValueError, match="image_embeds and text_embeds must have the same shape"):
        xentlib.clip_loss(good, np.ones((4, 2)), 1.0)
    with pytest.raises(ValueError, match="text_embeds must be finite"):
        xentlib.clip_loss(good, [[1.0, np.nan]] * 3, 1.0)
    with pytest.raises(ValueError, match="image_embeds has a row of zeros"):
        xentlib.clip_loss([[1.0, 1.0], [0.0, 0.0], [1.0, 2.0]], good, 1.0)
    with pytest.raises(ValueError, match="temperature must be in"):
        xentlib.clip_loss(good, good, -0.07)
    with pytest.raises(TypeError, match="temperature"):
        xentlib.clip_loss(good, good, [0.07])
