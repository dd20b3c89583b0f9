"""The demo supply chain ``ledger serve --demo`` seeds into an empty database."""

from .seed import DEMO_FACILITIES, seed_demo

__all__ = ["DEMO_FACILITIES", "seed_demo"]
