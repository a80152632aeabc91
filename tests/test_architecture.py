"""The layers point down only (ARCHITECTURE.md): a failing test names the upward import.

Every ``import`` in the package — at module level or inside a function — is checked, so a lazy
import cannot hide a cycle either. A layer may import from its own layer and the ones below it,
never a layer above, and never another package's private (``_``-prefixed) names.
"""

from __future__ import annotations

import ast
import sys
import types
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "xatgrn"

#: bottom to top; a module may import from its own layer and the layers before it
LAYERS: list[tuple[str, ...]] = [
    ("xatgrn", "xatgrn.errors", "xatgrn.utils"),
    ("xatgrn.data",),
    ("xatgrn.graph",),
    ("xatgrn.core",),
    ("xatgrn.train", "xatgrn.train_config", "xatgrn.model", "xatgrn.baselines"),
    ("xatgrn.methods",),
    ("xatgrn.evaluate",),
    ("xatgrn.analysis",),
    ("xatgrn.demo", "xatgrn.cli"),
]
#: packages of one layer that must not import each other
SIBLINGS_APART = [("xatgrn.model", "xatgrn.baselines")]


def _unit(module: str) -> str:
    """The layer member a module belongs to (its longest matching prefix)."""
    best = ""
    for layer in LAYERS:
        for unit in layer:
            if (module == unit or module.startswith(unit + ".")) and len(unit) > len(best):
                best = unit
    return best


def _layer(unit: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if unit in layer)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, imported module, imported names) for every import in the file."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            out.append((node.lineno, base, [a.name for a in node.names]))
    return out


def _violations() -> list[str]:
    bad = []
    for path in sorted(SRC.rglob("*.py")):
        here = _module_name(path)
        unit = _unit(here)
        assert unit, f"{here} belongs to no layer: add it to LAYERS"
        for line, target, names in _imports(path):
            if target != "xatgrn" and not target.startswith("xatgrn."):
                continue
            full = [target] if target != "xatgrn" else [f"xatgrn.{n}" for n in names]
            for mod in full:
                other = _unit(mod)
                if not other or other == "xatgrn":
                    continue
                where = f"{path.relative_to(SRC.parent)}:{line}: {here} imports {mod}"
                if _layer(other) > _layer(unit):
                    bad.append(f"{where} (upward: {unit} -> {other})")
                if {unit, other} in [set(p) for p in SIBLINGS_APART]:
                    bad.append(f"{where} ({unit} and {other} must not import each other)")
                private = [n for n in names if n.startswith("_") and n != "__version__"]
                if other.split(".")[:2] != unit.split(".")[:2] and private:
                    bad.append(f"{where}: private name(s) {private} of another package")
    return bad


def test_layers_point_down_only():
    bad = _violations()
    assert not bad, "imports that break the layering:\n" + "\n".join(bad)


def test_the_check_catches_an_upward_import(tmp_path, monkeypatch):
    """The checker itself: a model module importing evaluate is reported."""
    pkg = tmp_path / "xatgrn"
    (pkg / "model").mkdir(parents=True)
    (pkg / "evaluate").mkdir()
    for p in (pkg, pkg / "model", pkg / "evaluate"):
        (p / "__init__.py").write_text("")
    (pkg / "model" / "m.py").write_text("def f():\n    from xatgrn.evaluate import cv\n")
    (pkg / "model" / "n.py").write_text("from ..evaluate.cv import run_cv\n")
    monkeypatch.setattr(sys.modules[__name__], "SRC", pkg)
    bad = _violations()
    assert any("xatgrn/model/m.py:2" in b and "upward" in b for b in bad), bad
    assert any("xatgrn/model/n.py:1" in b and "xatgrn.evaluate.cv" in b for b in bad), bad


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_no_source_file_over_500_lines(path):
    n = len(path.read_text().splitlines())
    assert n <= 500, f"{path.relative_to(SRC.parent)} has {n} lines: split it along its seams"


def test_the_worked_example_runs_through_the_registry_and_the_runner(tmp_path):
    """ARCHITECTURE.md's one-file baseline registers, cross-validates and writes fold files."""
    import re

    from xatgrn.data.synthetic import simulate
    from xatgrn.evaluate import CVConfig, run_cv
    from xatgrn.evaluate.data import cv_data
    from xatgrn.methods import _REGISTRY, get_method

    text = (SRC.parents[1] / "ARCHITECTURE.md").read_text()
    example = re.findall(r"```python\n(.*?)```", text, re.S)[0]
    module = types.ModuleType("architecture_example")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    try:
        exec(compile(example, "ARCHITECTURE.md", "exec"), module.__dict__)
        spec = get_method("out-degree")
        res = run_cv(
            cv_data(simulate(n_genes=40, n_samples=12, seed=2)),
            tmp_path,
            method="out-degree",
            cv=CVConfig(repeats=1, folds=3),
            progress_bar=False,
            report=False,
        )
    finally:
        _REGISTRY.pop("out-degree", None)
        sys.modules.pop(module.__name__, None)
    files = sorted((tmp_path / "simulated" / "inductive" / "out-degree").glob("rep0_fold*.json"))
    assert len(files) == 3
    assert spec.to_dict()["params"] == {"smoothing": 1.0}
    assert res is not None
