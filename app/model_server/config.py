"""Settings, read from the environment in one place."""
from dataclasses import dataclass
from pathlib import Path

# The committed model (app/models/california-housing); the image keeps the same layout.
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "california-housing"


@dataclass(frozen=True)
class Settings:
    port: int = 8000
    host: str = "0.0.0.0"
    model_dir: Path = DEFAULT_MODEL_DIR
    model_name: str = "california-housing"
    max_batch_rows: int = 10_000
    max_body_bytes: int = 4 * 1024 * 1024
    # After a 413 for an oversized body, discard the rest for at most this long and this much
    # before closing, so the client can read the 413 (middleware.py explains why).
    linger_seconds: float = 10.0
    linger_max_bytes: int = 64 * 1024 * 1024
    graceful_timeout_seconds: float = 20.0
    model_load_delay_seconds: float = 0.0
    log_level: str = "info"

    @classmethod
    def from_env(cls, environ):
        """Build settings from environment variables; raise ValueError naming every bad one."""
        values, errors = {}, []

        def read(name, field, convert, valid, rule):
            raw = environ.get(name)
            if raw is None or raw == "":
                return
            try:
                value = convert(raw)
            except ValueError:
                value = None
            if value is None or not valid(value):
                errors.append(f"{name}={raw!r}: must be {rule}")
            else:
                values[field] = value

        read("PORT", "port", int, lambda v: 1 <= v <= 65535, "an integer port 1-65535")
        read("HOST", "host", str, bool, "an address to listen on")
        read("MODEL_DIR", "model_dir", Path, lambda v: True, "a directory")
        read("MODEL_NAME", "model_name", str.strip, lambda v: v and "/" not in v, "a name without '/'")
        read("MAX_BATCH_ROWS", "max_batch_rows", int, lambda v: v >= 1, "an integer ≥ 1")
        read("MAX_BODY_BYTES", "max_body_bytes", int, lambda v: v >= 1024, "an integer ≥ 1024")
        read("LINGER_SECONDS", "linger_seconds", float, lambda v: 0 <= v <= 300, "seconds between 0 and 300")
        read("LINGER_MAX_BYTES", "linger_max_bytes", int, lambda v: v >= 0, "an integer ≥ 0")
        read("GRACEFUL_TIMEOUT_SECONDS", "graceful_timeout_seconds", float, lambda v: 0 < v < 3600,
             "seconds between 0 and 3600")
        read("MODEL_LOAD_DELAY_SECONDS", "model_load_delay_seconds", float, lambda v: 0 <= v <= 600,
             "seconds between 0 and 600")
        read("LOG_LEVEL", "log_level", str.lower, lambda v: v in ("debug", "info", "warning", "error"),
             "debug, info, warning or error")
        if errors:
            raise ValueError("invalid environment: " + "; ".join(errors))
        return cls(**values)
