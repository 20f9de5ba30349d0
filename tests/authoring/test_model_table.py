"""The committed model table (``make model-table``) against the catalogue, the published figures and kreg itself.

The table takes about twenty minutes to measure, so it is committed rather
than built by ``make docs``. These tests make sure it cannot go stale
silently: it lists every built-in architecture, its page is rendered from its
data, its parameters match keras.io's and its MACs the papers', and a fresh
inspection of a few cheap rows gives the committed figures.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from scripts.docgen import model_table
from scripts.docgen.gallery import builtin_catalogue

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

STALE = "docs/reference/model-table.{} is out of date: run `make model-table` and commit what it writes"

CHEAP = ["mlp", "risk-factor-autoencoder", "transformer", pytest.param("mobilenetv3small", marks=pytest.mark.slow)]
"""Rows re-measured here: two teaching models, one counted at its data adapter's lengths, and (slow, 13 s under
load) one application."""


@pytest.fixture(scope="module")
def folder(repository_root) -> Path:
    return repository_root / "docs" / "reference"


@pytest.fixture(scope="module")
def rows(folder) -> dict[str, model_table.TableRow]:
    return {row.architecture: row for row in model_table.rows_from_csv((folder / model_table.DATA).read_text())}


def test_the_table_lists_every_builtin_architecture(rows):
    registered = [entry.name for entry in builtin_catalogue().select()]
    assert list(rows) == registered, STALE.format("csv")


def test_the_page_shows_the_tables_data(folder, rows):
    page = (folder / model_table.PAGE).read_text()
    lines = [line for line in page.splitlines() if line.startswith("| `")]
    shown = [re.split(r"\s*\|\s*", line.strip("| ")) for line in lines]
    expected = [model_table.table_cells(row) for row in rows.values()]
    assert shown[: len(expected)] == expected, STALE.format("md")
    assert f"Keras {__import__('keras').__version__}" in page, (
        "the table was measured with another Keras: " + STALE.format("md")
    )


def test_parameters_match_the_counts_keras_io_publishes(rows):
    published = [row for row in rows.values() if row.published_parameters is not None]
    assert len(published) >= 30
    for row in published:
        assert abs(row.parameters - row.published_parameters) <= row.published_rounding // 2, row
    assert rows["resnet50"].parameters == 25_636_712


def test_macs_match_the_papers(rows):
    # The reference: ResNet50 at ~3.86 G multiply-accumulates.
    assert rows["resnet50"].macs == pytest.approx(3.86e9, rel=0.02)
    for name, published in model_table.PUBLISHED_MACS.items():
        assert rows[name].macs == pytest.approx(published.macs, rel=model_table.CROSS_CHECK_TOLERANCE), name


def test_the_csv_reads_back_as_it_was_written(folder, rows):
    # Writing the rows read from the committed file gives the file back: no cell is lost or reinterpreted.
    assert model_table.rows_to_csv(list(rows.values())) == (folder / model_table.DATA).read_text()


@pytest.mark.parametrize("name", CHEAP)
def test_a_fresh_inspection_gives_the_committed_row(rows, name):
    entry = builtin_catalogue().get(name)
    assert model_table.measure(entry) == rows[name], STALE.format("csv")


def test_layer_calls_are_keras_own_count_of_layers(rows):
    import keras

    # A functional application calls each of its layers once: Keras's layer list less the InputLayer.
    model = keras.applications.MobileNetV3Small(input_shape=(224, 224, 3), weights=None)
    assert rows["mobilenetv3small"].layer_calls == len(model.layers) - 1
    assert rows["mobilenetv3small"].parameters == model.count_params()
