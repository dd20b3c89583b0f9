"""Audits: social-compliance audit attestations about facilities (schema, rule, views)."""

from .handler import AuditHandler
from .views import facility_audits

__all__ = ["AuditHandler", "facility_audits"]
