"""Generators of kreg's documentation: the pages that must not drift from the code.

``python -m scripts.docgen`` writes into ``docs/generated/`` (gitignored):
the command reference (walking the click group), the hook, Architecture and
kreg.testing references (from their docstrings) and the gallery of built-in
architectures (built, inspected and plotted by kreg itself). ``make docs``
runs it, then ``mkdocs build --strict``.
"""
