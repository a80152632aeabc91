"""Cases for the analysis tests: a hand-made tiny one (numbers checked by hand) and a small
simulated one (prior, fake predicted list, toy GMT) for the report and CLI tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xatgrn.analysis.gmt import GeneSetLibrary
from xatgrn.data.synthetic import simulate


def typed(rows: str, scored: bool = False) -> pd.DataFrame:
    """'A>B+ A>C- ...' -> regulator, target, type (+ descending scores when ``scored``)."""
    parsed = [(r.split(">")[0], r.split(">")[1][:-1], r[-1]) for r in rows.split()]
    df = pd.DataFrame(
        {
            "regulator": [p[0] for p in parsed],
            "target": [p[1] for p in parsed],
            "type": ["activation" if p[2] == "+" else "repression" for p in parsed],
        }
    )
    if scored:
        df["score"] = np.linspace(0.9, 0.4, len(df))
    return df


@pytest.fixture(scope="session")
def tiny_case() -> dict:
    """Prior, prediction and a 3-set library small enough to check every number by hand.

    Prediction vs prior: A>B (same type), A>C (type differs), B>C are prior-supported;
    A>E, E>F, E>B are novel. Total degrees: predicted A 3, B 3, E 3, C 2, F 1; prior A 3, B 3,
    C 2, D 2; novel E 3, A 1, B 1, F 1.
    """
    return {
        "prior": typed("A>B+ A>C- B>C+ D>A+ D>B-"),
        "predicted": typed("A>B+ A>C+ A>E+ E>F- E>B- B>C+", scored=True),
        "library": GeneSetLibrary("lib", {"S1": ("A", "B"), "S2": ("E", "F", "X"), "S3": ("C",)}),
    }


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
    df["known_regulator"] = df["regulator"].isin(prior["regulator"])
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
