"""Counts say whether they are exact or a bound: loops, conditionals (issue 24, part 1).

Each model reproduces a case where kreg printed a figure as exact that was
not: a ``tf.while_loop`` with ``i < 5`` counted once (1,024 instead of
5,120), one with ``maximum_iterations=50`` counted 50 times as if exact, an
``ops.cond`` counted at its costlier branch as if exact.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers, ops

import kreg
from kreg.inspect_tools.report import component_report

WIDTH = 32


class FixedLoop(layers.Layer):
    """Multiplies by a square kernel five times, in a ``tf.while_loop`` on ``i < 5``."""

    def build(self, shape):
        self.kernel = self.add_weight(shape=(shape[-1], shape[-1]))

    def call(self, x):
        _, y = tf.while_loop(lambda i, y: i < 5, lambda i, y: (i + 1, tf.matmul(y, self.kernel)), (tf.constant(0), x))
        return y


class DataDependentLoop(layers.Layer):
    """Multiplies until the sum is large, at most 50 times."""

    def build(self, shape):
        self.kernel = self.add_weight(shape=(shape[-1], shape[-1]))

    def call(self, x):
        _, y = tf.while_loop(
            lambda i, y: tf.reduce_sum(y) < 1e9,
            lambda i, y: (i + 1, tf.matmul(y, self.kernel)),
            (tf.constant(0), x),
            maximum_iterations=50,
        )
        return y


class UnknownLoop(layers.Layer):
    """Multiplies until the sum is large: nothing in the graph says how often."""

    def build(self, shape):
        self.kernel = self.add_weight(shape=(shape[-1], shape[-1]))

    def call(self, x):
        _, y = tf.while_loop(
            lambda i, y: tf.reduce_sum(y) < 1e9, lambda i, y: (i + 1, tf.matmul(y, self.kernel)), (tf.constant(0), x)
        )
        return y


class TwoBranches(layers.Layer):
    """``ops.cond`` between a 16 -> 32 Dense and a 16 -> 16 Dense."""

    def build(self, shape):
        self.wide = layers.Dense(32)
        self.narrow = layers.Dense(16)
        self.wide.build(shape)
        self.narrow.build(shape)

    def call(self, x):
        return ops.cond(ops.sum(x) > 0, lambda: self.wide(x)[:, :16], lambda: self.narrow(x))


def _model(layer, width=WIDTH):
    inputs = keras.Input((width,))
    return keras.Model(inputs, layer(inputs))


def test_a_loop_on_i_below_5_is_counted_five_times_and_exact():
    compute = component_report(_model(FixedLoop())).compute
    assert compute.macs == 5 * WIDTH * WIDTH == 5_120
    assert compute.exact and compute.bounds is None
    assert compute.to_json()["exact"] is True


def test_a_loop_with_maximum_iterations_is_an_upper_bound():
    compute = component_report(_model(DataDependentLoop())).compute
    assert compute.macs == 50 * WIDTH * WIDTH
    assert not compute.exact and compute.bounds == "upper"
    assert "maximum_iterations (50)" in compute.note


def test_a_loop_without_a_readable_count_is_a_lower_bound_everywhere_it_is_shown():
    report = kreg.inspect(_model(UnknownLoop()))
    compute = report.components["model"].compute
    assert compute.macs == WIDTH * WIDTH and compute.bounds == "lower" and not compute.exact
    assert report.to_json()["components"]["model"]["compute"]["bounds"] == "lower"
    assert "≥ 1,024 MACs per example" in repr(report)
    assert "≥ 1,024 (1.02 k; FLOPs = 2 x MACs; a lower bound" in str(report)


def test_a_conditional_counts_its_costlier_branch_as_an_upper_bound():
    report = kreg.inspect(_model(TwoBranches(), width=16))
    compute = report.components["model"].compute
    assert compute.macs == 16 * 32 and compute.bounds == "upper" and not compute.exact
    assert "≤ 512 MACs per example" in repr(report)
    assert "costlier branch" in compute.note


def test_recurrent_layers_stay_exact():
    inputs = keras.Input((6, 4))
    compute = component_report(keras.Model(inputs, layers.SimpleRNN(3)(inputs))).compute
    assert compute.macs == 6 * 3 * (4 + 3) and compute.exact


class InBatchSimilarity(layers.Layer):
    """Every example's vector against every other's: (B, 8) x (8, B)."""

    def call(self, x):
        return ops.matmul(x, ops.transpose(x))


def test_an_in_batch_similarity_is_noted_per_batch_and_a_lower_bound():
    compute = component_report(_model(InBatchSimilarity(name="similarity"), width=8)).compute
    assert compute.macs == 8 and compute.bounds == "lower"
    assert "similarity: MACs grow with the square of the batch" in compute.note
    assert "B x B x 8 per batch" in compute.note
