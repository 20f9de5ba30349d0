"""Generators of kreg's documentation: the pages that must not drift from the code.

``python -m scripts.docgen`` writes the hook, Architecture and kreg.testing
references (from their docstrings) and the example plugin's page into
``docs/reference/``, which is committed so that the docs read whole in a plain
checkout (``--check`` says whether they are up to date; a test fails when they
are not), and into ``docs/generated/`` (gitignored) the command reference
(walking the click group) and the gallery of built-in architectures (built,
inspected and plotted by kreg itself). ``make docs`` runs it, then
``mkdocs build --strict``.
"""
