"""The shape plan: decided once, from values, by the running layer; what fails there is a note, in its phase."""

from __future__ import annotations

import inspect
import json
from dataclasses import FrozenInstanceError, fields

import keras
import pytest
from keras import layers

from kreg import Architecture
from kreg.inspect_tools.input_shapes import BatchShapes, ShapePlan, with_trained_calls
from kreg.inspect_tools.report import component_report
from kreg.phases import Phase
from kreg.running.building import build
from kreg.running.calls import phases_reported_to
from kreg.running.inspecting import inspect_built, shape_plan
from kreg.testing_plugin import run_kreg
from tests.support.catalogues import catalogue_of

EMBED = 8
ADAPTER_SHAPES = {"encoder_inputs": [None, 12], "decoder_inputs": [None, 9]}


def _dict_batches(hyperparameters, batch_size, source):
    import tensorflow as tf

    _dict_batches.reads += 1
    ids = tf.ones((8, 12), "int64")
    return tf.data.Dataset.from_tensor_slices(
        ({"encoder_inputs": ids, "decoder_inputs": ids[:, :9]}, ids[:, :9])
    ).batch(batch_size)


_dict_batches.reads = 0


def _raising_adapter(hyperparameters, batch_size, source):
    raise OSError("no data here")


def _batches_that_fail_when_read(hyperparameters, batch_size, source):
    """A dataset whose sizes are unknown until a batch is read, and reading one raises (a generator)."""
    import tensorflow as tf

    def generate():
        raise OSError("the data file went away")
        yield  # a generator function

    ids = tf.TensorSpec((None, None), "int64")
    spec = ({"encoder_inputs": ids, "decoder_inputs": ids}, ids)
    return tf.data.Dataset.from_generator(generate, output_signature=spec)


class _RefusesAFixedBatch(layers.Layer):
    """Works while Keras builds the model (batch unknown); raises when traced with a batch size."""

    def call(self, inputs):
        if inputs.shape[0] is not None:
            raise RuntimeError("traced with a fixed batch")
        return inputs


def _outer_with_inner():
    steps = keras.Input((None, 4), name="steps")
    inner = keras.Model(steps, layers.Dense(3, name="mix")(steps), name="inner")
    inputs = keras.Input((5, 4), name="steps")  # the model fixes the length its inner model leaves unknown
    model = keras.Model(inputs, _RefusesAFixedBatch(name="refuses")(inner(inputs)), name="outer")
    model.compile(optimizer="sgd", loss="mse")
    return {"model": model, "inner": inner}


@pytest.fixture(scope="module")
def catalogue(toy):
    def transformer(embed_dim: int = EMBED):
        model = toy.seq2seq_transformer(vocab_size=50, embed_dim=embed_dim, latent_dim=16, num_heads=2)
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
        return {"model": model, "decoder": model.get_layer("decoder")}

    def architecture(name: str, adapter, builder=transformer) -> Architecture:
        hyperparameters = {"embed_dim": EMBED} if builder is transformer else {}
        return Architecture(
            name=name,
            summary=name,
            builder=builder,
            data_adapter=adapter,
            hyperparameters=hyperparameters,
            batch_size=4,
        )

    return catalogue_of(
        architecture("dict-batches", _dict_batches),
        architecture("raising-adapter", _raising_adapter),
        architecture("unreadable-batches", _batches_that_fail_when_read),
        architecture("outer-inner", None, _outer_with_inner),
    )


def _built(catalogue, name):
    entry = catalogue.get(name)
    return build(entry, entry.architecture.hyperparameters)


def _plan_and_phases(built, input_shapes=None):
    phases = []
    with phases_reported_to(lambda running: phases.append(None if running is None else running.phase)):
        plan = shape_plan(built.name, built.components, input_shapes, None, built)
    return plan, [phase for phase in phases if phase is not None]


def _inspect_json(catalogue, *args):
    result = run_kreg("inspect", *args, "--json", catalogue=catalogue)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["components"]


def test_the_adapter_is_read_once_up_front_in_phase_data_and_the_plan_holds_its_shapes(catalogue):
    built = _built(catalogue, "dict-batches")
    plan, phases = _plan_and_phases(built)
    assert Phase.DATA in phases and phases[0] is Phase.INSPECT
    assert {name: list(shape) for name, shape in plan.adapter.by_name.items()} == ADAPTER_SHAPES
    assert plan.batch_size == 4 and plan.adapter_note is None
    # The decoder is called inside the model: the plan holds the shapes of that call, state length included.
    [call] = [call for call in plan.calls if call.model is built.components["decoder"]]
    assert call.shapes == ((None, 9), (None, 12, EMBED)) and call.source == "adapter"
    assert plan.trained_trace.root.layer is built.model  # the report counts the model's compute on it
    reads = _dict_batches.reads
    report = inspect_built(built)
    assert _dict_batches.reads == reads + 1  # the report's plan reads it once, for both components
    assert report.components["decoder"].compute.input_shapes["decoder_state_inputs"] == [None, 12, EMBED]


def test_an_adapter_that_raises_is_a_note_that_names_phase_data_not_a_failure(catalogue):
    plan, phases = _plan_and_phases(_built(catalogue, "raising-adapter"))
    assert Phase.DATA in phases
    assert plan.adapter is None
    assert plan.adapter_note == "input sizes not taken from the data adapter: data failed: OSError: no data here"
    components = _inspect_json(catalogue, "raising-adapter")
    for name in ("model", "decoder"):
        compute = components[name]["compute"]
        assert compute["macs"] is None and compute["macs_per_position"] and compute["shape_source"] == "model"
        assert plan.adapter_note in compute["note"]
        assert "note" not in components[name]  # the component itself was traced


def test_a_called_component_is_counted_per_position_when_the_model_calling_it_has_unknown_sizes(catalogue):
    # A trace of the model would put 1 for its unknown lengths: the decoder must not be counted at that 1 as if known.
    built = _built(catalogue, "raising-adapter")
    plan, _ = _plan_and_phases(built)
    assert plan.calls == ()
    decoder = _inspect_json(catalogue, "raising-adapter")["decoder"]["compute"]
    assert decoder["input_shapes"] == {"decoder_inputs": [None, None], "decoder_state_inputs": [None, None, EMBED]}
    assert decoder["macs"] is None and decoder["macs_per_position"] > 0


def test_reading_the_first_batch_runs_in_phase_data_too(catalogue):
    plan, _ = _plan_and_phases(_built(catalogue, "unreadable-batches"))
    assert plan.adapter_note.startswith("input sizes not taken from the data adapter: data failed: ")
    assert "the data file went away" in plan.adapter_note


def test_the_adapter_is_not_read_when_input_shape_gives_every_size(catalogue):
    built = _built(catalogue, "raising-adapter")
    given = {"encoder_inputs": [30], "decoder_inputs": [7], "decoder_state_inputs": [30, EMBED]}
    plan, phases = _plan_and_phases(built, given)
    assert Phase.DATA not in phases and plan.adapter_note is None and plan.calls == ()
    components = _inspect_json(
        catalogue,
        "raising-adapter",
        *[f"--input-shape={name}={','.join(map(str, sizes))}" for name, sizes in given.items()],
    )
    assert components["model"]["compute"]["shape_source"] == "option"
    assert "note" not in components["model"]["compute"]


def test_a_trained_model_that_cannot_be_traced_leaves_its_cause_in_the_note_of_the_component_that_needed_it(catalogue):
    plan, _ = _plan_and_phases(_built(catalogue, "outer-inner"))
    expected = (
        "input sizes not taken from the calls inside 'outer': inspect failed: RuntimeError: traced with a fixed batch"
    )
    assert plan.calls == () and plan.calls_note.startswith(expected)
    components = _inspect_json(catalogue, "outer-inner")
    inner = components["inner"]["compute"]
    assert expected in inner["note"] and inner["macs"] is None and inner["macs_per_position"]
    assert "traced with a fixed batch" in components["model"]["compute"]["note"]  # its own report says so too


def test_a_plan_cannot_be_changed_once_made():
    given = {"encoder_inputs": [20]}
    plan = ShapePlan(given, batch_size=4, adapter=BatchShapes.of(ADAPTER_SHAPES))
    given["encoder_inputs"].append(3)
    given["decoder_inputs"] = [9]
    assert dict(plan.options) == {"encoder_inputs": (20,)}
    with pytest.raises(FrozenInstanceError):
        plan.batch_size = 8
    with pytest.raises(FrozenInstanceError):
        plan.trace_trained = lambda: None  # nothing can be hung on it afterwards
    with pytest.raises(TypeError):
        plan.options["decoder_inputs"] = (9,)
    with pytest.raises(TypeError):
        plan.adapter.by_name["encoder_inputs"] = (None, 1)
    assert plan.adapter.by_name["encoder_inputs"] == (None, 12)


def test_inspect_tools_counts_a_called_component_from_values_alone(toy):
    model = toy.seq2seq_transformer(vocab_size=50, embed_dim=EMBED, latent_dim=16, num_heads=2)
    plan = with_trained_calls(ShapePlan(adapter=BatchShapes.of(ADAPTER_SHAPES)), model)
    assert not any(callable(getattr(plan, item.name)) for item in fields(plan))
    assert not any(
        "Callable" in str(parameter.annotation) for parameter in inspect.signature(ShapePlan).parameters.values()
    )
    compute = component_report(model.get_layer("decoder"), plan).compute
    assert compute.input_shapes == {"decoder_inputs": [None, 9], "decoder_state_inputs": [None, 12, EMBED]}
    assert compute.shape_source == "adapter" and compute.macs is not None
