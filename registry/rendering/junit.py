"""``kreg check --junit-xml FILE``: the results as JUnit XML, in the shape pytest writes.

CI systems (GitLab, Jenkins, GitHub test reporters) read pytest's
``--junit-xml`` files: ``<testsuites>`` holding one ``<testsuite>`` with
``tests``, ``failures``, ``errors``, ``skipped``, ``time``, ``timestamp`` and
``hostname``, and a ``<testcase classname name time>`` per test, a failed one
holding ``<failure message>``, one that did not run ``<skipped message>``;
a testcase's ``<properties>`` say whether its smoke training lowered the loss
(``learned``).
Here each architecture is a testcase (``classname`` ``kreg.check``); an
architecture that Ctrl-C stopped is skipped.
"""

from __future__ import annotations

import datetime
import re
import socket
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from kreg.files import write_atomically

SUITE_NAME = "kreg check"
"""The ``name`` of the testsuite (and of testsuites)."""

CLASS_NAME = "kreg.check"
"""The ``classname`` of every testcase."""

_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class CheckedArchitecture(Protocol):
    """One architecture's result, as a testcase reads it (:class:`kreg.workflows.pipeline.PipelineResult` is one)."""

    @property
    def architecture(self) -> str:
        """Its name: the testcase's ``name``."""

    @property
    def status(self) -> str:
        """``pass``, ``fail`` or ``interrupted``."""

    @property
    def phase(self) -> object:
        """The phase that failed (a :class:`kreg.phases.Phase`), or None."""

    @property
    def cause(self) -> str | None:
        """What went wrong, on one line."""

    @property
    def seconds(self) -> float:
        """Its wall time."""

    @property
    def learned(self) -> bool | None:
        """Whether its smoke training lowered the loss; None when it did not train."""


def junit_xml(
    results: Sequence[CheckedArchitecture], seconds: float, timestamp: datetime.datetime | None = None
) -> str:
    """Return the JUnit XML document for ``kreg check``'s results.

    Args:
        results: Sequence[CheckedArchitecture]. One testcase each, in order (``kreg check``'s pipeline results).
        seconds: float. Wall time of the whole check.
        timestamp: datetime or None. When the check started (now, when None).

    Returns:
        str. The document, with its XML declaration.
    """
    started = timestamp or datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=seconds)
    suites = ElementTree.Element("testsuites", name=SUITE_NAME)
    suite = ElementTree.SubElement(
        suites,
        "testsuite",
        name=SUITE_NAME,
        errors="0",
        failures=str(sum(1 for result in results if result.status == "fail")),
        skipped=str(sum(1 for result in results if result.status == "interrupted")),
        tests=str(len(results)),
        time=f"{seconds:.3f}",
        timestamp=started.isoformat(),
        hostname=socket.gethostname(),
    )
    for result in results:
        _testcase(suite, result)
    ElementTree.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(suites, encoding="unicode") + "\n"


def write_junit_xml(path: str | Path, results: Sequence[CheckedArchitecture], seconds: float) -> Path:
    """Write :func:`junit_xml` to ``path``, whole or not at all.

    Raises:
        KregError: the file cannot be written.
    """
    return write_atomically(path, junit_xml(results, seconds))


def _testcase(suite: ElementTree.Element, result: CheckedArchitecture) -> None:
    name = _xml_text(result.architecture)
    case = ElementTree.SubElement(suite, "testcase", classname=CLASS_NAME, name=name, time=f"{result.seconds:.3f}")
    cause = _xml_text(result.cause or "")
    if result.learned is not None:  # as pytest's record_property writes a testcase's properties
        properties = ElementTree.SubElement(case, "properties")
        ElementTree.SubElement(properties, "property", name="learned", value=str(result.learned).lower())
    if result.status == "fail":
        failure = ElementTree.SubElement(case, "failure", message=f"{result.phase}: {cause}")
        failure.text = f"{name}: {result.phase} failed: {cause}"
    elif result.status == "interrupted":
        ElementTree.SubElement(case, "skipped", type="kreg.interrupted", message=cause or "interrupted")


def _xml_text(text: str) -> str:
    """``text`` with the characters XML 1.0 cannot hold (most control characters) written as ``\\xNN``."""
    return _NOT_XML.sub(lambda match: f"\\x{ord(match.group()):02x}", text)
