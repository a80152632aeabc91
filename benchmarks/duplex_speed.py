"""DUPLEX training speed on the FGRN prior networks: ms per epoch and full fits (issue 3).

For each benchmark graph (DREAM5 net1, E. coli, human; nodes = the expression matrix's genes) it
times, in one process and under the same load:

* ``xatgrn`` — :class:`xatgrn.graph.DuplexEmbedder` (fused amplitude/phase layer, sparse kernels),
  one epoch = training step + validation pass, exactly as ``fit`` runs it (``paper`` profile);
* ``xatgrn_fast`` — the same with the ``fast`` profile (2 layers, validation every 2nd epoch);
* ``edgewise`` — the same model on PyG's edge-wise ``propagate`` path (gather, multiply, scatter);
* ``plain_pyg`` — a plain dual GAT: two stacks of ``torch_geometric.nn.GATConv`` (amplitude, phase),
  3 layers, 128 wide, 1 head, dropout 0.5, with the same decoders and loss written with gathers;
* optionally (``--full-fit``) a full ``fit`` with the paper defaults (early stopping), recording
  epochs, best epoch and seconds.

One JSON file per graph in ``benchmarks/results/duplex/speed/`` (skipped when present unless
``--force``; ``--repeats`` re-times a graph and keeps every repeat) and a Markdown table beside it.
Note the machine load (``uptime``) — other jobs on a 2-core machine distort timings.

    python benchmarks/duplex_speed.py --graphs dream5_net1,ecoli_cold,human_covid --full-fit
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, environment, markdown_table, write_json

OUT = RESULTS / "duplex" / "speed"
GRAPHS = ("dream5_net1", "ecoli_cold", "human_covid")


def data_dir() -> Path:
    env = os.environ.get("XATGRN_DATA_DIR")
    cands = [Path(env)] if env else []
    cands.append(Path(__file__).resolve().parents[2] / "shared" / "data" / "fgrn")
    for c in cands:
        if (c / "manifest.json").is_file():
            return c
    raise SystemExit("FGRN data not found: set XATGRN_DATA_DIR")


def load_graph(name: str) -> tuple[np.ndarray, int, list[str]]:
    """Directed prior edges as node indices over the expression matrix's genes."""
    root = data_dir() / name
    genes = pd.read_csv(root / "expression.csv.gz", usecols=[0]).iloc[:, 0].astype(str)
    index = pd.Index(genes)
    reg = pd.read_csv(root / "regulations.tsv", sep="\t", dtype=str)
    ei = np.stack([index.get_indexer(reg["regulator"]), index.get_indexer(reg["target"])])
    if (ei < 0).any():
        raise SystemExit(f"{name}: regulations name genes missing from the expression matrix")
    return ei, len(index), list(index)


# --- a plain dual GAT for comparison ---------------------------------------------------------


class PlainDualGAT(torch.nn.Module):
    """Two independent PyG GATConv stacks (amplitude, phase) over the symmetrised graph."""

    def __init__(self, n: int, dim: int = 128, layers: int = 3, dropout: float = 0.5) -> None:
        super().__init__()
        from torch_geometric.nn import GATConv

        self.x0 = torch.nn.Parameter(torch.randn(n, dim))
        self.dropout = dropout
        self.am = torch.nn.ModuleList(GATConv(dim, dim) for _ in range(layers))
        self.ph = torch.nn.ModuleList(GATConv(dim, dim) for _ in range(layers))

    def forward(self, edge_index: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        outs = []
        for stack in (self.am, self.ph):
            x = self.x0
            for i, conv in enumerate(stack):
                x = torch.nn.functional.dropout(x, self.dropout, self.training)
                x = conv(x, edge_index)
                if i < len(stack) - 1:
                    x = torch.nn.functional.elu(x)
            outs.append(x)
        return outs[0], outs[1]


def _plain_losses(amp, ph, src, dst, target, weight):
    from xatgrn.graph.hermitian import STATE_VALUES, PairState

    au, av = amp[src], amp[dst]
    delta = (ph[src] - ph[dst]) * (math.pi / 2)
    re = (au * av * torch.cos(delta)).sum(-1)
    im = (au * av * torch.sin(delta)).sum(-1)
    r = torch.tensor([[v.real, v.imag] for v in STATE_VALUES])
    logits = -torch.sqrt((re[:, None] - r[:, 0]) ** 2 + (im[:, None] - r[:, 1]) ** 2 + 1e-9)
    l_d = (torch.nn.functional.cross_entropy(logits, target, reduction="none") * weight).sum()
    link = (target != PairState.ABSENT).float()
    conn = (au * av).sum(-1)
    l_c = (
        torch.nn.functional.binary_cross_entropy_with_logits(conn, link, reduction="none") * weight
    ).sum()
    return l_d, l_c


def time_plain(ei: np.ndarray, n: int, epochs: int, seed: int = 0) -> list[float]:
    """Seconds per epoch (training step + validation pass) of the plain dual GAT."""
    from xatgrn.graph.hermitian import PairState, hermitian_edges
    from xatgrn.graph.training import sample_non_edges

    torch.manual_seed(seed)
    t = torch.as_tensor(ei)
    pairs, state = hermitian_edges(t, n)
    keep = pairs[0] != pairs[1]
    pairs, state = pairs[:, keep], state[keep]
    sym = torch.unique(torch.cat([t[0] * n + t[1], t[1] * n + t[0]]))
    gen = torch.Generator().manual_seed(seed)
    edge_index = torch.stack([torch.cat([pairs[0], pairs[1]]), torch.cat([pairs[1], pairs[0]])])
    model = PlainDualGAT(n)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    times = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        neg = sample_non_edges(sym, n, pairs.shape[1], gen)
        src, dst = torch.cat([pairs[0], neg[0]]), torch.cat([pairs[1], neg[1]])
        target = torch.cat([state, torch.full((neg.shape[1],), int(PairState.ABSENT))])
        weight = torch.full((src.numel(),), 1.0 / src.numel())
        model.train()
        opt.zero_grad()
        amp, ph = model(edge_index)
        l_d, l_c = _plain_losses(amp, ph, src, dst, target, weight)
        (l_d + 0.3 * l_c).backward()
        opt.step()
        model.eval()
        with torch.no_grad():
            amp, ph = model(edge_index)
            _plain_losses(amp, ph, src[:200], dst[:200], target[:200], weight[:200])
        times.append(time.perf_counter() - t0)
    return times


# --- xatgrn ----------------------------------------------------------------------------------


def time_xatgrn(
    ei: np.ndarray, n: int, epochs: int, *, fused: bool = True, profile: str = "paper"
) -> list[float]:
    """Seconds per epoch of DuplexEmbedder.fit (its own per-epoch clock), no early stop."""
    from xatgrn.graph import DuplexEmbedder, duplex_config
    from xatgrn.graph import encoder as dmod

    cfg = duplex_config(profile, max_epochs=epochs, patience=epochs + 1, progress=False)
    original = dmod.DuplexEncoder.forward
    if not fused:  # route every layer through PyG's edge-wise propagate

        def forward(self, graph, *, fused=True):
            return original(self, graph, fused=False)

        dmod.DuplexEncoder.forward = forward
    try:
        emb = DuplexEmbedder(cfg).fit(ei, n)
    finally:
        dmod.DuplexEncoder.forward = original
    stamps = [0.0] + [h["seconds"] for h in emb.history_]
    return list(np.diff(stamps))


def full_fit(ei: np.ndarray, n: int, profile: str) -> dict[str, Any]:
    """One fit with early stopping under a named profile of the library."""
    from xatgrn.graph import DUPLEX_PROFILES, DuplexEmbedder, duplex_config

    emb = DuplexEmbedder(duplex_config(profile, progress=False)).fit(ei, n)
    steps = np.diff([0.0] + [h["seconds"] for h in emb.history_])
    return {
        "profile": profile,
        "settings": DUPLEX_PROFILES[profile],
        "epochs": emb.n_epochs_,
        "best_epoch": emb.best_epoch_,
        "fit_seconds": emb.fit_seconds_,
        "ms_per_epoch_median": 1e3 * float(np.median(steps)),
    }


def summarise(times: list[float], skip: int = 3) -> dict[str, float]:
    t = np.asarray(times[skip:] if len(times) > skip + 2 else times) * 1e3
    return {"ms_median": float(np.median(t)), "ms_min": float(t.min()), "n": len(t)}


METHODS = ("xatgrn", "xatgrn_fast", "edgewise", "plain_pyg")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--graphs", default=",".join(GRAPHS))
    ap.add_argument("--epochs", type=int, default=30, help="timed epochs per method")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--methods", default=",".join(METHODS), help=f"subset of {METHODS}")
    ap.add_argument("--full-fit", action="store_true", help="also time full fits (profiles)")
    ap.add_argument("--profiles", default="paper,fast", help="profiles for --full-fit")
    ap.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: as is)")
    ap.add_argument("--force", action="store_true", help="redo graphs that have results")
    ap.add_argument("--append", action="store_true", help="add timing runs to existing results")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    os.environ.setdefault("XATGRN_NO_PROGRESS", "1")
    timers = {
        "xatgrn": lambda ei, n: time_xatgrn(ei, n, args.epochs),
        "xatgrn_fast": lambda ei, n: time_xatgrn(ei, n, args.epochs, profile="fast"),
        "edgewise": lambda ei, n: time_xatgrn(ei, n, args.epochs, fused=False),
        "plain_pyg": lambda ei, n: time_plain(ei, n, args.epochs),
    }
    for name in args.graphs.split(","):
        path = args.out / f"{name}.json"
        if path.exists() and not (args.force or args.append):
            print(f"{name}: {path} exists, skipped (--force to redo, --append to add runs)")
            continue
        ei, n, _ = load_graph(name)
        rec: dict[str, Any] = {"graph": name, "nodes": n, "edges": int(ei.shape[1]), "runs": []}
        if args.append and path.exists():
            rec = json.loads(path.read_text())
        rec["threads"] = torch.get_num_threads()
        first = len(rec["runs"])
        for rep in range(first, first + args.repeats):
            run: dict[str, Any] = {"repeat": rep, "load_before": os.getloadavg()[0]}
            for method in args.methods.split(","):
                run[method] = summarise(timers[method](ei, n))
            run["load_after"] = os.getloadavg()[0]
            rec["runs"].append(run)
            print(name, run, flush=True)
        if args.full_fit:
            rec["full_fit"] = [full_fit(ei, n, p) for p in args.profiles.split(",")]
            print(name, "full fit", rec["full_fit"], flush=True)
        rec["environment"] = environment()
        write_json(path, rec)
    write_table(args.out)


def write_table(out: Path) -> None:
    rows = []
    for f in sorted(out.glob("*.json")):
        rec = json.loads(f.read_text())
        for run in rec["runs"]:
            row = {"graph": rec["graph"], "nodes": rec["nodes"], "edges": rec["edges"]}
            row["threads"] = rec.get("threads", "")
            row["load (1 min)"] = f"{run['load_before']:.1f}-{run['load_after']:.1f}"
            for k in METHODS:
                if k in run:
                    row[f"{k} ms/epoch"] = f"{run[k]['ms_median']:.1f} (min {run[k]['ms_min']:.1f})"
            if run is rec["runs"][0]:
                row["full fits"] = "; ".join(
                    f"{ff['profile']}: {ff['epochs']} epochs (best {ff['best_epoch']}), "
                    f"{ff['fit_seconds']:.0f} s, {ff['ms_per_epoch_median']:.0f} ms/epoch"
                    for ff in rec.get("full_fit", [])
                )
            rows.append(row)
    cols = ["graph", "nodes", "edges", "threads", "load (1 min)"]
    cols += [f"{k} ms/epoch" for k in METHODS] + ["full fits"]
    text = (
        "# DUPLEX speed (CPU)\n\nOne epoch = training step + validation pass, median (min) over "
        "the timed epochs. `xatgrn`: paper profile; `xatgrn_fast`: fast profile (2 layers, "
        "validation every 2nd epoch); `edgewise`: same model on PyG's edge-wise propagate; "
        "`plain_pyg`: two GATConv stacks. The load column is the 1-minute load average before "
        "and after (2 cores; other jobs distort timings).\n\n"
    )
    (out / "speed.md").write_text(text + markdown_table(rows, cols))


if __name__ == "__main__":
    main()
