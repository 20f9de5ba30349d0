"""run_with_deep_stack: deep recursion works, and the thread is invisible to the caller."""

from __future__ import annotations

import contextvars
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from kreg.running.deep_stack import RECURSION_LIMIT, STOP_GRACE_SECONDS, run_with_deep_stack


def _depth_of(n: int) -> int:
    return 0 if n == 0 else 1 + _depth_of(n - 1)


def test_recursion_far_past_the_default_limit_runs_and_the_limit_is_set_back():
    limit = sys.getrecursionlimit()
    with pytest.raises(RecursionError):
        _depth_of(50_000)
    assert run_with_deep_stack(_depth_of, 50_000) == 50_000
    assert sys.getrecursionlimit() == limit < RECURSION_LIMIT


def test_what_the_call_raises_is_raised_again_the_same_object_keyboard_interrupt_included():
    for error in (ValueError("bad"), KeyboardInterrupt(), SystemExit(3)):

        def fail(error=error):
            raise error

        with pytest.raises(type(error)) as raised:
            run_with_deep_stack(fail)
        assert raised.value is error


def test_context_variables_are_seen_and_nested_calls_run_inline():
    variable = contextvars.ContextVar("variable", default="unset")
    token = variable.set("caller's")
    try:
        seen = run_with_deep_stack(lambda: (variable.get(), run_with_deep_stack(lambda: variable.get())))
    finally:
        variable.reset(token)
    assert seen == ("caller's", "caller's")


def test_keras_names_layers_on_the_thread_as_it_would_inline():
    import keras

    keras.backend.clear_session()
    first = keras.layers.Dense(1)
    second = run_with_deep_stack(keras.layers.Dense, 1)
    third = keras.layers.Dense(1)
    assert [first.name, second.name, third.name] == ["dense", "dense_1", "dense_2"]


def test_a_name_scope_the_call_leaves_pushed_does_not_outlive_it():
    # Keras pushes a scope before TensorFlow checks its name: a layer named with an ESC (kreg review of such a
    # model) left "evil\x1b[31mred..." pushed, and every model built afterwards in the process was named inside it.
    import keras

    def leaves_a_scope_pushed():
        keras.name_scope("left_pushed").__enter__()

    run_with_deep_stack(leaves_a_scope_pushed)
    layer = keras.layers.Dense(1, name="after")
    layer.build((None, 2))
    assert layer.kernel.path == "after/kernel"


CTRL_C_SCRIPT = textwrap.dedent(
    """
    import time
    from kreg.running.deep_stack import run_with_deep_stack

    def busy():
        print("started", flush=True)
        try:
            while True:
                time.sleep(0.01)
        except KeyboardInterrupt:
            print("stopped inside", flush=True)
            raise

    run_with_deep_stack(busy)
    """
)


@pytest.mark.skipif(os.name != "posix", reason="SIGINT to a child process")
def _interrupted(script: str) -> tuple[str, str, int, float]:
    """Run ``script`` in a child, send it SIGINT once it printed "started": its stdout, stderr, status, seconds."""
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout.readline() == "started\n"
    time.sleep(0.2)
    started = time.monotonic()
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=30)
    return out, err, child.returncode, time.monotonic() - started


def test_ctrl_c_stops_the_call_on_the_thread_and_raises_keyboard_interrupt_in_the_caller():
    out, err, status, _ = _interrupted(CTRL_C_SCRIPT)
    assert "stopped inside" in out
    assert err.rstrip().endswith("KeyboardInterrupt")
    assert status != 0


BLOCKED_SCRIPT = textwrap.dedent(
    """
    import time
    from kreg.running.deep_stack import run_with_deep_stack

    def blocked():
        print("started", flush=True)
        time.sleep(3600)  # one C call: a signal wakes only the main thread, never this one

    run_with_deep_stack(blocked)
    """
)


@pytest.mark.skipif(os.name != "posix", reason="SIGINT to a child process")
def test_ctrl_c_during_a_call_blocked_in_c_leaves_it_behind_after_the_grace_period():
    _, err, status, seconds = _interrupted(BLOCKED_SCRIPT)
    assert err.rstrip().endswith("KeyboardInterrupt")
    assert status != 0
    assert seconds < STOP_GRACE_SECONDS + 10


@pytest.mark.skipif(os.name != "posix", reason="an address-space limit on a child process")
def test_without_room_for_the_stack_the_call_runs_inline_under_pythons_own_limit():
    import resource

    script = "from kreg.running.deep_stack import run_with_deep_stack; print(run_with_deep_stack(lambda: 42))"
    limit = 600 * 1024 * 1024  # below the 1 GiB the thread's stack asks for

    def limit_address_space() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, preexec_fn=limit_address_space
    )
    assert (done.returncode, done.stdout) == (0, "42\n"), done.stderr
