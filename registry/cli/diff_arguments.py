"""The two-sided argument grammar of ``kreg diff``.

``kreg diff NAME [--set K=V]... [--preset P] --against [NAME] [--set K=V]... [--preset P]``:
what comes before ``--against`` describes the left side, what comes after it
the right side. Without a NAME after ``--against`` the right side is the same
architecture. Each side starts from its architecture's defaults: the left's
``--set`` values do not carry over to the right.
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


def parse_sides(args: Sequence[str]) -> tuple[SideSpec, SideSpec]:
    """Split the raw arguments of ``kreg diff`` into its two sides.

    Args:
        args: Sequence[str]. Everything click did not parse itself, in order.

    Returns:
        tuple[SideSpec, SideSpec]. The left side (its name always set) and the
        right side (its name filled in from the left when not given).

    Raises:
        click.UsageError: no or several ``--against``, a missing or extra NAME,
            an option without its value, a preset given twice, an unknown option.
    """
    args = list(args)
    positions = [index for index, arg in enumerate(args) if arg == AGAINST or arg.startswith(AGAINST + "=")]
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
    left = _parse_side(args[:split], "before --against")
    right = _parse_side(right_args, "after --against")
    if left.name is None:
        raise click.UsageError("missing the architecture NAME before --against")
    if right.name is None:
        right.name = left.name
    return left, right


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
                    raise click.UsageError(f"option {option} {where} needs a value")
                value = args[index]
                index += 1
            _apply(side, option, value, where)
        elif arg.startswith("-") and arg != "-":
            raise click.UsageError(f"no such option {where}: {arg}")
        elif side.name is None:
            side.name = arg
        else:
            raise click.UsageError(f"one architecture NAME {where}, got {side.name!r} and {arg!r}")
    return side


def _apply(side: SideSpec, option: str, value: str, where: str) -> None:
    if option == "--set":
        side.assignments.append(value)
    elif side.preset is not None:
        raise click.UsageError(f"--preset given twice {where}")
    else:
        side.preset = value
