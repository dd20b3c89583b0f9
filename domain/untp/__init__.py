"""UN Transparency Protocol (UNTP) export: our anchored records as UNTP credentials.

An audit becomes a Digital Conformity Credential (:mod:`.dcc`), a facility's own record a
Digital Facility Record (:mod:`.dfr`), a confirmed supply link a Digital Traceability Event
holding an EPCIS TransactionEvent (:mod:`.dte`). Each is a pure function of the records'
receipts (:mod:`.receipts`), so anyone holding the receipts rebuilds the same credential;
:mod:`.export` decides which of them a key may sign (only what it authored) and signs them
with ``eddsa-jcs-2022`` over the JSON alone (``jsonld=False``): rdfc would need UNTP's
contexts, which are not ours to bundle, while jcs signs the bytes, so a reader who has
the contexts expands exactly what was signed. The UNTP
version is pinned in :mod:`.spec`; its contexts and schemas are not shipped here.
"""

from __future__ import annotations

from .dcc import conformity_credential
from .dfr import facility_record
from .dte import traceability_event
from .errors import NotTheAuthor
from .export import (
    FacilityRecords,
    Planned,
    Skipped,
    dcc_file,
    dfr_file,
    dte_file,
    plan_exports,
    sign_all,
    sign_planned,
)
from .receipts import AnchoredRecord, anchored_record, record_digest
from .spec import UNTP_VERSION

__all__ = [
    "UNTP_VERSION",
    "AnchoredRecord",
    "FacilityRecords",
    "NotTheAuthor",
    "Planned",
    "Skipped",
    "anchored_record",
    "conformity_credential",
    "dcc_file",
    "dfr_file",
    "dte_file",
    "facility_record",
    "plan_exports",
    "record_digest",
    "sign_all",
    "sign_planned",
    "traceability_event",
]
