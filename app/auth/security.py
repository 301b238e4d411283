"""Passwords (argon2), access tokens (short-lived JWTs) and the login throttle."""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
import threading
import time
from collections import deque
from dataclasses import dataclass

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.db import utcnow

ALGORITHM = "HS256"
TOKEN_MINUTES = 30

_hasher = PasswordHasher()
# Verified against when the account does not exist, so a login takes as long either way.
_DUMMY_HASH = _hasher.hash("no-such-account-placeholder")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not there is an account behind ``password_hash``."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    role: str


def create_access_token(user_id: int, role: str, secret: str, minutes: int = TOKEN_MINUTES) -> str:
    now = utcnow()
    claims = {
        "sub": str(user_id),
        "role": role,
        "iat": now,
        "exp": now + dt.timedelta(minutes=minutes),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_access_token(token: str, secret: str) -> TokenClaims | None:
    """The claims of a valid, unexpired token; None for anything else."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]}
        )
    except jwt.PyJWTError:
        return None
    sub, role = claims.get("sub"), claims.get("role")
    # Only what we sign: a decimal id that fits the column, and a role. Anything else (a list,
    # "1e5", an id past 2**31) is a token we did not issue.
    if not (isinstance(sub, str) and sub.isascii() and sub.isdigit() and len(sub) <= 10):
        return None
    user_id = int(sub)
    if not 0 < user_id < 2**31 or not isinstance(role, str):
        return None
    return TokenClaims(user_id=user_id, role=role)


class LoginThrottle:
    """Slows password guessing without letting anyone lock a real user out.

    Failures are counted per (account, address) pair and per address, never per account alone:
    guesses from elsewhere cannot stop the owner signing in from their own address. A pair may
    fail ``pair_limit`` times in ``window`` seconds; after that each further attempt waits twice
    as long as the one before (2, 4, 8 … s, at most ``window``). An address may fail
    ``address_limit`` times in the window whatever the accounts it tries (a spray of guesses),
    then waits the same growing way. A successful sign-in clears its pair.

    The counts are process-local: with several workers each keeps its own, so the effective
    limits multiply by the number of processes (docs/operations.md says where they live at scale).
    """

    def __init__(self, pair_limit: int = 5, address_limit: int = 50, window: float = 900.0) -> None:
        self.pair_limit = pair_limit
        self.address_limit = address_limit
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def keys(account: str, address: str) -> tuple[str, str]:
        where = _network_of(address)
        return f"pair:{account.strip().lower()}|{where}", f"address:{where}"

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and now - failures[0] >= self.window:
            failures.popleft()
        if not failures:
            del self._failures[key]  # no memory held for keys that went quiet
            return deque()
        return failures

    def _wait(self, failures: deque[float], limit: int, now: float) -> float:
        excess = len(failures) - limit
        if excess < 0:
            return 0.0
        delay = min(2.0 ** (excess + 1), self.window)
        return max(0.0, failures[-1] + delay - now)

    def begin(self, account: str, address: str) -> tuple[int, float]:
        """(seconds to wait, 0) when this attempt must wait; else (0, stamp): the attempt is
        counted as a failure at once — so parallel attempts cannot all pass the check before
        any failure is recorded — until ``succeeded`` takes it back."""
        now = time.monotonic()
        pair, addr = self.keys(account, address)
        with self._lock:
            wait = max(
                self._wait(self._recent(pair, now), self.pair_limit, now),
                self._wait(self._recent(addr, now), self.address_limit, now),
            )
            if wait > 0:
                return math.ceil(wait), 0.0
            for key in (pair, addr):
                self._failures.setdefault(key, deque()).append(now)
        return 0, now

    def succeeded(self, account: str, address: str, stamp: float) -> None:
        """The attempt begun at ``stamp`` signed in: its pair is cleared and the address no
        longer counts it."""
        pair, addr = self.keys(account, address)
        with self._lock:
            self._failures.pop(pair, None)
            failures = self._failures.get(addr)
            if failures is not None and stamp in failures:
                failures.remove(stamp)


def _network_of(address: str) -> str:
    """The unit an address is counted by: the address itself for IPv4, its /64 for IPv6 (one
    subscriber usually holds a whole /64 and could otherwise rotate through it)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
