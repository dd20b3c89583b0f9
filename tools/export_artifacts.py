"""Export the compiled contracts from Ape's build into ledger/chain/artifacts/<Name>.json.

Run after ``ape compile`` (``make artifacts`` does both)::

    python tools/export_artifacts.py [--project DIR] [--out DIR]

Each artifact is ``{"contractName", "abi", "bytecode", "deployedBytecode", "compiler",
"sourceId", "sourceSha256"}``, read from ``<project>/.build/__local__.json``. The export refuses
a build whose sources differ from the files on disk, so a committed artifact always matches its
committed source; tests/contracts/test_artifacts.py recompiles and compares.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = ("AttesterRegistry", "ProvenanceAnchor", "CredentialStatus", "PerRecordAttestation")
COMPILER = "solc 0.8.28"


class ExportError(Exception):
    """The build is missing, stale, or not what the artifacts promise."""


def _compiler_of(manifest: dict[str, Any], name: str) -> str:
    for compiler in manifest.get("compilers", []):
        if name in compiler.get("contractTypes", []):
            return f"solc {compiler['version'].split('+')[0]}"
    raise ExportError(f"the build names no compiler for {name}")


def build_artifacts(project: Path) -> dict[str, dict[str, Any]]:
    """The artifact of each contract in CONTRACTS, from the project's Ape build.

    Raises:
        ExportError: no build, a contract missing, a source changed since the build, or a
            compiler other than COMPILER.
    """
    build = project / ".build" / "__local__.json"
    if not build.is_file():
        raise ExportError(f"{build} not found: run `ape compile` first")
    manifest = json.loads(build.read_text(encoding="utf-8"))
    artifacts = {}
    for name in CONTRACTS:
        contract = manifest.get("contractTypes", {}).get(name)
        if contract is None:
            raise ExportError(f"{name} is not in {build}: run `ape compile --force`")
        source_id = contract["sourceId"]
        source = (project / source_id).read_text(encoding="utf-8")
        if manifest["sources"][source_id].get("content") != source:
            raise ExportError(f"{source_id} changed since the build: run `ape compile --force`")
        if (compiler := _compiler_of(manifest, name)) != COMPILER:
            raise ExportError(f"{name} was compiled with {compiler}, not {COMPILER}")
        artifacts[name] = {
            "contractName": name,
            "abi": contract["abi"],
            "bytecode": contract["deploymentBytecode"]["bytecode"],
            "deployedBytecode": contract["runtimeBytecode"]["bytecode"],
            "compiler": compiler,
            "sourceId": source_id,
            "sourceSha256": hashlib.sha256(source.encode("utf-8")).hexdigest(),
        }
    return artifacts


def write_artifacts(artifacts: dict[str, dict[str, Any]], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, artifact in artifacts.items():
        path = out / f"{name}.json"
        path.write_text(json.dumps(artifact, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, default=ROOT, help="the Ape project (default: .)")
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "ledger" / "chain" / "artifacts",
        help="where the JSON files go (default: ledger/chain/artifacts)",
    )
    args = parser.parse_args(argv)
    try:
        artifacts = build_artifacts(args.project)
    except ExportError as exc:
        print(f"export_artifacts: {exc}", file=sys.stderr)
        return 1
    for path in write_artifacts(artifacts, args.out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
