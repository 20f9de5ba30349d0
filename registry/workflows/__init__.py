"""Workflows: what strings running-layer calls together for a command."""
