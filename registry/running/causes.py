"""The cause shown for a failure: the most specific line, in terms of what the user did.

TensorFlow's runtime errors wrap their own message in boilerplate: "Graph
execution error:", the Python stack of the op ("Detected at node ... defined
at", indented frames, or "<stack traces unavailable>"), node annotations
(``[[{{node decode_image/DecodeImage}}]]``), ``{{function_node ...}}`` and
``[Op:ShuffleDatasetV3] name:``. Keras wraps an error raised in a layer's
``call`` in "Exception encountered when calling ..." with the arguments
received. :func:`specific_cause` keeps the exception's own message; then the
TensorFlow-internal messages users meet most are said as what went wrong in
their data or code (:data:`TRANSLATIONS`).
"""

from __future__ import annotations

import re
import sys

_BOILERPLATE = ("Graph execution error:", "Detected at node", "<stack traces unavailable>", "[[")
_FUNCTION_NODE = re.compile(r"\{\{function_node [^}]*\}\}\s*")
_OP_SUFFIX = re.compile(r"\s*\[Op:[^\]]*\](\s*name:.*)?$")
_KERAS_CALL = re.compile(r"Exception encountered when calling .*?\n\n\x1b\[1m(?P<own>.*?)\x1b\[0m", re.DOTALL)
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
        re.compile(r"Attr 'T?output_types' of \d+ must have length at least minimum 1"),
        "the train step returned no metrics (an empty dict); return at least one, e.g. {{'loss': loss}}",
    ),
    (
        re.compile(r"Attr 'Toutput_types'.*less than minimum 1|has length 0 less than minimum 1"),
        "the train step returned no metrics (an empty dict); return at least one, e.g. {{'loss': loss}}",
    ),
)
"""TensorFlow-internal messages (a pattern) and what they mean for the user (a template on its groups)."""


def specific_cause(error: BaseException) -> BaseException | str:
    """The cause to report for ``error``: its own message, said in the user's terms where it is known.

    Returns the exception unchanged when there is nothing to take away (an
    ordinary Python error), else ``"TypeName: message"``.
    """
    message = _own_message(error)
    if message is None:
        return error
    for pattern, meaning in TRANSLATIONS:
        match = pattern.search(message)
        if match:
            message = meaning.format(**match.groupdict())
            break
    if _READING_DATA in str(error) and "reading the data" not in message:
        message = f"reading the data: {message}"
    return f"{type(error).__name__}: {message}"


def _own_message(error: BaseException) -> str | None:
    """The message without TensorFlow's or Keras's wrapping; None when there was none to remove."""
    text = str(getattr(error, "message", None) or error)
    keras_call = _KERAS_CALL.search(text)
    if keras_call:
        return " ".join(keras_call.group("own").split())
    if not _is_tensorflow_error(error) and not _FUNCTION_NODE.search(text):
        return None
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line[0].isspace() and not line.strip().startswith(_BOILERPLATE)]
    if not lines:
        return None
    line = _OP_SUFFIX.sub("", _FUNCTION_NODE.sub("", lines[0])).strip()
    return line or None


def _is_tensorflow_error(error: BaseException) -> bool:
    tensorflow = sys.modules.get("tensorflow")  # an error can come from TensorFlow only once it is imported
    return tensorflow is not None and isinstance(error, tensorflow.errors.OpError)
