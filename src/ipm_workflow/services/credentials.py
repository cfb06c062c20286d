"""What every credential check shares (API tokens, page sessions, the young person's sign-in
links and cookies): the stored form of a random secret, and the user a credential may act as."""

from __future__ import annotations

import hashlib

from ipm_workflow.domain.errors import NotFound
from ipm_workflow.domain.people import User
from ipm_workflow.services.ports import UnitOfWork


def secret_digest(secret: str) -> str:
    """A secret's SHA-256, as 64 hex digits: only this is stored, never the secret (the secrets
    are random: no salt is needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def active_user(uow: UnitOfWork, user_id: int) -> User | None:
    """The user a live credential belongs to; None once they are gone or deactivated."""
    try:
        user = uow.directory.user(user_id)
    except NotFound:
        return None
    return user if user.active else None
