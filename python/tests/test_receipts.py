import multiprocessing
import os

import pytest

from tributary import ReceiptError, ReceiptLog, Receipt, Use, canonical_score, format_score, parse_score, read_log
from tributary.merkle import MerkleBuilder, leaf_hash, node_hash, root_from

POOL = "Dds5Xtqydxj6rE318P45W33NfWuVSCh6fz7doqan5Vs7"


def sample(rid="r-1", **kw):
    fields = dict(id=rid, time=1_764_520_000, pool=POOL, consumer="api-key-7", kind="inference",
                  uses=(Use(3, "0.25"), Use(0, "1.5", "ab" * 32)))
    fields.update(kw)
    return Receipt(**fields)


def test_the_canonical_line_is_the_documented_one():
    line = sample().canonical().decode()
    assert line == ('{"v":1,"id":"r-1","time":1764520000,"pool":"Dds5Xtqydxj6rE318P45W33NfWuVSCh6fz7doqan5Vs7",'
                    '"consumer":"api-key-7","kind":"inference","uses":[{"entry":3,"score":"0.25"},'
                    '{"entry":0,"content_hash":"' + "ab" * 32 + '","score":"1.5"}]}')
    loose = line.replace('"0.25"', '"0.250"').replace(',"', ', "')
    assert Receipt.parse(loose).canonical() == sample().canonical()


def test_strings_escape_as_serde_json_and_json_stringify_do():
    r = sample(consumer='a"b\\c\n\t\x01é\u2028')
    assert '"consumer":"a\\"b\\\\c\\n\\t\\u0001é\u2028"' in r.canonical().decode()


def test_scores_are_exact_decimals():
    assert parse_score("0.000000001") == 1
    assert format_score(parse_score("007.250")) == "7.25"
    assert canonical_score("999999999999999999.999999999") == "999999999999999999.999999999"
    for bad in ["", "-1", "1e3", ".5", "5.", "0.0000000001", "1,5", " 1", "+1", "1000000000000000000", "NaN", "١"]:
        with pytest.raises(ValueError):
            parse_score(bad)


@pytest.mark.parametrize("edit, reason", [
    (('"v":1', '"v":2'), "version 2"),
    (('"id":"r"', '"id":""'), "id must be"),
    (('"entry":3', '"entry":0'), "named twice"),
    (('"0.25"', "0.25"), "decimal string"),
    (('"0.25"', '"-0.25"'), "not a non-negative decimal"),
    (("inference", "vibes"), "unknown kind"),
    (("Dds5", "0OIl"), "not a base58 address"),
    (('"consumer"', '"extra":1,"consumer"'), "unknown field"),
    (('"uses"', '"method":"Span/v1","uses"'), "method 'Span/v1'"),
    (('"uses"', '"method":"span/v1;n","uses"'), "method 'span/v1;n'"),
    (('"uses"', '"input":"AB","uses"'), "input must be"),
    (('"time":1764520000', '"time":1764520000.0'), "time must be"),
    (('"consumer":"api-key-7"', '"consumer":"a","consumer":"b"'), "duplicate field"),
])
def test_malformed_receipts_are_refused_with_their_line_and_reason(edit, reason):
    bad = sample("r").canonical().decode().replace(*edit)
    with pytest.raises(ReceiptError, match=reason) as e:
        Receipt.parse(bad, 9)
    assert "line 9" in str(e.value)


def test_method_and_input_sit_between_kind_and_uses():
    r = sample(method="span-match/v1;min_tokens=8", input="cd" * 32)
    assert f'"kind":"inference","method":"span-match/v1;min_tokens=8","input":"{"cd" * 32}","uses":' in \
        r.canonical().decode()
    assert Receipt.parse(r.canonical()) == r


def _append_many(path, worker):
    with ReceiptLog(path, sync=False) as log:
        for i in range(200):
            log.append(sample(f"w{worker}-{i}", consumer="x" * (1 + 997 * (i % 3))))


def test_appends_from_several_processes_never_interleave(tmp_path):
    path = tmp_path / "log.jsonl"
    procs = [multiprocessing.Process(target=_append_many, args=(path, w)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    ids = [r.id for _, r in read_log(path)]
    assert sorted(ids) == sorted(f"w{w}-{i}" for w in range(4) for i in range(200))


def test_a_cut_last_line_stays_refused_and_the_next_append_stays_whole(tmp_path):
    path = tmp_path / "log.jsonl"
    whole = sample("a").canonical()
    path.write_bytes(whole + b"\n" + whole[:40])  # a crash in the middle of a write
    with ReceiptLog(path) as log:
        log.append(sample("b"))
    lines = path.read_bytes().split(b"\n")
    assert lines[0] == whole and lines[1] == whole[:40] and Receipt.parse(lines[2]).id == "b"
    with pytest.raises(ReceiptError, match="line 2"):
        list(read_log(path))


def test_merkle_proofs_fold_to_the_root_for_every_leaf_and_size():
    for n in range(1, 20):
        leaves = [leaf_hash(bytes([i])) for i in range(n)]
        level = leaves
        while len(level) > 1:  # the definition: pair level by level, an odd last node moves up
            level = [node_hash(level[i], level[i + 1]) if i + 1 < len(level) else level[i]
                     for i in range(0, len(level), 2)]
        for target in range(n):
            b = MerkleBuilder(target)
            for leaf in leaves:
                b.push(leaf)
            root, path = b.finish()
            assert root == level[0] and root_from(leaves[target], path) == root


def test_a_receipt_log_write_is_one_os_write(tmp_path, monkeypatch):
    calls = []
    real = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: calls.append(len(data)) or real(fd, data))
    with ReceiptLog(tmp_path / "l.jsonl") as log:
        log.append(sample("x"))
    assert calls == [len(sample("x").canonical()) + 1]


def test_a_receipt_built_in_code_is_canonical_and_refuses_a_bad_score():
    assert sample(uses=(Use(3, "000.2500"),)).canonical() == sample(uses=(Use(3, "0.25"),)).canonical()
    with pytest.raises(ValueError):
        Use(3, "-1")
