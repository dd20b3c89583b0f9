"""Errors of the UNTP export.

Forbidden                           (ledger.errors)
└── NotTheAuthor           not_the_author    (.record, .signer) a key asked to sign a
                                              credential about a record it did not sign

A receipt that does not commit to its record is ``ReceiptInvalid`` (``receipt_invalid``,
``.check``) from :mod:`ledger.errors`.
"""

from __future__ import annotations

from ledger.errors import Forbidden

__all__ = ["NotTheAuthor"]


class NotTheAuthor(Forbidden):
    code = "not_the_author"
    title = "Not the record's author"
