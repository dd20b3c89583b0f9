"""Typed settings from the environment (``LEDGER_*``, and ``DATABASE_URL``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from limits import parse_many
from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEDGER_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///var/ledger.db",
        validation_alias=AliasChoices("DATABASE_URL", "LEDGER_DATABASE_URL"),
    )
    rpc_url: str | None = None  # None: the embedded in-process EVM
    anchor_key: SecretStr | None = None  # hex private key of the anchoring account
    anchor_keyfile: Path | None = None  # or an Ethereum keystore (v3) file ...
    anchor_passphrase: SecretStr | None = None  # ... and its passphrase
    # The registry admin's key, if this server makes registry changes itself (default on a dev
    # chain: its second dev account); in production the admin is a Safe and this stays unset.
    admin_key: SecretStr | None = None
    admin_address: str | None = None  # the registry admin named when deploying (e.g. a Safe)
    deployment_file: Path | None = None  # bind to this existing deployment, don't deploy
    admin_token: SecretStr | None = None  # bearer token for /v1/admin
    admin_dids: list[str] = []  # did:keys whose signed requests may use /v1/admin
    max_body_bytes: int = 2_000_000  # one envelope
    # POST /credentials/verify: one credential; canonicalizing it costs per proof (at most 8).
    max_vc_body_bytes: int = 256_000
    # 1,000 audits like examples/audit.json are 2.8 MB of JSON: over twice that fits. Parsing
    # costs up to ~31x the body in memory (bench/body_memory.py): ~180 MB at this limit.
    max_batch_body_bytes: int = 6_000_000
    # A payroll run comes in one request (it is admitted all or none): 10,000 lines of
    # ~1.1 KB each, with margin.
    max_payroll_body_bytes: int = 16_000_000
    max_concurrent_batches: int = Field(default=2, ge=1)  # more wait, their bodies unread
    batch_max_records: int = 1024
    batch_max_wait_seconds: float = 10.0
    # Blocks an anchor needs before its receipt is issued; unset: 1 on the embedded EVM and
    # devnets (chain 31337, 1337), 12 on any other chain (ledger.anchoring).
    confirmations: int | None = Field(default=None, ge=1)
    reorg_window_blocks: int = Field(default=64, ge=1)  # receipts are re-checked this long
    # EIP-1559 cap on the anchoring account's maxFeePerGas, in gwei; above it batches wait.
    max_fee_gwei: float | None = Field(default=None, gt=0)
    lease_ttl_seconds: float = 15.0  # a crashed worker's successor waits at most this long
    worker: bool = True  # run the anchoring worker inside the API process
    worker_interval_seconds: float = 1.0
    # Concurrent single writes share one durable commit; the wait for company is bounded.
    group_commit_ms: float = Field(default=2.0, ge=0, le=50)
    # Groups in flight at once per API process, each its own transaction (PostgreSQL only).
    group_commit_leaders: int = Field(default=1, ge=1, le=16)
    # Freeze the start-up heap and collect garbage less often (api/gc_tuning.py). Off in
    # test processes that build many apps: frozen cycles are never freed.
    gc_tuning: bool = True
    max_future_skew_seconds: float = 300.0
    max_age_seconds: float = 7 * 24 * 3600.0
    # Per client IP and API process, as `limits` rate strings ("" = no limit); see
    # api/ratelimit.py. Generous for people and our own tools, not for a flood.
    rate_writes: str = "6000/minute"  # POST/PUT/PATCH/DELETE under /v1
    rate_rpc: str = "600/minute"  # JSON-RPC calls on /rpc (a batch of n counts n)
    rate_challenges: str = "120/minute"  # GET /v1/presentations/challenge (each is a row)
    rate_verifications: str = "1200/minute"  # POST /credentials/verify (CPU: canonicalizing)
    log_format: Literal["text", "json"] = "text"  # json: one object a line, with request_id
    # /metrics: aggregates only (no did, no path, no id), yet operational detail (backlog,
    # lease holder, error rates) a stranger need not see. Off, or behind a bearer token that
    # Prometheus sends (`authorization` in its scrape config), or kept off the public side
    # of the proxy: the README's "Operations" says how.
    # This server's public host (and port), the host part of the did:web identifiers it
    # publishes at /orgs/<slug>/did.json: did:web:<host>:orgs:<slug>, a port encoded as %3A.
    # Never taken from a request's Host header (a client could name any host). The default
    # suits `ledger serve --demo` on its default address; set the real name in production.
    public_host: str = "127.0.0.1:8000"
    metrics_enabled: bool = True
    metrics_token: SecretStr | None = None

    @field_validator("rate_writes", "rate_rpc", "rate_challenges", "rate_verifications")
    @classmethod
    def _rate(cls, value: str) -> str:
        if value.strip():
            parse_many(value)  # ValueError names the string it cannot read
        return value

    @field_validator("public_host")
    @classmethod
    def _public_host(cls, value: str) -> str:
        from credentials.didweb import did_web
        from ledger.errors import LedgerError

        try:
            did_web(value)
        except LedgerError as exc:
            raise ValueError(f"LEDGER_PUBLIC_HOST {value!r}: {exc.detail}") from exc
        return value

    def secret_values(self) -> list[str]:
        """Every secret these settings hold, for the logs to mask wherever one would appear."""
        held = (self.admin_token, self.anchor_key, self.anchor_passphrase, self.admin_key,
                self.metrics_token)  # fmt: skip
        return [s.get_secret_value() for s in held if s is not None]

    def anchor_private_key(self) -> str | None:
        """The anchoring key, from LEDGER_ANCHOR_KEY or the encrypted keystore file."""
        if self.anchor_key is not None:
            return self.anchor_key.get_secret_value()
        if self.anchor_keyfile is None:
            return None
        from eth_account import Account

        passphrase = self.anchor_passphrase.get_secret_value() if self.anchor_passphrase else ""
        keystore = self.anchor_keyfile.read_text(encoding="utf-8")
        return "0x" + bytes(Account.decrypt(keystore, passphrase)).hex()
