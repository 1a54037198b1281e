"""Stem: a private journal for people in pain rehabilitation, shared item by item with their care team."""

__version__ = "0.1.0"
