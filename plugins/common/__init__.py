"""Helpers shared by the built-in plugins' samplers (imported only when sampling)."""
