"""Device smoke: one short fit and a network prediction on CUDA; exits non-zero if CUDA fails."""

import json
import sys
import time
from pathlib import Path

import torch

from xatgrn.data.synthetic import simulate
from xatgrn.model.config import fast_profile
from xatgrn.model.estimator import XATGRN

print("torch", torch.__version__, "cuda", torch.cuda.is_available(), flush=True)
d = simulate(n_genes=150, n_samples=60, seed=0)
torch.set_num_threads(1)
t = time.perf_counter()
m = XATGRN(fast_profile(holdout=0.2, seed=0, device="cuda", progress=False)).fit(
    d.expression, d.regulations
)
res = {"cuda": {"s": time.perf_counter() - t, "auroc": m.holdout_metrics_["auroc_macro_ovr"]}}
print("cuda", res["cuda"], "network rows", len(m.predict_network()), flush=True)
Path(sys.argv[1]).write_text(json.dumps(res))
