"""Settings for Ketao, read from the environment (prefix ``KETAO_``)."""

from __future__ import annotations

import enum
import math
from collections import Counter
from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER_SECRET = "change-me-local-development-only-never-in-production"  # noqa: S105 - refused in production


# Documented defaults of the matching weights (docs/matching.md).
MATCH_WEIGHTS = {
    "text": 0.40,
    "industry": 0.20,
    "maturity": 0.15,
    "mode": 0.10,
    "budget": 0.05,
    "location": 0.10,
}
CITY_MATCH_WEIGHTS = {"industry": 0.50, "needs": 0.20, "platforms": 0.15, "location": 0.15}
# A project for a roadshow: its theme (text, industries) first, then the host city's profile,
# the open needs there, its platforms, and whether the project is at home there.
ROADSHOW_MATCH_WEIGHTS = {
    "text": 0.35,
    "industry": 0.25,
    "profile": 0.15,
    "needs": 0.15,
    "platforms": 0.05,
    "location": 0.05,
}


class Environment(enum.StrEnum):
    development = "development"
    test = "test"
    production = "production"


class Settings(BaseSettings):
    """Every setting Ketao reads; docs/operations.md has a table of them."""

    model_config = SettingsConfigDict(env_prefix="KETAO_", env_file=".env", extra="ignore")

    environment: Environment = Environment.development
    data_dir: Path = Field(default=REPO_ROOT / "var")
    database_url: str | None = None
    seed_dir: Path = Field(default=REPO_ROOT / "seed")
    meili_url: str | None = None
    meili_key: str | None = None
    meili_index_prefix: str = "ketao_"
    secret_key: str = PLACEHOLDER_SECRET
    log_level: str = "info"
    # The address people reach Ketao at: links and iCalendar UIDs are built from it, never from
    # the request's Host header. Empty in development: http://127.0.0.1:8000.
    public_url: str = "http://127.0.0.1:8000"
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (comma-separated addresses
    # or networks). None by default: the client address is the socket's.
    trusted_proxies: str = ""
    # OpenAPI UI (/docs, /redoc) in production only when asked for.
    public_docs: bool = False
    # Request bodies: JSON bodies up to this many bytes, imports up to the import limit (413).
    max_body_bytes: int = 1_000_000
    max_import_bytes: int = 200_000_000
    # Matching weights (components in [0, 1]; a weighted mean of those the need speaks to).
    match_weights: dict[str, float] = Field(default_factory=lambda: dict(MATCH_WEIGHTS))
    city_match_weights: dict[str, float] = Field(default_factory=lambda: dict(CITY_MATCH_WEIGHTS))
    roadshow_match_weights: dict[str, float] = Field(
        default_factory=lambda: dict(ROADSHOW_MATCH_WEIGHTS)
    )

    @model_validator(mode="after")
    def _refuse_placeholder_secret_in_production(self) -> Settings:
        if self.environment is Environment.production:
            if self.secret_key == PLACEHOLDER_SECRET or secret_strength_bits(self.secret_key) < 128:
                raise ValueError(
                    "KETAO_SECRET_KEY must be a random secret in production (at least 128 bits: "
                    "e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
                )
            if not (self.database_url or "").strip():
                raise ValueError("KETAO_DATABASE_URL must be set in production")
            if not self.public_url.startswith("https://"):
                raise ValueError("KETAO_PUBLIC_URL must be the https:// address of the site")
        self.public_url = self.public_url.rstrip("/")
        return self

    @property
    def production(self) -> bool:
        return self.environment is Environment.production

    @property
    def effective_database_url(self) -> str:
        """The configured URL, or the embedded default: SQLite under the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'ketao.db'}"


def secret_strength_bits(secret: str) -> float:
    """A cautious estimate of a secret's entropy: its length times the Shannon entropy of its
    characters, capped by the size of the alphabet it draws from. 32 × "a" is 0 bits, a
    ``secrets.token_urlsafe(32)`` about 180."""
    if not secret:
        return 0.0
    counts = Counter(secret)
    n = len(secret)
    per_char = -sum(c / n * math.log2(c / n) for c in counts.values())
    return n * min(per_char, math.log2(len(counts)) if len(counts) > 1 else 0.0)


@lru_cache
def get_settings() -> Settings:
    return Settings()
