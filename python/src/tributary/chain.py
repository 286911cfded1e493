"""A pool's epoch, report hash, weights and registered contributions, read over Solana JSON-RPC
(standard library only), and a report checked against them (`tributary attest verify`'s rules)."""
from __future__ import annotations

import base64
import hashlib
import http.client
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from .base58 import b58encode
from .report import Report

ENTRIES_PER_PAGE = 84
STATUS_EMPTY, STATUS_ACTIVE, STATUS_RETIRED, STATUS_CLOSED = 0, 1, 2, 3
# byte offsets in the program's zero-copy accounts (8-byte Anchor discriminator first)
_POOL_REPORT_HASH, _POOL_EPOCH, _POOL_ENTRY_COUNT = 8 + 224, 8 + 376, 8 + 392
_PAGE_POOL, _PAGE_NUMBER, _PAGE_ENTRIES, _ENTRY_SIZE = 8, 72, 88, 120
_ENTRY_WEIGHT, _ENTRY_PAID, _ENTRY_STATUS = 80, 104, 112
_CONTRIBUTION_POOL, _CONTRIBUTION_HASH, _CONTRIBUTION_ENTRY = 8, 72, 104


def discriminator(account: str) -> bytes:
    return hashlib.sha256(f"account:{account}".encode()).digest()[:8]


class RpcError(RuntimeError):
    pass


class Rpc:
    """JSON-RPC over HTTP with retries on transport faults and rate limits (never on an answer)."""

    def __init__(self, url: str, commitment: str = "confirmed", attempts: int = 5, timeout: float = 30.0):
        self.url, self.commitment, self.attempts, self.timeout = url, commitment, attempts, timeout
        self._id = 0

    def call(self, method: str, params: list[Any]) -> Any:
        self._id += 1
        body = json.dumps({"jsonrpc": "2.0", "id": self._id, "method": method, "params": params}).encode()
        delay = 0.2
        for attempt in range(self.attempts):
            request = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    answer = json.loads(response.read())
                break
            except (urllib.error.URLError, http.client.HTTPException, TimeoutError, ConnectionError,
                    json.JSONDecodeError) as e:
                status = getattr(e, "code", None)
                if attempt + 1 == self.attempts or (status is not None and status not in (429, 502, 503, 504)):
                    raise RpcError(f"{method}: {e}") from None
                time.sleep(delay)
                delay *= 2
        if "error" in answer:
            raise RpcError(f"{method}: {answer['error']}")
        return answer["result"]

    def account(self, address: str) -> tuple[str, bytes] | None:
        """(owner, data) of an account, None when it does not exist."""
        value = self.call("getAccountInfo", [address, {"encoding": "base64", "commitment": self.commitment}])["value"]
        if value is None:
            return None
        return value["owner"], base64.b64decode(value["data"][0])

    def program_accounts(self, program: str, account: str, pool: str, pool_offset: int) -> list[bytes]:
        filters = [{"memcmp": {"offset": 0, "bytes": b58encode(discriminator(account))}},
                   {"memcmp": {"offset": pool_offset, "bytes": pool}}]
        config = {"encoding": "base64", "commitment": self.commitment, "filters": filters}
        return [base64.b64decode(a["account"]["data"][0]) for a in self.call("getProgramAccounts", [program, config])]


@dataclass
class EntryState:
    weight: int
    status: int
    paid: int


@dataclass
class PoolState:
    address: str
    program: str
    epoch: int
    report_hash: bytes
    entry_count: int
    entries: dict[int, EntryState] = field(default_factory=dict)
    contributions: dict[int, bytes] = field(default_factory=dict)
    """entry → the content hash registered (contributions not closed)."""


def _u(data: bytes, offset: int, size: int) -> int:
    return int.from_bytes(data[offset:offset + size], "little")


def read_pool(rpc: Rpc, pool: str) -> PoolState:
    found = rpc.account(pool)
    if found is None:
        raise RpcError(f"no account at {pool}")
    program, data = found
    if data[:8] != discriminator("Pool"):
        raise RpcError(f"{pool} is not a Tributary pool")
    state = PoolState(address=pool, program=program, epoch=_u(data, _POOL_EPOCH, 8),
                      report_hash=data[_POOL_REPORT_HASH:_POOL_REPORT_HASH + 32],
                      entry_count=_u(data, _POOL_ENTRY_COUNT, 4))
    for page in rpc.program_accounts(program, "LedgerPage", pool, _PAGE_POOL):
        first = _u(page, _PAGE_NUMBER, 4) * ENTRIES_PER_PAGE
        for i in range(ENTRIES_PER_PAGE):
            at = _PAGE_ENTRIES + i * _ENTRY_SIZE
            status = page[at + _ENTRY_STATUS]
            if status != STATUS_EMPTY:
                state.entries[first + i] = EntryState(weight=_u(page, at + _ENTRY_WEIGHT, 8), status=status,
                                                      paid=_u(page, at + _ENTRY_PAID, 8))
    for c in rpc.program_accounts(program, "Contribution", pool, _CONTRIBUTION_POOL):
        state.contributions[_u(c, _CONTRIBUTION_ENTRY, 4)] = c[_CONTRIBUTION_HASH:_CONTRIBUTION_HASH + 32]
    return state


def verify_report(report: Report, state: PoolState) -> list[str]:
    """Every difference between `report` and the chain (empty: it verifies): the pool, its epoch and
    report hash, each active entry's weight (0 where the report names none), and that every entry
    the report names was registered."""
    problems = []
    if report.pool != state.address:
        problems.append(f"the report is for pool {report.pool}, not {state.address}")
    if state.epoch != report.epoch or state.report_hash != report.hash():
        problems.append(f"the pool is at epoch {state.epoch} with report hash {state.report_hash.hex()}; "
                        f"this report is epoch {report.epoch}, hash {report.hash().hex()}")
    for w in report.weights:
        if w.entry not in state.entries:
            problems.append(f"the report names entry {w.entry}, which the pool never registered")
    for entry, e in sorted(state.entries.items()):
        if e.status == STATUS_ACTIVE and e.weight != report.weight_of(entry):
            problems.append(f"entry {entry}: weight {e.weight} on chain, {report.weight_of(entry)} in the report")
    return problems
