"""Every operation seen and not counted is listed, so a "0" is never silent (issue 24, part 4)."""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers

import kreg
from kreg.inspect_tools.report import component_report
from kreg.inspect_tools.uncounted import FREE_OPS


def _listed(model):
    return {(entry.op, entry.path): entry.count for entry in component_report(model).compute.uncounted}


def test_a_model_of_normalisation_and_activation_has_0_macs_and_lists_what_it_ran():
    inputs = keras.Input((8,))
    model = keras.Model(inputs, layers.Activation("relu", name="act")(layers.BatchNormalization(name="bn")(inputs)))
    report = kreg.inspect(model)
    compute = report.components["model"].compute
    assert compute.macs == 0
    listed = {(entry.op, entry.path): entry.count for entry in compute.uncounted}
    assert listed[("Relu", "act")] == 1
    assert {path for _op, path in listed} == {"bn", "act"}
    assert "Rsqrt" in {op for op, _path in listed}
    assert "not counted (not MACs)" in str(report) and "8 in 2 layer calls: Mul 3, AddV2 2, Rsqrt 1, ..." in str(report)
    assert report.to_json()["components"]["model"]["compute"]["uncounted"][-1] == {
        "op": "Relu",
        "count": 1,
        "path": "act",
    }


def test_free_operations_are_never_listed_and_counted_ones_neither():
    inputs = keras.Input((6,))
    model = keras.Model(inputs, layers.Dense(4, activation="tanh", name="dense")(layers.Flatten()(inputs)))
    listed = _listed(model)
    assert listed == {("BiasAdd", "dense"): 1, ("Tanh", "dense"): 1}
    assert not {op for op, _path in listed} & (FREE_OPS | {"MatMul"})


class SquareFiveTimes(layers.Layer):
    def call(self, x):
        _, y = tf.while_loop(lambda i, y: i < 5, lambda i, y: (i + 1, tf.square(y)), (tf.constant(0), x))
        return y


def test_an_operation_in_a_loop_counts_once_per_iteration_and_belongs_to_the_layer():
    inputs = keras.Input((3,))
    listed = _listed(keras.Model(inputs, SquareFiveTimes(name="squares")(inputs)))
    assert listed[("Square", "squares")] == 5
