"""Labelled image batches (synthetic, folders, .npz) and each model's preprocessing in the adapter."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")
from PIL import Image  # noqa: E402

from kreg.plugins.applications import data  # noqa: E402
from kreg.plugins.applications.catalog import BY_NAME  # noqa: E402
from kreg.plugins.common.labelled_images import labelled_image_dataset, position_labels  # noqa: E402


def write_image(path: Path, colour: tuple[int, int, int], size: tuple[int, int] = (12, 16)) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((*size, 3), colour, dtype=np.uint8)).save(path)


def test_position_labels_number_the_grid_cell_of_the_brightest_pixel():
    images = np.zeros((4, 8, 8, 3), "float32")
    images[0, 0, 0] = 1.0  # top left: cell 0
    images[1, 0, 7] = 1.0  # top right: cell 1
    images[2, 7, 0] = 1.0  # bottom left: cell 2
    images[3, 7, 7] = 1.0  # bottom right: cell 3
    assert position_labels(tf.constant(images), 4).numpy().tolist() == [0, 1, 2, 3]
    # Three classes on a 2x2 grid: cell 3 wraps to class 0.
    assert position_labels(tf.constant(images), 3).numpy().tolist() == [0, 1, 2, 0]


def test_synthetic_batches_have_images_in_range_and_labels_in_classes():
    images, labels = next(iter(labelled_image_dataset(None, (20, 24), 10, batch_size=16)))
    assert images.shape == (16, 20, 24, 3) and images.dtype == tf.float32
    assert float(tf.reduce_min(images)) >= 0.0 and float(tf.reduce_max(images)) <= 1.0
    assert labels.dtype == tf.int32 and int(tf.reduce_min(labels)) >= 0 and int(tf.reduce_max(labels)) < 10
    assert len(set(labels.numpy().tolist())) > 1


def test_a_folder_with_class_subfolders_labels_by_folder_in_alphabetical_order(tmp_path):
    write_image(tmp_path / "dog" / "a.png", (0, 0, 255))
    write_image(tmp_path / "cat" / "b.jpg", (255, 0, 0))
    write_image(tmp_path / "cat" / "deeper" / "c.png", (255, 0, 0))
    (tmp_path / "empty").mkdir()
    pairs = [
        (image.numpy(), int(label))
        for images, labels in labelled_image_dataset(tmp_path, (8, 8), 5, 2)
        for image, label in zip(images, labels)
    ]
    assert sorted(label for _, label in pairs) == [0, 0, 1]  # cat (2 images) then dog
    for image, label in pairs:
        red, blue = image[..., 0].mean(), image[..., 2].mean()
        assert (red > blue) == (label == 0) and image.max() <= 1.0


def test_more_class_folders_than_classes_is_an_error_that_says_what_to_set(tmp_path):
    for name in ("a", "b", "c"):
        write_image(tmp_path / name / "x.png", (10, 20, 30))
    with pytest.raises(ValueError, match=r"3 class folders .* classes=2; set classes=3"):
        labelled_image_dataset(tmp_path, (8, 8), 2, 2)


def test_a_flat_folder_gets_position_labels(tmp_path):
    for index in range(3):
        write_image(tmp_path / f"{index}.png", (index * 80, 0, 0))
    images, labels = next(iter(labelled_image_dataset(tmp_path, (8, 8), 4, 8)))
    assert images.shape == (3, 8, 8, 3)
    assert labels.numpy().tolist() == position_labels(images, 4).numpy().tolist()


def test_an_npz_file_with_labels_uses_them_and_checks_their_range(tmp_path):
    x = np.random.default_rng(0).integers(0, 256, (6, 8, 8, 3), dtype=np.uint8)
    np.savez(tmp_path / "good.npz", x=x, y=np.array([0, 1, 2, 0, 1, 2]))
    labels = np.concatenate([y.numpy() for _, y in labelled_image_dataset(tmp_path / "good.npz", (8, 8), 3, 4)])
    assert sorted(labels.tolist()) == [0, 0, 1, 1, 2, 2]
    np.savez(tmp_path / "bad.npz", x=x, y=np.arange(6))
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\), got 0..5"):
        labelled_image_dataset(tmp_path / "bad.npz", (8, 8), 3, 4)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("resnet50", lambda p: p[..., ::-1] - np.array([103.939, 116.779, 123.68])),  # caffe
        ("mobilenet", lambda p: p / 127.5 - 1.0),  # tf
        (
            "densenet121",
            lambda p: (p / 255.0 - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225]),
        ),  # torch
        ("convnexttiny", lambda p: p),  # in the model
    ],
)
def test_the_adapter_feeds_each_model_its_own_preprocessing(name, expected, tmp_path):
    raw = np.random.default_rng(1).integers(0, 256, (4, 8, 8, 3), dtype=np.uint8)
    np.savez(tmp_path / "images.npz", x=raw, y=np.zeros(4, int))
    images, labels = next(
        iter(data.make_dataset(BY_NAME[name], {"image_size": 8, "classes": 10}, 4, str(tmp_path / "images.npz")))
    )
    order = np.argsort(np.asarray(images).reshape(4, -1)[:, 0])  # the adapter shuffles; match images up
    fed = np.asarray(images)[order]
    wanted = expected(raw.astype("float64"))
    wanted = wanted[np.argsort(wanted.reshape(4, -1)[:, 0])]
    np.testing.assert_allclose(fed, wanted, atol=1e-3)
    assert labels.numpy().tolist() == [0, 0, 0, 0]


def test_adapters_and_builders_are_found_by_name():
    from kreg.plugins.applications import model

    assert data.resnet50.args == (BY_NAME["resnet50"],)
    assert model.convnexttiny.args == (BY_NAME["convnexttiny"],)
    with pytest.raises(AttributeError, match="no attribute 'resnet51'"):
        model.resnet51  # noqa: B018


def test_training_on_a_two_class_folder_builds_a_two_class_top_and_says_so(tmp_path, kreg_cli):
    """The new user's case: ``kreg train mobilenetv3small --data photos/`` trained ImageNet's 1000-class head."""
    for index in range(4):
        write_image(tmp_path / "photos" / "cats" / f"{index}.png", (200, 20 * index, 30))
        write_image(tmp_path / "photos" / "dogs" / f"{index}.png", (20, 20 * index, 200))
    photos = str(tmp_path / "photos")
    result = kreg_cli("train", "mobilenetv3small", "--data", photos, "--steps", "1", "--batch-size", "4", "--json")
    assert result.exit_code == 0, result.output
    assert (
        f"kreg: --data {photos} holds 2 classes (cats, dogs): the model's top is built for classes=2, not 1000"
        in result.stderr
    )
    first_loss = result.json()["metrics"]["loss"]["first"]
    assert first_loss < 3.0  # about ln 2, not ln 1000 (6.9)


def test_the_data_state_step_counts_folder_and_npz_classes_and_leaves_synthetic_data_alone(tmp_path):
    for name in ("a", "b", "c"):
        write_image(tmp_path / "folder" / name / "x.png", (10, 20, 30))
    np.savez(tmp_path / "labels.npz", x=np.zeros((4, 8, 8, 3), "uint8"), y=np.array([0, 4, 1, 2]))
    hyperparameters = {"classes": 1000}
    assert data.class_state(hyperparameters, str(tmp_path / "folder")) == {"classes": 3, "class_names": ["a", "b", "c"]}
    assert data.class_state(hyperparameters, str(tmp_path / "labels.npz")) == {"classes": 5, "class_names": []}
    assert data.class_state(hyperparameters, None) == {}
    assert data.classes_for(hyperparameters, {}) == 1000
