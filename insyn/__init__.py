"""Insyn: a metadata catalogue and harvester for a Swedish municipality and its companies."""

__version__ = "0.1.0"
