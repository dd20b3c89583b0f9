from __future__ import annotations

from collections.abc import Iterator

import pytest

from domain.untp import AnchoredRecord, FacilityRecords, anchored_record
from tests.domain.untp.world import World, untp_world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with untp_world(tmp_path_factory.mktemp("untp")) as built:
        yield built


def record(world: World, name: str, kind: str) -> AnchoredRecord:
    return anchored_record(world.receipt(world.ids[name]), api=world.api, kind=kind)


@pytest.fixture(scope="module")
def records(world: World) -> FacilityRecords:
    """The facility's records as the CLI reads them (its confirmed link only)."""
    return FacilityRecords(
        facility_id="fac-my-penang-pcb-03",
        facility=record(world, "facility", "facility"),
        audits=tuple(record(world, name, "audit") for name in ("audit", "other_audit",
                                                               "plain_audit")),
        links=((record(world, "link", "supply-link"),
                record(world, "confirmation", "supply-confirm")),),
    )  # fmt: skip
