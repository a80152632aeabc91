"""Numbers in the printed held-out estimates: three decimals, NaN / missing as `n/a`."""

from __future__ import annotations

from xatgrn.cli.formatting import fmt, nan_none


def test_three_decimals_and_missing_values():
    assert fmt(0.12349) == "0.123" and fmt(1.0) == "1.000" and fmt(None) == "n/a"
    assert nan_none(float("nan")) is None and fmt(nan_none(float("nan"))) == "n/a"
    assert nan_none(0.25) == 0.25 and isinstance(nan_none(1), float)
