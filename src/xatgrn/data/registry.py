"""The 9 FGRN benchmark datasets as data: source files, sha256 pins, counts, settings, folders.

Adding a dataset means adding a :class:`DatasetSpec` here; :mod:`xatgrn.data.fetch` downloads
and converts its sources and :func:`xatgrn.data.datasets.load_dataset` reads and checks it.

Where the data lives: ``data_dir=`` argument, then ``$XATGRN_DATA_DIR``, then the pooch cache
(``pooch.os_cache("xatgrn")``, moved by ``$XATGRN_CACHE``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

from xatgrn.data.preprocess import PREPROCESSING_DESCRIPTIONS
from xatgrn.data.schema import EXPRESSION_FILE, REGULATIONS_FILE
from xatgrn.errors import input_error

DATA_ENV = "XATGRN_DATA_DIR"
CACHE_ENV = "XATGRN_CACHE"
MIRROR_ENV = "XATGRN_MIRROR"
DEFAULT_URL = "https://raw.githubusercontent.com/{repository}/{commit}/{path}"


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


#: where a shared local copy of the converted data usually sits, relative to a working folder
_LOCAL_COPIES = ("shared/data/fgrn", "data/fgrn", "fgrn")


def find_local_copy(start: str | Path | None = None, levels: int = 3) -> Path | None:
    """A converted-data folder (with ``manifest.json``) near ``start`` (default: the working
    folder) or its parents, e.g. ``../shared/data/fgrn``; ``None`` when there is none.

    Only used to *say* where data is (``datasets list``, missing-data errors): the data folder
    itself is always explicit (``data_dir=``, ``$XATGRN_DATA_DIR`` or the cache).
    """
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in [here, *list(here.parents)[:levels]]:
        for rel in _LOCAL_COPIES:
            if (folder / rel / "manifest.json").is_file():
                return folder / rel
    return None


def dataset_files(name: str, data_dir: str | Path | None = None) -> dict[str, Path]:
    """The expected paths of ``name``'s converted files (they may not exist yet)."""
    root = resolve_data_dir(data_dir) / get_spec(name).name
    return {fname: root / fname for fname in (EXPRESSION_FILE, REGULATIONS_FILE)}


def is_available(name: str, data_dir: str | Path | None = None) -> bool:
    """True when both files of ``name`` exist (not checksummed: that is ``load``'s count check)."""
    return all(p.is_file() for p in dataset_files(name, data_dir).values())
