"""Baselines evaluated under XATGRN's protocol: CNNGRN, DGCGRN, DeepFGRN and simple references.

Every baseline derives from :class:`xatgrn.baselines._base.PairBaseline` (the estimator contract
of :mod:`xatgrn.core.contract`: one input path, one preprocessing, one not-fitted error). The
method registry (:mod:`xatgrn.methods`) lists them; they do not know about it.
"""

from xatgrn.baselines._base import PairBaseline

__all__ = ["PairBaseline"]
