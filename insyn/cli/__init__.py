"""The ``insyn`` command line: ``main`` and one module per command group."""

from insyn.cli.main import main

__all__ = ["main"]
