"""The revm engine (pyrevm): the seam's verbs on revm, with blocks, tries and snapshots of its own.

Only this package imports pyrevm (a dependency; the default engine wherever it installs).
"""

from .engine import RevmEngine

__all__ = ["RevmEngine"]
