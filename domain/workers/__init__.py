"""Workers: identity credentials, their status, possession check-ins and coercion flags."""

from .handlers import CheckinHandler, CredentialHandler, CredentialStatusHandler
from .service import WorkerCredentials
from .status_lists import StatusListHandler

__all__ = [
    "CheckinHandler",
    "CredentialHandler",
    "CredentialStatusHandler",
    "StatusListHandler",
    "WorkerCredentials",
]
