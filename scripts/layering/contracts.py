"""Two contract types import-linter lacks, for the layering of ARCHITECTURE.md.

- ``allowed_imports``: an allow-list. The source modules may import, of the root
  packages' modules, only the ones listed (and each other); whatever else of kreg
  they import breaks the contract. Modules outside the root packages (the
  standard library, Keras, NumPy) are not its concern.
- ``forbidden_at_import``: what importing a module may load. An import inside a
  function, or under ``if TYPE_CHECKING:``, runs only when called (or never);
  one at module level, in a class body or a module-level ``try``/``if`` runs
  when the module is imported. This contract counts only the latter, which is
  how kreg keeps ``import kreg`` and ``kreg list`` free of TensorFlow: heavy
  modules are imported inside the functions that need them. With
  ``indirect = true`` it follows chains of such imports (importing ``a.b.c``
  also runs ``a`` and ``a.b``), so it states what importing a module loads.

pyproject.toml registers both under ``[tool.importlinter] contract_types``.
"""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck
from importlinter.domain.helpers import module_expressions_to_modules


@dataclass(frozen=True, order=True)
class Offence:
    """One way a source module breaks a contract.

    Attributes:
        chain: tuple[str, ...]. The importer first, then each module imported in turn.
        lines: tuple[tuple[int, ...], ...]. For each step of the chain, the line numbers
            of the import in the module before it; none where Python imports a package
            before its module (``a.b`` before ``a.b.c``).
    """

    chain: tuple[str, ...]
    lines: tuple[tuple[int, ...], ...]

    def describe(self) -> str:
        """``kreg.a -> kreg.b (l. 7) -> keras (l. 12)``: each module with the line that imports it."""
        steps = [self.chain[0]]
        for module, lines in zip(self.chain[1:], self.lines):
            where = f"l. {', '.join(str(line) for line in lines)}" if lines else "its package"
            steps.append(f"{module} ({where})")
        return " -> ".join(steps)


class AllowedImportsContract(Contract):
    """The source modules import, of the root packages, only the allowed modules and each other.

    Configuration options:
        - source_modules: module expressions.
        - allowed_modules: module expressions.

    Expressions are taken as written, as import-linter's are: ``kreg`` is the package's
    ``__init__`` alone, ``kreg.plugins.**`` every module below ``kreg.plugins``.
    """

    type_name = "allowed_imports"

    source_modules = fields.SetField(subfield=fields.ModuleExpressionField())
    allowed_modules = fields.SetField(subfield=fields.ModuleExpressionField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        """Every direct import, at any level, from a source module to a root package's module not allowed."""
        sources = _names(graph, self.source_modules)
        allowed = _names(graph, self.allowed_modules) | sources
        roots = set(self.session_options["root_packages"])
        offences = [
            Offence((source, imported), (_line_numbers(graph, source, imported),))
            for source in sorted(sources)
            for imported in sorted(graph.find_modules_directly_imported_by(source))
            if imported.split(".")[0] in roots and imported not in allowed
        ]
        return ContractCheck(kept=not offences, metadata={"offences": offences})

    def render_broken_contract(self, check: ContractCheck) -> None:
        """List each import outside the allow-list."""
        _render(check, "Imports of kreg's modules outside the allow-list")


class ForbiddenAtImportContract(Contract):
    """Importing a source module loads none of the forbidden modules.

    Configuration options:
        - source_modules: module expressions, taken as written (``kreg.cli.**`` is below ``kreg.cli``).
        - except_modules: module expressions taken out of the sources. (Optional.)
        - forbidden_modules: module names, each with what is below it (``keras`` covers ``keras.ops``).
        - indirect: "true" to follow chains of imports run at import time; by default only each
          source module's own imports count. (Optional.)
    """

    type_name = "forbidden_at_import"

    source_modules = fields.SetField(subfield=fields.ModuleExpressionField())
    except_modules = fields.SetField(subfield=fields.ModuleExpressionField(), required=False)
    forbidden_modules = fields.SetField(subfield=fields.StringField())
    indirect = fields.BooleanField(required=False, default=False)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        """Each source module's imports run at import time (or their chains) that reach a forbidden module."""
        sources = _names(graph, self.source_modules) - _names(graph, self.except_modules or ())
        loader = ImportTimeGraph(graph, set(self.session_options["root_packages"]))
        forbidden = tuple(str(name) for name in self.forbidden_modules)
        offences = []
        for source in sorted(sources):
            if self.indirect:
                chain = loader.chain_to(source, forbidden)
                if chain is not None:
                    lines = tuple(loader.lines(importer, imported) for importer, imported in pairwise(chain))
                    offences.append(Offence(chain, lines))
            else:
                offences += [
                    Offence((source, imported), (loader.lines(source, imported),))
                    for imported in sorted(loader.imports_of(source))
                    if _within(imported, forbidden)
                ]
        return ContractCheck(kept=not offences, metadata={"offences": offences})

    def render_broken_contract(self, check: ContractCheck) -> None:
        """List each source module and what importing it loads."""
        _render(check, "Modules whose import loads a forbidden module")


class ImportTimeGraph:
    """The imports of a grimp graph that run when their module is imported, read from the source files."""

    def __init__(self, graph: ImportGraph, roots: set[str]):
        self.graph = graph
        self.roots = roots
        self._imports: dict[str, set[str]] = {}

    def imports_of(self, module: str) -> set[str]:
        """The modules ``module`` imports at import time (its imports inside functions left out)."""
        if module not in self._imports:
            self._imports[module] = {
                imported
                for imported in self.graph.find_modules_directly_imported_by(module)
                if self.lines(module, imported)
            }
        return self._imports[module]

    def lines(self, importer: str, imported: str) -> tuple[int, ...]:
        """Line numbers of ``importer``'s imports of ``imported`` that run at import time."""
        executed = _import_time_lines(_module_file(importer))
        return tuple(
            sorted(
                detail["line_number"]
                for detail in self.graph.get_import_details(importer=importer, imported=imported)
                if detail["line_number"] in executed
            )
        )

    def chain_to(self, source: str, forbidden: tuple[str, ...]) -> tuple[str, ...] | None:
        """The shortest chain of import-time imports from ``source`` to a forbidden module, or None."""
        came_from: dict[str, str | None] = dict.fromkeys(self._with_ancestors(source), source)
        came_from[source] = None
        queue = list(came_from)
        for module in queue:
            if _within(module, forbidden):
                return self._chain(came_from, module)
            if module.split(".")[0] not in self.roots:
                continue  # an external package: grimp does not see inside it
            for imported in sorted(self.imports_of(module)):
                for loaded in self._with_ancestors(imported):
                    if loaded not in came_from:
                        came_from[loaded] = module
                        queue.append(loaded)
        return None

    @staticmethod
    def _chain(came_from: dict[str, str | None], module: str) -> tuple[str, ...]:
        chain = [module]
        while (previous := came_from[chain[-1]]) is not None:
            chain.append(previous)
        return tuple(reversed(chain))

    def _with_ancestors(self, module: str) -> Iterator[str]:
        """The module and, for kreg's own, the packages Python runs first (``a`` and ``a.b`` for ``a.b.c``)."""
        yield module
        if module.split(".")[0] in self.roots:
            parts = module.split(".")
            for end in range(len(parts) - 1, 0, -1):
                yield ".".join(parts[:end])


@cache
def _module_file(module: str) -> Path:
    """The source file of ``module``, one of the root packages' modules."""
    root, *rest = module.split(".")
    folder = _package_folder(root).joinpath(*rest)
    return folder / "__init__.py" if folder.is_dir() else folder.with_suffix(".py")


@cache
def _package_folder(root: str) -> Path:
    """The folder grimp scanned for the root package ``root`` (found as grimp finds it, importing nothing)."""
    spec = importlib.util.find_spec(root)
    if spec is None or not spec.submodule_search_locations:
        raise ValueError(f"the root package {root!r} cannot be found on sys.path")
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def _import_time_lines(path: Path) -> frozenset[int]:
    """The lines of ``path``'s import statements that run when it is imported."""
    lines: set[int] = set()
    _collect_import_time_lines(ast.parse(path.read_text(encoding="utf-8"), str(path)).body, lines)
    return frozenset(lines)


def _collect_import_time_lines(statements: Iterable[ast.stmt], lines: set[int]) -> None:
    for statement in statements:
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            lines.update(range(statement.lineno, (statement.end_lineno or statement.lineno) + 1))
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue  # runs when called
        elif isinstance(statement, ast.If) and _is_type_checking(statement.test):
            _collect_import_time_lines(statement.orelse, lines)
        else:
            for child in ast.iter_child_nodes(statement):
                if isinstance(child, ast.stmt):
                    _collect_import_time_lines([child], lines)
                elif isinstance(child, ast.excepthandler):
                    _collect_import_time_lines(child.body, lines)


def _is_type_checking(test: ast.expr) -> bool:
    """``TYPE_CHECKING`` or ``typing.TYPE_CHECKING``: true for type checkers only."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _names(graph: ImportGraph, expressions: Iterable) -> set[str]:
    return {module.name for module in module_expressions_to_modules(graph, expressions, raise_if_unmatched=True)}


def _within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == package or module.startswith(package + ".") for package in packages)


def _line_numbers(graph: ImportGraph, importer: str, imported: str) -> tuple[int, ...]:
    return tuple(
        sorted(detail["line_number"] for detail in graph.get_import_details(importer=importer, imported=imported))
    )


def _render(check: ContractCheck, heading: str) -> None:
    output.print_error(f"{heading} ({len(check.metadata['offences'])}):")
    output.new_line()
    for offence in check.metadata["offences"]:
        output.print_error(f"- {offence.describe()}", bold=False)
    output.new_line()
