"""API tokens: random, shown once, stored as hashes, expiring and revocable."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

import structlog

from ipm_workflow.domain.people import User
from ipm_workflow.services.credentials import active_user, secret_digest
from ipm_workflow.services.memory import Remembered
from ipm_workflow.services.ports import Clock, TokenRecord, UnitOfWorkFactory

log = structlog.get_logger("ipm_workflow.auth")
TOKEN_PREFIX = "ipm_"  # noqa: S105 - a public prefix that tells our tokens apart, not a secret


@dataclass(frozen=True)
class IssuedToken:
    """A token just created: the only time its clear value exists."""

    token: str
    record: TokenRecord


class TokenService:
    """Issues, checks and revokes API tokens."""

    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, remember: timedelta = timedelta(seconds=5)
    ) -> None:
        self.uow = uow
        self.clock = clock
        # Every request authenticates: a valid token is remembered for a few seconds, so a
        # revocation made by another server process takes effect within that delay (at once
        # in this one).
        self.remember = remember
        self._known: Remembered[User] = Remembered(remember)

    def issue(self, username: str, days: int = 90, label: str = "") -> IssuedToken:
        """Create a token for a user, valid for some days."""
        if days < 1:
            raise ValueError("a token lives at least one day")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = self.clock.now()
        with self.uow() as uow:
            user = uow.directory.user_by_name(username)
            record = uow.tokens.add(
                user.id, secret_digest(token), label, now, now + timedelta(days=days)
            )
            uow.commit()
        log.info("token_issued", user_id=user.id, token_id=record.id)
        return IssuedToken(token, record)

    def remembered(self, token: str) -> User | None:
        """The user of a token this process found valid moments ago (no database read), or None."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        return self._known.get(secret_digest(token), self.clock.now())

    def authenticate(self, token: str) -> User | None:
        """Return the active user a valid token belongs to, or None."""
        remembered = self.remembered(token)
        if remembered is not None or not token.startswith(TOKEN_PREFIX):
            return remembered
        digest = secret_digest(token)
        now = self.clock.now()
        with self.uow(readonly=True) as uow:
            record = uow.tokens.by_hash(digest)
            if record is None or record.revoked_at is not None or record.expires_at <= now:
                return None
            user = active_user(uow, record.user_id)
        if user is None:
            return None
        self._known.keep(digest, user, now, record.expires_at)
        return user

    def tokens_of(self, username: str) -> tuple[User, list[TokenRecord]]:
        """Return a user's tokens (without their values)."""
        with self.uow(readonly=True) as uow:
            user = uow.directory.user_by_name(username)
            return user, uow.tokens.for_user(user.id)

    def forget(self) -> None:
        """Drop the remembered tokens: a revocation or deactivation takes effect at once."""
        self._known.forget()

    def revoke(self, token_id: int) -> bool:
        """Revoke a token by id."""
        with self.uow() as uow:
            done = uow.tokens.revoke(token_id, self.clock.now())
            uow.commit()
        self._known.forget()
        log.info("token_revoked", token_id=token_id, revoked=done)
        return done
