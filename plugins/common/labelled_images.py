"""Image classification batches ``(images, labels)``: synthetic, a folder, or an ``.npz`` file.

Images come from :mod:`kreg.plugins.common.image_data` (pixels in [0, 1]).
Labels come from where the data has them: a folder with one subfolder per
class (Keras's ``image_dataset_from_directory`` convention, classes in
alphabetical order) or an array ``y`` in the ``.npz`` file. Synthetic images,
a flat folder and an ``.npz`` file without ``y`` have no labels of their own;
they get :func:`position_labels`, a stand-in task with something to learn
(which region of the image is brightest), so a smoke training can show its
loss falling.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kreg.plugins.common.image_data import image_dataset, load_npz_images

IMAGE_SUFFIXES = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
"""The files ``image_dataset_from_directory`` reads."""


def labelled_image_dataset(
    source: str | Path | None, size: tuple[int, int], classes: int, batch_size: int, seed: int = 0
):
    """Batches of ``(images, labels)``: RGB float32 images in [0, 1] and int32 labels in ``[0, classes)``.

    Args:
        source: str, Path or None. None for synthetic images; a folder (one
            subfolder per class, or a flat folder of images); or an ``.npz`` file
            with ``x`` and optionally ``y``.
        size: tuple[int, int]. ``(height, width)``; folder images are cropped to
            the aspect ratio and resized.
        classes: int. Number of classes the model predicts.
        batch_size: int. Images per batch.
        seed: int. Seed of the shuffling and of synthetic images.

    Returns:
        tf.data.Dataset. ``(images (batch, height, width, 3), labels (batch,))``.

    Raises:
        ValueError: the source is not a folder or ``.npz`` file, holds no
            images, or has more classes than ``classes``; the message says which.
    """
    path = None if source is None else Path(source)
    if path is not None and path.is_dir() and class_folders(path):
        return _class_folder_dataset(path, size, classes, batch_size, seed)
    if path is not None and path.suffix == ".npz" and path.is_file() and _has_labels(path):
        return _npz_dataset(path, size, classes, batch_size, seed)
    return with_position_labels(image_dataset(path, size, 3, batch_size, seed), classes)


def labelled_class_count(source: str | Path | None) -> tuple[int, list[str]] | None:
    """How many classes labelled data holds, and their names: ``(count, names)``; None without labels.

    A folder with class subfolders has one class per subfolder (named); an
    ``.npz`` file with ``y`` has ``max(y) + 1`` (unnamed). Synthetic data, a
    flat folder and an ``.npz`` without ``y`` are labelled by position: None.
    """
    path = None if source is None else Path(source)
    if path is not None and path.is_dir():
        names = class_folders(path)
        return (len(names), names) if names else None
    if path is not None and path.suffix == ".npz" and path.is_file() and _has_labels(path):
        with np.load(path) as data:
            labels = data["y"].reshape(-1)
        return (int(labels.max()) + 1, []) if labels.size else None
    return None


def class_folders(folder: Path) -> list[str]:
    """The subfolders of ``folder`` that hold images (at any depth), sorted: the class names."""
    return sorted(
        child.name
        for child in folder.iterdir()
        if child.is_dir() and any(p.suffix.lower() in IMAGE_SUFFIXES for p in child.rglob("*"))
    )


def _class_folder_dataset(path: Path, size: tuple[int, int], classes: int, batch_size: int, seed: int):
    import keras

    names = class_folders(path)
    if len(names) > classes:
        raise ValueError(
            f"{path}: {len(names)} class folders ({', '.join(names[:5])}...) but the model has "
            f"classes={classes}; set classes={len(names)}"
        )
    dataset = keras.utils.image_dataset_from_directory(
        str(path),
        labels="inferred",
        label_mode="int",
        class_names=names,
        color_mode="rgb",
        image_size=size,
        batch_size=batch_size,
        crop_to_aspect_ratio=True,
        seed=seed,
        verbose=False,
    )
    return dataset.map(lambda x, y: (x / 255.0, y))


def _has_labels(path: Path) -> bool:
    with np.load(path) as data:
        return "y" in data.files


def _npz_dataset(path: Path, size: tuple[int, int], classes: int, batch_size: int, seed: int):
    import tensorflow as tf

    images = load_npz_images(path, size, 3)
    with np.load(path) as data:
        labels = data["y"].reshape(-1).astype("int32")
    if len(labels) != len(images):
        raise ValueError(f"{path}: 'x' has {len(images)} images but 'y' has {len(labels)} labels")
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"{path}: labels must be in [0, {classes}), got {labels.min()}..{labels.max()}")
    dataset = tf.data.Dataset.from_tensor_slices((images, labels))
    return dataset.shuffle(len(labels), seed=seed).batch(batch_size)


def with_position_labels(dataset, classes: int):
    """Map batches of images to ``(images, position_labels(images, classes))``."""
    return dataset.map(lambda images: (images, position_labels(images, classes)))


def position_labels(images, classes: int):
    """Label each image by the cell of a grid that holds its brightest pixel.

    The grid has ``ceil(sqrt(classes))`` cells a side; cells are numbered row
    by row, and numbers past ``classes`` wrap around.

    Args:
        images: tf.Tensor. (batch, height, width, channels).
        classes: int. Number of classes.

    Returns:
        tf.Tensor. int32 labels (batch,) in ``[0, classes)``.
    """
    import tensorflow as tf

    side = max(1, int(np.ceil(np.sqrt(classes))))
    shape = tf.shape(images)
    height, width = shape[1], shape[2]
    brightness = tf.reshape(tf.reduce_mean(images, axis=-1), (shape[0], -1))
    brightest = tf.argmax(brightness, axis=-1, output_type=tf.int32)
    row, col = brightest // width, brightest % width
    cell = (row * side // height) * side + col * side // width
    return cell % classes
