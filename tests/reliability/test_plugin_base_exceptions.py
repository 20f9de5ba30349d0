"""A plugin raising a ``BaseException`` subclass, or its own ``KeyboardInterrupt``, fails its phase in one line.

The issue: a plugin raising a ``BaseException`` subclass gave a full traceback
under ``kreg train`` and ``kreg inspect``; one raising ``KeyboardInterrupt``
was reported as the user's Ctrl-C (exit 130). Only a real SIGINT is
"interrupted": checked here with a real signal sent to a real process.
"""

from __future__ import annotations

import json
import signal

import pytest

import kreg
from tests.support.catalogues import catalogue_of
from tests.support.processes import wait_for
from tests.support.small_models import regressor, regressor_data


class Abort(BaseException):
    """What a plugin might raise to stop everything."""


def _raises_base_exception(**hyperparameters):
    raise Abort("the builder gives up")


def _raises_keyboard_interrupt(**hyperparameters):
    raise KeyboardInterrupt


def _data_interrupts(hyperparameters, batch_size, source):
    raise KeyboardInterrupt("from the data adapter")


@pytest.fixture
def raising() -> kreg.Catalogue:
    return catalogue_of(
        kreg.Architecture(name="aborts", summary="s", builder=_raises_base_exception, data_adapter=regressor_data),
        kreg.Architecture(name="ctrl-c", summary="s", builder=_raises_keyboard_interrupt, data_adapter=regressor_data),
        kreg.Architecture(name="ctrl-c-data", summary="s", builder=regressor, data_adapter=_data_interrupts),
        plugin="raising",
    )


ABORTS = "aborts: build failed: the plugin raised Abort, a BaseException: the builder gives up"
CTRL_C = "ctrl-c: build failed: the plugin raised KeyboardInterrupt (not a Ctrl-C)"


@pytest.mark.parametrize(
    "args, message",
    [
        (("inspect", "aborts"), ABORTS),
        (("train", "aborts", "--steps", "1"), ABORTS),
        (("plot", "aborts", "-o", "{tmp}/g.dot"), ABORTS),
        (("inspect", "ctrl-c"), CTRL_C),
        (("train", "ctrl-c", "--json"), CTRL_C),
        (("review", "ctrl-c", "-o", "{tmp}/r.html"), CTRL_C),
        (
            ("train", "ctrl-c-data", "--steps", "1"),
            "ctrl-c-data: data failed: the plugin raised KeyboardInterrupt (not a Ctrl-C)",
        ),
    ],
)
def test_a_plugins_base_exception_or_keyboard_interrupt_is_one_line_exit_1(kreg_cli, raising, tmp_path, args, message):
    result = kreg_cli(*(arg.format(tmp=tmp_path) for arg in args), catalogue=raising)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip().splitlines() == [f"kreg: error: {message}"]
    assert "Traceback" not in result.output


def test_in_kreg_check_each_is_its_own_rows_failure(faults):
    result = faults.kreg("check", "fault-abort", "fault-keyboard-interrupt", "--json")
    assert result.returncode == 1, result.stderr
    rows = {row["architecture"]: (row["phase"], row["cause"]) for row in json.loads(result.stdout)["results"]}
    assert rows == {
        "fault-abort": ("build", "the plugin raised Abort, a BaseException: the builder gives up"),
        "fault-keyboard-interrupt": ("build", "the plugin raised KeyboardInterrupt (not a Ctrl-C)"),
    }
    assert "Traceback" not in result.stderr


def test_a_real_ctrl_c_in_plugin_code_is_still_interrupted_130(faults, tmp_path):
    process = faults.start_kreg("inspect", "fault-hang", env={"FAULT_PID_DIR": str(tmp_path)})
    wait_for(lambda: (tmp_path / "fault-hang.pids").exists() or process.poll() is not None, what="the hanging builder")
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)  # the builder's own child, holding the pipes, ended with kreg
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1] == "kreg: error: interrupted"
