"""Fetching the benchmark: pinned downloads, the documented conversions, checksum checks.

``fetch_dataset`` downloads the *original* public source files with pooch (sha256 pinned in
:mod:`xatgrn.data.registry`), converts them with the documented rules (text-level, so values stay
verbatim) and checks the result against the sha256 of the published converted files, so a fetched
folder is byte-identical to the benchmark folder. Downloads come from ``raw.githubusercontent.com``
at pinned commits, or from ``mirror=`` / ``$XATGRN_MIRROR`` laid out as
``<mirror>/<repository>/<path>``.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from xatgrn.data.registry import (
    MIRROR_ENV,
    DatasetSpec,
    SourceFile,
    cache_dir,
    dataset_files,
    get_spec,
    list_datasets,
)
from xatgrn.data.schema import EXPRESSION_FILE, REGULATION_COLUMNS, REGULATIONS_FILE
from xatgrn.errors import input_error
from xatgrn.utils import atomic_path, sha256_file

log = logging.getLogger(__name__)

#: source label -> regulation type; every other label (e.g. E. coli ``activatorrepressor``) is dropped
SOURCE_LABELS: Mapping[str, str] = MappingProxyType(
    {"activator": "activation", "repressor": "repression"}
)
#: conversions ``convert_expression`` knows
CONVERSIONS = ("ecoli", "human", "dream5")


# --- conversion (pure: bytes in, bytes out) -------------------------------------------------


def _lines(raw: bytes, source: str) -> list[str]:
    text = raw.decode("utf-8").replace("\r\n", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) < 2:
        raise input_error("source file has no data rows", path=source, fix="re-download it")
    return lines


def convert_expression(raw: bytes, conversion: str, *, source: str = "<source>") -> bytes:
    """Source expression file -> the benchmark's ``gene,<samples>`` CSV text (values verbatim).

    ``ecoli``: header ``genename`` -> ``gene``. ``human``: header ``0..N`` -> ``gene,s1..sN`` and the
    last two rows (duplicate SOD2, AHRR) dropped, as the XATGRN scripts do. ``dream5``: the
    samples x genes TSV transposed to genes x samples, samples named ``s1..sN``.
    """
    if conversion == "dream5":
        table = pd.read_csv(io.BytesIO(raw), sep="\t", header=None, dtype=str, na_filter=False)
        genes_by_samples = table.T
        n_samples = genes_by_samples.shape[1] - 1
        header = ",".join(["gene", *(f"s{i}" for i in range(1, n_samples + 1))])
        body = genes_by_samples.to_csv(header=False, index=False, lineterminator="\n")
        return (header + "\n" + body).encode("utf-8")
    lines = _lines(raw, source)
    head = lines[0].split(",")
    if conversion == "ecoli":
        if head[0] != "genename":
            raise input_error(
                f"expected the header to start with 'genename', found {head[0]!r}",
                path=source,
                line=1,
                fix="check that this is an FGRN E. coli expression file",
            )
        out = [",".join(["gene", *head[1:]]), *lines[1:]]
    elif conversion == "human":
        if head != [str(i) for i in range(len(head))]:
            raise input_error(
                "expected a header of column indices 0,1,...,N",
                path=source,
                line=1,
                fix="check that this is an FGRN human expression file",
            )
        dropped = [row.split(",", 1)[0] for row in lines[-2:]]
        log.info(
            "%s: dropping the last two rows %s (duplicate genes, as the reference)", source, dropped
        )
        out = [",".join(["gene", *(f"s{i}" for i in range(1, len(head)))]), *lines[1:-2]]
    else:
        raise input_error(
            f"unknown conversion {conversion!r}", fix=f"use one of: {', '.join(CONVERSIONS)}"
        )
    return ("\n".join(out) + "\n").encode("utf-8")


def convert_regulations(raw: bytes, *, source: str = "<source>") -> bytes:
    """Headerless ``regulator,target,label`` source -> ``regulator<TAB>target<TAB>type`` text.

    ``activator``/``repressor`` map to ``activation``/``repression``. For a pair listed more than
    once the last row wins (as the reference ``get_GRN``); a pair whose last label is anything else
    (``activatorrepressor``) is dropped. Rows keep the order of each pair's first appearance.
    """
    table = pd.read_csv(
        io.BytesIO(raw),
        header=None,
        names=["regulator", "target", "label"],
        dtype=str,
        na_filter=False,
    )
    if table.empty:
        raise input_error("source network has no rows", path=source, fix="re-download it")
    pair = ["regulator", "target"]
    final = table.drop_duplicates(pair, keep="last").assign(
        type=lambda t: t["label"].map(SOURCE_LABELS)
    )
    ordered = table.drop_duplicates(pair, keep="first")[pair]
    merged = ordered.merge(final[[*pair, "type"]], on=pair, how="left", validate="one_to_one")
    kept = merged.dropna(subset=["type"])
    dropped = final.loc[final["type"].isna(), "label"].value_counts()
    if len(dropped):
        log.info("%s: dropped pairs with other labels: %s", source, dropped.to_dict())
    log.debug("%s: %d rows -> %d typed pairs", source, len(table), len(kept))
    text = kept[list(REGULATION_COLUMNS)].to_csv(sep="\t", index=False, lineterminator="\n")
    return text.encode("utf-8")


def gzip_bytes(data: bytes) -> bytes:
    """Reproducible gzip: level 9, mtime 0, no file name (same bytes on every run)."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(data)
    return buf.getvalue()


# --- checksums ------------------------------------------------------------------------------


def _gzip_content_sha256(path: Path) -> str | None:
    """sha256 of the decompressed content, or None when ``path`` is not valid gzip."""
    digest = hashlib.sha256()
    try:
        with gzip.open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except (OSError, EOFError):
        return None
    return digest.hexdigest()


def _check_converted(
    path: Path, spec: DatasetSpec, fname: str, *, label: Path | None = None
) -> None:
    """Raise unless ``path`` holds the registry's version of ``fname`` (gzip content accepted)."""
    expected = spec.files[fname]
    received = sha256_file(path)
    if received == expected:
        return
    raw_expected = spec.uncompressed_sha256.get(fname)
    if raw_expected is not None and _gzip_content_sha256(path) == raw_expected:
        log.warning(
            "%s: gzip bytes differ from the registry (another zlib build); content matches",
            label or path,
        )
        return
    raise input_error(
        f"sha256 mismatch for {spec.name}/{fname}: expected {expected}, received {received}",
        path=label or path,
        fix=f"re-fetch with `xatgrn datasets fetch {spec.name} --force`; if it persists, report "
        "it (the source or the conversion changed)",
    )


# --- fetch ----------------------------------------------------------------------------------


def _download(source: SourceFile, mirror: str | None, progress: bool) -> Path:
    """Download one source file into the cache (pooch: temp file, sha256 check, then move)."""
    import pooch
    import requests

    url = source.url(mirror)
    dest = cache_dir() / "sources" / source.repository / source.commit / source.path
    try:
        got = pooch.retrieve(
            url,
            known_hash=f"sha256:{source.sha256}",
            fname=dest.name,
            path=dest.parent,
            progressbar=progress and not os.environ.get("XATGRN_NO_PROGRESS"),
        )
    except ValueError as err:  # pooch's hash mismatch
        raise input_error(
            f"download of {url} failed its checksum: {err}",
            path=dest,
            fix="retry; if it persists the file changed upstream or the mirror is corrupt "
            f"(check --mirror / ${MIRROR_ENV})",
        ) from err
    except requests.RequestException as err:
        raise input_error(
            f"could not download {url}: {err}",
            path=dest,
            fix=f"check the network connection, or point --mirror / ${MIRROR_ENV} at a copy laid "
            "out as <mirror>/<repository>/<path>",
        ) from err
    return Path(got)


def fetch_dataset(
    name: str,
    data_dir: str | Path | None = None,
    *,
    force: bool = False,
    mirror: str | None = None,
    progress: bool = True,
) -> Path:
    """Download, convert and verify ``name``; returns ``<data_dir>/<name>``.

    Existing files are kept (and checked) unless ``force``. Each output is written to a temporary
    file, checked against the registry sha256, and only then moved into place.
    """
    spec = get_spec(name)
    mirror = mirror or os.environ.get(MIRROR_ENV) or None
    targets = dataset_files(name, data_dir)
    sources = {EXPRESSION_FILE: spec.expression_source, REGULATIONS_FILE: spec.regulations_source}
    todo = {}
    for fname, target in targets.items():  # check what is there first: fail before downloading
        if target.is_file() and not force:
            _check_converted(target, spec, fname)
            log.info("%s already present (use force=True / --force to rebuild)", target)
        else:
            todo[fname] = target
    for fname, target in todo.items():
        raw = _download(sources[fname], mirror, progress).read_bytes()
        src = sources[fname].path
        if fname == EXPRESSION_FILE:
            data = gzip_bytes(convert_expression(raw, spec.conversion, source=src))
        else:
            data = convert_regulations(raw, source=src)
        with atomic_path(target) as tmp:
            tmp.write_bytes(data)
            _check_converted(tmp, spec, fname, label=target)
        log.info("wrote %s", target)
    return targets[EXPRESSION_FILE].parent


def fetch_all(
    data_dir: str | Path | None = None,
    *,
    force: bool = False,
    mirror: str | None = None,
    progress: bool = True,
    names: Iterable[str] | None = None,
) -> dict[str, Path]:
    """``fetch_dataset`` for every dataset (or ``names``); returns name -> folder."""
    return {
        name: fetch_dataset(name, data_dir, force=force, mirror=mirror, progress=progress)
        for name in (list(names) if names is not None else list_datasets())
    }
