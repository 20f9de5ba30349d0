"""A keras.io-style Vision Transformer as a real plugin package, every layer unnamed.

The model follows keras.io's "Image classification with Vision Transformer":
patches -> PatchEncoder (a Dense projection plus a position Embedding) -> N x
[LayerNormalization, MultiHeadAttention, Add, LayerNormalization, MLP (Dense,
Dropout, Dense, Dropout), Add] -> LayerNormalization, Flatten, Dropout, the
head's MLP and the logits Dense. No layer gets a name, so Keras numbers them
by creation order (``dense_12``): the diff must match them by structure.

The package has two modules, as published plugins do: the entry module
(``kreg_test_vit``, no Keras import, so ``kreg list`` stays light) and the
builder module (``kreg_test_vit_model``), whose import registers the custom
layers with Keras's serialisation so a saved ``.keras`` file loads with
``safe_mode=True``.
"""

from __future__ import annotations

import kreg
from tests.support.plugin_packages import import_source, write_plugin_package

DISTRIBUTION = "kreg-test-vit"
NAME = "test-vit"

PATCHES = (16 // 4) ** 2  # image_size 16, patch_size 4
# Per block, by hand: query/key/value/output projections 4 x PATCHES x 16 x 32 (2 heads of 16),
# the two attention products 2 x 2 heads x PATCHES^2 x 16, the MLP 2 x PATCHES x 16 x 32.
BLOCK_MACS = 4 * PATCHES * 16 * 32 + 2 * 2 * PATCHES**2 * 16 + 2 * PATCHES * 16 * 32

ENTRY_MODULE = """
import kreg

@kreg.hookimpl
def kreg_register_architectures(register):
    register(kreg.Architecture(
        name="test-vit",
        summary="keras.io's Vision Transformer, small, every layer auto-named",
        builder="kreg_test_vit_model:build",
        hyperparameters={
            "image_size": 16, "patch_size": 4, "projection_dim": 16, "num_heads": 2,
            "transformer_layers": 4, "mlp_head_units": [64, 32], "num_classes": 10,
        },
        tags=("test",),
    ))
"""

MODEL_MODULE = """
import keras
from keras import layers, ops


@keras.saving.register_keras_serializable(package="kreg_test_vit")
class Patches(layers.Layer):
    def __init__(self, patch_size, **kwargs):
        super().__init__(**kwargs)
        self.patch_size = patch_size

    def call(self, images):
        shape = ops.shape(images)
        patches = ops.image.extract_patches(images, size=self.patch_size)
        rows, columns = shape[1] // self.patch_size, shape[2] // self.patch_size
        return ops.reshape(patches, (shape[0], rows * columns, self.patch_size * self.patch_size * shape[3]))

    def get_config(self):
        return {**super().get_config(), "patch_size": self.patch_size}


@keras.saving.register_keras_serializable(package="kreg_test_vit")
class PatchEncoder(layers.Layer):
    def __init__(self, num_patches, projection_dim, **kwargs):
        super().__init__(**kwargs)
        self.num_patches = num_patches
        self.projection_dim = projection_dim
        self.projection = layers.Dense(units=projection_dim)
        self.position_embedding = layers.Embedding(input_dim=num_patches, output_dim=projection_dim)

    def call(self, patch):
        positions = ops.expand_dims(ops.arange(start=0, stop=self.num_patches, step=1), axis=0)
        return self.projection(patch) + self.position_embedding(positions)

    def get_config(self):
        return {**super().get_config(), "num_patches": self.num_patches, "projection_dim": self.projection_dim}


def mlp(x, hidden_units, dropout_rate):
    for units in hidden_units:
        x = layers.Dense(units, activation="gelu")(x)
        x = layers.Dropout(dropout_rate)(x)
    return x


def build(image_size, patch_size, projection_dim, num_heads, transformer_layers, mlp_head_units, num_classes):
    num_patches = (image_size // patch_size) ** 2
    inputs = keras.Input((image_size, image_size, 3))
    patches = Patches(patch_size)(inputs)
    encoded = PatchEncoder(num_patches, projection_dim)(patches)
    for _ in range(transformer_layers):
        x1 = layers.LayerNormalization(epsilon=1e-6)(encoded)
        attention = layers.MultiHeadAttention(num_heads=num_heads, key_dim=projection_dim, dropout=0.1)(x1, x1)
        x2 = layers.Add()([attention, encoded])
        x3 = layers.LayerNormalization(epsilon=1e-6)(x2)
        x3 = mlp(x3, [projection_dim * 2, projection_dim], 0.1)
        encoded = layers.Add()([x3, x2])
    representation = layers.LayerNormalization(epsilon=1e-6)(encoded)
    representation = layers.Flatten()(representation)
    representation = layers.Dropout(0.5)(representation)
    features = mlp(representation, mlp_head_units, 0.5)
    logits = layers.Dense(num_classes)(features)
    model = keras.Model(inputs=inputs, outputs=logits)
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model
"""


def write_package(root):
    """Write the plugin package under ``root`` for ``pip install``; return its folder."""
    return write_plugin_package(
        root, DISTRIBUTION, ENTRY_MODULE, entry_point=DISTRIBUTION, extra_modules={"kreg_test_vit_model": MODEL_MODULE}
    )


def add_in_process(catalogue: kreg.Catalogue) -> kreg.Catalogue:
    """Import both modules under their installed names and register the plugin in ``catalogue``."""
    import_source("kreg_test_vit_model", MODEL_MODULE)
    module = import_source("kreg_test_vit", ENTRY_MODULE)
    catalogue.add_plugin(module, kreg.PluginRecord(name=DISTRIBUTION, distribution=DISTRIBUTION))
    return catalogue
