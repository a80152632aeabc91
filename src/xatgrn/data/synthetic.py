r"""Simulator: a signed, skewed-degree GRN and steady-state expression with ground truth.

It is the embedded default data (``xatgrn demo``, unit tests, the DUPLEX link-prediction
benchmark) and can stand in for a missing expression matrix on a *given* typed network (e.g.
the DREAM5 net1 gold standard), clearly labelled as simulated.

**Network** (:func:`simulate_network`). ``n_regulators`` genes (default 10 %, at least 2) are
regulators. Each regulator gets an activity weight :math:`a_r = \rho_r^{-\gamma}` from a random
rank :math:`\rho_r` (Zipf law, ``out_degree_exponent`` :math:`\gamma`). Every non-regulator
gene, and each regulator with probability ``p_regulator_target``, is a target; a target draws
its in-degree :math:`k \in \{1..k_{max}\}` with :math:`P(k) \propto q^{k-1}` (``max_in_degree``,
``in_degree_decay`` :math:`q`) and picks :math:`k` distinct regulators with probability
:math:`\propto a_r` (Gumbel top-k), so out-degrees are heavy-tailed and in-degrees bounded.
A fraction ``p_bidirectional`` of regulator→regulator edges :math:`u \to v` also get the
reverse edge :math:`v \to u` (while :math:`u` stays within ``max_in_degree``). Each edge is an
activation with probability ``p_activation``, else a repression (both types are always present
once there are two edges).

**Kinetics** (:func:`simulate_expression`, in :mod:`xatgrn.data.kinetics`): steady states of
Hill-function production under per-sample perturbations and knock-downs, with log-normal
measurement noise; the equations are in that module's documentation.

Every random choice flows from one seed (``numpy.random.default_rng``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from xatgrn.data.kinetics import (
    KineticConfig,
    check_network,
    check_probability,
    gene_names,
    simulate_expression,
    solve_expression,
)
from xatgrn.data.schema import REGULATION_COLUMNS, REGULATION_TYPES
from xatgrn.data.types import GRNDataset
from xatgrn.errors import input_error
from xatgrn.utils import rng as as_rng

log = logging.getLogger(__name__)

__all__ = [
    "KineticConfig",
    "SimulationConfig",
    "gene_names",
    "network_summary",
    "simulate",
    "simulate_expression",
    "simulate_network",
    "simulate_on_network",
]

#: Gumbel top-k draws are done in blocks of at most this many (target x regulator) keys.
_BLOCK = 1 << 22


@dataclass
class SimulationConfig(KineticConfig):
    """Everything :func:`simulate` needs: network shape plus the kinetics (inherited).

    Args:
        n_genes: number of genes (>= 3).
        n_samples: number of samples (>= 1).
        n_regulators: genes that regulate others; ``None`` -> 10 % of genes, at least 2.
        out_degree_exponent: Zipf exponent :math:`\\gamma` of regulator activity
            (larger -> more skewed out-degree).
        max_in_degree: bound on the regulators per target.
        in_degree_decay: :math:`q` in :math:`P(k) \\propto q^{k-1}` (smaller -> more
            single-regulator targets).
        p_regulator_target: probability that a regulator is itself a target.
        p_bidirectional: fraction of regulator->regulator edges that also get the reverse edge.
        p_activation: probability that an edge is an activation.
        self_loops: allow autoregulation edges (r -> r).
    """

    n_genes: int = 200
    n_samples: int = 100
    n_regulators: int | None = None
    out_degree_exponent: float = 1.0
    max_in_degree: int = 4
    in_degree_decay: float = 0.6
    p_regulator_target: float = 0.5
    p_bidirectional: float = 0.3
    p_activation: float = 0.6
    self_loops: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.n_genes < 3:
            raise input_error(
                f"n_genes must be at least 3, got {self.n_genes}", fix="simulate 3 or more genes"
            )
        if self.n_samples < 1:
            raise input_error(
                f"n_samples must be at least 1, got {self.n_samples}",
                fix="simulate 1 or more samples",
            )
        if self.n_regulators is not None and not 1 <= self.n_regulators < self.n_genes:
            raise input_error(
                f"n_regulators must be between 1 and n_genes - 1 = {self.n_genes - 1}, "
                f"got {self.n_regulators}",
                fix="leave n_regulators unset (10 % of genes) or pick a value in that range",
            )
        if self.max_in_degree < 1:
            raise input_error(
                f"max_in_degree must be at least 1, got {self.max_in_degree}",
                fix="allow at least one regulator per target",
            )
        if self.out_degree_exponent < 0:
            raise input_error(
                f"out_degree_exponent must be >= 0, got {self.out_degree_exponent}",
                fix="use 0 for uniform regulator activity or a positive value for skew",
            )
        if not 0 < self.in_degree_decay:
            raise input_error(
                f"in_degree_decay must be > 0, got {self.in_degree_decay}",
                fix="use a value in (0, 1] for mostly single-regulator targets",
            )
        for name in ("p_regulator_target", "p_bidirectional", "p_activation"):
            check_probability(name, getattr(self, name))

    @property
    def regulator_count(self) -> int:
        """``n_regulators`` resolved: 10 % of genes, at least 2, fewer than ``n_genes``."""
        if self.n_regulators is not None:
            return self.n_regulators
        return min(max(2, round(0.1 * self.n_genes)), self.n_genes - 1)

    def kinetics(self) -> KineticConfig:
        """The kinetic part of this config."""
        return KineticConfig(**{f.name: getattr(self, f.name) for f in fields(KineticConfig)})


# --- network ----------------------------------------------------------------------------------


def _sample_parents(
    targets: np.ndarray,
    k: np.ndarray,
    regs: np.ndarray,
    log_weight: np.ndarray,
    reg_pos: np.ndarray,
    k_max: int,
    self_loops: bool,
    gen: np.random.Generator,
) -> np.ndarray:
    """For each target, ``k`` distinct regulators drawn with probability ∝ weight (Gumbel top-k).

    Returns the regulator gene index of every edge, grouped by target in ``targets`` order.
    """
    n_reg = len(regs)
    k_top = min(k_max, n_reg)
    rows_per_block = max(1, _BLOCK // n_reg)
    out = []
    for start in range(0, len(targets), rows_per_block):
        t = targets[start : start + rows_per_block]
        keys = log_weight[None, :] + gen.gumbel(size=(len(t), n_reg))
        if not self_loops:
            own = reg_pos[t]
            rows = np.flatnonzero(own >= 0)
            keys[rows, own[rows]] = -np.inf
        if k_top < n_reg:
            top = np.argpartition(-keys, k_top - 1, axis=1)[:, :k_top]
        else:
            top = np.broadcast_to(np.arange(n_reg), keys.shape)
        # order the k_top candidates by key so that the first k are the top-k
        order = np.argsort(-np.take_along_axis(keys, top, axis=1), axis=1, kind="stable")
        top = np.take_along_axis(top, order, axis=1)
        mask = np.arange(k_top)[None, :] < k[start : start + rows_per_block, None]
        out.append(regs[top[mask]])
    return np.concatenate(out) if out else np.empty(0, dtype=np.int64)


def simulate_network(
    config: SimulationConfig | None = None, rng: int | np.random.Generator | None = None
) -> pd.DataFrame:
    """Sample a signed, directed network with heavy-tailed out-degree and bounded in-degree.

    Args:
        config: network shape (``n_genes``, ``n_regulators``, ``out_degree_exponent``,
            ``max_in_degree``, ...); defaults to :class:`SimulationConfig()`.
        rng: seed or ``numpy.random.Generator`` (every random choice comes from it).

    Returns:
        DataFrame ``regulator, target, type`` over genes :func:`gene_names` ``(n_genes)``,
        sorted by regulator then target; each pair at most once.
    """
    cfg = config if config is not None else SimulationConfig()
    gen = as_rng(rng)
    n_genes, n_reg, k_max = cfg.n_genes, cfg.regulator_count, cfg.max_in_degree
    names = np.asarray(gene_names(n_genes), dtype=object)

    regs = np.sort(gen.choice(n_genes, size=n_reg, replace=False))
    reg_pos = np.full(n_genes, -1)
    reg_pos[regs] = np.arange(n_reg)
    ranks = gen.permutation(n_reg) + 1.0
    log_weight = -cfg.out_degree_exponent * np.log(ranks)

    is_reg = reg_pos >= 0
    reg_targets = regs[gen.random(n_reg) < cfg.p_regulator_target]
    targets = np.sort(np.concatenate([np.flatnonzero(~is_reg), reg_targets]))
    p_k = cfg.in_degree_decay ** np.arange(k_max, dtype=float)
    k = gen.choice(np.arange(1, k_max + 1), size=len(targets), p=p_k / p_k.sum())
    eligible = n_reg - (is_reg[targets] & (not cfg.self_loops)).astype(int)
    k = np.minimum(k, eligible)

    src = _sample_parents(targets, k, regs, log_weight, reg_pos, k_max, cfg.self_loops, gen)
    dst = np.repeat(targets, k)

    # reciprocate some regulator -> regulator edges, keeping in-degrees bounded
    rr = is_reg[dst] & (src != dst)
    pick = np.flatnonzero(rr)[gen.random(int(rr.sum())) < cfg.p_bidirectional]
    new_src, new_dst = dst[pick], src[pick]
    fresh = ~np.isin(new_src * n_genes + new_dst, src * n_genes + dst)
    new_src, new_dst = new_src[fresh], new_dst[fresh]
    order = np.argsort(new_dst, kind="stable")
    new_src, new_dst = new_src[order], new_dst[order]
    rank_in_group = pd.Series(new_dst).groupby(new_dst).cumcount().to_numpy()
    in_deg = np.bincount(dst, minlength=n_genes)
    keep = in_deg[new_dst] + rank_in_group < k_max
    src = np.concatenate([src, new_src[keep]])
    dst = np.concatenate([dst, new_dst[keep]])

    order = np.lexsort((dst, src))
    src, dst = src[order], dst[order]
    activation = gen.random(len(src)) < cfg.p_activation
    if len(src) >= 2 and (activation.all() or not activation.any()):
        flip = gen.integers(len(src))
        activation[flip] = not activation[flip]
    types = np.where(activation, REGULATION_TYPES[0], REGULATION_TYPES[1])
    net = pd.DataFrame(
        {"regulator": names[src], "target": names[dst], "type": types},
        columns=list(REGULATION_COLUMNS),
    ).astype(str)
    log.debug("simulated network: %s", network_summary(net))
    return net


def network_summary(regulations: pd.DataFrame) -> dict[str, Any]:
    """Ground-truth counts of a typed network (JSON-ready ints)."""
    reg, tgt = regulations["regulator"], regulations["target"]
    pairs = pd.MultiIndex.from_arrays([reg, tgt])
    reverse = pd.MultiIndex.from_arrays([tgt, reg])
    self_loop = (reg == tgt).to_numpy()
    mutual = reverse.isin(pairs) & ~self_loop
    out_deg, in_deg = reg.value_counts(), tgt.value_counts()
    types = regulations["type"].value_counts()
    return {
        "n_edges": len(regulations),
        "n_activation": int(types.get("activation", 0)),
        "n_repression": int(types.get("repression", 0)),
        "n_regulators": int(reg.nunique()),
        "n_targets": int(tgt.nunique()),
        "n_regulator_targets": int(np.isin(reg.unique(), tgt.unique()).sum()),
        "n_bidirectional_pairs": int(mutual.sum()) // 2,
        "n_self_loops": int(self_loop.sum()),
        "max_out_degree": int(out_deg.max()) if len(out_deg) else 0,
        "max_in_degree": int(in_deg.max()) if len(in_deg) else 0,
    }


def simulate_on_network(
    regulations: pd.DataFrame,
    n_samples: int = 100,
    seed: int | None = 0,
    *,
    genes: Sequence[str] | None = None,
    name: str = "simulated",
    **kinetic_kwargs: Any,
) -> GRNDataset:
    """:func:`simulate_expression` on a given network, packed as a dataset labelled simulated.

    Use it to stand in for a missing expression matrix (e.g. DREAM5 net1): ``metadata`` says
    ``simulated=True`` and holds the seed, the kinetic config and the solver summary.
    """
    cfg = KineticConfig(**kinetic_kwargs)
    net = check_network(regulations)
    expr, info = solve_expression(net, n_samples, seed, genes, cfg)
    metadata = {
        "source": "xatgrn.data.synthetic.simulate_on_network",
        "simulated": True,
        "seed": seed,
        "config": {"n_samples": n_samples, **asdict(cfg)},
        "ground_truth": network_summary(net),
        "steady_state": info,
    }
    return GRNDataset(name=name, expression=expr, regulations=net, metadata=metadata)


def simulate(
    n_genes: int = 200, n_samples: int = 100, seed: int | None = 0, **kwargs: Any
) -> GRNDataset:
    """Simulate a ground-truth network and its expression (the embedded default dataset).

    Args:
        n_genes: number of genes.
        n_samples: number of samples.
        seed: one seed for every random choice (same seed -> identical data).
        **kwargs: any other :class:`SimulationConfig` field.

    Returns:
        ``GRNDataset(name="simulated")`` whose ``regulations`` are the full ground truth and
        whose ``metadata`` holds ``simulated=True``, the seed, the config and a summary.
    """
    cfg = SimulationConfig(n_genes=n_genes, n_samples=n_samples, **kwargs)
    gen = np.random.default_rng(seed)
    net = simulate_network(cfg, gen)
    expr, info = solve_expression(net, cfg.n_samples, gen, gene_names(cfg.n_genes), cfg.kinetics())
    metadata = {
        "source": "xatgrn.data.synthetic.simulate",
        "simulated": True,
        "seed": seed,
        "config": asdict(cfg),
        "ground_truth": network_summary(net),
        "steady_state": info,
    }
    log.info("simulated dataset: %s", metadata["ground_truth"])
    return GRNDataset(name="simulated", expression=expr, regulations=net, metadata=metadata)
