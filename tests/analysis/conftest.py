"""A small simulated case for the report and CLI tests: prior, fake predicted list, toy GMT."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xatgrn.data.synthetic import simulate


def fake_prediction(prior: pd.DataFrame, genes: list[str], seed: int = 0) -> pd.DataFrame:
    """Edge-list schema: 80 % of the prior edges plus 40 novel pairs, random probabilities.

    Stands in for `xatgrn predict` output (no model is trained in tests).
    """
    rng = np.random.default_rng(seed)
    kept = prior.sample(frac=0.8, random_state=seed)
    regs = rng.choice(prior["regulator"].unique(), size=60)
    tgts = rng.choice(genes, size=60)
    novel = pd.DataFrame({"regulator": regs, "target": tgts})
    pairs = pd.concat([kept[["regulator", "target"]], novel], ignore_index=True)
    pairs = pairs.drop_duplicates().reset_index(drop=True)
    p = rng.dirichlet([2.0, 1.0, 1.0], size=len(pairs))  # activation, repression, none
    names = np.array(["activation", "repression", "none"])
    df = pairs.assign(
        predicted_type=names[p.argmax(axis=1)],
        score=1 - p[:, 2],
        p_activation=p[:, 0],
        p_repression=p[:, 1],
        p_none=p[:, 2],
    ).sort_values("score", ascending=False, kind="mergesort")
    df["rank"] = np.arange(1, len(df) + 1)
    key = pd.MultiIndex.from_frame(df[["regulator", "target"]])
    df["in_prior"] = key.isin(pd.MultiIndex.from_frame(prior[["regulator", "target"]]))
    return df.reset_index(drop=True)


@pytest.fixture(scope="session")
def toy_case(tmp_path_factory):
    d = tmp_path_factory.mktemp("analysis_case")
    data = simulate(40, 12, seed=3)
    prior = data.regulations
    genes = data.expression.index.astype(str).tolist()
    predicted = fake_prediction(prior, genes, seed=3)
    rng = np.random.default_rng(3)
    lines = [
        f"set{i:02d}\t\t"
        + "\t".join(rng.choice(genes, size=int(rng.integers(3, 12)), replace=False))
        + "\t"
        for i in range(30)
    ]
    hubs = prior["regulator"].value_counts().index[:4].tolist()
    lines.append("hub_set\tcontains the top regulators\t" + "\t".join(hubs))
    gmt = d / "toy.gmt"
    gmt.write_text("\n".join(lines) + "\n")
    prior_path = d / "prior.tsv"
    prior.to_csv(prior_path, sep="\t", index=False)
    return {
        "dir": d,
        "prior": prior,
        "prior_path": prior_path,
        "predicted": predicted,
        "gmt": gmt,
        "genes": genes,
    }
