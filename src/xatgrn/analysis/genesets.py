"""Registered gene-set libraries: pinned by SHA-256, read offline first, else fetched and cached.

The four libraries are byte-identical blobs of the public repository ``khughitt/snakes-cca`` at a
pinned commit (the only public copy we found of the Enrichr DSigDB library the paper's drug
enrichment used). Resolution order for a library file:

1. ``genesets_dir`` (argument) or ``$XATGRN_GENESETS_DIR``: used when it holds the file (its
   SHA-256 is checked: a different file is an error, not a silent substitute);
2. the download cache (``$XATGRN_CACHE`` or pooch's OS cache), fetched with pooch from the raw
   GitHub URL at the pinned commit: temporary file, hash check, then move into place.

Cite DSigDB (Yoo et al., Bioinformatics 2015), Enrichr (Kuleshov et al., NAR 2016) and MSigDB
(Liberzon et al., Cell Systems 2015) in outputs that use them; ``LibrarySpec.citation`` holds
the text and the report prints it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from xatgrn.analysis.gmt import GeneSetLibrary, read_gmt
from xatgrn.errors import input_error

__all__ = [
    "DEFAULT_LIBRARY",
    "GENESETS_ENV",
    "LIBRARIES",
    "LibrarySpec",
    "get_library_spec",
    "library_path",
    "load_library",
]

GENESETS_ENV = "XATGRN_GENESETS_DIR"
REPOSITORY = "khughitt/snakes-cca"
COMMIT = "7d23e8cb1bd87ee48ecb3fd35e8ff6d61114d84f"
RAW_URL = "https://raw.githubusercontent.com/{repository}/{commit}/{path}"

_DSIGDB = "DSigDB: Yoo M et al., Bioinformatics 2015;31:3069-3071."
_ENRICHR = "Enrichr: Kuleshov MV et al., Nucleic Acids Res 2016;44:W90-W97."
_MSIGDB = "MSigDB: Liberzon A et al., Cell Systems 2015;1:417-425."


@dataclass(frozen=True)
class LibrarySpec:
    """One registered library: file name, path in the source repository, pinned hash."""

    name: str
    file: str
    repo_path: str
    sha256: str
    n_sets: int
    n_genes: int
    description: str
    citation: str

    @property
    def url(self) -> str:
        return RAW_URL.format(repository=REPOSITORY, commit=COMMIT, path=self.repo_path)


LIBRARIES: dict[str, LibrarySpec] = {
    spec.name: spec
    for spec in (
        LibrarySpec(
            "DSigDB",
            "DSigDB.gmt.gz",
            "gene_sets/DSigDB.gmt.gz",
            "a8950f8319dc82c9dbbe64644613fb0d622721a6d3b87f22b80586b878ddb462",
            4026,
            19512,
            "Enrichr's DSigDB drug library (the paper's drug enrichment)",
            f"{_DSIGDB} {_ENRICHR}",
        ),
        LibrarySpec(
            "DSigDB_All",
            "DSigDB_All.gmt.gz",
            "gene_sets/even_more/DSigDB_All.gmt.gz",
            "9086548890cf152d8bdb375bd5b9f17367f525cab9361679075e341614aab2ea",
            23949,
            19646,
            "DSigDB v1.0 'All' (D1-D4)",
            _DSIGDB,
        ),
        LibrarySpec(
            "MSigDB_Hallmark",
            "h.all.v6.2.symbols.gmt.gz",
            "gene_sets/h.all.v6.2.symbols.gmt.gz",
            "b372afc331da7b16690d68190e6a3712323246086dd33620a764887dda825d0a",
            50,
            4386,
            "MSigDB Hallmark v6.2",
            _MSIGDB,
        ),
        LibrarySpec(
            "MSigDB_KEGG",
            "c2.cp.kegg.v6.2.symbols.gmt.gz",
            "gene_sets/c2.cp.kegg.v6.2.symbols.gmt.gz",
            "5512b571ea9a6fb2bfc1e287ac399c5370fe6603b0b474d2f9459a2ed7913d61",
            186,
            5266,
            "MSigDB C2 KEGG v6.2",
            _MSIGDB,
        ),
    )
}
DEFAULT_LIBRARY = "DSigDB"


def get_library_spec(name: str) -> LibrarySpec:
    """The spec of a library, by name or file name (case-insensitive)."""
    key = name.lower()
    for spec in LIBRARIES.values():
        if key in (spec.name.lower(), spec.file.lower()):
            return spec
    raise input_error(
        f"unknown gene-set library {name!r}",
        fix=f"use one of {', '.join(LIBRARIES)}, or pass your own file with --gmt",
    )


def _offline_dir(genesets_dir: str | Path | None) -> Path | None:
    if genesets_dir is not None:
        return Path(genesets_dir).expanduser()
    env = os.environ.get(GENESETS_ENV)
    return Path(env).expanduser() if env else None


def library_path(
    name: str = DEFAULT_LIBRARY, genesets_dir: str | Path | None = None, *, progress: bool = True
) -> Path:
    """Local path of a registered library: the offline folder first, else download and cache."""
    from xatgrn.utils import sha256_file

    spec = get_library_spec(name)
    folder = _offline_dir(genesets_dir)
    if folder is not None and (folder / spec.file).is_file():
        local = folder / spec.file
        got = sha256_file(local)
        if got != spec.sha256:
            raise input_error(
                f"SHA-256 mismatch for {spec.name}: expected {spec.sha256}, got {got}",
                path=local,
                fix="replace the file with the pinned copy (or pass it with --gmt to use it "
                "unpinned)",
            )
        return local
    return _download(spec, progress)


def _download(spec: LibrarySpec, progress: bool) -> Path:
    import pooch
    import requests

    from xatgrn.data.datasets import cache_dir

    dest = cache_dir() / "genesets" / COMMIT
    try:
        got = pooch.retrieve(
            spec.url,
            known_hash=f"sha256:{spec.sha256}",
            fname=spec.file,
            path=dest,
            progressbar=progress and not os.environ.get("XATGRN_NO_PROGRESS"),
        )
    except ValueError as err:  # pooch's hash mismatch
        raise input_error(
            f"download of {spec.url} failed its checksum: {err}",
            path=dest / spec.file,
            fix="retry; if it persists the file changed upstream",
        ) from err
    except requests.RequestException as err:
        raise input_error(
            f"could not download {spec.url}: {err}",
            path=dest / spec.file,
            fix=f"check the network connection, or put {spec.file} in a folder named by "
            f"--genesets-dir / ${GENESETS_ENV}",
        ) from err
    return Path(got)


def load_library(
    name: str = DEFAULT_LIBRARY, genesets_dir: str | Path | None = None, *, progress: bool = True
) -> GeneSetLibrary:
    """Read a registered library (see :func:`library_path` for where it comes from)."""
    spec = get_library_spec(name)
    path = library_path(spec.name, genesets_dir, progress=progress)
    lib = read_gmt(path, name=spec.name)
    return GeneSetLibrary(
        name=spec.name,
        sets=lib.sets,
        descriptions=lib.descriptions,
        source=str(path),
        sha256=spec.sha256,
        citation=spec.citation,
    )
