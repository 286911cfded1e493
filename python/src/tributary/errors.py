"""One error type per stage, each message naming what is wrong (the Rust crate's messages)."""
from __future__ import annotations


class AttestError(ValueError):
    """Anything refused: a malformed receipt, report or proof, or an invalid request."""


class ReceiptError(AttestError):
    def __init__(self, reason: str, line: int = 0):
        self.line, self.reason = line, reason
        super().__init__(f"receipt at line {line}: {reason}" if line else f"receipt: {reason}")


class ReportError(AttestError):
    def __init__(self, reason: str):
        super().__init__(f"report: {reason}")


class ProofError(AttestError):
    def __init__(self, reason: str):
        super().__init__(f"proof: {reason}")
