"""xentlib.tf_api.sampled_softmax_loss against tf.nn.sampled_softmax_loss, for the same sample."""

import numpy as np
import pytest
from tolerances import CORE, DTYPES, assert_close

from xentlib import tf_api

V, D, B, S = 50, 6, 7, 12


def problem(tf, dtype, num_true, seed, unique=True, sampler="log_uniform"):
    """Weights, biases, labels, inputs and a TensorFlow sample for them, ``dtype`` throughout."""
    rng = np.random.default_rng(seed)
    weights = rng.standard_normal((V, D)).astype(dtype)
    biases = rng.standard_normal(V).astype(dtype)
    inputs = rng.standard_normal((B, D)).astype(dtype)
    # distinct labels per row, small ids so the log-uniform sampler hits them often
    labels = np.stack([rng.choice(8, size=num_true, replace=False) for _ in range(B)])
    draw = getattr(tf.random, f"{sampler}_candidate_sampler")
    sampled, true_count, sampled_count = draw(
        true_classes=labels, num_true=num_true, num_sampled=S, unique=unique, range_max=V, seed=seed
    )
    # TensorFlow's sampler returns float32 counts; its float64 loss needs them in float64
    true_count = tf.cast(true_count, dtype)
    sampled_count = tf.cast(sampled_count, dtype)
    return weights, biases, labels, inputs, (sampled, true_count, sampled_count)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("num_true", [1, 2])
@pytest.mark.parametrize("remove_accidental_hits", [True, False])
@pytest.mark.parametrize("sampler", ["log_uniform", "uniform"])
def test_matches_tensorflow(tf_keras, dtype, num_true, remove_accidental_hits, sampler):
    tf, _ = tf_keras
    seed = 4 if sampler == "log_uniform" else 5  # seeds whose samples hold some true classes
    weights, biases, labels, inputs, values = problem(tf, dtype, num_true, seed, sampler=sampler)
    hits = np.isin(labels, values[0].numpy()).any()
    assert hits  # the sample contains some true classes, so accidental hits are exercised
    expected = tf.nn.sampled_softmax_loss(
        weights, biases, labels, inputs, S, V, num_true=num_true, sampled_values=values,
        remove_accidental_hits=remove_accidental_hits,
    )  # fmt: skip
    mine = tf_api.sampled_softmax_loss(
        weights, biases, labels, inputs, S, V, num_true=num_true,
        sampled_values=tuple(v.numpy() for v in values),
        remove_accidental_hits=remove_accidental_hits,
    )  # fmt: skip
    assert_close(mine, expected, dtype, level=CORE)


def test_sample_with_replacement_and_one_dimensional_labels(tf_keras):
    tf, _ = tf_keras
    weights, biases, labels, inputs, values = problem(tf, np.float64, 1, seed=9, unique=False)
    # class 3 is sampled three times and is the label of two rows: TensorFlow removes only the
    # last of the three copies from their normalisers
    assert np.count_nonzero(values[0].numpy() == 3) == 3 and np.count_nonzero(labels == 3) == 2
    expected = tf.nn.sampled_softmax_loss(
        weights, biases, labels, inputs, S, V, sampled_values=values
    )
    values = tuple(v.numpy() for v in values)
    mine = tf_api.sampled_softmax_loss(
        weights, biases, labels[:, 0], inputs, S, V, sampled_values=values
    )
    assert_close(mine, expected, np.float64, level=CORE)


def test_accidental_hit_removal_is_what_changes_the_loss(tf_keras):
    tf, _ = tf_keras
    weights, biases, labels, inputs, values = problem(tf, np.float64, 1, seed=4)
    values = tuple(v.numpy() for v in values)
    kept = tf_api.sampled_softmax_loss(weights, biases, labels, inputs, S, V, sampled_values=values,
                                       remove_accidental_hits=False)  # fmt: skip
    removed = tf_api.sampled_softmax_loss(
        weights, biases, labels, inputs, S, V, sampled_values=values
    )
    hit = np.isin(labels[:, 0], values[0])
    assert hit.any() and not hit.all()
    # a sampled copy of the label adds to the normaliser, so removing it lowers the loss
    assert np.all(removed[hit] < kept[hit])
    np.testing.assert_array_equal(removed[~hit], kept[~hit])


def test_full_sample_without_correction_is_the_full_softmax():
    # every class sampled once with expected count 1: log Q = 0 and, with hits removed, the
    # normaliser is the full softmax's
    rng = np.random.default_rng(0)
    weights, biases = rng.standard_normal((V, D)), rng.standard_normal(V)
    inputs, labels = rng.standard_normal((B, D)), rng.integers(0, V, size=(B, 1))
    values = (np.arange(V), np.ones((B, 1)), np.ones(V))
    mine = tf_api.sampled_softmax_loss(weights, biases, labels, inputs, V, V, sampled_values=values)
    full = tf_api.sparse_softmax_cross_entropy_with_logits(
        labels[:, 0], inputs @ weights.T + biases
    )
    assert_close(mine, full, np.float64)


def good_args():
    rng = np.random.default_rng(1)
    return dict(
        weights=rng.standard_normal((V, D)),
        biases=np.zeros(V),
        labels=np.zeros((B, 1), dtype=int),
        inputs=rng.standard_normal((B, D)),
        num_sampled=S,
        num_classes=V,
        sampled_values=(np.arange(S), np.ones((B, 1)), np.ones(S)),
    )


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (dict(sampled_values=None), ValueError, "sampled_values is required.*cannot replay"),
        (dict(sampled_values=(np.arange(S),)), ValueError, "sampled_values must be a triple"),
        (dict(weights=np.ones((V, D + 1))), ValueError, "weights must have shape"),
        (dict(biases=np.ones(V - 1)), ValueError, "biases must have shape"),
        (dict(labels=np.full((B, 1), V)), ValueError, r"labels must be class indices in \[0, 50\)"),
        (dict(labels=np.zeros((B, 1))), TypeError, "labels must hold integer"),
        (dict(labels=np.zeros((B, 2), dtype=int)), ValueError, "labels must have shape"),
        (dict(inputs=np.ones(D)), ValueError, "inputs must have shape"),
        (dict(inputs=["a"]), TypeError, "inputs must be a real-valued"),
        (dict(num_sampled=0), ValueError, "num_sampled must be at least 1"),
        (dict(num_classes=2.0), TypeError, "num_classes must be an int"),
        (dict(num_true=0), ValueError, "num_true must be at least 1"),
        (dict(remove_accidental_hits=1), TypeError, "remove_accidental_hits must be True or False"),
        (dict(sampled_values=(np.arange(S) + V, np.ones((B, 1)), np.ones(S))), ValueError,
         r"sampled_values\[0\] must be class indices"),
        (dict(sampled_values=(np.arange(S - 1), np.ones((B, 1)), np.ones(S))), ValueError,
         r"sampled_values\[0\] must have shape"),
        (dict(sampled_values=(np.arange(S), np.zeros((B, 1)), np.ones(S))), ValueError,
         r"sampled_values\[1\] must be greater than 0"),
        (dict(sampled_values=(np.arange(S), np.ones((B, 1)), np.ones(S + 1))), ValueError,
         r"sampled_values\[2\] must have shape"),
    ],
)  # fmt: skip
def test_bad_input(change, error, match):
    with pytest.raises(error, match=match):
        tf_api.sampled_softmax_loss(**{**good_args(), **change})
