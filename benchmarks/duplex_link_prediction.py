"""Held-out link prediction with DUPLEX on the FGRN priors and a simulated skewed graph (issue 3).

Per graph and seed: 15 % of the linked node pairs are held out (all their directed edges removed
from the training graph) plus as many sampled non-edges; the embedder is fitted on the rest (its
early stopping only sees a split of the training edges). Reported on the held-out pairs:

* existence AUROC (held-out pairs vs non-edges) from DUPLEX ``1 - P(none)`` and ``sigma(a_u . a_v)``,
  against two baselines computed from the training graph only: a truncated SVD of the directed
  adjacency (``s(u->v) = U_u S V_v``, existence ``s(u->v) + s(v->u)``) and preferential attachment
  (``deg(u) deg(v)``);
* direction accuracy and AUROC on held-out one-way edges: DUPLEX ``P(forward)`` vs ``P(reverse)``;
  SVD ``s(u->v) - s(v->u)``; in/out-degree ``out(u) in(v) - out(v) in(u)``;
* the same broken down by degree skew: ``max(|out - in|)`` of the pair's two nodes in the training
  graph.

One JSON per (graph, config, seed) in ``benchmarks/results/duplex/link/`` (finished runs are
skipped unless ``--force``) and ``link_prediction.md`` beside them.

    python benchmarks/duplex_link_prediction.py --graphs all --configs paper --seeds 0
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, environment, markdown_table, write_json
from duplex_speed import load_graph

OUT = RESULTS / "duplex" / "link"
GRAPHS = ("dream5_net1", "ecoli_cold", "human_covid", "simulated")
#: named configurations: the library's profiles plus layer-count variants of the paper setting
CONFIGS: dict[str, tuple[str, dict[str, Any]]] = {
    "paper": ("paper", {}),
    "fast": ("fast", {}),
    "layers2": ("paper", {"layers": 2}),
    "layers1": ("paper", {"layers": 1, "fusion": "none"}),
}
SKEW_BINS = [(0, 1), (2, 9), (10, 49), (50, 10**9)]


def simulated_graph(seed: int = 0, n_genes: int = 1500) -> tuple[np.ndarray, int]:
    from xatgrn.data.synthetic import SimulationConfig, simulate_network

    net = simulate_network(SimulationConfig(n_genes=n_genes), seed)
    genes = sorted(set(net["regulator"]) | set(net["target"]))
    idx = {g: i for i, g in enumerate(genes)}
    ei = np.stack([net["regulator"].map(idx).to_numpy(), net["target"].map(idx).to_numpy()])
    return ei, len(genes)


def split(ei: np.ndarray, n: int, seed: int, frac: float = 0.15) -> dict[str, np.ndarray]:
    """Hold out ``frac`` of the linked pairs (both directions) + as many non-edges."""
    from xatgrn.graph.hermitian import hermitian_edges
    from xatgrn.graph.training import sample_non_edges

    t = torch.as_tensor(ei)
    pairs, state = hermitian_edges(t, n)
    off = pairs[0] != pairs[1]
    pairs, state = pairs[:, off].numpy(), state[off].numpy()
    r = np.random.default_rng(seed)
    test = r.permutation(pairs.shape[1])[: round(frac * pairs.shape[1])]
    und = np.minimum(ei[0], ei[1]) * n + np.maximum(ei[0], ei[1])
    held = np.isin(und, pairs[0, test] * n + pairs[1, test]) & (ei[0] != ei[1])
    keys = torch.unique(torch.cat([t[0] * n + t[1], t[1] * n + t[0]]))
    gen = torch.Generator().manual_seed(seed)
    neg = sample_non_edges(keys, n, test.size, gen).numpy()
    # orient each held-out one-way pair along its edge (state 0 forward, 1 reverse)
    tp, ts = pairs[:, test], state[test]
    oriented = np.where(ts == 1, tp[::-1], tp)
    return {"train": ei[:, ~held], "test": tp, "test_state": ts, "oriented": oriented, "neg": neg}


def degrees(train: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    off = train[0] != train[1]
    return np.bincount(train[0][off], minlength=n), np.bincount(train[1][off], minlength=n)


def svd_scores(train: np.ndarray, n: int, k: int = 32):
    import scipy.sparse as sp
    from scipy.sparse.linalg import svds

    a = sp.coo_matrix((np.ones(train.shape[1]), (train[0], train[1])), shape=(n, n)).tocsr()
    a.data[:] = 1.0
    u, s, vt = svds(a, k=min(k, n - 2), random_state=0)
    left, right = u * s, vt.T

    def score(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
        return np.einsum("ij,ij->i", left[src], right[dst])

    return score


def _auroc(y: np.ndarray, s: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, s)) if 0 < y.sum() < len(y) else float("nan")


def evaluate(
    name: str, ei: np.ndarray, n: int, config: str, seed: int, device: str
) -> dict[str, Any]:
    from xatgrn.graph import DUPLEX_PROFILES, DuplexEmbedder, duplex_config

    sp = split(ei, n, seed)
    train, test, neg, ori = sp["train"], sp["test"], sp["neg"], sp["oriented"]
    profile, extra = CONFIGS[config]
    cfg = duplex_config(profile, seed=seed, progress=False, device=device, **extra)
    emb = DuplexEmbedder(cfg).fit(train, n)
    out_d, in_d = degrees(train, n)
    svd = svd_scores(train, n)

    # existence: held-out linked pairs vs non-edges
    ex = np.concatenate([test, neg], 1)
    y = np.r_[np.ones(test.shape[1]), np.zeros(neg.shape[1])]
    deg = out_d + in_d
    ex_scores = {
        "duplex_1-p_none": 1 - emb.predict_direction(ex.T)[:, 3],
        "duplex_connection": emb.predict_connection(ex.T),
        "svd": svd(ex[0], ex[1]) + svd(ex[1], ex[0]),
        "pref_attachment": (deg[ex[0]] * deg[ex[1]]).astype(float),
    }
    # direction: held-out one-way edges, true orientation first
    one_way = sp["test_state"] != 2
    o = ori[:, one_way]
    p = emb.predict_direction(o.T)
    dir_scores = {
        "duplex": p[:, 0] - p[:, 1],
        "svd": svd(o[0], o[1]) - svd(o[1], o[0]),
        "in_out_degree": (out_d[o[0]] * in_d[o[1]] - out_d[o[1]] * in_d[o[0]]).astype(float),
    }
    skew = np.abs(out_d - in_d)
    ex_bin = np.maximum(skew[ex[0]], skew[ex[1]])
    dir_bin = np.maximum(skew[o[0]], skew[o[1]])

    def direction(s: np.ndarray, mask: np.ndarray) -> dict[str, float]:
        s = s[mask]
        return {
            "accuracy": float((s > 0).mean() + 0.5 * (s == 0).mean()) if s.size else float("nan"),
            "auroc": _auroc(np.r_[np.ones(s.size), np.zeros(s.size)], np.r_[s, -s]),
            "n": int(s.size),
        }

    res: dict[str, Any] = {
        "graph": name,
        "config": config,
        "settings": {**DUPLEX_PROFILES[profile], **extra},
        "seed": seed,
        "nodes": n,
        "edges": int(ei.shape[1]),
        "held_out_pairs": int(test.shape[1]),
        "held_out_one_way": int(one_way.sum()),
        "fit": {
            "epochs": emb.n_epochs_,
            "best_epoch": emb.best_epoch_,
            "seconds": emb.fit_seconds_,
        },
        "existence_auroc": {k: _auroc(y, s) for k, s in ex_scores.items()},
        "direction": {k: direction(s, np.ones(s.size, bool)) for k, s in dir_scores.items()},
        "by_skew": [],
    }
    for lo, hi in SKEW_BINS:
        em, dm = (ex_bin >= lo) & (ex_bin <= hi), (dir_bin >= lo) & (dir_bin <= hi)
        res["by_skew"].append(
            {
                "skew": f"{lo}-{hi}" if hi < 10**9 else f"{lo}+",
                "n_pos": int(y[em].sum()),
                "n_neg": int((1 - y[em]).sum()),
                "existence_auroc": {k: _auroc(y[em], s[em]) for k, s in ex_scores.items()},
                "direction": {k: direction(s, dm) for k, s in dir_scores.items()},
            }
        )
    res["environment"] = environment()
    return res


def write_table(out: Path) -> None:
    recs = [json.loads(f.read_text()) for f in sorted(out.glob("*/*.json"))]
    rows, skew_rows = [], []
    for r in recs:
        ex, d = r["existence_auroc"], r["direction"]
        rows.append(
            {
                "graph": r["graph"],
                "config": r["config"],
                "seed": r["seed"],
                "epochs (best)": f"{r['fit']['epochs']} ({r['fit']['best_epoch']})",
                "fit s": r["fit"]["seconds"],
                "exist DUPLEX 1-P(none)": ex["duplex_1-p_none"],
                "exist DUPLEX σ(a·a)": ex["duplex_connection"],
                "exist SVD": ex["svd"],
                "exist PA": ex["pref_attachment"],
                "dir acc DUPLEX": d["duplex"]["accuracy"],
                "dir AUROC DUPLEX": d["duplex"]["auroc"],
                "dir acc SVD": d["svd"]["accuracy"],
                "dir acc in/out deg": d["in_out_degree"]["accuracy"],
            }
        )
        for b in r["by_skew"]:
            skew_rows.append(
                {
                    "graph": r["graph"],
                    "config": r["config"],
                    "seed": r["seed"],
                    "skew max abs(out-in)": b["skew"],
                    "pos/neg": f"{b['n_pos']}/{b['n_neg']}",
                    "exist DUPLEX": b["existence_auroc"]["duplex_1-p_none"],
                    "exist SVD": b["existence_auroc"]["svd"],
                    "exist PA": b["existence_auroc"]["pref_attachment"],
                    "one-way": b["direction"]["duplex"]["n"],
                    "dir acc DUPLEX": b["direction"]["duplex"]["accuracy"],
                    "dir acc SVD": b["direction"]["svd"]["accuracy"],
                    "dir acc in/out deg": b["direction"]["in_out_degree"]["accuracy"],
                }
            )
    summary = []
    for (graph, config), grp in _groups(rows).items():
        row = {"graph": graph, "config": config, "seeds": len(grp)}
        for col in ("fit s", "exist DUPLEX 1-P(none)", "exist SVD", "exist PA", "dir acc DUPLEX"):
            vals = np.array([r[col] for r in grp], dtype=float)
            row[col] = f"{vals.mean():.3f} ± {vals.std():.3f}" if len(vals) > 1 else vals[0]
        row["dir acc in/out deg"] = float(np.mean([r["dir acc in/out deg"] for r in grp]))
        summary.append(row)
    text = "# DUPLEX held-out link prediction\n\n15 % of linked pairs held out + as many non-edges.\n\n"
    text += "## Mean ± sd over seeds\n\n" + markdown_table(
        summary, list(summary[0]) if summary else []
    )
    text += "\n## Per seed\n\n" + markdown_table(rows, list(rows[0]) if rows else [])
    text += "\n## By degree skew (max abs(out - in) of the two nodes, training graph)\n\n"
    text += markdown_table(skew_rows, list(skew_rows[0]) if skew_rows else [])
    (out / "link_prediction.md").write_text(text)


def _groups(rows: list[dict[str, Any]]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault((r["graph"], r["config"]), []).append(r)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--graphs", default="all", help=f"comma list of {GRAPHS} or 'all'")
    ap.add_argument("--configs", default="paper", help=f"comma list of {list(CONFIGS)}")
    ap.add_argument("--seeds", default="0", help="comma list of seeds")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    os.environ.setdefault("XATGRN_NO_PROGRESS", "1")
    graphs = GRAPHS if args.graphs == "all" else tuple(args.graphs.split(","))
    for name in graphs:
        ei, n = simulated_graph() if name == "simulated" else load_graph(name)[:2]
        for config in args.configs.split(","):
            for seed in (int(s) for s in args.seeds.split(",")):
                path = args.out / name / f"{config}_seed{seed}.json"
                if path.exists() and not args.force:
                    print(f"{path} exists, skipped")
                    continue
                res = evaluate(name, ei, n, config, seed, args.device)
                write_json(path, res)
                print(
                    name,
                    config,
                    seed,
                    res["fit"],
                    res["existence_auroc"],
                    {k: v["accuracy"] for k, v in res["direction"].items()},
                    flush=True,
                )
    write_table(args.out)


if __name__ == "__main__":
    main()
