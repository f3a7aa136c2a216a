"""Who may train and upload: everyone, the presenter only or no one, and the per-session limits (no Streamlit).

The start setting comes from the environment (AE_LAB_ALLOW, AE_LAB_PRESENTER_KEY, AE_LAB_MAX_*); the presenter's
run-time choice is kept in the shared user data folder, so every app process behind one proxy (and every machine
sharing the folder) follows it. A run-time choice holds until the deployment is restarted with a different
AE_LAB_ALLOW, which then wins.
"""
from __future__ import annotations

import hmac
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from ae_core.files import read_json, write_json
from ae_core.paths import user_data_dir

ALLOW_ENV = "AE_LAB_ALLOW"
KEY_ENV = "AE_LAB_PRESENTER_KEY"
MAX_UPLOADS_ENV = "AE_LAB_MAX_UPLOADS"
MAX_UPLOAD_MB_ENV = "AE_LAB_MAX_UPLOAD_MB"
MAX_TRAIN_SIZE_ENV = "AE_LAB_MAX_TRAIN_SIZE"
MB = 2**20


class Allow(str, Enum):
    """Who may train and upload; equal to its string value (what AE_LAB_ALLOW and the shared file hold)."""

    EVERYONE = "everyone"
    PRESENTER = "presenter"
    NOBODY = "nobody"


ALLOW_LABELS = {Allow.EVERYONE: "Everyone", Allow.PRESENTER: "Presenter only", Allow.NOBODY: "No one"}


@dataclass(frozen=True)
class Limits:
    """Per-session limits for everyone but the presenter; 0 means no limit."""

    max_uploads: int = 10  # model files sent for checking per browser session
    max_upload_bytes: int = 100 * MB  # their total size
    max_train_size: int = 1_200_000  # epochs x training digits of one training (20 epochs over all 60,000)


@dataclass(frozen=True)
class Settings:
    """The start setting, from the environment; `problems` names each variable that was unusable."""

    allow: Allow = Allow.EVERYONE
    presenter_key: str = field(default="", repr=False)  # never in a log or on a page
    limits: Limits = field(default_factory=Limits)
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    """Whether something is allowed, and if not, why (a sentence for the page)."""

    ok: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.ok


ALLOWED = Decision(True)


@dataclass(frozen=True)
class UploadUsage:
    """What one session has sent for checking so far."""

    count: int = 0
    bytes: int = 0

    def add(self, size: int) -> UploadUsage:
        """The usage after one more file of `size` bytes."""
        return UploadUsage(self.count + 1, self.bytes + int(size))


def _limit(env: Mapping[str, str], name: str, default: int, scale: int, problems: list[str]) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
        if not value >= 0 or value == float("inf"):
            raise ValueError
    except ValueError:
        problems.append(f"{name}={text!r} is not a number >= 0 (0 means no limit); using {default // scale:,}")
        return default
    return int(value * scale)


def settings_from_env(env: Mapping[str, str] | None = None) -> Settings:
    """The start setting from `env` (default os.environ); an unusable AE_LAB_ALLOW falls back to presenter only."""
    env = os.environ if env is None else env
    problems: list[str] = []
    text = env.get(ALLOW_ENV, "").strip().lower()
    try:
        allow = Allow(text) if text else Allow.EVERYONE
    except ValueError:
        # fail closed: a typo in the setting must not open training to the whole room
        allow = Allow.PRESENTER
        problems.append(f"{ALLOW_ENV}={text!r} is not one of {', '.join(a.value for a in Allow)}; using presenter")
    d = Limits()
    limits = Limits(
        max_uploads=_limit(env, MAX_UPLOADS_ENV, d.max_uploads, 1, problems),
        max_upload_bytes=_limit(env, MAX_UPLOAD_MB_ENV, d.max_upload_bytes, MB, problems),
        max_train_size=_limit(env, MAX_TRAIN_SIZE_ENV, d.max_train_size, 1, problems),
    )
    return Settings(allow, env.get(KEY_ENV, ""), limits, tuple(problems))


def key_matches(given: str | None, settings: Settings) -> bool:
    """Whether `given` is the presenter key (constant-time compare; never true when no key was set)."""
    if not settings.presenter_key or not given:
        return False
    return hmac.compare_digest(str(given).encode(), settings.presenter_key.encode())


# ------------------------------------------------------------------------------------- the shared choice
def choice_path() -> Path:
    """The file holding the presenter's run-time choice (in the shared user data folder)."""
    return user_data_dir() / "access.json"


def current_allow(settings: Settings) -> Allow:
    """Who may train and upload now: the presenter's run-time choice if made under this start setting, else it."""
    saved = read_json(choice_path())
    if saved.get("over") != settings.allow.value:
        return settings.allow
    try:
        return Allow(saved.get("allow"))
    except ValueError:
        return settings.allow


def set_allow(allow: Allow | str, settings: Settings) -> Allow:
    """Record the presenter's choice for every app process sharing the user data folder; the choice."""
    allow = Allow(allow)
    write_json(choice_path(), {"allow": allow.value, "over": settings.allow.value, "changed": time.time()})
    return allow


# ------------------------------------------------------------------------------------------ decisions
def _gate(what: str, allow: Allow, presenter: bool, settings: Settings) -> Decision:
    if allow is Allow.EVERYONE:
        return ALLOWED
    if allow is Allow.NOBODY:
        hint = " You can change that under Presenter controls in the sidebar." if presenter else ""
        return Decision(False, f"{what} is turned off for everyone in this session.{hint}")
    if presenter:
        return ALLOWED
    if not settings.presenter_key:
        return Decision(False, f"{what} is reserved for the presenter, and no presenter key was set when the "
                               f"app was started ({KEY_ENV}), so no one can at the moment.")
    return Decision(False, f"{what} is reserved for the presenter in this session.")


def may_train(allow: Allow, presenter: bool, settings: Settings) -> Decision:
    """Whether this session may start (and stop) trainings."""
    return _gate("Training", allow, presenter, settings)


def may_upload(allow: Allow, presenter: bool, settings: Settings) -> Decision:
    """Whether this session may upload models."""
    return _gate("Uploading models", allow, presenter, settings)


def may_delete(allow: Allow, presenter: bool, settings: Settings) -> Decision:
    """Whether this session may delete saved models (the same people who may upload)."""
    return _gate("Deleting saved models", allow, presenter, settings)


def upload_decision(allow: Allow, presenter: bool, settings: Settings, used: UploadUsage, size: int) -> Decision:
    """Whether one more file of `size` bytes may be sent for checking, after `used` (the presenter has no limits)."""
    gate = may_upload(allow, presenter, settings)
    if not gate or presenter:
        return gate
    lim = settings.limits
    if lim.max_uploads and used.count >= lim.max_uploads:
        return Decision(False, f"You have uploaded {used.count} model file{'s' if used.count != 1 else ''} in this "
                               f"session; the limit is {lim.max_uploads} per visitor.")
    if lim.max_upload_bytes and used.bytes + size > lim.max_upload_bytes:
        so_far = f" (with the {size_text(used.bytes)} you have uploaded)" if used.bytes else ""
        return Decision(False, f"This file is {size_text(size)}{so_far}; uploads are limited to "
                               f"{size_text(lim.max_upload_bytes)} per visitor in this session.")
    return ALLOWED


def size_text(n: int) -> str:
    """A byte count for people: '1.5 MB', '12 KB'."""
    if n >= MB // 10:
        return f"{n / MB:.1f}".removesuffix(".0") + " MB"
    return f"{max(1, round(n / 1024)) if n else 0} KB"


def upload_limits_text(limits: Limits) -> str:
    """The per-visitor upload limits in words ('' when there are none)."""
    bits = [f"{limits.max_uploads} file{'s' if limits.max_uploads != 1 else ''}" if limits.max_uploads else "",
            f"{size_text(limits.max_upload_bytes)} in all" if limits.max_upload_bytes else ""]
    bits = [b for b in bits if b]
    return f"Up to {' and '.join(bits)} per visitor in this session." if bits else ""


def training_size(epochs: int, train_images: int) -> int:
    """The size of a training as the limit counts it: epochs x training digits."""
    return int(epochs) * int(train_images)


def training_decision(allow: Allow, presenter: bool, settings: Settings, epochs: int, train_images: int) -> Decision:
    """Whether this session may start a training of `epochs` over `train_images` digits."""
    gate = may_train(allow, presenter, settings)
    if not gate or presenter:
        return gate
    limit, size = settings.limits.max_train_size, training_size(epochs, train_images)
    if limit and size > limit:
        return Decision(False, f"This training is too large for this session: {epochs:,} epochs x "
                               f"{train_images:,} digits = {size:,} digit passes; the limit is {limit:,}. "
                               "Use fewer epochs or fewer training digits.")
    return ALLOWED
