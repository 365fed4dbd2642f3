"""``python -m insyn``: the same as the ``insyn`` command."""

from insyn.cli import main

main()
