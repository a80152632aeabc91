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

**Kinetics** (:func:`simulate_expression`). Gene :math:`i` in sample :math:`j` follows

.. math::
    \frac{dx_{ij}}{dt} = b_i\, s_{ij} \prod_{r \in R_i} \frac{K_r^n}{K_r^n + x_{rj}^n}
    \Bigl(1 + \sum_{a \in A_i} w_{ai} \frac{x_{aj}^n}{K_a^n + x_{aj}^n}\Bigr) - d_i x_{ij}

with repressors :math:`R_i`, activators :math:`A_i`, Hill coefficient :math:`n` (``hill_n``),
activation strengths :math:`w_{ai} = w\,e^{\epsilon}`, :math:`\epsilon \sim N(0,`
``strength_sd``:math:`^2)`; basal rates :math:`\log b_i \sim N(` ``basal_mean``, ``basal_sd``
:math:`^2)`; and :math:`d_i \equiv 1` (at steady state only :math:`b_i/d_i` matters).
Per-sample perturbations :math:`\log s_{ij} \sim N(0,` ``perturbation_sd``:math:`^2)`, and each
regulator is knocked down in a sample with probability ``p_knockdown`` (:math:`s_{ij}` times
``knockdown_factor``). Thresholds sit at the unperturbed reference state: with
:math:`x_r = K_r` every Hill term is 1/2, so

.. math::
    K_i = x^{ref}_i = b_i\, 2^{-|R_i|} \bigl(1 + \tfrac12 \textstyle\sum_{a \in A_i} w_{ai}\bigr)

is an exact steady state for :math:`s \equiv 1`, and perturbed samples move each regulator
around the sensitive middle of its Hill curves (activation raises, repression lowers the
target with the regulator). The steady state :math:`x = P(x)` (the production term) is found by
damped fixed-point iteration in log space, :math:`y \leftarrow (1-\lambda) y + \lambda \log
P(e^y)`, over the regulators only (targets follow in one final step), vectorised over all
genes and samples with sparse matrix products; a sample whose residual sets no new minimum
for 200 steps is overshooting and gets half its step :math:`\lambda` (``damping``); each
sample stops once converged (``tol``) or after ``max_iter`` steps (then a warning is logged and
the summary says how many samples did not converge: with dense, high-gain networks some
samples may oscillate). Production is bounded (Hill terms are in
[0, 1]), so cycles, self-loops and bidirectional pairs cannot blow up. Finally
log-normal measurement noise (``noise_sd``) multiplies every value.

Every random choice flows from one seed (``numpy.random.default_rng``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.special import expit

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
#: a sample whose residual sets no new minimum for this many steps gets half the step
_STALL = 200
_MIN_DAMPING = 1e-3


@dataclass
class KineticConfig:
    """Parameters of the kinetic model and the sampling of expression (see the module doc).

    Args:
        hill_n: Hill coefficient :math:`n` of every regulatory input.
        activation_strength: median fold-increase headroom :math:`w` per saturated activator.
        strength_sd: log-normal spread of the per-edge activation strengths.
        basal_mean: mean of :math:`\\log b_i` (sets the expression scale).
        basal_sd: gene-to-gene sd of :math:`\\log b_i`.
        perturbation_sd: sd of the per-sample log basal-rate multipliers :math:`\\log s_{ij}`.
        p_knockdown: per-sample probability that a regulator is knocked down.
        knockdown_factor: production multiplier of a knocked-down regulator.
        noise_sd: sd of the log-normal measurement noise.
        damping: initial step :math:`\\lambda` of the damped fixed-point iteration.
        max_iter: iteration cap of the steady-state solver.
        tol: convergence threshold on :math:`\\max |\\log P(x) - \\log x|`.
    """

    hill_n: float = 2.0
    activation_strength: float = 4.0
    strength_sd: float = 0.3
    basal_mean: float = 2.0
    basal_sd: float = 1.0
    perturbation_sd: float = 0.5
    p_knockdown: float = 0.05
    knockdown_factor: float = 0.1
    noise_sd: float = 0.1
    damping: float = 0.5
    max_iter: int = 5000
    tol: float = 1e-6

    def __post_init__(self) -> None:
        _check_kinetics(self)


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
            _check_probability(name, getattr(self, name))

    @property
    def regulator_count(self) -> int:
        """``n_regulators`` resolved: 10 % of genes, at least 2, fewer than ``n_genes``."""
        if self.n_regulators is not None:
            return self.n_regulators
        return min(max(2, round(0.1 * self.n_genes)), self.n_genes - 1)

    def kinetics(self) -> KineticConfig:
        """The kinetic part of this config."""
        return KineticConfig(**{f.name: getattr(self, f.name) for f in fields(KineticConfig)})


def _check_probability(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise input_error(f"{name} must be in [0, 1], got {value}", fix=f"pass {name} in [0, 1]")


def _check_kinetics(cfg: KineticConfig) -> None:
    _check_probability("p_knockdown", cfg.p_knockdown)
    positive = ("hill_n", "knockdown_factor", "damping", "tol")
    for name in positive:
        if not getattr(cfg, name) > 0:
            raise input_error(
                f"{name} must be > 0, got {getattr(cfg, name)}", fix=f"pass a positive {name}"
            )
    if cfg.damping > 1:
        raise input_error(f"damping must be in (0, 1], got {cfg.damping}", fix="use e.g. 0.5")
    for name in ("activation_strength", "strength_sd", "basal_sd", "perturbation_sd", "noise_sd"):
        if getattr(cfg, name) < 0:
            raise input_error(
                f"{name} must be >= 0, got {getattr(cfg, name)}", fix=f"pass {name} >= 0"
            )
    if cfg.max_iter < 1:
        raise input_error(f"max_iter must be >= 1, got {cfg.max_iter}", fix="pass max_iter >= 1")


def gene_names(n: int, prefix: str = "g") -> list[str]:
    """``g0001``, ``g0002``, ...: 1-based, zero-padded to a width stable for ``n`` (>= 4)."""
    width = max(4, len(str(n)))
    return (prefix + pd.RangeIndex(1, n + 1).astype(str).str.zfill(width)).tolist()


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


# --- expression -------------------------------------------------------------------------------


def _validate_regulations(regulations: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in REGULATION_COLUMNS if c not in getattr(regulations, "columns", ())]
    if missing:
        raise input_error(
            f"regulations lack column(s) {missing}",
            fix="pass a DataFrame with columns regulator, target, type (xatgrn.data.io.read_regulations)",
        )
    net = regulations.loc[:, list(REGULATION_COLUMNS)].reset_index(drop=True)
    if net[["regulator", "target"]].isna().any(axis=None):
        row = int(np.flatnonzero(net[["regulator", "target"]].isna().any(axis=1))[0])
        raise input_error(
            f"regulations row {row} has an empty regulator or target",
            fix="drop rows without both gene ids",
        )
    net["regulator"] = net["regulator"].astype(str)
    net["target"] = net["target"].astype(str)
    bad = ~net["type"].isin(REGULATION_TYPES)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise input_error(
            f"regulations row {row} has unknown type {net['type'].iloc[row]!r} "
            f"({int(bad.sum())} such rows)",
            gene=net["regulator"].iloc[row],
            fix="use 'activation' or 'repression' (read files with xatgrn.data.io.read_regulations)",
        )
    dup = net.duplicated(["regulator", "target"])
    if dup.any():
        row = int(np.flatnonzero(dup)[0])
        raise input_error(
            f"pair ({net['regulator'].iloc[row]!r}, {net['target'].iloc[row]!r}) appears more "
            f"than once ({int(dup.sum())} duplicate rows)",
            gene=net["regulator"].iloc[row],
            fix="keep one row per (regulator, target) pair",
        )
    return net


def _natural_order(genes: pd.Index) -> pd.Index:
    """Sort gene ids so that ``G2`` comes before ``G10`` (prefix, then trailing number)."""
    parts = genes.to_series().str.extract(r"^(.*?)(\d*)$")
    key = pd.DataFrame(
        {
            "prefix": parts[0].to_numpy(),
            "number": pd.to_numeric(parts[1], errors="coerce").fillna(-1).to_numpy(),
            "gene": genes.to_numpy(),
        }
    )
    return pd.Index(key.sort_values(["prefix", "number", "gene"])["gene"].to_numpy(), name="gene")


def _steady_state(
    log_base: np.ndarray,
    act: sp.csr_matrix,
    rep: sp.csr_matrix,
    reg_rows: np.ndarray,
    log_k: np.ndarray,
    cfg: KineticConfig,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Solve ``y = log P(exp y)`` for all genes (rows) and samples (columns) at once.

    ``act``/``rep`` map regulator Hill terms (columns = regulators) to gene inputs (rows = all
    genes); ``reg_rows`` are the regulators' row indices. Only regulators are iterated: the
    other genes depend on them but feed nothing back, so they follow in one final step.
    """
    n = cfg.hill_n

    def log_production(rows: slice | np.ndarray, y_reg: np.ndarray) -> np.ndarray:
        z = n * (y_reg - log_k[:, None])
        h = expit(z)
        rep_term = rep[rows] @ -np.logaddexp(0.0, z)  # sum over repressors of log K^n/(K^n+x^n)
        act_term = np.log1p(act[rows] @ h)
        return log_base[rows] + rep_term + act_term

    act_r, rep_r = act[reg_rows], rep[reg_rows]
    base_r = log_base[reg_rows]
    n_samples = log_base.shape[1]
    y = np.repeat(log_k[:, None], n_samples, axis=1)  # start at the reference state
    lam = np.full(n_samples, cfg.damping)
    best = np.full(n_samples, np.inf)
    since_best = np.zeros(n_samples, dtype=int)
    resid = np.zeros(n_samples)
    active = np.arange(n_samples) if len(reg_rows) else np.empty(0, dtype=int)
    it = 0
    while len(active) and it < cfg.max_iter:  # samples leave the loop once converged
        it += 1
        ya = y[:, active]
        z = n * (ya - log_k[:, None])
        step = base_r[:, active] + rep_r @ -np.logaddexp(0.0, z) + np.log1p(act_r @ expit(z))
        step -= ya
        r = np.abs(step).max(axis=0)
        resid[active] = r
        # a sample without a new best residual for _STALL steps is overshooting: halve its step
        improved = r < best[active]
        best[active] = np.minimum(best[active], r)
        since_best[active] = np.where(improved, 0, since_best[active] + 1)
        stalled = active[since_best[active] >= _STALL]
        lam[stalled] = np.maximum(lam[stalled] / 2, _MIN_DAMPING)
        since_best[stalled] = 0
        y[:, active] = ya + lam[active] * step
        active = active[r >= cfg.tol]
    converged = len(active) == 0
    if not converged:
        log.warning(
            "steady state not reached in %d of %d samples after %d iterations "
            "(max |log residual| %.3g); using the last iterate",
            len(active),
            n_samples,
            cfg.max_iter,
            float(resid.max()),
        )
    info = {
        "iterations": it,
        "max_residual": float(resid.max()) if n_samples else 0.0,
        "converged": bool(converged),
        "n_samples_not_converged": len(active),
    }
    return log_production(slice(None), y), info


def _simulate_expression(
    regulations: pd.DataFrame,  # validated by _validate_regulations
    n_samples: int,
    seed: int | np.random.Generator | None,
    genes: Sequence[str] | None,
    cfg: KineticConfig,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    if n_samples < 1:
        raise input_error(
            f"n_samples must be at least 1, got {n_samples}", fix="simulate 1 or more samples"
        )
    gen = as_rng(seed)
    net = regulations
    in_net = pd.Index(pd.unique(net[["regulator", "target"]].to_numpy().ravel()))
    if genes is None:
        index = _natural_order(in_net)
    else:
        index = pd.Index([str(g) for g in genes], name="gene")
        if index.has_duplicates:
            dup = index[index.duplicated()][0]
            raise input_error(
                "genes lists a gene more than once", gene=dup, fix="pass unique gene ids"
            )
        absent = in_net.difference(index)
        if len(absent):
            raise input_error(
                f"{len(absent)} network gene(s) are not in genes (e.g. {list(absent[:3])})",
                gene=absent[0],
                fix="add them to genes= or drop their edges from the network",
            )
    n_genes = len(index)
    if n_genes == 0:
        raise input_error("no genes to simulate", fix="pass a non-empty network or genes=")

    # canonical edge order (by target, then regulator position) -> row order does not matter
    src = index.get_indexer(net["regulator"])
    dst = index.get_indexer(net["target"])
    order = np.lexsort((src, dst))
    src, dst = src[order], dst[order]
    is_act = (net["type"].to_numpy()[order] == REGULATION_TYPES[0]).astype(bool)
    regs = np.unique(src)
    col = np.searchsorted(regs, src)  # regulator -> column of the Hill-term matrices
    n_reg = len(regs)

    log_b = gen.normal(cfg.basal_mean, cfg.basal_sd, size=n_genes)
    w = cfg.activation_strength * np.exp(gen.normal(0.0, cfg.strength_sd, size=len(src)))
    act = sp.csr_matrix((w[is_act], (dst[is_act], col[is_act])), shape=(n_genes, n_reg))
    rep = sp.csr_matrix(
        (np.ones(int((~is_act).sum())), (dst[~is_act], col[~is_act])), shape=(n_genes, n_reg)
    )
    # reference steady state: every regulator at its threshold, every Hill term = 1/2
    n_rep = np.asarray(rep.sum(axis=1)).ravel()
    w_sum = np.asarray(act.sum(axis=1)).ravel()
    log_ref = log_b - n_rep * np.log(2.0) + np.log1p(0.5 * w_sum)
    log_k = log_ref[regs]

    log_s = gen.normal(0.0, cfg.perturbation_sd, size=(n_genes, n_samples))
    knocked = gen.random((n_reg, n_samples)) < cfg.p_knockdown
    log_s[regs] += np.where(knocked, np.log(cfg.knockdown_factor), 0.0)
    log_x, info = _steady_state(log_b[:, None] + log_s, act, rep, regs, log_k, cfg)
    log_x += gen.normal(0.0, cfg.noise_sd, size=log_x.shape)

    samples = pd.Index(gene_names(n_samples, prefix="s"))
    expr = pd.DataFrame(np.exp(log_x), index=index, columns=samples, dtype=np.float64)
    info.update(
        n_genes=n_genes,
        n_samples=n_samples,
        n_genes_outside_network=int(n_genes - len(in_net)),
        n_knockdowns=int(knocked.sum()),
    )
    return expr, info


def simulate_expression(
    regulations: pd.DataFrame,
    n_samples: int,
    seed: int | np.random.Generator | None = 0,
    *,
    genes: Sequence[str] | None = None,
    **kinetic_kwargs: Any,
) -> pd.DataFrame:
    """Steady-state expression of a *given* typed network under per-sample perturbations.

    Args:
        regulations: ``regulator, target, type`` (``activation``/``repression``), each pair
            at most once; self-loops and bidirectional pairs are fine.
        n_samples: number of samples (columns ``s0001``, ...).
        seed: seed or ``numpy.random.Generator``.
        genes: genes (rows, in this order); defaults to the network's genes in natural order
            (``G2`` before ``G10``). Genes outside the network get basal expression + noise.
        **kinetic_kwargs: fields of :class:`KineticConfig` (``hill_n``, ``noise_sd``, ...).

    Returns:
        float64 DataFrame, genes x samples, strictly positive.
    """
    cfg = KineticConfig(**kinetic_kwargs)
    expr, info = _simulate_expression(
        _validate_regulations(regulations), n_samples, seed, genes, cfg
    )
    log.info("simulated expression: %s", info)
    return expr


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
    net = _validate_regulations(regulations)
    expr, info = _simulate_expression(net, n_samples, seed, genes, cfg)
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
    expr, info = _simulate_expression(
        net, cfg.n_samples, gen, gene_names(cfg.n_genes), cfg.kinetics()
    )
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
