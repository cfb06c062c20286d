"""Staff sign-in on the web pages: argon2 passwords and server-side sessions.

A session lives in the database (it survives restarts and is shared by every server process);
the cookie carries a random value whose SHA-256 is the session's id. Setting a password or
deactivating a user forgets their sessions; a deactivated user's session is refused anyway.
A live session is remembered a few seconds like an API token (services/memory.py): signing
out, a password set or changed, a language chosen or a deactivation forget it at once in this
process, and within those seconds in the others.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

import structlog
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ipm_workflow.domain.errors import InvalidInput, NotFound
from ipm_workflow.domain.input_errors import invalid_field
from ipm_workflow.domain.people import User
from ipm_workflow.services.credentials import active_user, secret_digest
from ipm_workflow.services.memory import Remembered
from ipm_workflow.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from ipm_workflow.services.staff_ports import SessionRecord

log = structlog.get_logger("ipm_workflow.accounts")
LANGUAGES = ("fr", "en")
MIN_PASSWORD = 10
MAX_PASSWORD = 200


@dataclass(frozen=True)
class StaffSession:
    """A signed-in user's page session; `cookie` is set only when it was just opened."""

    user: User
    record: SessionRecord
    cookie: str | None = None

    @property
    def csrf_token(self) -> str:
        """The token every form of this session must send back."""
        return self.record.csrf_token


class AccountService:
    """Passwords, language preferences and page sessions of staff users."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        lifetime: timedelta,
        remember: timedelta = timedelta(seconds=5),
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.lifetime = lifetime
        self.remember = remember
        self._known: Remembered[StaffSession] = Remembered(remember)
        self.hasher = PasswordHasher()
        self._decoy: str | None = None

    @property
    def decoy(self) -> str:
        """A hash compared against when the username is unknown: both failures cost alike."""
        # Made on first use: every container (each CLI command, each test) would pay for it.
        if self._decoy is None:
            self._decoy = self.hasher.hash(secrets.token_urlsafe(16))
        return self._decoy

    def _checked(self, password: str) -> str:
        if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
            raise InvalidInput(
                f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters",
                [{"field": "password", "message": f"at least {MIN_PASSWORD} characters"}],
            )
        return self.hasher.hash(password)

    def _verify(self, stored: str | None, password: str) -> bool:
        try:
            return self.hasher.verify(stored or self.decoy, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    def sign_in(self, username: str, password: str) -> StaffSession | None:
        """Open a session for an active user whose password matches; None otherwise."""
        with self.uow() as uow:
            try:
                user = uow.directory.user_by_name(username.strip())
                stored = uow.staff.password_hash(user.id)
            except NotFound:
                user, stored = None, None
            if not self._verify(stored, password) or user is None or not user.active:
                log.info("sign_in_refused")
                return None
            if stored is not None and self.hasher.check_needs_rehash(stored):
                uow.staff.set_password_hash(user.id, self.hasher.hash(password))
            session = self._open(uow, user)
            uow.staff.delete_sessions(user.id, before=self.clock.now())
            uow.commit()
        log.info("signed_in", user_id=user.id)
        return session

    def _open(self, uow: UnitOfWork, user: User) -> StaffSession:
        cookie = secrets.token_urlsafe(32)
        now = self.clock.now()
        record = SessionRecord(
            secret_digest(cookie), user.id, secrets.token_urlsafe(32), now, now + self.lifetime
        )
        uow.staff.add_session(record)
        return StaffSession(user, record, cookie)

    def remembered(self, cookie: str) -> StaffSession | None:
        """The session of a cookie this process found live moments ago (no database read)."""
        if not cookie or len(cookie) > 100:
            return None
        return self._known.get(secret_digest(cookie), self.clock.now())

    def session(self, cookie: str) -> StaffSession | None:
        """Return the live session of a cookie's value, or None (unknown, expired, inactive)."""
        remembered = self.remembered(cookie)
        if remembered is not None or not cookie or len(cookie) > 100:
            return remembered
        now = self.clock.now()
        with self.uow(readonly=True) as uow:
            record = uow.staff.session(secret_digest(cookie))
            if record is None or record.expires_at <= now:
                return None
            user = active_user(uow, record.user_id)
        if user is None:
            return None
        found = StaffSession(user, record)
        self._known.keep(record.id, found, now, record.expires_at)
        return found

    def forget(self, user_id: int | None = None) -> None:
        """Forget the remembered sessions of a user (of everyone by default)."""
        if user_id is None:
            self._known.forget()
        else:
            self._known.forget_where(lambda s: s.user.id == user_id)

    def sign_out(self, cookie: str) -> None:
        """End a session."""
        self._known.forget(secret_digest(cookie))
        with self.uow() as uow:
            uow.staff.delete_session(secret_digest(cookie))
            uow.commit()

    def set_password(self, username: str, password: str) -> User:
        """Set or reset a user's password (an admin's act); their sessions end."""
        hashed = self._checked(password)
        with self.uow() as uow:
            user = uow.directory.user_by_name(username)
            uow.staff.set_password_hash(user.id, hashed)
            ended = uow.staff.delete_sessions(user.id)
            uow.commit()
        self.forget(user.id)
        log.info("password_set", user_id=user.id, sessions_ended=ended)
        return user

    def change_password(self, session: StaffSession, current: str, new: str) -> bool:
        """Change one's own password; False when `current` is wrong. Other sessions end."""
        hashed = self._checked(new)
        with self.uow() as uow:
            if not self._verify(uow.staff.password_hash(session.user.id), current):
                return False
            uow.staff.set_password_hash(session.user.id, hashed)
            uow.staff.delete_sessions(session.user.id, keep=session.record.id)
            uow.commit()
        self.forget(session.user.id)
        log.info("password_changed", user_id=session.user.id)
        return True

    def ensure_password(self, username: str, password: str) -> None:
        """Set a password unless the user has one (demo accounts)."""
        with self.uow(readonly=True) as uow:
            user = uow.directory.user_by_name(username)
            present = uow.staff.password_hash(user.id) is not None
        if not present:
            self.set_password(username, password)

    def set_language(self, user_id: int, language: str) -> None:
        """Store the language a user reads the pages in."""
        if language not in LANGUAGES:
            raise invalid_field(
                f"language must be one of {', '.join(LANGUAGES)}", "language", "unknown language"
            )
        with self.uow() as uow:
            uow.staff.set_language(user_id, language)
            uow.commit()
        self.forget(user_id)  # the pages read the language from the session's user

    def reactivate(self, username: str) -> User:
        """Let a deactivated user sign in again (deactivation is StaffService.deactivate's).

        Raises NotFound for an unknown username.
        """
        with self.uow() as uow:
            user = uow.directory.user_by_name(username)
            uow.staff.reactivate(user.id)
            uow.commit()
        log.info("user_reactivated", user_id=user.id)
        return user

    def users(self) -> list[tuple[User, bool]]:
        """Every user, with whether a password is set."""
        with self.uow(readonly=True) as uow:
            return uow.staff.users()
