"""ORA numbers against a hand computation (math.comb), backgrounds, and the no-overlap error."""

from __future__ import annotations

from math import comb

import pytest

from xatgrn.analysis.enrichment import odds_ratio, ora, resolve_background
from xatgrn.analysis.gmt import GeneSetLibrary
from xatgrn.errors import XatgrnInputError

LIB = GeneSetLibrary(
    "toy",
    {
        "S1": ("A", "B", "C", "D"),
        "S2": ("A", "E"),
        "S3": ("F", "G", "H", "I"),
        "S4": ("X", "Y"),
    },
)
BACKGROUND = [*"ABCDEFGHIJ", "Z"]
QUERY = ["A", "B", "E", "Z", "Q"]


def p_hyper(k: int, n: int, K: int, N: int) -> float:
    """P(X >= k), written out by hand."""
    return sum(comb(K, i) * comb(N - K, n - i) for i in range(k, min(n, K) + 1)) / comb(N, n)


def bh(ps: list[float]) -> list[float]:
    """Benjamini-Hochberg by hand: q_(i) = min_{j >= i} p_(j) m / j."""
    m = len(ps)
    order = sorted(range(m), key=lambda i: ps[i])
    q = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, ps[i] * m / rank)
        q[i] = running
    return q


def test_dataset_background_matches_hand_computation():
    table = ora(QUERY, LIB, background="dataset", dataset_genes=BACKGROUND).set_index("term")
    # universe = background genes some set mentions: A..I -> N = 9; list -> A, B, E -> n = 3
    N, n = 9, 3
    p1, p2, p3 = p_hyper(2, n, 4, N), p_hyper(2, n, 2, N), p_hyper(0, n, 4, N)
    assert p1 == pytest.approx(34 / 84) and p2 == pytest.approx(7 / 84)
    assert list(table.index) == ["S2", "S1"]  # S3 (no overlap) tested but not reported; S4 untested
    assert table.loc["S1", "p_value"] == pytest.approx(p1)
    assert table.loc["S2", "p_value"] == pytest.approx(p2)
    q = bh([p1, p2, p3])
    assert table.loc["S1", "fdr"] == pytest.approx(q[0])
    assert table.loc["S2", "fdr"] == pytest.approx(q[1])
    assert table.loc["S1", ["overlap", "set_size", "list_size", "background_size"]].tolist() == [
        2,
        4,
        3,
        9,
    ]
    assert table.loc["S1", "genes"] == "A;B"
    # S1: a=2 b=1 c=2 d=4 -> 8/2; S2 has c=0 -> Haldane 0.5 on every cell
    assert table.loc["S1", "odds_ratio"] == pytest.approx(4.0)
    assert table.loc["S2", "odds_ratio"] == pytest.approx(2.5 * 6.5 / (1.5 * 0.5))


def test_report_all_includes_zero_overlap_sets():
    table = ora(QUERY, LIB, background=BACKGROUND, report_all=True)
    assert set(table["term"]) == {"S1", "S2", "S3"}
    assert table.set_index("term").loc["S3", "p_value"] == 1.0


def test_genome_size_background_does_not_intersect():
    table = ora(QUERY, LIB, background=100).set_index("term")
    n = 5  # every list gene counts, in the library or not
    assert table.loc["S1", "p_value"] == pytest.approx(p_hyper(2, n, 4, 100))
    assert table.loc["S2", "p_value"] == pytest.approx(p_hyper(2, n, 2, 100))
    q = bh([p_hyper(2, n, 4, 100), p_hyper(2, n, 2, 100), 1.0, 1.0])
    assert table.loc["S1", "fdr"] == pytest.approx(q[0])
    assert table.loc["S1", "background_size"] == 100
    assert ora(QUERY, LIB, background="100").equals(ora(QUERY, LIB, background=100))


def test_file_background(tmp_path):
    path = tmp_path / "universe.txt"
    path.write_text("\n".join(BACKGROUND) + "\n")
    from_file = ora(QUERY, LIB, background=path)
    assert from_file.equals(ora(QUERY, LIB, background=BACKGROUND))
    assert resolve_background(path).kind == "file"


def test_no_overlap_is_a_clear_error():
    with pytest.raises(
        XatgrnInputError, match=r"none of the 2 genes of hubs \(Q, Z\) is in library 'toy'"
    ):
        ora(["Q", "Z"], LIB, background=BACKGROUND, list_name="hubs")
    # X is in the library but outside the dataset background
    with pytest.raises(XatgrnInputError, match="within the background"):
        ora(["X"], LIB, background=BACKGROUND)
    with pytest.raises(XatgrnInputError, match="is empty"):
        ora([], LIB, background=100)


def test_too_small_genome_size_is_an_error():
    with pytest.raises(XatgrnInputError, match="background size 3 is smaller"):
        ora(QUERY, LIB, background=3)


def test_odds_ratio_vectorised():
    got = odds_ratio([2, 0], 3, [4, 4], 9)
    assert got[0] == pytest.approx(4.0)
    assert got[1] == pytest.approx(0.5 * 2.5 / (3.5 * 4.5))
