"""`python -m tributary …` (or `tributary-attest …`): the AI service's side of Tributary.

    make-data      example contributions (texts, labelled tables), a validation set and prompts
    serve          an n-gram model trained on the registered texts answers prompts; one receipt a request
    value          k-NN Shapley values of the registered tables on a validation set; one receipt a run
    build          the attribution report of a receipt log (ATTESTATION.md §3)
    prove          the inclusion proof of one receipt
    check-receipt  a proof against a report
    verify         a receipt log recomputed from its inputs (--recompute), a report against the chain (--url)

Exit status: 0 when everything checks, 1 when something differs (each difference is named), 2 on
bad arguments or unreadable inputs.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from . import canonical_json as cj
from .chain import Rpc, RpcError, read_pool, verify_report
from .demo_data import labelled_set, text_document
from .errors import AttestError, ProofError
from .proof import ReceiptProof
from .receipt import ReceiptLog, read_log
from .report import Report
from .service import InputStore, TextService, knn_model_quality, match_registered, recompute, training_receipt
from .attribution.ngram import NGramModel


def _print(args: argparse.Namespace, human: str, data: dict[str, Any]) -> None:
    print(json.dumps(data) if args.json else human)


def cmd_make_data(args: argparse.Namespace) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(args.texts):
        path = out / f"text-{i}.txt"
        path.write_text(text_document(args.tokens, seed=100 + i))
        files.append(str(path))
    for i in range(args.tables):
        path = out / f"table-{i}.csv"
        # the last table is mostly mislabelled: its Shapley value should come out near zero
        noise = 0.9 if i == args.tables - 1 and args.tables > 1 else 0.05
        path.write_text(labelled_set(args.points, 4, 3, seed=200 + i, noise=noise))
        files.append(str(path))
    (out / "validation.csv").write_text(labelled_set(args.validation, 4, 3, seed=999))
    texts = [(out / f"text-{i}.txt").read_text().split() for i in range(args.texts)]
    prompts = [" ".join(texts[j % len(texts)][10 * j:10 * j + 3]) for j in range(args.prompts)] if texts else []
    (out / "prompts.txt").write_text("\n".join(prompts) + "\n")
    _print(args, "\n".join(files), {"files": files, "validation": str(out / "validation.csv"),
                                    "prompts": str(out / "prompts.txt")})
    return 0


def _registered(args: argparse.Namespace) -> dict[int, bytes]:
    return read_pool(Rpc(args.url), args.pool).contributions


def cmd_serve(args: argparse.Namespace) -> int:
    contributions = match_registered([Path(f).read_bytes() for f in args.files], _registered(args))
    store = InputStore(args.inputs)
    service = TextService(contributions, store, args.min_tokens)
    model = NGramModel(args.order).fit([c.data.decode("utf-8") for c in contributions])
    prompts = [p for p in Path(args.prompts).read_text().splitlines() if p.strip()]
    written = 0
    with ReceiptLog(args.receipts) as log:
        for n, prompt in enumerate(prompts):
            output = model.generate(prompt, args.length, seed=args.seed + n)
            receipt = service.receipt(output, pool=args.pool, request_id=f"{args.id_prefix}{n}",
                                      time=int(time.time()), consumer=args.consumer)
            if receipt is not None:
                log.append(receipt)
                written += 1
    _print(args, f"{len(prompts)} requests served, {written} receipts -> {args.receipts}",
           {"requests": len(prompts), "receipts": written, "entries": [c.entry for c in contributions]})
    return 0


def cmd_value(args: argparse.Namespace) -> int:
    contributions = match_registered([Path(f).read_bytes() for f in args.files], _registered(args))
    store = InputStore(args.inputs)
    receipt = training_receipt(contributions, Path(args.validation).read_bytes(), args.k, store, pool=args.pool,
                               run_id=args.run_id, time=int(time.time()), consumer=args.consumer)
    with ReceiptLog(args.receipts) as log:
        log.append(receipt)
    scores = {u.entry: u.score for u in receipt.uses}
    quality = knn_model_quality(contributions, Path(args.validation).read_bytes(), args.k)
    _print(args, f"k-NN (K = {args.k}) on the validation set: accuracy {quality['accuracy']:.3f}, "
                 f"utility {quality['utility']:.3f}\n" + "\n".join(f"entry {e}: {s}" for e, s in scores.items()),
           {"scores": scores, **quality})
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    with open(args.receipts, "rb") as f:
        report = Report.build_from_lines(f, args.pool, args.epoch)
    Path(args.out).write_bytes(report.canonical() + b"\n")
    _print(args, f"report of {report.receipts} receipts, epoch {report.epoch} -> {args.out}\n"
                 f"report hash {report.hash().hex()}",
           {"report": args.out, "report_hash": report.hash().hex(), "receipts": report.receipts,
            "receipts_root": report.receipts_root.hex()})
    return 0


def cmd_prove(args: argparse.Namespace) -> int:
    proof = ReceiptProof.build(lambda: open(args.receipts, "rb"), args.id)
    print(cj.dumps(proof.to_json()))
    return 0


def cmd_check_receipt(args: argparse.Namespace) -> int:
    report = Report.parse(Path(args.report).read_bytes())
    proof = ReceiptProof.from_json(cj.loads(Path(args.proof).read_bytes()))
    try:
        proof.check(report)
    except ProofError as e:
        print(str(e), file=sys.stderr)
        return 1
    _print(args, f"receipt {proof.receipt.id} is receipt {proof.index} of the report (root {report.receipts_root.hex()})",
           {"included": True, "id": proof.receipt.id, "index": proof.index})
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    problems: list[str] = []
    result: dict[str, Any] = {}
    registered = None
    report = Report.parse(Path(args.report).read_bytes()) if args.report else None
    if report is not None:
        with open(args.receipts, "rb") as f:
            rebuilt = Report.build_from_lines(f, report.pool, report.epoch)
        if rebuilt.canonical() != report.canonical():
            problems.append("the receipts do not rebuild the report byte for byte: build another report")
        result["report_hash"] = report.hash().hex()
    if args.url:
        if not args.pool:
            raise AttestError("--url needs --pool")
        state = read_pool(Rpc(args.url), args.pool)
        registered = state.contributions
        if report is not None:
            problems += verify_report(report, state)
    if args.recompute:
        checked, bad = recompute(read_log(args.receipts), InputStore(args.inputs), registered)
        result["recomputed"] = checked
        result["differ"] = [{"id": m.receipt_id, "line": m.line, "reason": m.reason} for m in bad]
        problems += [f"receipt {m.receipt_id} (line {m.line}): {m.reason}" for m in bad]
    result["verified"] = not problems
    result["problems"] = problems
    human = "verified" + (f": {result['recomputed']} receipts recomputed" if args.recompute else "")
    if problems:
        human = "\n".join(problems)
    if args.json:
        print(json.dumps(result))
    else:
        print(human, file=sys.stderr if problems else sys.stdout)
    return 1 if problems else 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tributary-attest", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--json", action="store_true", help="print JSON")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("make-data", help="example contributions, validation set and prompts")
    s.add_argument("--out", required=True)
    s.add_argument("--texts", type=int, default=4)
    s.add_argument("--tokens", type=int, default=3_000, help="tokens per text")
    s.add_argument("--tables", type=int, default=3)
    s.add_argument("--points", type=int, default=200, help="examples per table")
    s.add_argument("--validation", type=int, default=100)
    s.add_argument("--prompts", type=int, default=12)
    s.set_defaults(run=cmd_make_data)

    def chain_args(s: argparse.ArgumentParser) -> None:
        s.add_argument("--url", required=True, help="JSON-RPC URL")
        s.add_argument("--pool", required=True)
        s.add_argument("--files", nargs="+", required=True, help="contributed files, each registered in the pool")
        s.add_argument("--receipts", required=True, help="receipt log to append to")
        s.add_argument("--inputs", required=True, help="directory of public inputs, by SHA-256")
        s.add_argument("--consumer", default="service")

    s = sub.add_parser("serve", help="answer prompts with an n-gram model; a receipt per request")
    chain_args(s)
    s.add_argument("--prompts", required=True, help="one prompt a line")
    s.add_argument("--length", type=int, default=60, help="tokens per answer")
    s.add_argument("--order", type=int, default=4, help="n-gram order")
    s.add_argument("--min-tokens", type=int, default=8, help="shortest span attributed")
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--id-prefix", default="req-")
    s.set_defaults(run=cmd_serve)

    s = sub.add_parser("value", help="k-NN Shapley values of the training tables; one receipt")
    chain_args(s)
    s.add_argument("--validation", required=True)
    s.add_argument("--k", type=int, default=5)
    s.add_argument("--run-id", default="train-1")
    s.set_defaults(run=cmd_value)

    s = sub.add_parser("build", help="the report of a receipt log")
    s.add_argument("--receipts", required=True)
    s.add_argument("--pool", required=True)
    s.add_argument("--epoch", type=int, required=True)
    s.add_argument("--out", required=True)
    s.set_defaults(run=cmd_build)

    s = sub.add_parser("prove", help="the inclusion proof of a receipt")
    s.add_argument("--receipts", required=True)
    s.add_argument("--id", required=True)
    s.set_defaults(run=cmd_prove)

    s = sub.add_parser("check-receipt", help="a proof against a report")
    s.add_argument("--report", required=True)
    s.add_argument("--proof", required=True)
    s.set_defaults(run=cmd_check_receipt)

    s = sub.add_parser("verify", help="recompute a receipt log, check a report against the chain")
    s.add_argument("--receipts", required=True)
    s.add_argument("--recompute", action="store_true", help="re-derive every receipt's scores from its inputs")
    s.add_argument("--inputs", help="directory of public inputs, by SHA-256")
    s.add_argument("--url")
    s.add_argument("--pool")
    s.add_argument("--report")
    s.set_defaults(run=cmd_verify)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if getattr(args, "recompute", False) and not args.inputs:
        print("--recompute needs --inputs", file=sys.stderr)
        return 2
    try:
        return int(args.run(args))
    except (AttestError, RpcError, OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
