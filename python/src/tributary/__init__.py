"""Tributary for Python: usage receipts, attribution reports and inclusion proofs byte for byte as
the Rust crate `tributary-attest` and `@tributary/client` write them (ATTESTATION.md), the reference
attributors (ATTRIBUTION.md), and a JSON-RPC reader that checks a report against a pool."""
from .chain import PoolState, Rpc, read_pool, verify_report
from .errors import AttestError, ProofError, ReceiptError, ReportError
from .merkle import MerkleBuilder, Step, leaf_hash, node_hash, root_from
from .proof import ReceiptProof
from .receipt import Receipt, ReceiptLog, Use, read_log, read_receipts
from .report import METHOD, WEIGHT_TOTAL, EntryWeight, Report
from .score import canonical_score, format_score, parse_score
from .split import apportion
from .usage import UsagePayment, plan, scores_of

__all__ = ["METHOD", "WEIGHT_TOTAL", "AttestError", "EntryWeight", "MerkleBuilder", "PoolState", "ProofError",
           "Receipt", "ReceiptError", "ReceiptLog", "ReceiptProof", "Report", "ReportError", "Rpc", "Step",
           "UsagePayment", "Use", "apportion", "canonical_score", "format_score", "leaf_hash", "node_hash", "parse_score",
           "plan", "read_log", "read_pool", "read_receipts", "root_from", "scores_of", "verify_report"]
