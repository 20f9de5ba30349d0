"""The three losses of neural style transfer (listings 12.19-12.21), in ``keras.ops``."""

from __future__ import annotations

from keras import ops


def content_loss(base_features, combination_features):
    """Sum of squared differences between two feature maps (listing 12.19)."""
    return ops.sum(ops.square(combination_features - base_features))


def gram_matrix(features):
    """Channel-by-channel inner products of one (height, width, channels) feature map (listing 12.20)."""
    channels_first = ops.transpose(features, (2, 0, 1))
    flat = ops.reshape(channels_first, (ops.shape(channels_first)[0], -1))
    return ops.matmul(flat, ops.transpose(flat))


def style_loss(style_features, combination_features, image_size: int):
    """Squared distance between the Gram matrices of two feature maps (listing 12.20).

    Args:
        style_features: tensor (height, width, channels). The style image's features.
        combination_features: tensor (height, width, channels). The combination image's.
        image_size: int. Pixels of the images (height * width); the listing
            normalises by it and by ``channels = 3`` whatever the layer.
    """
    channels = 3
    difference = gram_matrix(style_features) - gram_matrix(combination_features)
    return ops.sum(ops.square(difference)) / (4.0 * (channels**2) * (image_size**2))


def total_variation_loss(image):
    """Penalty on differences between neighbouring pixels of a (1, height, width, 3) image (listing 12.21)."""
    a = ops.square(image[:, :-1, :-1, :] - image[:, 1:, :-1, :])
    b = ops.square(image[:, :-1, :-1, :] - image[:, :-1, 1:, :])
    return ops.sum(ops.power(a + b, 1.25))
