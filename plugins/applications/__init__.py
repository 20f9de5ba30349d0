"""Every model of ``keras.applications`` (ResNet, EfficientNet, ConvNeXt, ...) as a kreg architecture.

Registration only: names and defaults come from the static catalog, and the
builders and adapters are ``"module:attr"`` strings, so importing this module
never imports TensorFlow.
"""

import kreg
from kreg.plugins.applications.catalog import APPLICATIONS
from kreg.plugins.applications.registration import architecture


@kreg.hookimpl
def kreg_register_architectures(register):
    """Register one architecture per ``keras.applications`` model (``resnet50``, ``convnexttiny``, ...)."""
    for spec in APPLICATIONS:
        register(architecture(spec))
