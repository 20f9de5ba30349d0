"""Every keras.applications model through kreg (slow): ``kreg check`` at the smoke preset,
and the default build against the parameter count keras.io publishes."""

from __future__ import annotations

import pytest

keras = pytest.importorskip("keras")

from kreg.hyperparameters import resolve_hyperparameters  # noqa: E402
from kreg.inspect_tools.params import count_params  # noqa: E402
from kreg.plugins.applications.catalog import APPLICATIONS  # noqa: E402
from kreg.running.building import build_fresh  # noqa: E402
from kreg.workflows.checking import check_one  # noqa: E402

pytestmark = pytest.mark.slow

SPECS = pytest.mark.parametrize("spec", APPLICATIONS, ids=lambda spec: spec.name)


@SPECS
def test_passes_kreg_check_at_the_smoke_preset(builtin_catalogue, spec):
    result = check_one(builtin_catalogue.get(spec.name))
    assert result.passed, f"{result.phase}: {result.cause}"
    assert (result.preset, result.steps, result.trained) == ("smoke", 3, True)


@SPECS
def test_the_default_build_has_the_published_parameter_count(builtin_catalogue, spec):
    entry = builtin_catalogue.get(spec.name)
    model = build_fresh(entry, resolve_hyperparameters(entry)).model
    assert model.input_shape == (None, spec.default_size, spec.default_size, 3)
    assert model.output_shape == (None, 1000)
    total = count_params(model).total
    # kreg's count against Keras's own, then against the figure keras.io prints
    # (exact, or rounded to 0.1M for EfficientNetV2).
    assert total == model.count_params()
    if spec.published_params is None:
        pytest.skip(f"keras.io publishes no parameter count for {spec.function} (kreg counts {total:,})")
    assert abs(total - spec.published_params) <= spec.published_rounding // 2, (total, spec.published_params)
