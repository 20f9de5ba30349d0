"""The layering check of ARCHITECTURE.md: stage the installed layout, then run the import-linter contracts.

``python -m scripts.layering`` (what ``make lint`` runs) copies the three source folders into
``build/layering/kreg`` as the wheel installs them (registry/ is ``kreg``, inspect_tools/ is
``kreg.inspect_tools``, plugins/ is ``kreg.plugins``) and runs ``lint-imports`` on that copy,
so every module is checked under its real import name. The contracts are in pyproject.toml;
the custom contract types they use are in :mod:`scripts.layering.contracts`.
"""
