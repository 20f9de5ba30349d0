"""The data adapter: synthetic windows, files, and the sensor masks."""

from __future__ import annotations

import numpy as np
import pytest
from kreg_example_plugin.data import load_readings, make_dataset, sensor_masks, synthetic_readings

HYPERPARAMETERS = {"n_sensors": 5, "window": 8, "mask_rate": 0.3}


def test_synthetic_batches_have_the_model_input_shape():
    batch = next(iter(make_dataset(HYPERPARAMETERS, 4, None)))
    assert batch["readings"].shape == (4, 5, 8) and batch["readings"].dtype.name == "float32"
    assert batch["mask"].shape == (4, 5)


def test_every_mask_hides_one_sensor_at_least_and_shows_one_at_least():
    masks = sensor_masks(1000, 5, 0.3)
    hidden = masks.sum(axis=1)
    assert hidden.min() >= 1 and hidden.max() <= 4
    assert 0.25 < masks.mean() < 0.5


def test_synthetic_sensors_are_correlated():
    readings = synthetic_readings(6, 32, examples=64)
    correlation = np.corrcoef(readings.transpose(1, 0, 2).reshape(6, -1))
    off_diagonal = np.abs(correlation[~np.eye(6, dtype=bool)])
    assert off_diagonal.max() > 0.3, "sensors must share signals, or hidden ones can't be inferred"


def test_a_csv_series_is_cut_into_half_overlapping_windows(tmp_path):
    series = np.arange(20 * 5, dtype=float).reshape(20, 5)
    path = tmp_path / "series.csv"
    np.savetxt(path, series, delimiter=",", header="a,b,c,d,e", comments="")
    windows = load_readings(path, 5, 8)
    assert windows.shape == (4, 5, 8)  # starts 0, 4, 8, 12
    np.testing.assert_array_equal(windows[1, :, 0], series[4])


def test_an_npz_of_the_wrong_shape_is_refused_with_the_shapes(tmp_path):
    path = tmp_path / "data.npz"
    np.savez(path, readings=np.zeros((3, 4, 8)))
    with pytest.raises(ValueError, match=r"shape \(3, 4, 8\), expected \(N, 5, 8\)"):
        load_readings(path, 5, 8)
