"""A service's receipts re-derived from their public inputs: equal when nothing changed, and the
receipt named when a score, an input or a contribution did."""
import hashlib
import json

import pytest

from tributary import Report, read_log
from tributary.cli import main
from tributary.demo_data import labelled_set, text_document
from tributary.receipt import Receipt, ReceiptLog, Use
from tributary.service import InputStore, TextService, match_registered, recompute, training_receipt
from tributary.attribution.ngram import NGramModel

POOL = "Dds5Xtqydxj6rE318P45W33NfWuVSCh6fz7doqan5Vs7"


@pytest.fixture()
def service_run(tmp_path):
    texts = [text_document(1_500, seed=i).encode() for i in range(3)]
    tables = [labelled_set(120, 4, 3, seed=10 + i, noise=0.9 if i == 2 else 0.05).encode() for i in range(3)]
    # registered on chain: entry → SHA-256 (entries as the program numbered them)
    registered = {e: hashlib.sha256(d).digest() for e, d in zip([0, 1, 2, 3, 4, 6], texts + tables)}
    store = InputStore(tmp_path / "inputs")
    corpus = match_registered(texts, registered)
    service = TextService(corpus, store, min_tokens=6)
    model = NGramModel(4).fit([t.decode() for t in texts])
    log_path = tmp_path / "receipts.jsonl"
    with ReceiptLog(log_path) as log:
        for n in range(8):
            r = service.receipt(model.generate("ka", 50, seed=n), pool=POOL, request_id=f"req-{n}", time=1, consumer="c")
            if r is not None:
                log.append(r)
        validation = labelled_set(60, 4, 3, seed=99).encode()
        log.append(training_receipt(match_registered(tables, registered), validation, 5, store, pool=POOL,
                                    run_id="train-1", time=2, consumer="c"))
    return tmp_path, registered, log_path


def test_every_receipt_recomputes_and_the_report_builds(service_run):
    tmp, registered, log = service_run
    receipts = list(read_log(log))
    assert len(receipts) >= 5 and receipts[-1][1].kind == "training"
    assert all(r.method and r.input for _, r in receipts)
    training = receipts[-1][1]
    scores = {u.entry: u.score for u in training.uses}
    assert set(scores) == {3, 4, 6} and scores[6] == "0" and scores[3] != "0", scores
    checked, bad = recompute(receipts, InputStore(tmp / "inputs"), registered)
    assert (checked, bad) == (len(receipts), [])
    Report.build((r for _, r in receipts), POOL, 1)


def test_an_altered_score_is_named_by_its_receipt(service_run):
    tmp, registered, log = service_run
    lines = log.read_text().splitlines()
    victim = Receipt.parse(lines[1])
    first = victim.uses[0]
    changed = Receipt(**{**victim.__dict__, "uses": (Use(first.entry, "1" + first.score, first.content_hash),)
                         + victim.uses[1:]})
    lines[1] = changed.canonical().decode()
    log.write_text("\n".join(lines) + "\n")
    _, bad = recompute(read_log(log), InputStore(tmp / "inputs"), registered)
    assert [(m.receipt_id, m.line) for m in bad] == [(victim.id, 2)]
    assert f"entry {first.entry}: 1{first.score} in the receipt, {first.score} recomputed" in bad[0].reason
    # the command line says the same and exits 1
    assert main(["verify", "--receipts", str(log), "--inputs", str(tmp / "inputs"), "--recompute"]) == 1


def test_a_contribution_other_than_the_registered_one_is_refused(service_run):
    tmp, registered, log = service_run
    other = dict(registered)
    other[0] = hashlib.sha256(b"something else").digest()
    _, bad = recompute(read_log(log), InputStore(tmp / "inputs"), other)
    assert bad and all("entry 0: its input" in m.reason for m in bad)
    assert {m.receipt_id for m in bad} <= {r.id for _, r in read_log(log) if r.kind == "inference"}


def test_a_changed_input_file_is_refused(service_run):
    tmp, registered, log = service_run
    training = list(read_log(log))[-1][1]
    manifest = json.loads((tmp / "inputs" / training.input).read_text())
    (tmp / "inputs" / manifest["validation"]).write_text("1,2,3,4,0\n")
    _, bad = recompute(read_log(log), InputStore(tmp / "inputs"), registered)
    assert [m.receipt_id for m in bad] == ["train-1"] and "does not hash to its name" in bad[0].reason


def test_a_file_not_registered_is_refused_before_use():
    with pytest.raises(Exception, match="not a contribution registered"):
        match_registered([b"unregistered"], {0: hashlib.sha256(b"x").digest()})


def test_the_command_line_verifies_and_prints_json(service_run, capsys):
    tmp, _, log = service_run
    assert main(["--json", "verify", "--receipts", str(log), "--inputs", str(tmp / "inputs"), "--recompute"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["verified"] and out["recomputed"] == len(list(read_log(log)))


def test_a_report_is_checked_against_its_receipts_without_a_chain(service_run, tmp_path):
    tmp, _, log = service_run
    report = tmp_path / "report.json"
    assert main(["build", "--receipts", str(log), "--pool", POOL, "--epoch", "3", "--out", str(report)]) == 0
    assert main(["verify", "--receipts", str(log), "--report", str(report)]) == 0
    lines = log.read_text().splitlines()
    log.write_text("\n".join(lines[:-1]) + "\n")  # a receipt dropped after the report was built
    assert main(["verify", "--receipts", str(log), "--report", str(report)]) == 1


def test_an_unreachable_node_is_a_named_error_not_a_traceback(tmp_path, capsys):
    log = tmp_path / "r.jsonl"
    log.write_text("")
    assert main(["verify", "--receipts", str(log), "--url", "http://127.0.0.1:9", "--pool", POOL]) == 2
    assert "getAccountInfo" in capsys.readouterr().err


def test_a_receipt_is_proven_and_a_changed_one_refused_from_the_command_line(service_run, tmp_path, capsys):
    tmp, _, log = service_run
    report, proof = tmp_path / "report.json", tmp_path / "proof.json"
    assert main(["build", "--receipts", str(log), "--pool", POOL, "--epoch", "3", "--out", str(report)]) == 0
    capsys.readouterr()
    assert main(["prove", "--receipts", str(log), "--id", "train-1"]) == 0
    proof.write_text(capsys.readouterr().out)
    assert main(["check-receipt", "--report", str(report), "--proof", str(proof)]) == 0
    value = json.loads(proof.read_text())
    value["receipt"]["uses"][0]["score"] = "9"
    proof.write_text(json.dumps(value))
    assert main(["check-receipt", "--report", str(report), "--proof", str(proof)]) == 1
    assert "the receipt was changed" in capsys.readouterr().err


def test_a_receipt_naming_another_content_hash_is_named(service_run):
    tmp, registered, log = service_run
    lines = log.read_text().splitlines()
    victim = Receipt.parse(lines[0])
    first = victim.uses[0]
    changed = Receipt(**{**victim.__dict__, "uses": (Use(first.entry, first.score, "ab" * 32),) + victim.uses[1:]})
    lines[0] = changed.canonical().decode()
    log.write_text("\n".join(lines) + "\n")
    _, bad = recompute(read_log(log), InputStore(tmp / "inputs"), registered)
    assert [m.receipt_id for m in bad] == [victim.id]
    assert f"entry {first.entry}: content_hash {'ab' * 32} in the receipt, {first.content_hash} in its input" == bad[0].reason
