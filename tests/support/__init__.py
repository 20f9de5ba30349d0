"""Test helpers shared by kreg's test folders."""
