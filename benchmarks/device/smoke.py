"""Device smoke: one fit on CUDA, CPU vs CUDA timing of a short fit; exit 1 if CUDA fails."""

import json
import sys
import time

import torch

from xatgrn.data.synthetic import simulate
from xatgrn.model.estimator import XATGRN, fast_profile

print("torch", torch.__version__, "cuda", torch.cuda.is_available(), flush=True)
d = simulate(n_genes=150, n_samples=60, seed=0)
res = {}
for dev in ("cuda",):
    torch.set_num_threads(1)
    t = time.perf_counter()
    m = XATGRN(fast_profile(holdout=0.2, seed=0, device=dev, progress=False)).fit(
        d.expression, d.regulations
    )
    res[dev] = {"s": time.perf_counter() - t, "auroc": m.holdout_metrics_["auroc_macro_ovr"]}
    print(dev, res[dev], flush=True)
    n = m.predict_network()
    print(dev, "network rows", len(n), flush=True)
json.dump(res, open(sys.argv[1], "w"))
