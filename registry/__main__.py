"""``python -m kreg``: the same as the ``kreg`` command."""

from kreg.cli import main

if __name__ == "__main__":
    main(prog_name="kreg")
