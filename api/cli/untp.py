"""``ledger untp export``: a facility's anchored records as UN Transparency Protocol
credentials, signed on the author's side.

    ledger untp export --facility fac-bd-dhaka-knit-01 --out untp/ --key auditor.key

Writes one credential per file to ``--out``: ``dcc-<audit record id>.json`` (Digital
Conformity Credential, an audit), ``dfr-<facility id>.json`` (Digital Facility Record, the
facility's own record), ``dte-<supply link record id>.json`` (Digital Traceability Event, a
confirmed supply link). UNTP 0.6.1, ``eddsa-jcs-2022`` (:mod:`domain.untp`).

Records are read from the API (``--api``, default ``$LEDGER_API_URL``) as their receipts,
and each receipt is checked (signature, leaf, Merkle proof) before anything is built from
it. Each credential is signed by the ``--key`` (repeatable) that authored its record; the
others are skipped and listed, as are records not anchored yet. The platform never holds
an author's key: an auditor exports its own audits, a facility's brand or employer its DFR.

Prints a JSON summary. Exit 0 when at least one credential was written; 1 when none could
be (no given key authored any record), the facility is unknown, the API is unreachable, or
a receipt does not commit to its record (then nothing is written); 2 on bad usage.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NoReturn
from urllib.parse import quote

import typer

from .common import api_url, fail, http_error, load_signing_key, shown_url

if TYPE_CHECKING:
    import httpx

    from domain.untp import AnchoredRecord, Skipped

app = typer.Typer(help="UN Transparency Protocol credentials.", no_args_is_help=True)

# The facility id pattern (domain/schema.py FacilityId): refused before any request.
_FACILITY_ID: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{1,63}$")
_RECORD_ID: Final = re.compile(r"^0x[0-9a-f]{64}$")
MAX_RESPONSE_BYTES: Final = 8 * 1024 * 1024
"""An answer larger than this is refused (a facility's audit list, one receipt)."""
MAX_RECORDS: Final = 2_000
"""At most this many records (audits and link halves) are read for one export."""


@app.command("export")
def export(
    facility: str = typer.Option(..., "--facility", help="The facility id (or an alias of it)."),
    out: Path = typer.Option(..., "--out", help="Directory to write (created if missing)."),
    keys: list[str] = typer.Option(
        [],
        "--key",
        help="The author's key file (repeatable): an auditor's for its audits, the facility's "
        "brand or employer key for its facility record and links. Passphrase from "
        "$LEDGER_KEY_PASSPHRASE or asked on the terminal.",
    ),
    created: str | None = typer.Option(
        None,
        "--created",
        help="The proofs' creation time (default now), e.g. 2026-10-01T09:00:00Z.",
    ),
    api: str | None = typer.Option(None, "--api", help="API URL (default $LEDGER_API_URL)."),
) -> None:
    """Write the facility's UNTP credentials that the given keys authored; print a summary."""
    from credentials.dataintegrity import parse_datetime
    from domain.untp import UNTP_VERSION, FacilityRecords, plan_exports, sign_all
    from ledger.errors import LedgerError

    if not _FACILITY_ID.match(facility):
        fail("--facility is not a facility id (1-64 of A-Z a-z 0-9 . _ : -)")
    if created is not None:
        try:
            parse_datetime(created)
        except ValueError as exc:
            fail(f"--created: {exc}")
    if out.exists() and not out.is_dir():
        fail("--out names a file, not a directory")
    if not keys:
        fail("give the author's key with --key (the export signs only what that key authored)")
    signers = [load_signing_key(k) for k in keys]
    url = api_url(api)
    base = shown_url(url)
    skipped: list[Skipped] = []
    try:
        with _Reader(url, base) as reader:
            found = reader.facility(facility)
            records = FacilityRecords(
                facility_id=found["id"],
                facility=reader.own_record(found, skipped),
                audits=tuple(reader.audits(found["id"], skipped)),
                links=tuple(reader.links(found["id"], skipped)),
            )
        signed, unsigned = sign_all(plan_exports(records), signers, created=created)
    except LedgerError as exc:
        _refuse(exc)
    skipped.extend(unsigned)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for planned, credential in signed:
        _write(out / planned.file, credential)
        written.append({"file": planned.file, "type": credential["type"][0],
                        "id": credential["id"], "record": planned.record_id,
                        "issuer": credential["issuer"]["id"]})  # fmt: skip
    summary = {
        "facility": records.facility_id,
        "untp": UNTP_VERSION,
        "api": base,
        "out": str(out),
        "written": written,
        "skipped": [s.to_dict() for s in skipped],
    }
    typer.echo(json.dumps(summary, indent=2, ensure_ascii=False))
    raise typer.Exit(0 if written else 1)


def _refuse(exc: Any) -> NoReturn:
    error = exc.to_dict()
    if hasattr(exc, "check"):  # ReceiptInvalid names the check that failed
        error["check"] = exc.check
    typer.echo(json.dumps({"error": error}, indent=2, ensure_ascii=False))
    fail(f"{exc.code}: {exc.detail}; nothing was written", code=1)


def _write(path: Path, credential: dict[str, Any]) -> None:
    text = json.dumps(credential, indent=2, ensure_ascii=False) + "\n"
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


class _Reader:
    """GETs on the API, each answer bounded, and receipts checked as they arrive."""

    def __init__(self, url: str, shown: str) -> None:
        import httpx

        self._shown = shown
        self._client = httpx.Client(base_url=url, timeout=60, follow_redirects=False)
        self._count = 0

    def __enter__(self) -> _Reader:
        return self

    def __exit__(self, *_: object) -> None:
        self._client.close()

    def _get(self, path: str) -> httpx.Response:
        import httpx

        try:
            response = self._client.get(path)
        except httpx.HTTPError as exc:
            fail(f"cannot reach {self._shown}: {type(exc).__name__}", code=1)
        if len(response.content) > MAX_RESPONSE_BYTES:
            fail(f"{path}: the answer exceeds {MAX_RESPONSE_BYTES} bytes", code=1)
        return response

    def _json(self, path: str) -> Any:
        response = self._get(path)
        if response.status_code != 200:
            http_error(response)
        try:
            return response.json()
        except ValueError:
            fail(f"{path}: the answer is not JSON", code=1)

    def facility(self, facility: str) -> dict[str, Any]:
        found = self._json(f"/v1/facilities/{quote(facility, safe='')}")
        if not isinstance(found, dict) or not isinstance(found.get("id"), str):
            fail("the facility answer has no id", code=1)
        return found

    def own_record(self, found: dict[str, Any], skipped: list[Skipped]) -> AnchoredRecord | None:
        from domain.untp import Skipped, dfr_file

        file = dfr_file(found["id"])
        if found.get("source") != "facility":
            reason = "the facility has no record of its own (it is known from audits or supply "
            skipped.append(Skipped(file, None, reason + "links): no DFR to issue"))
            return None
        return self.receipt(str(found.get("recordId")), "facility", file, skipped)

    def audits(self, facility: str, skipped: list[Skipped]) -> list[AnchoredRecord]:
        from domain.untp import dcc_file

        body = self._json(f"/v1/facilities/{quote(facility, safe='')}/audits")
        found = []
        for audit in _listed(body, "audits"):
            record_id = str(audit.get("id"))
            record = self.receipt(record_id, "audit", dcc_file(record_id), skipped)
            if record is not None:
                found.append(record)
        return found

    def links(
        self, facility: str, skipped: list[Skipped]
    ) -> list[tuple[AnchoredRecord, AnchoredRecord]]:
        from domain.untp import Skipped, dte_file

        listed: dict[str, Any] = {}
        for side in ("suppliers", "buyers"):
            body = self._json(f"/v1/facilities/{quote(facility, safe='')}/{side}")
            for link in _listed(body, "links"):
                listed[str(link.get("id"))] = link
        pairs = []
        for record_id, link in sorted(listed.items()):
            file = dte_file(record_id)
            if not link.get("confirmed"):
                skipped.append(Skipped(file, record_id, "the supply link is not confirmed by "
                                       "its supplier: no traceability event yet"))  # fmt: skip
                continue
            half = self.receipt(record_id, "supply-link", file, skipped)
            confirmation = str(link.get("confirmationId"))
            other = self.receipt(confirmation, "supply-confirm", file, skipped)
            if half is not None and other is not None:
                pairs.append((half, other))
        return pairs

    def receipt(
        self, record_id: str, kind: str, file: str, skipped: list[Skipped]
    ) -> AnchoredRecord | None:
        """The checked receipt, or None (noted in ``skipped``) while it is not anchored or
        the API withholds it. A receipt that fails its checks raises ``ReceiptInvalid``."""
        from domain.untp import Skipped, anchored_record

        if not _RECORD_ID.match(record_id):
            fail(f"the API named a malformed record id for {file}", code=1)
        self._count += 1
        if self._count > MAX_RECORDS:
            fail(f"the facility has more than {MAX_RECORDS} records to read", code=1)
        response = self._get(f"/v1/records/{record_id}/receipt")
        if response.status_code != 200:
            try:
                code = str(response.json().get("code", response.status_code))
            except (ValueError, AttributeError):
                code = str(response.status_code)
            reason = "not anchored yet" if code == "not_anchored" else f"receipt refused: {code}"
            skipped.append(Skipped(file, record_id, reason))
            return None
        try:
            body = response.json()
        except ValueError:
            fail(f"the receipt of {record_id} is not JSON", code=1)
        record = anchored_record(body, api=self._shown, kind=kind)
        if record.record_id != record_id:
            from ledger.errors import ReceiptInvalid

            raise ReceiptInvalid(f"asked for {record_id}, got {record.record_id}", check="leaf")
        return record


def _listed(body: Any, name: str) -> list[dict[str, Any]]:
    items = body.get(name) if isinstance(body, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        fail(f"the API's answer has no list of {name}", code=1)
    return items
