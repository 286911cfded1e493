"""Byte for byte what the Rust crate writes: clients/ts/test/fixtures.json is generated from
`tributary_attest` (cargo run -p tributary-tests --bin client-fixtures), and the TypeScript client
is held to the same file."""
import json
from pathlib import Path

import pytest

from tributary import Receipt, ReceiptProof, Report, leaf_hash, plan, scores_of
from tributary import canonical_json as cj

FIXTURES = json.loads((Path(__file__).parents[2] / "clients/ts/test/fixtures.json").read_text())
AT = FIXTURES["attest"]


def test_receipts_canonicalize_to_the_rust_bytes_and_leaves():
    assert len(AT["inputs"]) == len(AT["canonical"]) > 0
    assert any('"method"' in line for line in AT["canonical"]), "the fixture covers method and input"
    for loose, canonical, leaf in zip(AT["inputs"], AT["canonical"], AT["leaves"]):
        receipt = Receipt.parse(loose)
        assert receipt.canonical().decode() == canonical
        assert leaf_hash(receipt.canonical()).hex() == leaf
        assert Receipt.parse(canonical) == receipt


def test_the_report_and_its_hash_are_the_rust_ones():
    pool = json.loads(AT["report"])["pool"]
    report = Report.build_from_lines([line + "\n" for line in AT["inputs"]], pool, 4)
    assert report.canonical().decode() == AT["report"]
    assert report.hash().hex() == AT["reportHash"]
    assert Report.parse(AT["report"].encode() + b"\n") == report


def test_proofs_are_the_rust_ones_and_check_against_the_report():
    lines = [line + "\n" for line in AT["inputs"]]
    report = Report.parse(AT["report"].encode())
    for expected in AT["proofs"]:
        rid = expected["receipt"]["id"]
        proof = ReceiptProof.build(lambda: iter(lines), rid)
        assert json.loads(cj.dumps(proof.to_json())) == expected
        proof.check(report)
        ReceiptProof.from_json(expected).check(report)


def test_the_usage_fee_plan_is_the_rust_one():
    receipts = [Receipt.parse(line) for line in AT["inputs"]]
    payments = plan(scores_of(receipts), AT["usage"]["fee"])
    assert [{"page": p.page, "fee": p.fee, "shares": [list(s) for s in p.shares]} for p in payments] == AT["usage"]["plan"]


@pytest.mark.parametrize("edit, reason", [
    (lambda r: r.replace('"fields"', '"fields"'), None),
    (lambda r: r.replace('{"version":1,', '{"version":1, '), "not in canonical form"),
    (lambda r: r.replace('"version":1', '"version":2'), "version 2"),
    (lambda r: r.replace('"receipts":7', '"receipts":7,"extra":1'), "unknown field"),
])
def test_a_report_file_is_refused_unless_canonical_and_consistent(edit, reason):
    text = edit(AT["report"])
    if reason is None:
        Report.parse(text.encode())
        return
    with pytest.raises(Exception, match=reason):
        Report.parse(text.encode())


def test_moved_weight_is_refused():
    value = json.loads(AT["report"])
    value["weights"][0]["weight"] += 1
    value["weights"][1]["weight"] -= 1
    with pytest.raises(Exception, match="apportionment"):
        Report.parse(cj.to_bytes(value))
