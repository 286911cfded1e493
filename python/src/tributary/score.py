"""Attribution scores, read exactly: a decimal string becomes a whole number of 10⁻⁹ units."""
from __future__ import annotations

SCORE_DECIMALS = 9
"""Digits after the point a score may have: scores are counted in 10⁻⁹ units."""
SCORE_INTEGER_DIGITS = 18
"""Digits before the point: one score is below 10¹⁸."""
NANO = 1_000_000_000  # 10**SCORE_DECIMALS (a literal: int ** int is not typed int)


class ScoreError(ValueError):
    pass


def parse_score(text: str) -> int:
    """`"0.25"` → 250_000_000. Digits, optionally `.` and 1–9 more digits; never a float."""
    bad = ScoreError(f"score '{text}' is not a non-negative decimal like \"0.25\" (at most {SCORE_DECIMALS} decimals)")
    if not isinstance(text, str):
        raise ScoreError(f"the score must be a decimal string, not {type(text).__name__}")
    whole, dot, fraction = text.partition(".")
    if dot and not fraction:
        raise bad
    if not whole or len(whole) > SCORE_INTEGER_DIGITS or not _ascii_digits(whole) or not _ascii_digits(fraction):
        raise bad
    if len(fraction) > SCORE_DECIMALS:
        raise bad
    return int(whole) * NANO + int(fraction.ljust(SCORE_DECIMALS, "0") or "0")


def _ascii_digits(part: str) -> bool:
    return all("0" <= c <= "9" for c in part)  # str.isdigit would take "²" and "١"


def format_score(nano: int) -> str:
    """The canonical form: no leading zeros, no trailing zeros after the point, no point for whole numbers."""
    if nano < 0:
        raise ScoreError("a score is never negative")
    whole, frac = divmod(nano, NANO)
    if frac == 0:
        return str(whole)
    return f"{whole}.{frac:09d}".rstrip("0")


def canonical_score(text: str) -> str:
    return format_score(parse_score(text))
