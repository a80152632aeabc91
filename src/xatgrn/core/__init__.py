"""xatgrn.core: the estimator layer — the contract every method keeps, and what fitting needs.

``contract`` (the :class:`~xatgrn.core.contract.Estimator` base class, shared settings, seeds),
``metrics`` (per-fold classification metrics) and ``selection`` (selection rules measured on
held-out pairs). It sits above ``data`` and ``graph`` and below ``model``, ``baselines`` and the
method registry.
"""
