"""Saving and loading a fitted XATGRN model: safetensors + JSON, nothing executable.

A model is a directory: ``model.safetensors`` (network weights and the gene tables it scores
with), ``config.json``, ``genes.json`` (gene and sample names), ``prior.tsv`` and
``metadata.json``. Loading reads tensors with safetensors and JSON with ``json``: nothing in the
directory is ever executed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xatgrn.core.selection import CURVE_COLUMNS
from xatgrn.data.io import read_regulations, write_regulations
from xatgrn.errors import input_error
from xatgrn.utils import atomic_path, atomic_write

__all__ = ["ESTIMATORS", "FORMAT_VERSION", "MODEL_FILES", "load_model", "save_model"]

MODEL_FILES = ("model.safetensors", "config.json", "genes.json", "prior.tsv", "metadata.json")
FORMAT_VERSION = 1
#: the estimators a model directory may hold (``config.json``'s ``"estimator"``): a fixed list,
#: so loading never imports anything a file names. Directories without the key are XATGRN's.
ESTIMATORS = {
    "XATGRN": ("xatgrn.model.estimator", "XATGRN"),
    "SignedXATGRN": ("xatgrn.model.signed", "SignedXATGRN"),
}


def check_writable(directory: str | Path, *, overwrite: bool = False, extra: tuple = ()) -> None:
    """Refuse a directory that already holds model files (unless ``overwrite``)."""
    directory = Path(directory)
    existing = [f for f in (*MODEL_FILES, *extra) if (directory / f).exists()]
    if existing and not overwrite:
        raise input_error(
            f"model files already exist in {directory}: {existing}",
            fix="choose another directory or pass overwrite=True (--force)",
        )


def save_model(model: Any, directory: str | Path, *, overwrite: bool = False) -> Path:
    """Write ``model``'s directory (safetensors arrays + JSON + text); refuses to overwrite.

    The estimator provides ``_state_arrays()`` (named numpy arrays) and ``_state_files()``
    (named text files, e.g. a booster's model text).
    """
    from safetensors.numpy import save_file

    model.check_fitted()
    directory = Path(directory)
    files = model._state_files()
    check_writable(directory, overwrite=overwrite, extra=tuple(files))
    directory.mkdir(parents=True, exist_ok=True)
    arrays = {k: np.ascontiguousarray(v) for k, v in model._state_arrays().items()}
    with atomic_path(directory / "model.safetensors") as tmp:
        save_file(arrays, str(tmp), metadata={"format": "xatgrn", "version": str(FORMAT_VERSION)})
    for name, text in files.items():
        with atomic_write(directory / name) as fh:
            fh.write(text)
    estimator = type(model).__name__
    write_json(
        directory / "config.json",
        {"format_version": FORMAT_VERSION, "estimator": estimator, **model._cfg.to_dict()},
    )
    write_json(
        directory / "genes.json", {"genes": list(model.genes_), "samples": list(model.samples_)}
    )
    write_regulations(model.prior_, directory / "prior.tsv")
    write_json(directory / "metadata.json", model.metadata())
    return directory


def load_model(directory: str | Path) -> Any:
    """Load a saved model of any estimator; only safetensors, JSON and text are read."""
    import importlib

    from safetensors import SafetensorError
    from safetensors.numpy import load_file

    directory = Path(directory)
    if not directory.is_dir():
        raise input_error(
            "model directory not found",
            path=directory,
            fix="pass the --out directory of `xatgrn fit`",
        )
    missing = [f for f in MODEL_FILES if not (directory / f).is_file()]
    if missing:
        raise input_error(
            f"not a complete xatgrn model directory: missing {missing}",
            path=directory,
            fix="re-run `xatgrn fit --out DIR` or point --model at the right directory",
        )
    cfg_raw = read_json(directory / "config.json")
    estimator = cfg_raw.pop("estimator", "XATGRN")
    if estimator not in ESTIMATORS:
        raise input_error(
            f"unknown estimator {estimator!r} in config.json",
            path=directory / "config.json",
            fix=f"this version reads {sorted(ESTIMATORS)}; re-fit the model",
        )
    module, name = ESTIMATORS[estimator]
    cls = getattr(importlib.import_module(module), name)
    cfg = _read_config(directory, cfg_raw, type(cls.default_config()))
    names = read_json(directory / "genes.json")
    if not isinstance(names, dict) or not {"genes", "samples"} <= set(names):
        raise input_error(
            "genes.json must hold 'genes' and 'samples' lists",
            path=directory / "genes.json",
            fix="re-fit the model",
        )
    try:
        arrays = load_file(str(directory / "model.safetensors"))
    except (SafetensorError, OSError, ValueError) as err:
        raise input_error(
            f"cannot read weights ({err})",
            path=directory / "model.safetensors",
            fix="the file is corrupt or not a safetensors file; re-fit the model",
        ) from None
    model = cls(cfg)
    model.genes_ = pd.Index([str(g) for g in names["genes"]], name="gene")
    model.samples_ = pd.Index([str(s) for s in names["samples"]])
    expr = arrays.get("expression")
    if expr is None or tuple(expr.shape) != (len(model.genes_), len(model.samples_)):
        got = None if expr is None else tuple(expr.shape)
        raise input_error(
            f"expression tensor has shape {got}, expected "
            f"({len(model.genes_)}, {len(model.samples_)}) from genes.json",
            path=directory / "model.safetensors",
            fix="the model directory is inconsistent; re-fit the model",
        )
    model.expression_ = pd.DataFrame(expr, index=model.genes_, columns=model.samples_)
    model.prior_ = read_regulations(directory / "prior.tsv")
    try:
        model._restore_state(arrays, directory)
    except (RuntimeError, KeyError, ValueError) as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise input_error(
            f"saved state does not match the configuration ({first})",
            path=directory / "model.safetensors",
            fix="the model directory is inconsistent; re-fit the model",
        ) from None
    meta = read_json(directory / "metadata.json")
    model.holdout_metrics_ = meta.get("holdout_metrics", {})
    model.holdout_curve_ = curve_from_json(meta.get("holdout_curve"), directory)
    model.input_sources_ = meta.get("inputs", {})
    return model


def _read_config(directory: Path, cfg_raw: dict[str, Any], config_type: type) -> Any:
    version = cfg_raw.pop("format_version", None)
    if version != FORMAT_VERSION:
        raise input_error(
            f"model format version {version!r} is not supported (expected {FORMAT_VERSION})",
            path=directory / "config.json",
            fix="re-fit the model with this version of xatgrn",
        )
    try:
        return config_type.from_dict(cfg_raw)
    except (TypeError, ValueError) as err:
        raise input_error(
            f"invalid model configuration ({err})",
            path=directory / "config.json",
            fix="re-fit the model with this version of xatgrn",
        ) from None


def curve_json(curve: pd.DataFrame | None) -> dict[str, list] | None:
    """The held-out selection curve as JSON-able columns (NaN -> null)."""
    if curve is None:
        return None
    return {c: [None if pd.isna(v) else float(v) for v in curve[c]] for c in curve.columns}


def curve_from_json(data: Any, directory: Path) -> pd.DataFrame | None:
    """Inverse of :func:`curve_json`, checked (a malformed curve names the file)."""
    if data is None:
        return None
    try:
        curve = pd.DataFrame(data).astype(float)
    except (TypeError, ValueError):
        raise input_error(
            "holdout_curve in metadata.json is malformed",
            path=directory / "metadata.json",
            fix="re-fit the model",
        ) from None
    missing = set(CURVE_COLUMNS) - set(curve.columns)
    if missing:
        raise input_error(
            f"holdout_curve in metadata.json lacks {sorted(missing)}",
            path=directory / "metadata.json",
            fix="re-fit the model",
        )
    return curve


def write_json(path: Path, data: Any) -> None:
    """Atomically write ``data`` as indented JSON (numpy scalars and arrays allowed)."""
    with atomic_write(path) as fh:
        json.dump(data, fh, indent=2, default=_json_default)


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def read_json(path: Path) -> Any:
    """Read a model directory's JSON file; corrupt JSON names the file and the fix."""
    try:
        return json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise input_error(
            f"not valid JSON ({err})",
            path=path,
            fix="the model directory is corrupt; re-fit the model",
        ) from None
