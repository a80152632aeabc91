"""xatgrn.model: the default signed model and the paper's XATGRN network and estimator.

Names are imported lazily so that the default model (:mod:`xatgrn.model.signed`, no torch) does
not pay for the paper model's torch import.
"""

from __future__ import annotations

from xatgrn.utils import lazy_exports

_EXPORTS = {
    "ConvHead": "xatgrn",
    "GeneCache": "xatgrn",
    "XATGRNConfig": "xatgrn",
    "XATGRNNet": "xatgrn",
    "CrossAttentionFusion": "fusion",
    "RoleTokens": "fusion",
    "token_layout": "fusion",
    "XATGRN": "estimator",
    "FitConfig": "config",
    "fast_profile": "config",
    "paper_profile": "config",
    "SignedConfig": "signed",
    "SignedXATGRN": "signed",
    "load_model": "persist",
}

__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
