"""The running layer: the only code that resolves and calls plugin code."""
