"""xatgrn: typed, directed gene regulatory network inference.

XATGRN = cross-attention fusion of two genes' expression profiles + DUPLEX dual complex
graph embedding of the prior network, feeding a Conv1D/BN/pool/FC classifier that predicts
for a (regulator, target) pair: none (0), repression (1) or activation (2).
"""

from __future__ import annotations

import logging

__version__ = "0.1.0"

# No side effects on import: the library logs to a NullHandler; cli.py configures output.
logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["__version__"]
