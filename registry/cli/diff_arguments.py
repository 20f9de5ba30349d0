"""The two-sided argument grammar of ``kreg diff`` and ``kreg review --against``.

``kreg diff NAME [--set K=V]... [--preset P] --against [NAME] [--set K=V]... [--preset P]``:
what comes before ``--against`` describes the left side, what comes after it
the right side. Without a NAME after ``--against`` the right side is the same
architecture. Each side starts from its architecture's defaults: the left's
``--set`` values do not carry over to the right. A NAME with a dot or a slash
is a saved ``.keras`` file, which takes no ``--set`` or ``--preset``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import click

AGAINST = "--against"
SIDE_OPTIONS = ("--set", "--preset")


@dataclass
class SideSpec:
    """One side of a comparison, as the command line gave it.

    Attributes:
        name: str or None. The architecture (None on the right: the left's).
        assignments: list[str]. ``KEY=VALUE`` strings from ``--set``.
        preset: str or None. The ``--preset``.
    """

    name: str | None = None
    assignments: list[str] = field(default_factory=list)
    preset: str | None = None


def parse_sides(args: Sequence[str], against_required: bool = True) -> tuple[SideSpec, SideSpec | None]:
    """Split the raw arguments of ``kreg diff`` (or ``kreg review``) into its two sides.

    Args:
        args: Sequence[str]. Everything click did not parse itself, in order.
        against_required: bool. ``--against`` must be given (``kreg diff``);
            when False and it is absent, the right side is None.

    Returns:
        tuple. The left side (its name always set) and the right side (its
        name filled in from the left when not given), or None.

    Raises:
        click.UsageError: no or several ``--against``, a missing or extra NAME,
            an option without its value, a preset given twice, an unknown option,
            a saved model on the left without a NAME after ``--against``.
    """
    args = list(args)
    positions = [index for index, arg in enumerate(args) if arg == AGAINST or arg.startswith(AGAINST + "=")]
    if not positions and not against_required:
        return _named(_parse_side(args, "")), None
    if not positions:
        raise click.UsageError(
            "missing --against: say what to compare with, e.g. "
            "`kreg diff NAME --against OTHER` or `kreg diff NAME --against --set key=value`"
        )
    if len(positions) > 1:
        raise click.UsageError("--against may be given only once")
    split = positions[0]
    against = args[split]
    right_args = args[split + 1 :]
    if "=" in against:
        right_args.insert(0, against.partition("=")[2])
    left = _named(_parse_side(args[:split], "before --against"), " before --against")
    right = _parse_side(right_args, "after --against")
    from kreg.workflows.subjects import is_model_file

    if right.name is None and is_model_file(left.name):
        raise click.UsageError(f"name the architecture to compare the saved model {left.name} with, after --against")
    if right.name is None:
        right.name = left.name
    return left, right


def _named(side: SideSpec, where: str = "") -> SideSpec:
    if side.name is None:
        raise click.UsageError(f"missing the architecture NAME{where}")
    return side


def _parse_side(args: list[str], where: str) -> SideSpec:
    side = SideSpec()
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        option, equals, value = arg.partition("=")
        if option in SIDE_OPTIONS:
            if not equals:
                if index >= len(args) or args[index].startswith("--"):
                    raise click.UsageError(f"option {option}{_space(where)} needs a value")
                value = args[index]
                index += 1
            _apply(side, option, value, where)
        elif arg.startswith("-") and arg != "-":
            raise click.UsageError(f"no such option{_space(where)}: {arg}")
        elif side.name is None:
            side.name = arg
        else:
            raise click.UsageError(f"one architecture NAME{_space(where)}, got {side.name!r} and {arg!r}")
    return side


def _apply(side: SideSpec, option: str, value: str, where: str) -> None:
    if option == "--set":
        side.assignments.append(value)
    elif side.preset is not None:
        raise click.UsageError(f"--preset given twice{_space(where)}")
    else:
        side.preset = value


def _space(where: str) -> str:
    return f" {where}" if where else ""
