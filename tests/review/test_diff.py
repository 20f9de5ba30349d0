"""``kreg diff`` on real built-in architectures, and the comparison on its own."""

from __future__ import annotations

import json

import pytest

from kreg.inspect_tools.diff import diff_reports, diff_rows, diff_values
from kreg.inspect_tools.report_types import ParamCounts
from kreg.rendering.diff_tables import diff_tables
from tests.support.reports import layer_row, report

RISK = "risk-factor-autoencoder"


@pytest.fixture(scope="module")
def tickers_diff():
    """``kreg diff risk-factor-autoencoder --against --set n_tickers=50 --json``."""
    from kreg.testing_plugin import run_kreg

    result = run_kreg("diff", RISK, "--against", "--set", "n_tickers=50", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _by_path(changes):
    return {change["path"]: change for change in changes}


def test_json_has_both_sides_and_every_component(tickers_diff):
    assert list(tickers_diff) == ["left", "right", "identical", "hyperparameters", "components"]
    assert tickers_diff["left"]["architecture"] == tickers_diff["right"]["architecture"] == RISK
    assert tickers_diff["left"]["hyperparameters"]["n_tickers"] == 100
    assert tickers_diff["right"]["hyperparameters"]["n_tickers"] == 50
    assert tickers_diff["identical"] is False
    assert tickers_diff["hyperparameters"] == [{"key": "n_tickers", "left": 100, "right": 50}]
    model = tickers_diff["components"]["model"]
    assert list(model) == [
        "status",
        "class",
        "params",
        "compute",
        "memory",
        "groups",
        "layers",
        "shapes_changed",
        "dense",
        "threading_changed",
    ]
    for change in model["layers"] + model["dense"]:
        assert list(change) == ["path", "status", "fields", "left", "right"]  # no "group": nothing repeats here
    # Every call of both sides is listed once, the unchanged ones as "same".
    statuses = [change["status"] for change in model["layers"]]
    assert statuses.count("same") + statuses.count("changed") == len(model["layers"])


def test_fewer_tickers_change_threading_and_macs_but_not_the_threaded_kernels(tickers_diff):
    model = tickers_diff["components"]["model"]
    dense = _by_path(model["dense"])
    hidden = dense["hidden_layer"]
    assert hidden["status"] == "changed"
    assert hidden["left"]["threaded_over"] == [100] and hidden["right"]["threaded_over"] == [50]
    assert (hidden["left"]["macs"], hidden["right"]["macs"]) == (16000, 8000)
    assert hidden["left"]["params"] == hidden["right"]["params"] == 168
    assert "params" not in hidden["fields"] and "kernel_shape" not in hidden["fields"]
    assert {"threaded_over", "macs", "input_shape", "output_shape"} <= set(hidden["fields"])
    assert model["threading_changed"] == ["hidden_layer", "output_beta"]


def test_the_unthreaded_dense_grows_with_the_tickers(tickers_diff):
    model = tickers_diff["components"]["model"]
    factor = _by_path(model["dense"])["output_factor"]
    assert factor["left"]["threaded_over"] == factor["right"]["threaded_over"] == []
    assert (factor["left"]["kernel_shape"], factor["right"]["kernel_shape"]) == ([100, 3], [50, 3])
    layer = _by_path(model["layers"])["output_factor"]
    assert (layer["left"]["params"], layer["right"]["params"]) == (303, 153)
    assert "params" in layer["fields"]
    assert model["params"] == {
        "left": {"total": 530, "trainable": 514, "non_trainable": 16},
        "right": {"total": 380, "trainable": 364, "non_trainable": 16},
        "delta": {"total": -150, "trainable": -150, "non_trainable": 0},
    }


def test_shapes_that_changed_are_listed(tickers_diff):
    model = tickers_diff["components"]["model"]
    assert "hidden_layer" in model["shapes_changed"]
    assert "output_factor" in model["shapes_changed"]  # its input, not its output (None, 3)
    hidden = _by_path(model["layers"])["hidden_layer"]
    assert (hidden["left"]["output_shape"], hidden["right"]["output_shape"]) == ([None, 100, 8], [None, 50, 8])


def test_text_report_shows_threading_params_and_shapes(kreg_cli):
    result = kreg_cli("diff", RISK, "--against", "--set", "n_tickers=50")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "n_tickers" in out and "100" in out and "50" in out
    assert "[100] -> [50]" in out
    assert "16,000 -> 8,000" in out
    assert "303 -> 153" in out
    assert "(None, 100, 8) -> (None, 50, 8)" in out
    assert "-150" in out


def test_two_architectures(kreg_cli):
    result = kreg_cli(
        "diff", RISK, "--preset", "smoke", "--against", "autoencoder", "--set", "encoding_dim=4", "--json"
    )
    assert result.exit_code == 0, result.output
    diff = json.loads(result.stdout)
    assert (diff["left"]["architecture"], diff["right"]["architecture"]) == (RISK, "autoencoder")
    assert diff["left"]["preset"] == "smoke" and diff["right"]["preset"] is None
    keys = {change["key"]: change for change in diff["hyperparameters"]}
    assert keys["n_tickers"] == {"key": "n_tickers", "left": 16}  # the right has no such key
    assert keys["encoding_dim"] == {"key": "encoding_dim", "right": 4}
    components = diff["components"]
    assert [components[name]["status"] for name in ("model", "encoder", "decoder")] == ["changed", "added", "added"]
    assert components["encoder"]["params"]["left"] is None
    layers = _by_path(components["model"]["layers"])
    assert layers["hidden_layer"]["status"] == "removed" and layers["hidden_layer"]["right"] is None
    assert layers["encoder/encoded"]["status"] == "added" and layers["encoder/encoded"]["right"]["class"] == "Dense"
    dense = _by_path(components["model"]["dense"])
    assert dense["encoder/encoded"]["right"]["kernel_shape"] == [784, 4]
    assert components["model"]["threading_changed"] == []  # nothing is on both sides


def test_the_same_configuration_is_identical(kreg_cli):
    result = kreg_cli("diff", RISK, "--preset", "smoke", "--against", "--preset", "smoke")
    assert result.exit_code == 0, result.output
    assert "no differences" in result.stdout
    result = kreg_cli("diff", RISK, "--preset", "smoke", "--against", "--preset", "smoke", "--json")
    diff = json.loads(result.stdout)
    assert diff["identical"] is True and diff["hyperparameters"] == []
    assert diff["components"]["model"]["status"] == "unchanged"


def test_auto_named_layers_pair_up_across_the_two_builds(kreg_cli):
    # vae-mlp's layers are partly auto-named; each side is built in a fresh Keras session,
    # so the right side's names match the left's instead of counting on (dense_5 ...).
    result = kreg_cli("diff", "vae-mlp", "--preset", "smoke", "--against", "--preset", "smoke", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["identical"] is True


# The comparison on hand-made rows -----------------------------------------------------


def _row(path, params=0, shape=(None, 4)):
    return layer_row(path, "Dense", shape, params=params)


def test_rows_are_paired_by_structure_and_user_names_never_cross():
    left = [_row("a"), _row("shared", 10), _row("shared#2", 10), _row("gone")]
    right = [_row("a"), _row("shared", 10), _row("shared#2", 10, shape=(None, 8)), _row("new", 5)]
    pairs, changes, groups = diff_rows(left, right)
    assert pairs == [(0, 0), (1, 1), (2, 2), (3, None), (None, 3)]
    assert [(c.path, c.status, c.fields) for c in changes] == [
        ("a", "same", ()),
        ("shared", "same", ()),
        ("shared#2", "changed", ("input_shape", "output_shape")),
        ("gone", "removed", ()),  # user-given names that differ are two different layers
        ("new", "added", ()),
    ]
    assert changes[2].shapes_changed and not changes[2].threading_changed
    assert groups == []


def test_values_missing_on_one_side_are_reported_apart_from_changed_ones():
    changes = diff_values({"a": 1, "b": None, "c": 3}, {"a": 2, "b": None, "d": 4})
    assert [change.to_json() for change in changes] == [
        {"key": "a", "left": 1, "right": 2},
        {"key": "c", "left": 3},
        {"key": "d", "right": 4},
    ]


def test_text_tables_follow_the_components():
    def units(params):
        return report([_row("d", params)], params, hyperparameters={"units": params})

    diff = diff_reports(units(10), units(20))
    titles = [table.title for table in diff_tables(diff)]
    assert titles == [
        "hyperparameters that differ",
        "parameters per component",
        "compute and memory per component",  # parameter bytes: every report has them
        "model: layer calls that differ",
    ]
    assert diff.components[0].params_delta == ParamCounts(total=10, trainable=10, non_trainable=0)


def test_sizes_the_model_leaves_unknown_show_as_counted_never_as_a_question_mark(kreg_cli):
    """The transformer's encoder and decoder take any length; their MACs were counted at the smoke preset's 10."""
    args = ["diff", "transformer", "--preset", "smoke", "--against", "--preset", "smoke", "--set", "latent_dim=128"]
    result = kreg_cli(*args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Dense calls added, removed or changed; sizes as counted, * a size the model leaves unknown" in out
    dense_rows = [line for line in out.splitlines() if "dense_proj/dense_1" in line and "[" in line]
    assert dense_rows, out
    assert all("[10*]" in line and "20,480 -> 40,960" in line and "?" not in line for line in dense_rows)
    assert "output (None, 10*, 64) -> (None, 10*, 128)" in out
    assert "(None, None, 64)" not in out
