"""Options shared by several commands are declared once, with defaults from the constants the code uses."""

from __future__ import annotations

import inspect

import click

from kreg.cli import main
from kreg.defaults import CHECK_STEPS, CHECK_TIMEOUT, DEFAULT_STEPS, SMOKE_STEPS
from kreg.running.training import TrainOptions
from kreg.running.workers import run_isolated
from kreg.workflows.checking import check_all
from kreg.workflows.pipeline import PipelineOptions


def _option(command: str, name: str) -> click.Option:
    return next(
        param for param in main.commands[command].params if isinstance(param, click.Option) and param.name == name
    )


def test_set_and_preset_mean_the_same_on_every_command():
    for name in ("assignments", "preset"):
        commands = [command for command in main.commands if any(p.name == name for p in main.commands[command].params)]
        # review and diff take --set/--preset per side (kreg.cli.diff_arguments), not as click options.
        assert set(commands) >= {"inspect", "plot", "train", "sample"}, commands
        options = [_option(command, name) for command in commands]
        assert {(tuple(o.opts), o.help, o.metavar, o.multiple) for o in options} == {
            (tuple(options[0].opts), options[0].help, options[0].metavar, options[0].multiple)
        }


def _default(function, name: str):
    return inspect.signature(function).parameters[name].default


def test_step_and_time_limit_defaults_come_from_one_constant_each():
    assert _option("train", "steps").default == DEFAULT_STEPS == TrainOptions().steps
    assert _option("check", "steps").default == CHECK_STEPS == _default(check_all, "steps")
    assert PipelineOptions().steps == SMOKE_STEPS
    assert _option("check", "timeout").default == CHECK_TIMEOUT == _default(check_all, "timeout")
    assert _default(run_isolated, "timeout") == CHECK_TIMEOUT


def test_each_command_module_declares_its_commands():
    # kreg.cli imports a command's module when the command runs: COMMAND_MODULES names them beforehand.
    from importlib import import_module

    from kreg.cli import COMMAND_MODULES

    for module, names in COMMAND_MODULES.items():
        assert tuple(command.name for command in import_module(module).COMMANDS) == names, module
    assert sorted(main.commands) == sorted(name for names in COMMAND_MODULES.values() for name in names)
