"""``python -m insyn``: the same as the ``insyn`` command."""

from insyn.harvester.cli import main

main()
