"""Recompute a facility's score from exported receipts alone and compare it with what the API
said (``ledger score recompute``; ``ledger receipts export`` writes the export).

An export is a directory: ``manifest.json`` (``GET /v1/facilities/{id}/score/sources``: the
facility, the instant the score was computed at, the API's score, the record ids it is
computed from, the wage rules versions) and ``receipts/<record id>.json``. Nothing in it is
trusted: each listed record's receipt is checked as ``ledger verify`` checks one (against
a deployment the verifier pinned, never the receipt's), must be the receipt *of that
record*, and only then does its envelope count. A receipt that is absent, unreadable,
invalid or of another record is named; the components it backs are not reproduced.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from ledger.canonical import parse_json
from ledger.errors import LedgerError
from ledger.receipts import ReceiptReport
from ledger.timeutil import parse_time

from .formula import Component, Score, score
from .replay import UNREPRODUCIBLE_INPUTS, evidence_from_records

__all__ = ["BadReceipt", "ComponentCheck", "Recomputed", "read_manifest", "recompute"]

MAX_MANIFEST_BYTES = 64 * 1024 * 1024
MAX_RECEIPT_BYTES = 8 * 1024 * 1024
_RECORD_ID = r"^0x[0-9a-f]{64}$"


@dataclass(frozen=True)
class BadReceipt:
    record: str
    problem: str  # missing | unreadable | invalid | other-record
    detail: str


@dataclass(frozen=True)
class ComponentCheck:
    name: str
    api: Decimal
    recomputed: Decimal
    reproduced: bool  # every receipt it rests on verified, and the points agree
    differences: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Recomputed:
    facility: str
    computed_at: datetime
    api_score: Decimal
    score: Decimal
    recomputed: Score  # the whole computation, as GET .../score shapes it
    components: list[ComponentCheck]
    bad: list[BadReceipt]
    verified: int  # receipts that verified

    @property
    def ok(self) -> bool:
        return (
            not self.bad
            and self.score == self.api_score
            and all(c.reproduced for c in self.components)
        )


def read_manifest(directory: Path) -> dict[str, Any]:
    """The export's manifest.

    Raises:
        ValueError: naming what is wrong with it.
    """
    path = directory / "manifest.json"
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            raise ValueError(f"{path} is larger than {MAX_MANIFEST_BYTES} bytes")
        manifest = parse_json(path.read_bytes())
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None
    except LedgerError as exc:
        raise ValueError(f"{path}: {exc.detail}") from None
    if not isinstance(manifest, dict) or not {"facility", "computedAt", "score", "records"} <= set(
        manifest
    ):
        raise ValueError(f"{path} is not an export manifest (facility, computedAt, score, records)")
    records = manifest["records"]
    if not isinstance(records, list) or not all(
        isinstance(r, str) and _is_record_id(r) for r in records
    ):
        raise ValueError(f"{path}: records must be a list of record ids")
    return manifest


def _is_record_id(value: str) -> bool:
    return re.fullmatch(_RECORD_ID, value) is not None


def recompute(
    directory: Path, manifest: Mapping[str, Any], check: Callable[[Any], ReceiptReport]
) -> Recomputed:
    """Check every receipt the manifest lists with ``check`` (``ledger.receipts.check_receipt``
    bound to the pinned deployment) and recompute the score from those that verify."""
    facility = str(manifest["facility"])
    at = parse_time(manifest["computedAt"], field="computedAt")
    envelopes: dict[str, Any] = {}
    bad: list[BadReceipt] = []
    for record_id in manifest["records"]:
        receipt, problem = _read(directory / "receipts" / f"{record_id}.json")
        if problem is not None:
            bad.append(BadReceipt(record_id, *problem))
            continue
        report = check(receipt)
        if not report.ok:
            failed = report.failed
            bad.append(BadReceipt(record_id, "invalid", f"{failed.name}: {failed.detail}"
                                  if failed else "incomplete"))  # fmt: skip
            continue
        if receipt.get("leaf") != record_id:
            held = f"the file holds the receipt of {receipt.get('leaf')}"
            bad.append(BadReceipt(record_id, "other-record", held))
            continue
        envelopes[record_id] = receipt["envelope"]
    rules = manifest.get("wageRules") or {}
    ours = score(evidence_from_records(envelopes, facility, at, wage_rules=rules))
    theirs = manifest["score"]
    unbacked = {b.record for b in bad}
    return Recomputed(
        facility=facility,
        computed_at=at,
        api_score=Decimal(str(theirs["score"])),
        score=ours.score,
        recomputed=ours,
        components=_compare(ours, theirs, unbacked),
        bad=bad,
        verified=len(envelopes),
    )


def _read(path: Path) -> tuple[Any, tuple[str, str] | None]:
    try:
        if path.stat().st_size > MAX_RECEIPT_BYTES:
            return None, ("unreadable", f"larger than {MAX_RECEIPT_BYTES} bytes")
        receipt = parse_json(path.read_bytes())
    except FileNotFoundError:
        return None, ("missing", f"no {path.name} in the export")
    except OSError as exc:
        return None, ("unreadable", str(exc.strerror or exc))
    except LedgerError as exc:
        return None, ("unreadable", exc.detail)
    if not isinstance(receipt, dict):
        return None, ("unreadable", "a receipt is a JSON object")
    return receipt, None


def _compare(ours: Score, theirs: Mapping[str, Any], unbacked: set[str]) -> list[ComponentCheck]:
    api = {str(c["name"]): c for c in theirs.get("components", [])}
    checks = []
    for component in ours.components:
        given = api.get(component.name)
        if given is None:
            checks.append(ComponentCheck(component.name, Decimal(0), component.value, False,
                                         ["the API gave no such component"]))  # fmt: skip
            continue
        differences = _differences(component, given)
        missing = sorted(set(given.get("records", [])) & unbacked)
        if missing:
            differences.append(f"{len(missing)} receipt(s) it rests on did not verify")
        checks.append(ComponentCheck(component.name, Decimal(str(given["value"])),
                                     component.value, not differences, differences))  # fmt: skip
    for name in sorted(set(api) - {c.name for c in ours.components}):
        checks.append(ComponentCheck(name, Decimal(str(api[name]["value"])), Decimal(0), False,
                                     ["not a component of this formula"]))  # fmt: skip
    return checks


def _differences(component: Component, given: Mapping[str, Any]) -> list[str]:
    found = []
    if Decimal(str(given["value"])) != component.value:
        found.append(f"points: API {given['value']}, recomputed {component.value}")
    if sorted(given.get("records", [])) != sorted(component.records):
        found.append("the records behind it differ")
    theirs = {k: v for k, v in given.get("inputs", {}).items() if k not in UNREPRODUCIBLE_INPUTS}
    ours = {k: v for k, v in _plain(component.inputs).items() if k not in UNREPRODUCIBLE_INPUTS}
    for key in sorted(set(theirs) | set(ours)):
        if _plain(theirs.get(key)) != ours.get(key):
            found.append(f"input {key}: API {theirs.get(key)!r}, recomputed {ours.get(key)!r}")
    return found


def _plain(value: Any) -> Any:
    """JSON-comparable: Decimals as numbers, as the API writes them."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float | int) and not isinstance(value, bool):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
