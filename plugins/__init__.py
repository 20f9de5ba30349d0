"""kreg's built-in plugins, one sub-package per architecture family.

Each family registers through the ``kreg`` entry-point group exactly as a
third-party plugin would, so each is also an example to copy.
"""
