"""The model table: every built-in architecture with its parameters, MACs, memory and layer calls.

Each architecture is built at its default hyperparameters (the applications at
full size, 224 x 224 and up) and inspected as ``kreg inspect NAME`` does: the
figures are those of the ``"model"`` component, at the input shapes kreg counts
(the model's own, else its data adapter's batches). The applications also
carry keras.io's published parameter count beside kreg's.

Building forty applications at full size takes many minutes, so the table is
not part of ``make docs``: ``make model-table`` measures it and writes
``docs/reference/model-table.csv`` (the data, exact integers) and
``docs/reference/model-table.md`` (the page, rendered from the same rows),
both committed. ``tests/authoring/test_model_table.py`` checks the committed
table against the catalogue and a fresh inspection of a few cheap rows.

    python -m scripts.docgen.model_table [--output docs/reference] [--only PATTERN]...
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import platform
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scripts.docgen.markdown import inline, table

if TYPE_CHECKING:
    from kreg.inspect_tools.report_types import Report

PAGE = "model-table.md"
DATA = "model-table.csv"
REFERENCE = Path("docs/reference")


@dataclass(frozen=True)
class TableRow:
    """One architecture's figures (its ``"model"`` component at default hyperparameters).

    Attributes:
        architecture: str. Its registered name.
        family: str. Its tags, comma-separated (``keras-applications, resnet``).
        parameters: int. Total parameters.
        published_parameters: int or None. keras.io's count (applications only).
        published_rounding: int. 1 when the published count is exact, else the unit it was rounded to.
        macs: int or None. Multiply-accumulates per example (None when a size stayed unknown).
        macs_per_position: int or None. MACs per unknown position, when ``macs`` is None.
        counted_at: str. The input shapes the compute was counted at, and where they came from.
        parameter_bytes: int. Memory of the weights.
        activation_bytes_per_example: int or None. Outputs of every innermost layer call, per example.
        training_bytes: int or None. kreg's training-memory estimate at ``training_batch``.
        training_batch: int or None. The architecture's batch size.
        layer_calls: int. Traced layer calls, inputs excluded (also inside custom layers and nested models).
    """

    architecture: str
    family: str
    parameters: int
    published_parameters: int | None
    published_rounding: int
    macs: int | None
    macs_per_position: int | None
    counted_at: str
    parameter_bytes: int
    activation_bytes_per_example: int | None
    training_bytes: int | None
    training_batch: int | None
    layer_calls: int


@dataclass(frozen=True)
class PublishedMacs:
    """A model's multiply-accumulates as its paper publishes them, for the page's cross-check.

    Attributes:
        macs: float. The published figure (papers round to 2 or 3 digits).
        source: str. The paper and the table it is in.
    """

    macs: float
    source: str


PUBLISHED_MACS = {
    "resnet50": PublishedMacs(
        3.8e9, "He et al. 2015, Deep Residual Learning, Table 1 (3.8 x 10<sup>9</sup> multiply-adds)"
    ),
    "vgg19": PublishedMacs(
        19.6e9, "He et al. 2015, Deep Residual Learning, Figure 3 (VGG-19: 19.6 billion FLOPs, multiply-adds)"
    ),
    "mobilenet": PublishedMacs(
        569e6, "Howard et al. 2017, MobileNets, Table 8 (1.0 MobileNet-224: 569 million Mult-Adds)"
    ),
    "mobilenetv2": PublishedMacs(300e6, "Sandler et al. 2018, MobileNetV2, Table 4 (300M multiply-adds)"),
    "mobilenetv3large": PublishedMacs(
        219e6, "Howard et al. 2019, Searching for MobileNetV3, Table 3 (Large 1.0: 219M MAdds)"
    ),
    "mobilenetv3small": PublishedMacs(
        56e6, "Howard et al. 2019, Searching for MobileNetV3, Table 3 (Small 1.0: 56M MAdds)"
    ),
    "efficientnetb0": PublishedMacs(0.39e9, "Tan and Le 2019, EfficientNet, Table 2 (B0: 0.39B FLOPS, multiply-adds)"),
    "convnexttiny": PublishedMacs(
        4.5e9, "Liu et al. 2022, A ConvNet for the 2020s, Table 1 (ConvNeXt-T: 4.5G FLOPs, multiply-adds)"
    ),
}
"""Published compute of some applications, each the multiply-adds of one 224 x 224 image (the
papers say FLOPs or Mult-Adds for what kreg calls MACs). ResNet-50's is often quoted as 3.86 G."""

CROSS_CHECK_TOLERANCE = 0.02
"""kreg's MACs must be within 2 % of each published figure (the figures are rounded to 2 or 3 digits)."""


FIELDS = [item.name for item in dataclasses.fields(TableRow)]
INTEGER_FIELDS = {item.name for item in dataclasses.fields(TableRow) if "int" in str(item.type)}


def row_from_report(entry: Any, report: Report) -> TableRow:
    """The table row of ``entry`` from its inspection report.

    Args:
        entry: kreg.Entry. The architecture (for its tags and published count).
        report: Report. Its inspection report at default hyperparameters.
    """
    from kreg.rendering.formatting import counted_at

    model = report.components["model"]
    compute, memory = model.compute, model.memory
    published = published_count(entry.name)
    return TableRow(
        architecture=entry.name,
        family=", ".join(entry.architecture.tags),
        parameters=model.params.total,
        published_parameters=None if published is None else published[0],
        published_rounding=1 if published is None else published[1],
        macs=compute.macs,
        macs_per_position=compute.macs_per_position,
        counted_at=counted_at(compute),
        parameter_bytes=memory.parameter_bytes,
        activation_bytes_per_example=memory.activation_bytes_per_example,
        training_bytes=memory.training_bytes,
        training_batch=None if memory.training is None else memory.training.batch_size,
        layer_calls=sum(1 for row in model.layers if row.layer_class != "InputLayer"),
    )


def published_count(name: str) -> tuple[int, int] | None:
    """keras.io's parameter count of an application and its rounding.

    None when the name is not an application or keras.io publishes no count for it.
    """
    from kreg.plugins.applications.catalog import APPLICATIONS

    for spec in APPLICATIONS:
        if spec.name == name and spec.published_params is not None:
            return spec.published_params, spec.published_rounding
    return None


def measure(entry: Any) -> TableRow:
    """Build ``entry`` at its defaults in a fresh Keras session, inspect it, return its row."""
    from kreg.hyperparameters import resolve_hyperparameters
    from kreg.running.building import build_fresh
    from kreg.running.inspecting import inspect_built

    built = build_fresh(entry, resolve_hyperparameters(entry), seed=None)
    return row_from_report(entry, inspect_built(built))


def measure_all(entries: Iterable[Any]) -> tuple[list[TableRow], float]:
    """Measure every entry, saying on stderr how long each took; return the rows and the total seconds."""
    started = time.perf_counter()
    rows = []
    entries = list(entries)
    for index, entry in enumerate(entries, start=1):
        began = time.perf_counter()
        rows.append(measure(entry))
        print(
            f"model-table: [{index}/{len(entries)}] {entry.name} ({time.perf_counter() - began:.1f} s)",
            file=sys.stderr,
            flush=True,
        )
    return rows, time.perf_counter() - started


# The data ------------------------------------------------------------------------


def rows_to_csv(rows: Sequence[TableRow]) -> str:
    """The rows as CSV with a header; unknown values are empty cells, integers have no separators."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FIELDS)
    for row in rows:
        writer.writerow(["" if value is None else value for value in dataclasses.astuple(row)])
    return buffer.getvalue()


def rows_from_csv(text: str) -> list[TableRow]:
    """Read rows back from :func:`rows_to_csv`'s text."""
    reader = csv.DictReader(io.StringIO(text))
    return [TableRow(**{key: _cell_value(key, value) for key, value in record.items()}) for record in reader]


def _cell_value(key: str, value: str) -> Any:
    if key not in INTEGER_FIELDS:
        return value
    return None if value == "" else int(value)


# The page ------------------------------------------------------------------------


COLUMNS = [
    "architecture",
    "parameters",
    "keras.io",
    "MACs per example",
    "counted at",
    "parameter memory",
    "activations per example",
    "training memory",
    "batch",
    "layer calls",
]


def table_cells(row: TableRow) -> list[str]:
    """The cells of one row of the page's table."""
    return [
        inline(row.architecture),
        f"{row.parameters:,}",
        _published(row),
        _macs(row),
        row.counted_at,
        _bytes(row.parameter_bytes),
        _bytes(row.activation_bytes_per_example),
        _bytes(row.training_bytes),
        "" if row.training_batch is None else str(row.training_batch),
        f"{row.layer_calls:,}",
    ]


def _published(row: TableRow) -> str:
    from kreg.plugins.applications.catalog import published_figure

    return (
        "" if row.published_parameters is None else published_figure(row.published_parameters, row.published_rounding)
    )


def _macs(row: TableRow) -> str:
    if row.macs is not None:
        return f"{row.macs:,}"
    if row.macs_per_position is not None:
        return f"{row.macs_per_position:,} per position"
    return "not counted"


def _bytes(value: int | None) -> str:
    from kreg.rendering.formatting import human_bytes

    return "" if value is None else human_bytes(value)


def page(rows: Sequence[TableRow], versions: Mapping[str, str], seconds: float, made: str) -> str:
    """The Markdown page: how it was made, then the table (largest MACs first is left to the reader's sort)."""
    parts = [
        "# Model table: parameters, compute and memory of every built-in architecture",
        "_Measured by `make model-table` (`python -m scripts.docgen.model_table`) and committed: do not edit by hand._",
        "Every architecture kreg registers out of the box, built at its **default hyperparameters** "
        "(the keras.applications models at full size, with their ImageNet top and `weights=None`) and "
        "inspected as `kreg inspect NAME` inspects it. The figures are those of the `model` component "
        "(the one trained; a GAN's or a VAE's model holds its sub-models):",
        "\n".join(
            [
                "- **parameters**: every weight of the model, trainable or not (never the optimizer's);",
                "- **keras.io**: the count keras.io publishes for the same model "
                "([Keras Applications](https://keras.io/api/applications/); `M` figures are rounded to 0.1M "
                "there); empty where it publishes none;",
                "- **MACs per example**: multiply-accumulates of one example's forward pass "
                "(FLOPs = 2 x MACs), counted from the traced TensorFlow operations as "
                "[What kreg counts](../compute.md) explains, at the input shapes in **counted at**;",
                "- **memory** in decimal units (1 MB = 10<sup>6</sup> bytes): the weights, the activations one example "
                "keeps for the backward pass, and kreg's training estimate (weights, gradients, "
                "optimizer state and activations) at the architecture's batch size (**batch**);",
                "- **layer calls**: the traced layer calls, inputs excluded, also those inside "
                "custom layers and nested models (a layer called twice counts twice).",
            ]
        ),
        f"Measured with {_versions(versions)} on {made}, in {seconds / 60:.0f} minutes on "
        f"{versions['machine']}. The same rows as CSV, exact integers in bytes, for sorting in a "
        f"spreadsheet or pandas: [model-table.csv](model-table.csv).",
        table(COLUMNS, [table_cells(row) for row in rows]),
        "## Cross-check against the papers",
        "The MACs kreg counts beside the multiply-adds each model's paper publishes for one 224 x 224 "
        f"image. Papers round to two or three digits; kreg's count is within {CROSS_CHECK_TOLERANCE:.0%} of every "
        "one (`tests/authoring/test_model_table.py` checks it on the committed table).",
        table(["architecture", "kreg (MACs)", "published", "difference", "source"], cross_check_cells(rows)),
    ]
    return "\n\n".join(parts) + "\n"


def cross_check_cells(rows: Sequence[TableRow]) -> list[list[str]]:
    """Rows of the cross-check table: each application with a published figure that the table holds."""
    from kreg.rendering.formatting import human_count

    by_name = {row.architecture: row for row in rows}
    cells = []
    for name, published in PUBLISHED_MACS.items():
        row = by_name.get(name)
        if row is None or row.macs is None:
            continue
        difference = row.macs / published.macs - 1
        cells.append(
            [
                inline(name),
                f"{row.macs:,} ({human_count(row.macs)})",
                human_count(int(published.macs)),
                f"{difference:+.1%}",
                published.source,
            ]
        )
    return cells


def _versions(versions: Mapping[str, str]) -> str:
    return ", ".join(f"{name} {versions[name]}" for name in ("kreg", "Keras", "TensorFlow", "Python"))


def current_versions() -> dict[str, str]:
    """The versions the table is measured with, and the machine."""
    import keras
    import tensorflow as tf

    import kreg

    return {
        "kreg": kreg.__version__,
        "Keras": keras.__version__,
        "TensorFlow": tf.__version__,
        "Python": platform.python_version(),
        "machine": f"{platform.machine()} CPU",
    }


def write_table(
    folder: Path, rows: Sequence[TableRow], versions: Mapping[str, str], seconds: float, made: str
) -> list[Path]:
    """Write the CSV and the page into ``folder``, each whole or not at all; return their paths."""
    from kreg.files import write_atomically

    return [
        write_atomically(folder / DATA, rows_to_csv(rows)),
        write_atomically(folder / PAGE, page(rows, versions, seconds, made)),
    ]


def main(argv: list[str] | None = None) -> int:
    """Measure every built-in architecture (or those matching --only) and write the table."""
    parser = argparse.ArgumentParser(prog="python -m scripts.docgen.model_table", description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=REFERENCE, help="folder for model-table.md and model-table.csv")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="PATTERN",
        help="only these architectures (fnmatch; for a trial run elsewhere)",
    )
    options = parser.parse_args(argv)
    import datetime

    from kreg.errors import KregError
    from scripts.docgen.gallery import builtin_catalogue

    entries = builtin_catalogue().select(options.only)
    print(f"model-table: building and inspecting {len(entries)} architectures at their defaults", file=sys.stderr)
    try:
        rows, seconds = measure_all(entries)
    except KregError as error:
        print(f"model-table: error: {error}", file=sys.stderr)
        return 1
    made = datetime.date.today().isoformat()
    written = write_table(options.output, rows, current_versions(), seconds, made)
    print(f"model-table: wrote {', '.join(map(str, written))} in {seconds:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
