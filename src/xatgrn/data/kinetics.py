r"""Simulator, expression part: steady states of a kinetic model on a given typed network.

Used by :mod:`xatgrn.data.synthetic` (which also samples the network) and on its own to stand in
for a missing expression matrix on a *given* network.

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
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.special import expit

from xatgrn.data.schema import REGULATION_COLUMNS, REGULATION_TYPES
from xatgrn.errors import input_error
from xatgrn.utils import rng as as_rng

log = logging.getLogger(__name__)

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


def check_probability(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise input_error(f"{name} must be in [0, 1], got {value}", fix=f"pass {name} in [0, 1]")


def _check_kinetics(cfg: KineticConfig) -> None:
    check_probability("p_knockdown", cfg.p_knockdown)
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


def check_network(regulations: pd.DataFrame) -> pd.DataFrame:
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


def solve_expression(
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
    expr, info = solve_expression(check_network(regulations), n_samples, seed, genes, cfg)
    log.info("simulated expression: %s", info)
    return expr
