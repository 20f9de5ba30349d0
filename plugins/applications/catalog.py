"""Every model of ``keras.applications``, listed statically: what registration needs
without importing TensorFlow.

One :class:`Application` per model function. A test builds each one and checks
this table against Keras itself (the names in ``keras.applications``, each
function's module, default and minimum image sizes, and the preprocessing its
module applies), so a Keras release that adds, removes or changes a model is
noticed.

``published_params`` are the parameter counts keras.io publishes for the
model with its ImageNet top (``include_top=True``, 1000 classes) at its default
image size. Exact figures come from the table on the Keras Applications page,
https://keras.io/api/applications/ (source: keras-team/keras-io,
templates/api/applications/index.md, at commit
01b6d6c4c4ef2c7975be4c42ac148db57352d978, the last version that printed every
digit). EfficientNetV2 is only in the page's current table, which rounds to
0.1M (e.g. "7.2M"; commit e7be306b7cad4726760a753c5bed90824e096b81):
``published_rounding`` says so. keras.io's table has no row for ConvNeXt or
MobileNetV3: None. (MobileNetV3's own docstring prints 5.4M and 2.9M for the
original checkpoints; Keras's build has 5,507,432 and 2,554,968, so those
figures are not the model kreg builds and are left out.)
"""

from __future__ import annotations

from dataclasses import dataclass

KERAS_IO_TABLE = "https://keras.io/api/applications/"
"""Where the published parameter counts come from."""

TAG = "keras-applications"
"""The tag every model of this family carries (``kreg list --tag keras-applications``)."""


@dataclass(frozen=True)
class Application:
    """One model function of ``keras.applications``.

    Attributes:
        function: str. Its name in ``keras.applications``, e.g. ``"ResNet50"``.
        module: str. The ``keras.applications`` submodule whose
            ``preprocess_input`` prepares its images, e.g. ``"resnet"``.
        family: str. A tag shared by its relatives, e.g. ``"resnet"``.
        default_size: int. Keras's default image side (with the ImageNet top).
        min_size: int. The smallest image side Keras accepts.
        smoke_size: int. The image side of the ``smoke`` preset.
        published_params: int or None. keras.io's parameter count (see the
            module docstring), None when keras.io publishes none.
        published_rounding: int. 1 when ``published_params`` has every digit;
            otherwise the unit it was rounded to (100,000 for "7.2M").
    """

    function: str
    module: str
    family: str
    default_size: int
    min_size: int
    smoke_size: int
    published_params: int | None
    published_rounding: int = 1

    @property
    def name(self) -> str:
        """The architecture's name: the function's name in lower case (``resnet50``)."""
        return self.function.lower()

    @property
    def preprocessing(self) -> str:
        """What ``keras.applications.<module>.preprocess_input`` does to 0..255 RGB pixels."""
        return PREPROCESSING[PREPROCESSING_MODES[self.module]]

    @property
    def source(self) -> str:
        """The paper the model comes from, and where Keras defines it."""
        return f"{PAPERS[self.module]}; keras.applications.{self.function}"


M = 100_000
"""keras.io's current table rounds to 0.1M."""


def published_figure(params: int, rounding: int) -> str:
    """A published parameter count as keras.io writes it: every digit (``8,062,504``) or rounded (``7.2M``)."""
    return f"{params:,}" if rounding == 1 else f"{params / 1e6:.1f}M"


APPLICATIONS: tuple[Application, ...] = (
    Application("ConvNeXtTiny", "convnext", "convnext", 224, 32, 32, None),
    Application("ConvNeXtSmall", "convnext", "convnext", 224, 32, 32, None),
    Application("ConvNeXtBase", "convnext", "convnext", 224, 32, 32, None),
    Application("ConvNeXtLarge", "convnext", "convnext", 224, 32, 32, None),
    Application("ConvNeXtXLarge", "convnext", "convnext", 224, 32, 32, None),
    Application("DenseNet121", "densenet", "densenet", 224, 32, 32, 8_062_504),
    Application("DenseNet169", "densenet", "densenet", 224, 32, 32, 14_307_880),
    Application("DenseNet201", "densenet", "densenet", 224, 32, 32, 20_242_984),
    Application("EfficientNetB0", "efficientnet", "efficientnet", 224, 32, 32, 5_330_571),
    Application("EfficientNetB1", "efficientnet", "efficientnet", 240, 32, 32, 7_856_239),
    Application("EfficientNetB2", "efficientnet", "efficientnet", 260, 32, 32, 9_177_569),
    Application("EfficientNetB3", "efficientnet", "efficientnet", 300, 32, 32, 12_320_535),
    Application("EfficientNetB4", "efficientnet", "efficientnet", 380, 32, 32, 19_466_823),
    Application("EfficientNetB5", "efficientnet", "efficientnet", 456, 32, 32, 30_562_527),
    Application("EfficientNetB6", "efficientnet", "efficientnet", 528, 32, 32, 43_265_143),
    Application("EfficientNetB7", "efficientnet", "efficientnet", 600, 32, 32, 66_658_687),
    Application("EfficientNetV2B0", "efficientnet_v2", "efficientnet", 224, 32, 32, 72 * M, M),
    Application("EfficientNetV2B1", "efficientnet_v2", "efficientnet", 240, 32, 32, 82 * M, M),
    Application("EfficientNetV2B2", "efficientnet_v2", "efficientnet", 260, 32, 32, 102 * M, M),
    Application("EfficientNetV2B3", "efficientnet_v2", "efficientnet", 300, 32, 32, 145 * M, M),
    Application("EfficientNetV2S", "efficientnet_v2", "efficientnet", 384, 32, 32, 216 * M, M),
    Application("EfficientNetV2M", "efficientnet_v2", "efficientnet", 480, 32, 32, 544 * M, M),
    Application("EfficientNetV2L", "efficientnet_v2", "efficientnet", 480, 32, 32, 1190 * M, M),
    Application("InceptionResNetV2", "inception_resnet_v2", "inception", 299, 75, 75, 55_873_736),
    Application("InceptionV3", "inception_v3", "inception", 299, 75, 75, 23_851_784),
    Application("MobileNet", "mobilenet", "mobilenet", 224, 32, 32, 4_253_864),
    Application("MobileNetV2", "mobilenet_v2", "mobilenet", 224, 32, 32, 3_538_984),
    Application("MobileNetV3Large", "mobilenet_v3", "mobilenet", 224, 32, 32, None),
    Application("MobileNetV3Small", "mobilenet_v3", "mobilenet", 224, 32, 32, None),
    Application("NASNetLarge", "nasnet", "nasnet", 331, 32, 32, 88_949_818),
    Application("NASNetMobile", "nasnet", "nasnet", 224, 32, 32, 5_326_716),
    Application("ResNet101", "resnet", "resnet", 224, 32, 32, 44_707_176),
    Application("ResNet101V2", "resnet_v2", "resnet", 224, 32, 32, 44_675_560),
    Application("ResNet152", "resnet", "resnet", 224, 32, 32, 60_419_944),
    Application("ResNet152V2", "resnet_v2", "resnet", 224, 32, 32, 60_380_648),
    Application("ResNet50", "resnet", "resnet", 224, 32, 32, 25_636_712),
    Application("ResNet50V2", "resnet_v2", "resnet", 224, 32, 32, 25_613_800),
    Application("VGG16", "vgg16", "vgg", 224, 32, 32, 138_357_544),
    Application("VGG19", "vgg19", "vgg", 224, 32, 32, 143_667_240),
    Application("Xception", "xception", "xception", 299, 71, 71, 22_910_480),
)

PREPROCESSING_MODES = {
    "convnext": "in-model",
    "densenet": "torch",
    "efficientnet": "in-model",
    "efficientnet_v2": "in-model",
    "inception_resnet_v2": "tf",
    "inception_v3": "tf",
    "mobilenet": "tf",
    "mobilenet_v2": "tf",
    "mobilenet_v3": "in-model",
    "nasnet": "tf",
    "resnet": "caffe",
    "resnet_v2": "tf",
    "vgg16": "caffe",
    "vgg19": "caffe",
    "xception": "tf",
}
"""The ``mode`` of each module's ``preprocess_input`` (Keras's names), or "in-model"."""

PREPROCESSING = {
    "caffe": "RGB to BGR, then the ImageNet channel means subtracted (pixels stay around 0..255)",
    "tf": "pixels scaled from 0..255 to -1..1",
    "torch": "pixels scaled to 0..1, then normalised by the ImageNet channel means and deviations",
    "in-model": "none outside the model: its first layers rescale and normalise 0..255 pixels",
}
"""What each preprocessing mode does, for ``kreg info``."""

PAPERS = {
    "convnext": "Liu et al., A ConvNet for the 2020s (CVPR 2022), https://arxiv.org/abs/2201.03545",
    "densenet": "Huang et al., Densely Connected Convolutional Networks (CVPR 2017), https://arxiv.org/abs/1608.06993",
    "efficientnet": (
        "Tan and Le, EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks (ICML 2019), "
        "https://arxiv.org/abs/1905.11946"
    ),
    "efficientnet_v2": (
        "Tan and Le, EfficientNetV2: Smaller Models and Faster Training (ICML 2021), https://arxiv.org/abs/2104.00298"
    ),
    "inception_resnet_v2": (
        "Szegedy et al., Inception-v4, Inception-ResNet and the Impact of Residual Connections on Learning "
        "(AAAI 2017), "
        "https://arxiv.org/abs/1602.07261"
    ),
    "inception_v3": (
        "Szegedy et al., Rethinking the Inception Architecture for Computer Vision (CVPR 2016), "
        "https://arxiv.org/abs/1512.00567"
    ),
    "mobilenet": (
        "Howard et al., MobileNets: Efficient Convolutional Neural Networks for Mobile Vision Applications (2017), "
        "https://arxiv.org/abs/1704.04861"
    ),
    "mobilenet_v2": (
        "Sandler et al., MobileNetV2: Inverted Residuals and Linear Bottlenecks (CVPR 2018), "
        "https://arxiv.org/abs/1801.04381"
    ),
    "mobilenet_v3": "Howard et al., Searching for MobileNetV3 (ICCV 2019), https://arxiv.org/abs/1905.02244",
    "nasnet": (
        "Zoph et al., Learning Transferable Architectures for Scalable Image Recognition (CVPR 2018), "
        "https://arxiv.org/abs/1707.07012"
    ),
    "resnet": "He et al., Deep Residual Learning for Image Recognition (CVPR 2016), https://arxiv.org/abs/1512.03385",
    "resnet_v2": "He et al., Identity Mappings in Deep Residual Networks (ECCV 2016), https://arxiv.org/abs/1603.05027",
    "vgg16": (
        "Simonyan and Zisserman, Very Deep Convolutional Networks for Large-Scale Image Recognition (ICLR 2015), "
        "https://arxiv.org/abs/1409.1556"
    ),
    "vgg19": (
        "Simonyan and Zisserman, Very Deep Convolutional Networks for Large-Scale Image Recognition (ICLR 2015), "
        "https://arxiv.org/abs/1409.1556"
    ),
    "xception": (
        "Chollet, Xception: Deep Learning with Depthwise Separable Convolutions (CVPR 2017), "
        "https://arxiv.org/abs/1610.02357"
    ),
}
"""The paper behind each module's models (as Keras's docstrings cite them)."""

BY_NAME: dict[str, Application] = {application.name: application for application in APPLICATIONS}
"""Each application by its architecture name."""


def application(name: str) -> Application:
    """The :class:`Application` registered as ``name`` (e.g. ``"resnet50"``).

    Raises:
        KeyError: no such application; the message names it.
    """
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"no keras.applications model is registered as {name!r}") from None
