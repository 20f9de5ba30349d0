"""``kreg diff`` on a keras.io-style Vision Transformer whose layers are all auto-named.

Hand counts used below (projection_dim 16, 2 heads of key_dim 16, MLP units [32, 16]):
one transformer block is 15 layer calls (LayerNormalization, MultiHeadAttention
and its query, key, value, softmax, dropout and attention_output calls, Add,
LayerNormalization, Dense, Dropout, Dense, Dropout, Add) and
2*16 + (3 * (16*2*16 + 2*16) + 2*16*16 + 16) + 2*16 + (16*32 + 32) + (32*16 + 16)
= 32 + 2160 + 32 + 544 + 528 = 3296 parameters.
"""

from __future__ import annotations

import json

import pytest

import kreg
from kreg.inspect_tools.diff import diff_reports
from kreg.inspect_tools.report_types import Report
from kreg.testing_plugin import run_kreg
from tests.review.vit_plugin import BLOCK_MACS, NAME, add_in_process
from tests.support.text_tables import table_rows

PATCH_CALLS = 5  # input, Patches, PatchEncoder and its Dense and Embedding
BLOCK_CALLS = 15
HEAD_CALLS = 8  # LayerNormalization, Flatten, Dropout, Dense, Dropout, Dense, Dropout, Dense
ALL_CALLS = PATCH_CALLS + 4 * BLOCK_CALLS + HEAD_CALLS
BLOCK_PARAMS = 3296
BLOCK_CLASSES = [
    "LayerNormalization",
    "MultiHeadAttention",
    "EinsumDense",
    "EinsumDense",
    "EinsumDense",
    "Softmax",
    "Dropout",
    "EinsumDense",
    "Add",
    "LayerNormalization",
    "Dense",
    "Dropout",
    "Dense",
    "Dropout",
    "Add",
]


@pytest.fixture(scope="module")
def vit_diff(vit_catalogue):
    """``kreg diff test-vit ARGS --json``, parsed."""

    def run(*args: str) -> dict:
        result = run_kreg("diff", NAME, *args, "--json", catalogue=vit_catalogue)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return run


@pytest.fixture(scope="module")
def depth_diff(vit_diff):
    return vit_diff("--against", "--set", "transformer_layers=2")


@pytest.fixture(scope="module")
def vit_report(vit_catalogue):
    """``vit_report(**overrides)``: the inspection report of one configuration, each built once (fresh session)."""
    from kreg.running.building import build_fresh
    from kreg.running.inspecting import inspect_built

    entry = vit_catalogue.get(NAME)
    reports: dict[tuple, Report] = {}

    def report(**overrides) -> Report:
        key = tuple(sorted(overrides.items()))
        if key not in reports:
            reports[key] = inspect_built(
                build_fresh(entry, {**entry.architecture.hyperparameters, **overrides}, seed=None)
            )
        return reports[key]

    return report


def _diff_json(left: Report, right: Report) -> dict:
    return diff_reports(left, right).to_json()


def _statuses(component: dict) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in component["layers"]:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return counts


def test_removing_two_blocks_reports_removals_only(depth_diff):
    model = depth_diff["components"]["model"]
    differing = [row for row in model["layers"] if row["status"] != "same"]
    assert {row["status"] for row in differing} == {"removed"}, [(r["status"], r["path"]) for r in differing]
    assert len(differing) == 2 * BLOCK_CALLS
    assert [row["left"]["class"] for row in differing] == BLOCK_CLASSES * 2
    assert model["params"]["delta"]["total"] == -2 * BLOCK_PARAMS
    assert all(row["status"] == "removed" for row in model["dense"] if row["status"] != "same")
    assert model["threading_changed"] == [] and model["shapes_changed"] == []


def test_the_head_is_the_same_layer_on_both_sides_whatever_keras_named_it(depth_diff):
    rows = depth_diff["components"]["model"]["layers"]
    head = [row for row in rows if row["status"] == "same"][-1]  # the logits Dense
    assert head["left"]["class"] == head["right"]["class"] == "Dense"
    assert head["left"]["output_shape"] == [None, 10]
    assert head["left"]["path"] != head["right"]["path"]  # dense_12 on the left, dense_8 on the right


def test_the_two_blocks_removed_are_one_group_and_the_last_two(depth_diff):
    model = depth_diff["components"]["model"]
    assert model["groups"] == [
        {
            "id": 1,
            "status": "removed",
            "count": 2,
            "unit": [
                *[c for c in BLOCK_CLASSES if c not in ("EinsumDense", "Softmax")][:2],
                "Add",
                "LayerNormalization",
                "Dense",
                "Dropout",
                "Dense",
                "Dropout",
                "Add",
            ],
            "calls": 2 * BLOCK_CALLS,
            "params": -2 * BLOCK_PARAMS,
            "macs": -2 * BLOCK_MACS,
            "repeats": {"left": 4, "right": 2},
            "first": "layer_normalization_4",
            "last": "add_7",
        }
    ]
    left_rows = [row["left"] for row in model["layers"] if row["left"] is not None]
    removed = [row for row in model["layers"] if row["status"] == "removed"]
    # Blocks 3 and 4, after the patch embedding and 2 blocks.
    assert [row["left"] for row in removed] == left_rows[PATCH_CALLS + 2 * BLOCK_CALLS : PATCH_CALLS + 4 * BLOCK_CALLS]
    assert all(row["group"] == 1 for row in removed)
    assert all("group" not in row for row in model["layers"] if row["status"] == "same")


def test_the_text_report_reads_at_the_level_of_blocks(vit_catalogue):
    result = run_kreg(
        "diff", NAME, "--against", "--set", "transformer_layers=2", catalogue=vit_catalogue, env={"COLUMNS": "120"}
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.index("model: repeated blocks") < out.index("model: layer calls that differ")
    (block,) = table_rows(out, "model: repeated blocks")
    assert block[:6] == [
        "1",
        "2 × block of 9 layers removed (repeated 4 → 2 times)",
        "30",
        "-6,592",
        f"{-2 * BLOCK_MACS:,}",
        "layer_normalization_4 .. add_7",
    ]
    assert (
        block[6]
        == "LayerNormalization, MultiHeadAttention, Add, LayerNormalization, Dense, Dropout, Dense, Dropout, Add"
    )
    detail = table_rows(out, "model: layer calls that differ")
    assert [row[:2] for row in detail] == [["1", "removed"]] * 30
    assert max(len(line) for line in out.splitlines()) <= 120


def test_a_width_change_reports_changes_only(vit_report):
    diff = _diff_json(vit_report(), vit_report(projection_dim=8))
    model = diff["components"]["model"]
    statuses = _statuses(model)
    assert set(statuses) == {"same", "changed"}
    assert statuses["same"] + statuses["changed"] == ALL_CALLS  # both sides have every call
    # Per block at projection_dim 8: 16 + (3 * (8*2*8 + 2*8) + 2*8*8 + 8) + 16 + (8*16 + 16) + (16*8 + 8) = 880.
    (group,) = model["groups"]
    assert (group["status"], group["count"], group["calls"], group["params"]) == (
        "changed",
        4,
        4 * BLOCK_CALLS,
        4 * (880 - BLOCK_PARAMS),
    )
    assert group["repeats"] == {"left": 4, "right": 4}
    dense = {row["path"]: row for row in model["dense"]}
    projection = dense["patch_encoder/dense"]
    assert (projection["status"], projection["left"]["kernel_shape"], projection["right"]["kernel_shape"]) == (
        "changed",
        [48, 16],
        [48, 8],
    )


# Slow: tests/review/test_diff.py::test_the_same_configuration_is_identical checks the same on a smaller model.
@pytest.mark.slow
def test_the_same_configuration_is_identical(vit_report, saved_vit):
    _, again = saved_vit  # the same configuration, built again in a fresh session
    diff = _diff_json(vit_report(), again)
    assert diff["identical"] is True
    model = diff["components"]["model"]
    assert _statuses(model) == {"same": ALL_CALLS} and model["groups"] == []


@pytest.fixture(scope="module")
def catalogue_with_builtins() -> kreg.Catalogue:
    from kreg.loading import BUILTIN_DISTRIBUTION, discover_entry_points

    points = [
        ep for ep in discover_entry_points() if ep.dist is not None and ep.dist.metadata["Name"] == BUILTIN_DISTRIBUTION
    ]
    return add_in_process(kreg.load_catalogue(entry_points=points))


def test_two_unrelated_architectures_give_a_readable_result(catalogue_with_builtins, vit_report, monkeypatch, capsys):
    mlp = _mlp_report(catalogue_with_builtins)
    model = _diff_json(vit_report(), mlp)["components"]["model"]
    layers = model["layers"]
    # Every call of each side appears exactly once, in its own order.
    assert [row["left"] for row in layers if row["left"]] == vit_report().to_json()["components"]["model"]["layers"]
    assert [row["right"] for row in layers if row["right"]] == mlp.to_json()["components"]["model"]["layers"]
    for row in layers:  # a pair is always one class
        if row["left"] and row["right"]:
            assert row["left"]["class"] == row["right"]["class"]
    assert [(g["status"], g["count"], g["repeats"]) for g in model["groups"]] == [
        ("removed", 4, {"left": 4, "right": 0})
    ]
    text = _printed(diff_reports(vit_report(), mlp), monkeypatch, capsys, columns=100)
    assert table_rows(text, "model: repeated blocks")[0][1] == "4 × block of 9 layers removed (repeated 4 → 0 times)"
    assert max(len(line) for line in text.splitlines()) <= 100


def _printed(diff, monkeypatch, capsys, columns: int) -> str:
    """The tables of ``kreg diff`` as the terminal shows them, ``columns`` wide."""
    from kreg.rendering.diff_tables import diff_tables
    from kreg.terminal import print_table

    monkeypatch.setenv("COLUMNS", str(columns))
    capsys.readouterr()
    for table in diff_tables(diff):
        print_table(table.title, table.columns, table.rows)
    return capsys.readouterr().out


def _mlp_report(catalogue):
    from kreg.hyperparameters import resolve_hyperparameters
    from kreg.running.building import build_fresh
    from kreg.running.inspecting import inspect_built

    entry = catalogue.get("mlp")
    return inspect_built(build_fresh(entry, resolve_hyperparameters(entry, (), "smoke"), seed=None))


@pytest.fixture(scope="module")
def saved_vit(vit_catalogue, tmp_path_factory):
    """The test ViT at its defaults saved as a .keras file, and the report of that build."""
    from kreg.running.building import build_fresh
    from kreg.running.inspecting import inspect_built

    entry = vit_catalogue.get(NAME)
    path = tmp_path_factory.mktemp("saved") / "vit.keras"
    built = build_fresh(entry, entry.architecture.hyperparameters)
    built.model.save(path)
    return path, inspect_built(built)


def test_a_saved_model_against_its_architecture_is_identical(vit_catalogue, saved_vit):
    path, _ = saved_vit
    result = run_kreg("diff", str(path), "--against", NAME, "--json", catalogue=vit_catalogue)
    assert result.exit_code == 0, result.output
    diff = json.loads(result.stdout)
    assert diff["left"] == {"architecture": None, "preset": None, "hyperparameters": {}, "file": str(path)}
    assert diff["right"]["architecture"] == NAME and diff["right"]["file"] is None
    assert diff["identical"] is True and diff["hyperparameters"] == []
    assert list(diff["components"]) == ["model"]


@pytest.mark.slow
def test_a_saved_model_against_a_shallower_configuration(vit_catalogue, saved_vit):
    path, _ = saved_vit
    args = ["diff", NAME, "--set", "transformer_layers=2", "--against", str(path), "--json"]
    result = run_kreg(*args, catalogue=vit_catalogue)
    assert result.exit_code == 0, result.output
    model = json.loads(result.stdout)["components"]["model"]
    assert {row["status"] for row in model["layers"]} == {"same", "added"}
    assert [(g["status"], g["count"], g["params"]) for g in model["groups"]] == [("added", 2, 2 * BLOCK_PARAMS)]


@pytest.mark.parametrize(
    "args, message",
    [
        (["missing.keras", "--against", NAME], "model file 'missing.keras' does not exist"),
        (["model.h5", "--against", NAME], "is not a .keras file"),
        (
            [NAME, "--against", "{saved}", "--set", "num_classes=3"],
            "is a saved model: --set and --preset apply only to an architecture",
        ),
        (["{saved}", "--against"], "name the architecture to compare the saved model"),
    ],
)
def test_file_sides_usage_errors_exit_2(vit_catalogue, saved_vit, args, message):
    args = [arg.format(saved=saved_vit[0]) for arg in args]
    result = run_kreg("diff", *args, catalogue=vit_catalogue)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_a_file_that_is_not_a_keras_archive_is_a_usage_error_with_one_line(vit_catalogue, tmp_path):
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"not a zip file")
    result = run_kreg("diff", str(broken), "--against", NAME, catalogue=vit_catalogue)
    assert result.exit_code == 2
    assert result.output.startswith(f"kreg: error: model file {str(broken)!r} is not a .keras archive: not a zip file")
    assert len(result.output.strip().splitlines()) == 1
