"""The revm engine (pyrevm): the seam's verbs on revm, with blocks, tries and snapshots of its own.

Only this package imports pyrevm, an optional dependency (``pip install 'cortensor-sim[revm]'``).
"""

from .engine import RevmEngine

__all__ = ["RevmEngine"]
