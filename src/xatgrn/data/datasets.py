"""The 9 FGRN benchmark datasets: registry (data, not code), loader, and checksum-pinned fetch.

Every dataset is one expression matrix (genes x samples) and one typed prior network, taken from the
files the official XATGRN scripts read. ``fetch_dataset`` downloads those *original* public source
files with pooch (sha256 pinned here), converts them with the documented rules (text-level, so values
stay verbatim) and checks the result against the sha256 of the published converted files, so a
fetched folder is byte-identical to the benchmark folder. ``load_dataset`` reads a folder laid out as
``<data_dir>/<name>/{expression.csv.gz,regulations.tsv}``.

Where the data lives: ``data_dir=`` argument, then ``$XATGRN_DATA_DIR``, then the pooch cache
(``pooch.os_cache("xatgrn")``, moved by ``$XATGRN_CACHE``). Downloads come from
``raw.githubusercontent.com`` at pinned commits, or from ``mirror=`` / ``$XATGRN_MIRROR`` laid out
as ``<mirror>/<repository>/<path>``.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

from xatgrn.data.preprocess import PREPROCESSING, PREPROCESSING_DESCRIPTIONS, apply_preprocessing
from xatgrn.data.schema import REGULATION_COLUMNS
from xatgrn.data.types import GRNDataset
from xatgrn.errors import input_error
from xatgrn.utils import atomic_path, sha256_file

log = logging.getLogger(__name__)

EXPRESSION_FILE = "expression.csv.gz"
REGULATIONS_FILE = "regulations.tsv"
DATA_ENV = "XATGRN_DATA_DIR"
CACHE_ENV = "XATGRN_CACHE"
MIRROR_ENV = "XATGRN_MIRROR"
DEFAULT_URL = "https://raw.githubusercontent.com/{repository}/{commit}/{path}"

#: source label -> regulation type; every other label (e.g. E. coli ``activatorrepressor``) is dropped
SOURCE_LABELS: Mapping[str, str] = MappingProxyType(
    {"activator": "activation", "repressor": "repression"}
)
#: conversions ``convert_expression`` knows
CONVERSIONS = ("ecoli", "human", "dream5")


# --- registry types -------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceFile:
    """One original public file, pinned by repository commit and sha256."""

    repository: str
    commit: str
    path: str
    sha256: str

    def url(self, mirror: str | None = None) -> str:
        """Download URL: the pinned raw GitHub file, or ``<mirror>/<repository>/<path>``."""
        if mirror:
            return f"{mirror.rstrip('/')}/{self.repository}/{self.path}"
        return DEFAULT_URL.format(repository=self.repository, commit=self.commit, path=self.path)

    def to_dict(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self)} | {"url": self.url()}


@dataclass(frozen=True)
class DatasetSpec:
    """Everything known about one benchmark dataset (immutable; ``to_dict`` for a plain copy).

    ``files`` pins the sha256 of each converted file; ``uncompressed_sha256`` pins the expression
    CSV *inside* the gzip so a zlib build that compresses differently is still recognised.
    ``preprocessing``, ``n_negatives`` and ``graph_dim`` are the reference scripts' settings.
    """

    name: str
    organism: str
    condition: str
    description: str
    expression_source: SourceFile
    regulations_source: SourceFile
    conversion: str
    files: Mapping[str, str]
    uncompressed_sha256: Mapping[str, str]
    counts: Mapping[str, int]
    preprocessing: str
    n_negatives: int
    graph_dim: int
    citation: str
    origin: str
    reference_script: str
    notes: str = ""

    def __post_init__(self) -> None:
        # read-only mappings, so the registry cannot be edited by accident
        for name in ("files", "uncompressed_sha256", "counts"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, SourceFile):
                value = value.to_dict()
            elif isinstance(value, Mapping):
                value = dict(value)
            out[f.name] = value
        out["preprocessing_description"] = PREPROCESSING_DESCRIPTIONS.get(self.preprocessing, "")
        return out


# --- registry data --------------------------------------------------------------------------

_XATGRN = ("kikixiong/XATGRN", "3e27b19911e5f99a8aa6889cfdafbf2e757dbef5")
_ARBORETO = ("aertslab/arboreto", "79f916b0ea25c00989331b8db243826049c3d66c")

_CITE_FGRN = (
    "Gao Z, Su Y, Xia J, Cao R-F, Ding Y, Zheng C-H, Wei P-J. DeepFGRN: inference of gene "
    "regulatory network with regulation type based on directed graph embedding. Briefings in "
    "Bioinformatics 25(3), 2024, doi:10.1093/bib/bbae143. Xiong J, Yin N, Liang S, et al. "
    "Cross-Attention Graph Neural Networks for Inferring Gene Regulatory Networks with Skewed "
    "Degree Distribution (XATGRN), arXiv:2412.16220."
)
_CITE = {
    "dream5": _CITE_FGRN + " Marbach D, et al. Wisdom of crowds for robust gene network "
    "inference. Nature Methods 9:796-804, 2012 (DREAM5).",
    "ecoli": _CITE_FGRN + " Expression: GEO GSE20305. Network: RegulonDB.",
    "human": _CITE_FGRN + " Expression: Gene Expression Nebulas (GEN). Network: TRRUST v2 and "
    "RegNetwork.",
}


def _xat(path: str, sha256: str) -> SourceFile:
    return SourceFile(_XATGRN[0], _XATGRN[1], "Prediction/" + path, sha256)


def _net_counts(
    act: int, rep: int, regs: int, tgts: int, in_net: int, out_d: int, in_d: int, loops: int
) -> dict[str, int]:
    return {
        "activation": act,
        "repression": rep,
        "edges": act + rep,
        "unique_regulators": regs,
        "unique_targets": tgts,
        "genes_in_network": in_net,
        "max_out_degree": out_d,
        "max_in_degree": in_d,
        "self_loops": loops,
    }


_ECOLI_NET = _net_counts(2070, 2034, 171, 1983, 2011, 473, 12, 101)
_HUMAN_NET = _net_counts(6452, 1888, 756, 2074, 2476, 252, 127, 19)
_ECOLI_REG_SHA = "836fff0046ee354a3f98cd7834c6324ed9930168bdaa58ead45d128e2b06af0d"
_ECOLI_OUT_REG = "bb9129d9154389161fbf9cd4976cb931cd16aff4e3bc6a1a07d264dfaeda6e60"
_HUMAN_REG_SHA = "bb2367e51f3aa37ded130d84a713bb493b2f56b5db4100ce8f0374efe7cfa6b7"
_HUMAN_OUT_REG = "2280fdd7f3e4e1c6392f4def043b32c395822ac708ea24cc9a460510b87fc607"
_ECOLI_NOTE = (
    "The source network also has 225 'activatorrepressor' (dual regulation) pairs; they are not in "
    "regulations.tsv, and the reference code labels them 0, so they can be sampled as negatives."
)
_HUMAN_NOTE = (
    "Source expression ends with duplicate rows SOD2 and AHRR, dropped as the XATGRN scripts do "
    "(iloc[:-2]); samples renamed s1..sN. 248 prior pairs have conflicting labels: last row wins."
)

# fmt: off
# key: (condition, samples, source sha256, converted sha256, uncompressed sha256)
_ECOLI = {
    "cold": ("cold stress", 24,
             "22110bc79afc904f1faca1c383d9d142937ccf0c7e71e3abbc91ebd55d987216",
             "75625439997778c132607cb19c52f887dcadfc3c82b77a7ca3e061bb8779c76d",
             "41191f7c649650e2d4aea8c79f91662485194f6cff2870140fce47fb11a58da2"),
    "heat": ("heat stress", 24,
             "b8b5fd434da54ec65c7cabd20e813afae2dc89fef6084a1fbb90cc3f82917f7a",
             "049c16a6e646a8fcc91c48425cf25c277acdede57a869c777f31fd5c33dc4461",
             "2edfb9b1c24a59f10a1cd6e82dea501f1116e4c7e5947c543d708b7e824320fd"),
    "lactose": ("lactose", 12,
                "280fbe813da56add90077b4337ad5e9e1697e696ceec042536c9da32e5a47eac",
                "d8928d3bad09416c5939b7dcf15f7825db451cf961d309ac660d8527de55e390",
                "e6c3bcf2956ded935d740a60569949527e683ed1e9d19699daab5097d630c7dd"),
    "oxidative": ("oxidative stress", 33,
                  "11cb59a209d9c4eeafd16e0468a3c2cb489c064cabc62e6700096b04306a66d3",
                  "b599850634df16b5987546e0b90d9a48f897b1a360fe9a75528303f4e0a22476",
                  "56a1c1c4a369cdd717ddc5d93aefc878aa99bbf07e9bf318ec9b020a827cb036"),
}
# key: (condition, GEN accession, file stem, samples, negatives, graph dim,
#       source sha256, converted sha256, uncompressed sha256)
_HUMAN = {
    "covid": ("COVID-19", "GEND000389", "COVID", 42, 6000, 128,
              "edd68f32c2f5a6d5ca3ce6b5410292c4528bbed28bcecfdec917e5bb09f2fd0c",
              "d9093de8cc1a0c1ef9da19ff0b22f19120708cbfa1845ed52ba9d757e0f5d3da",
              "53e212e78f39416231ccb8d480c5c52b24283f5221a201bfd9b61fa51da85629"),
    "breast": ("breast cancer", "GEND000024", "Breast", 24, 6000, 128,
               "46ddd46a95f77e04d1680ce43746b2c3910f39540b01de434a4564218f5f7936",
               "baaacae7286ecfeea21afaffa65ad980916602bfae9ad685447afbd2313a9524",
               "239a82bb2fd4fc00c510be9119d0ab45a253ce1ae5750ac2c2eec529a57aa37d"),
    "liver": ("liver cancer", "GEND000025", "Liver", 10, 7000, 256,
              "200fb6c2fe7d0460fcf0c4f32de99d593cc824907dabdf147be53c4cef0ca417",
              "32a4ecfec4ea50fc5506ac7d6e7e85c5eb99e3861f7003dcc0c259e60025aa56",
              "6f07c0d7c1e987ee1ad181f8abda7e22ce146895d95f1cb9e5d2ff62599768bd"),
    "lung": ("lung cancer", "GEND000176", "Lung", 130, 7000, 256,
             "4e1f990943345cc82b5da58153a241517ea46aee2ff890a34e5a038e8e2822bd",
             "d35962afdacc95f7bd21e29edabf9d55ce221a29530fa5ab415795bcee30cab0",
             "bc99b7a7a87d8a2382d41ec23b5933993e9423d6bc954bbf94cf72b69e482f80"),
}
# fmt: on
_HUMAN_DIR = {"covid": "human_COVID_FGRN"}


def _build_registry() -> dict[str, DatasetSpec]:
    specs = [
        DatasetSpec(
            name="dream5_net1",
            organism="in silico",
            condition="DREAM5 network 1 (GeneNetWeaver)",
            description="DREAM5 network 1: in-silico expression (805 chips) and signed gold standard",
            expression_source=SourceFile(
                *_ARBORETO,
                "resources/dream5/net1/net1_expression_data.tsv",
                "fb39ea0bfbede740e28aef21df768dd14c1cb5063d6ed8a384aec1e2fc417663",
            ),
            regulations_source=_xat(
                "DREAM5_net1_FGRN/traindataDREAM5/DREAM5_Network_GRN_3types.csv",
                "fe30b5001b9b89c2c36c6b913d914cb555368bd09caf6d00fcf43219a847fbc7",
            ),
            conversion="dream5",
            files={
                EXPRESSION_FILE: "a2b3d9ce00a43201dca7e9239132dde37ea005faa791b0928ae8eb20164ef755",
                REGULATIONS_FILE: "9c1e8837d5eadd196150aecffda60cb8f056c9e0300c4c548e9cbf82ce5293b8",
            },
            uncompressed_sha256={
                EXPRESSION_FILE: "85dad418cd02e6174879e16c1a7c6238726a6a54d0a92db13b8f1e33e40e03c3"
            },
            counts={"genes": 1643, "samples": 805}
            | _net_counts(2236, 1776, 178, 1498, 1565, 432, 12, 0),
            preprocessing="none",
            n_negatives=2046,
            graph_dim=128,
            citation=_CITE["dream5"],
            origin="DREAM5 network inference challenge, network 1 (in silico): challenge "
            "expression data and signed gold standard",
            reference_script="Prediction/DREAM5_net1_FGRN/DREAM5net1_FCV.py",
            notes="The expression file the reference script reads (traindataDREAM5/"
            "net1_expression_data.csv) is absent from both reference repositories; this is the "
            "original challenge file, transposed to genes x samples (samples s1..s805).",
        )
    ]
    for key, (cond, n_samples, src_sha, out_sha, raw_sha) in _ECOLI.items():
        folder = f"Ecoli_{key}_FGRN/traindata"
        specs.append(
            DatasetSpec(
                name=f"ecoli_{key}",
                organism="Escherichia coli",
                condition=cond,
                description=f"E. coli {cond} time course (3 replicates) with the RegulonDB prior",
                expression_source=_xat(f"{folder}/final_Ecoli_{key}.csv", src_sha),
                regulations_source=_xat(f"{folder}/Ecoli_GRN_3types.csv", _ECOLI_REG_SHA),
                conversion="ecoli",
                files={EXPRESSION_FILE: out_sha, REGULATIONS_FILE: _ECOLI_OUT_REG},
                uncompressed_sha256={EXPRESSION_FILE: raw_sha},
                counts={"genes": 2205, "samples": n_samples} | _ECOLI_NET,
                preprocessing="log2_minmax",
                n_negatives=2046,
                graph_dim=128,
                citation=_CITE["ecoli"],
                origin=f"expression: GEO GSE20305 ({cond}); prior network: RegulonDB",
                reference_script=f"Prediction/Ecoli_{key}_FGRN/{key}_FCV.py",
                notes=_ECOLI_NOTE,
            )
        )
    for key, (cond, gend, stem, n_samples, n_neg, dim, src_sha, out_sha, raw_sha) in _HUMAN.items():
        project = _HUMAN_DIR.get(key, f"human_{key}_FGRN")
        folder = f"{project}/traindataHuman"
        specs.append(
            DatasetSpec(
                name=f"human_{key}",
                organism="Homo sapiens",
                condition=cond,
                description=f"Human {cond} expression (GEN counts) with the TRRUST v2 + "
                "RegNetwork prior",
                expression_source=_xat(f"{folder}/final_expression/{stem}_GEN_counts.csv", src_sha),
                regulations_source=_xat(
                    f"{folder}/final_GRN/new_GRN_{stem}_GEN_counts_genename.csv", _HUMAN_REG_SHA
                ),
                conversion="human",
                files={EXPRESSION_FILE: out_sha, REGULATIONS_FILE: _HUMAN_OUT_REG},
                uncompressed_sha256={EXPRESSION_FILE: raw_sha},
                counts={"genes": 2476, "samples": n_samples} | _HUMAN_NET,
                preprocessing="log2_minmax",
                n_negatives=n_neg,
                graph_dim=dim,
                citation=_CITE["human"],
                origin=f"expression: {gend} ({cond}); prior network: TRRUST v2 + RegNetwork",
                reference_script=f"Prediction/{project}/{stem}_FCV.py",
                notes=_HUMAN_NOTE,
            )
        )
    return {spec.name: spec for spec in specs}


#: the registry: dataset name -> spec
DATASETS: Mapping[str, DatasetSpec] = MappingProxyType(_build_registry())


def list_datasets() -> list[str]:
    """Names of the benchmark datasets, in registry order."""
    return list(DATASETS)


def get_spec(name: str) -> DatasetSpec:
    """The spec of ``name``; unknown names get an error listing the valid ones."""
    try:
        return DATASETS[name]
    except KeyError:
        raise input_error(
            f"unknown dataset {name!r}", fix=f"use one of: {', '.join(DATASETS)}"
        ) from None


# --- locations ------------------------------------------------------------------------------


def cache_dir() -> Path:
    """The xatgrn download cache: ``$XATGRN_CACHE`` or ``pooch.os_cache("xatgrn")``."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    import pooch

    return Path(pooch.os_cache("xatgrn"))


def resolve_data_dir(data_dir: str | Path | None = None) -> Path:
    """Where converted datasets live: ``data_dir``, then ``$XATGRN_DATA_DIR``, then the cache."""
    if data_dir is not None:
        return Path(data_dir).expanduser()
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env).expanduser()
    return cache_dir() / "fgrn"


def dataset_files(name: str, data_dir: str | Path | None = None) -> dict[str, Path]:
    """The expected paths of ``name``'s converted files (they may not exist yet)."""
    root = resolve_data_dir(data_dir) / get_spec(name).name
    return {fname: root / fname for fname in (EXPRESSION_FILE, REGULATIONS_FILE)}


def is_available(name: str, data_dir: str | Path | None = None) -> bool:
    """True when both files of ``name`` exist (not checksummed: that is ``load``'s count check)."""
    return all(p.is_file() for p in dataset_files(name, data_dir).values())


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


# --- load -----------------------------------------------------------------------------------


def _missing_error(spec: DatasetSpec, root: Path, missing: list[str]) -> Exception:
    problem = f"dataset {spec.name!r} is not there: missing {', '.join(missing)}"
    if spec.name == "dream5_net1" and EXPRESSION_FILE in missing:
        problem += (
            f" (the DREAM5 net1 expression file is not in the reference repositories; its public "
            f"location is {spec.expression_source.url()})"
        )
    return input_error(
        problem,
        path=root,
        fix=f"run `xatgrn datasets fetch {spec.name}` (downloads and converts it), or set "
        f"${DATA_ENV} / pass data_dir= to a folder holding {spec.name}/{EXPRESSION_FILE} and "
        f"{spec.name}/{REGULATIONS_FILE}",
    )


def _check_counts(
    spec: DatasetSpec, expression: pd.DataFrame, regulations: pd.DataFrame, root: Path
) -> None:
    types = regulations["type"].value_counts()
    loaded = {
        "genes": expression.shape[0],
        "samples": expression.shape[1],
        "activation": int(types.get("activation", 0)),
        "repression": int(types.get("repression", 0)),
        "edges": len(regulations),
    }
    wrong = {k: v for k, v in loaded.items() if v != spec.counts[k]}
    if wrong:
        detail = ", ".join(f"{k} {v} (expected {spec.counts[k]})" for k, v in wrong.items())
        raise input_error(
            f"dataset {spec.name!r} does not match the registry: {detail}",
            path=root,
            fix=f"re-fetch it with `xatgrn datasets fetch {spec.name} --force`",
        )


def load_dataset(
    name: str, data_dir: str | Path | None = None, *, preprocess: bool | str = False
) -> GRNDataset:
    """Load a benchmark dataset as a :class:`GRNDataset`, checked against the registry counts.

    ``preprocess=True`` applies the spec's reference transform (``log2_minmax`` for E. coli and
    human, ``none`` for DREAM5); a string names one explicitly; ``False`` keeps the raw values.
    """
    from xatgrn.data.io import read_expression, read_regulations

    spec = get_spec(name)
    method = spec.preprocessing if preprocess is True else (preprocess or "none")
    if method not in PREPROCESSING:  # fail before reading files
        apply_preprocessing(pd.DataFrame(), method)
    paths = dataset_files(name, data_dir)
    root = paths[EXPRESSION_FILE].parent
    missing = [fname for fname, p in paths.items() if not p.is_file()]
    if missing:
        raise _missing_error(spec, root, missing)
    expression = read_expression(paths[EXPRESSION_FILE], orientation="genes-by-samples")
    regulations = read_regulations(paths[REGULATIONS_FILE])
    _check_counts(spec, expression, regulations, root)
    if method != "none":
        expression = apply_preprocessing(expression, method)
    hashes = {fname: sha256_file(p) for fname, p in paths.items()}
    metadata = spec.to_dict() | {
        "data_dir": str(root.parent),
        "sha256": hashes,
        "checksums_match_registry": hashes == dict(spec.files),
        "preprocessing_applied": method,
    }
    log.info(
        "loaded %s from %s (%d genes x %d samples, %d edges, preprocessing %s)",
        name,
        root,
        *expression.shape,
        len(regulations),
        method,
    )
    return GRNDataset(name=name, expression=expression, regulations=regulations, metadata=metadata)
