"""The cause shown for a failure: the most specific line, in terms of what the user did.

TensorFlow's runtime errors wrap their own message in boilerplate: "Graph
execution error:", the Python stack of the op ("Detected at node ... defined
at", indented frames, or "<stack traces unavailable>"), node annotations
(``[[{{node decode_image/DecodeImage}}]]``), ``{{function_node ...}}`` and
``[Op:ShuffleDatasetV3] name:``. Keras wraps an error raised in a layer's
``call`` in "Exception encountered when calling ..." with the arguments
received. :func:`specific_cause` keeps the exception's own message; then the
TensorFlow-internal messages users meet most are said as what went wrong in
their data or code (:data:`TRANSLATIONS`), and an error TensorFlow raised
while ``fit`` read a batch is a failure of the data, not of the train step
(:func:`failed_phase`).
"""

from __future__ import annotations

import math
import re
import sys

from kreg.errors import describe_exception
from kreg.memory import format_size
from kreg.phases import Phase

_BOILERPLATE = ("Graph execution error:", "Detected at node", "<stack traces unavailable>", "[[")
_FUNCTION_NODE = re.compile(r"\{\{function_node [^}]*\}\}\s*")
_OP_SUFFIX = re.compile(r"\s*\[Op:[^\]]*\](\s*name:.*)?$")
_KERAS_CALL = re.compile(
    r"Exception encountered when calling (?P<where>.+?)\.\n\n\x1b\[1m(?P<own>.*?)\x1b\[0m", re.DOTALL
)
_KERAS_INFERENCE = "Error encountered:"
_READING_DATA = "IteratorGetNext"

TRANSLATIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"buffer_size must be greater than zero"),
        "the dataset is empty: shuffle() got a buffer size of 0 (the data holds no examples)",
    ),
    (
        re.compile(r"Unknown image file format\. (?P<formats>One of .*? required)"),
        "a file in the data is not an image TensorFlow can decode (Unknown image file format; {formats})",
    ),
    (
        re.compile(r"Attr 'Toutput_types' of 'OptionalFromValue' Op passed list of length 0 less than minimum 1"),
        "the train step returned no metrics (an empty dict); return at least one, e.g. {{'loss': loss}}",
    ),
)
"""TensorFlow-internal messages (a pattern) and what they mean for the user (a template on the pattern's groups)."""


_OOM = re.compile(r"OOM when allocating tensor with shape\[(?P<shape>[\d, ]*)\] and type (?P<dtype>\w+)")


def out_of_memory(error: BaseException) -> str | None:
    """``out of memory: ...`` when ``error``, or one it was raised from, is running out of memory; else None.

    TensorFlow's ``ResourceExhaustedError`` ("OOM when allocating tensor with
    shape[784,10000000000] and type float") and Python's ``MemoryError``; Keras
    re-raises a layer's error as ``type(error)(message)``, which fails for
    TensorFlow's errors (a ``TypeError`` about ``__init__``), so the whole
    chain of causes is searched.
    """
    for each in _chain(error):
        text = str(getattr(each, "message", None) or each)
        match = _OOM.search(text)
        if match is not None:
            shape = [int(size) for size in match["shape"].replace(" ", "").split(",") if size]
            size = math.prod(shape) * (8 if "64" in match["dtype"] else 2 if "16" in match["dtype"] else 4)
            return (
                f"out of memory: TensorFlow could not allocate a {match['dtype']} tensor of shape "
                f"{shape} ({format_size(size)}); --max-memory SIZE refuses such builds before they start"
            )
        if isinstance(each, MemoryError) or type(each).__name__ == "ResourceExhaustedError":
            return f"out of memory: {describe_exception(each)}"
    return None


def _chain(error: BaseException) -> list[BaseException]:
    """``error`` and every exception it was raised from or while handling, each once."""
    seen: list[BaseException] = []
    waiting: list[BaseException] = [error]
    while waiting:
        each = waiting.pop(0)
        if any(each is known for known in seen):
            continue
        seen.append(each)
        waiting.extend(e for e in (each.__cause__, each.__context__) if e is not None)
    return seen


def specific_cause(error: BaseException) -> BaseException | str:
    """The cause to report for ``error``: its own message, said in the user's terms where it is known.

    Returns the exception unchanged when there is nothing to take away (an
    ordinary Python error), ``"TypeName: message"`` without TensorFlow's or
    Keras's wrapping, or the user's-terms sentence of :data:`TRANSLATIONS`.
    """
    memory = out_of_memory(error)
    if memory is not None:
        return memory
    own = _own_message(error)
    text = own if own is not None else str(error)
    for pattern, meaning in TRANSLATIONS:
        match = pattern.search(text)
        if match:
            return meaning.format(**match.groupdict())
    return error if own is None else f"{type(error).__name__}: {own}"


def failed_phase(error: BaseException, phase: Phase) -> Phase:
    """``data`` for an error raised while ``fit`` read a batch, else ``phase``.

    TensorFlow names the ``IteratorGetNext`` node in such an error.
    """
    if phase is Phase.TRAIN and _is_tensorflow_error(error) and _READING_DATA in str(error):
        return Phase.DATA
    return phase


def _own_message(error: BaseException) -> str | None:
    """The message without TensorFlow's or Keras's wrapping; None when there was none to remove."""
    text = str(getattr(error, "message", None) or error)
    keras_call = _KERAS_CALL.search(text)
    if (
        keras_call
    ):  # the layer's own error, inside "could not infer the output shape ... Error encountered:" when tracing
        own = keras_call.group("own").rsplit(_KERAS_INFERENCE, 1)[-1]
        return f"{' '.join(own.split())} (in {keras_call.group('where')})"
    if not _is_tensorflow_error(error) and not _FUNCTION_NODE.search(text):
        return None
    lines = [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line[0].isspace() and not line.strip().startswith(_BOILERPLATE)
    ]
    if not lines:
        return None
    line = _OP_SUFFIX.sub("", _FUNCTION_NODE.sub("", lines[0])).strip()
    return line or None


def _is_tensorflow_error(error: BaseException) -> bool:
    tensorflow = sys.modules.get("tensorflow")  # an error can come from TensorFlow only once it is imported
    return tensorflow is not None and isinstance(error, tensorflow.errors.OpError)
