"""Tests for xatgrn.data.io: the public reading API re-exports the one implementation of each name."""

from __future__ import annotations

import importlib

import pytest

from xatgrn.data import io as xio

#: public name -> the module that owns it
HOMES = {
    "ORIENTATIONS": "expression",
    "read_expression": "expression",
    "AGGREGATIONS": "expression_quality",
    "check_scale": "expression_quality",
    "CONFLICT_POLICIES": "regulations",
    "UNKNOWN_TYPE_POLICIES": "regulations",
    "TYPE_LABELS": "regulations",
    "read_regulations": "regulations",
    "read_gene_list": "regulations",
    "align": "validate",
    "check_expression": "validate",
    "check_trainable": "validate",
    "check_fittable": "validate",
    "gene_positions": "validate",
    "validate_data": "validate",
    "ValidatedData": "validate",
    "load_user_data": "inputs",
    "write_expression": "writers",
    "write_regulations": "writers",
    "write_dataset": "writers",
}


def test_all_lists_exactly_the_public_names():
    assert sorted(xio.__all__) == sorted(HOMES)


@pytest.mark.parametrize("name", sorted(HOMES))
def test_public_names_are_the_owning_modules_objects(name):
    home = importlib.import_module(f"xatgrn.data.{HOMES[name]}")
    assert getattr(xio, name) is getattr(home, name)


def test_constants_keep_their_values():
    assert xio.ORIENTATIONS == ("auto", "genes-by-samples", "samples-by-genes")
    assert xio.CONFLICT_POLICIES == ("last", "error", "drop")
    assert xio.UNKNOWN_TYPE_POLICIES == ("error", "drop")
    assert xio.TYPE_LABELS["activator"] == "activation" and xio.TYPE_LABELS["-1"] == "repression"
