"""The committed artifacts in ledger/chain/artifacts are what the committed sources compile to.

Plain pytest (no Ape plugin): copies the Ape project to a temporary folder, runs
``ape compile --force`` there with a fresh Ape data folder, exports with
tools/export_artifacts.py and compares every field, bytecode included. Source ids are paths
relative to the project, so the metadata hash in the bytecode does not depend on where the
project sits.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "ledger" / "chain" / "artifacts"


def _load_exporter() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "export_artifacts", REPO / "tools" / "export_artifacts.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


exporter = _load_exporter()


def _ape_environment(data_folder: Path) -> dict[str, str]:
    solcx = Path(os.environ.get("SOLCX_BINARY_PATH") or REPO / ".venv" / "solcx")
    if not (solcx / "solc-v0.8.28").exists():
        # Without the shim py-solc-x would try to download a compiler.
        pytest.fail(f"no solc shim in {solcx}: run tools/setup.sh", pytrace=False)
    bins = [str(Path(sys.executable).parent), str(REPO / "node_modules" / ".bin")]
    return {
        **os.environ,
        "PATH": os.pathsep.join([*bins, os.environ.get("PATH", "")]),
        "SOLCX_BINARY_PATH": str(solcx),
        "APE_DATA_FOLDER": str(data_folder),
    }


@pytest.fixture(scope="module")
def fresh_artifacts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    base = tmp_path_factory.mktemp("recompile")
    project = base / "project"
    shutil.copytree(
        REPO / "contracts", project / "contracts", ignore=shutil.ignore_patterns(".cache")
    )
    for name in ("ape-config.yaml", "package.json"):
        shutil.copy2(REPO / name, project / name)
    (project / "node_modules").symlink_to(REPO / "node_modules", target_is_directory=True)

    result = subprocess.run(
        [str(Path(sys.executable).parent / "ape"), "compile", "--force"],
        cwd=project,
        env=_ape_environment(base / "ape-data"),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"ape compile failed:\n{result.stdout}\n{result.stderr}"
    artifacts: dict[str, dict[str, object]] = exporter.build_artifacts(project)
    return artifacts


def test_every_contract_has_a_committed_artifact():
    committed = sorted(path.stem for path in ARTIFACTS.glob("*.json"))

    assert committed == sorted(exporter.CONTRACTS)


@pytest.mark.parametrize("name", exporter.CONTRACTS)
def test_committed_artifact_matches_fresh_compile(fresh_artifacts, name):
    committed = json.loads((ARTIFACTS / f"{name}.json").read_text(encoding="utf-8"))
    fresh = fresh_artifacts[name]

    assert committed["compiler"] == "solc 0.8.28"
    assert committed["sourceId"] == fresh["sourceId"]
    assert committed["sourceSha256"] == fresh["sourceSha256"], "source changed: make artifacts"
    assert committed["abi"] == fresh["abi"]
    assert committed["bytecode"] == fresh["bytecode"]
    assert committed["deployedBytecode"] == fresh["deployedBytecode"]
    assert committed == fresh
