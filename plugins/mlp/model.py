"""The guide's MLP blocks as a trainable, inspectable, savable classifier."""

from __future__ import annotations

import keras

from kreg.errors import HyperparameterError
from kreg.plugins.common.configs import attribute_config
from kreg.plugins.common.defaults import defaults_from
from kreg.plugins.mlp.defaults import GUIDE_MLP
from kreg.plugins.mlp.layers import MLP, PACKAGE, ComputeSum, MLPWithDropout, SparseMLP
from kreg.validation import require_in_range, require_positive_int

VARIANTS = ("mlp", "sparse", "dropout")
"""``variant`` values: the guide's MLP, SparseMLP and MLPWithDropout."""

OPTIMIZERS = ("guide", "sgd", "adam")
"""``optimizer`` values: ``"guide"`` is the one the guide trains the variant with
(SGD for SparseMLP, Adam for the MLP of its metrics loop, Adam for MLPWithDropout,
which the guide does not train); ``"sgd"`` and ``"adam"`` force one."""

GUIDE_OPTIMIZERS = {"mlp": "adam", "sparse": "sgd", "dropout": "adam"}


@keras.saving.register_keras_serializable(package=PACKAGE)
class MLPClassifier(keras.Model):
    """One of the guide's MLP blocks, optionally with a ComputeSum of every input it is called on.

    The guide notes that a ``Model`` subclass "works exactly like subclassing
    ``Layer``"; this one also owns the SparseCategoricalAccuracy that the
    guide's custom loop updates (``accuracy_metric``), so ``model.metrics``
    lists it and ``model.reset_metrics()`` (which ``fit`` calls each epoch)
    resets it.

    Args:
        variant: str. ``"mlp"`` (MLP), ``"sparse"`` (SparseMLP) or ``"dropout"`` (MLPWithDropout).
        input_dim: int. Features per example (784 for flattened MNIST).
        classes: int. Output logits.
        units: int. Width of the hidden Linear layers.
        rate: float. ActivityRegularization rate of the sparse variant.
        dropout: float. Dropout rate of the dropout variant.
        seed: int or None. Seed of the dropout masks.
        input_sum: bool. Also keep the guide's ComputeSum of the inputs (a
            non-trainable running sum, ``input_dim`` weights) beside the block;
            the guide's models do not have it, so it is off by default.
    """

    def __init__(
        self,
        variant: str,
        input_dim: int,
        classes: int,
        units: int,
        rate: float,
        dropout: float,
        seed: int | None = None,
        input_sum: bool = False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.variant, self.input_dim, self.classes, self.units = variant, input_dim, classes, units
        self.rate, self.dropout, self.seed = rate, dropout, seed
        self.input_sum = ComputeSum(input_dim, name="input_sum") if input_sum else None
        self.block = make_block(variant, units, classes, rate, dropout, seed)
        self.accuracy_metric = keras.metrics.SparseCategoricalAccuracy(name="accuracy")

    def call(self, inputs, training=None):
        if self.input_sum is not None:
            self.input_sum(inputs)
        return self.block(inputs, training=training)

    def get_config(self) -> dict:
        names = ("variant", "input_dim", "classes", "units", "rate", "dropout", "seed")
        return {**attribute_config(super().get_config(), self, names), "input_sum": self.input_sum is not None}


def make_block(
    variant: str, units: int, classes: int, rate: float, dropout: float, seed: int | None
) -> keras.layers.Layer:
    """Return the guide's block for ``variant`` (see :data:`VARIANTS`).

    Raises:
        HyperparameterError: unknown variant.
    """
    if variant == "mlp":
        return MLP(units, classes, name="mlp")
    if variant == "sparse":
        return SparseMLP(units, classes, rate=rate, name="sparse_mlp")
    if variant == "dropout":
        return MLPWithDropout(units, classes, dropout=dropout, seed=seed, name="mlp_with_dropout")
    raise HyperparameterError("variant", f"must be one of {', '.join(VARIANTS)}, got {variant!r}")


@defaults_from(GUIDE_MLP)
def build(
    *,
    variant: str,
    input_dim: int,
    classes: int,
    units: int,
    rate: float,
    dropout: float,
    learning_rate: float,
    optimizer: str,
    input_sum: bool,
) -> keras.Model:
    """Build, build (on a symbolic ``keras.Input``) and compile the classifier.

    Args:
        variant: str. ``"mlp"``, ``"sparse"`` or ``"dropout"``.
        input_dim: int. Features per example.
        classes: int. Classes (logits).
        units: int. Width of the hidden Linear layers (the guide's 32).
        rate: float. Sparsity rate of the ``"sparse"`` variant (the guide's 1e-2).
        dropout: float. Dropout rate of the ``"dropout"`` variant (the guide's 0.5).
        learning_rate: float. The optimizer's learning rate (the guide's 1e-3 for both).
        optimizer: str. ``"guide"`` (SGD for the sparse variant, Adam otherwise),
            ``"sgd"`` or ``"adam"``; see :data:`OPTIMIZERS`.
        input_sum: bool. Add the guide's ComputeSum of the inputs (not part of
            the guide's models; the ``input-sum`` preset turns it on).

    Returns:
        keras.Model. An :class:`MLPClassifier`, built for ``(None, input_dim)``,
        compiled with the optimizer and sparse categorical cross-entropy on logits.

    Raises:
        HyperparameterError: a bad size, rate, variant or optimizer.
    """
    require_positive_int(input_dim=input_dim, classes=classes, units=units)
    require_in_range("rate", rate, 0.0, float("inf"))
    require_in_range("dropout", dropout, 0.0, 0.99)
    if learning_rate <= 0:
        raise HyperparameterError("learning_rate", f"must be positive, got {learning_rate!r}")
    model = MLPClassifier(
        variant, input_dim, classes, units, rate, dropout, input_sum=input_sum, name=f"{variant}_classifier"
    )
    model(keras.Input((input_dim,), name="features"))  # creates every weight: the model is built and inspectable
    model.compile(
        optimizer=make_optimizer(optimizer, variant, learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    model.optimizer.build(model.trainable_variables)
    return model


def make_optimizer(name: str, variant: str, learning_rate: float) -> keras.optimizers.Optimizer:
    """The optimizer ``name`` (see :data:`OPTIMIZERS`) for ``variant``.

    Raises:
        HyperparameterError: unknown optimizer name.
    """
    if name not in OPTIMIZERS:
        raise HyperparameterError("optimizer", f"must be one of {', '.join(OPTIMIZERS)}, got {name!r}")
    if name == "guide":
        name = GUIDE_OPTIMIZERS.get(variant, "adam")
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate)
    return keras.optimizers.Adam(learning_rate)
