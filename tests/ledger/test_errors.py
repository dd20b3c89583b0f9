"""The error tree: stable codes, data as attributes, and errors that survive pickling."""

from __future__ import annotations

import pickle

import pytest

from ledger import errors as e


@pytest.mark.parametrize(
    "error",
    [e.SchemaViolation("x", field="payload.a"), e.ReceiptInvalid("bad", check="proof"),
     e.ContractRevert("r", error_name="E", args=(b"\x01", 2)), e.NonceReplayed("again"),
     e.AdminKeyMissing("the registry admin is the Safe at 0x..", admin="0x" + "ab" * 20),
     e.RateLimited("slow down", retry_after=3, limit="1 per 1 minute"),
     e.RpcRequestError("no", rpc_code=-32602), e.UnsupportedMediaType("x", media_type="text/plain"),
     e.FeeAboveCap("wait", fee_wei=51 * 10**9, cap_wei=5 * 10**9)],
)  # fmt: skip
def test_errors_survive_pickling_with_their_data(error: e.LedgerError) -> None:
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error) and again.to_dict() == error.to_dict()


def test_codes_are_unique() -> None:
    classes = [c for c in vars(e).values() if isinstance(c, type) and issubclass(c, e.LedgerError)]
    codes = [c.code for c in classes]
    assert len(codes) == len(set(codes))
