"""Baselines evaluated under XATGRN's protocol: CNNGRN, DGCGRN, DeepFGRN and simple references.

Each module registers its methods in :mod:`xatgrn.evaluate.methods` on import, so they appear in
``xatgrn cv --method`` and ``xatgrn benchmark --methods``. Every baseline derives from
:class:`xatgrn.baselines._base.PairBaseline` (one input path, one preprocessing, one contract).
"""

from xatgrn.baselines import cnngrn, deepfgrn, dgcgrn, simple  # noqa: F401  (registration)
