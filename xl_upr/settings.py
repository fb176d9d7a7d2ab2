"""MatchSettings: the one settings object behind the CLI, the workbook's Settings sheet and UDFs."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from xl_upr.errors import SettingsError


@dataclass(frozen=True)
class MatchSettings:
    """Thresholds and options of matching and reconciliation.

    ``repeated_at`` and ``similar_at`` are scores (0-100): a best match scoring at least
    ``repeated_at`` is *repeated*, at least ``similar_at`` *similar*, below that *new*.
    Defaults were calibrated on a labelled development set (see benchmarks/quality.py).
    ``log_user`` (not a matching option) records the user and machine name on the Log sheet;
    off by default, since the workbook is shared with partners.
    """

    repeated_at: float = 71.0
    similar_at: float = 53.0
    top: int = 5
    treaty_at: float = 30.0
    lineage_at: float = 45.0
    group_at: float = 70.0
    semantic: bool = True
    log_user: bool = False

    def __post_init__(self) -> None:
        for name in ("repeated_at", "similar_at", "treaty_at", "lineage_at", "group_at"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 100:
                raise SettingsError(f"{name} must be a number from 0 to 100, got {value!r}; "
                                    "change it on the Settings sheet or pass --" + name.replace("_", "-"))
        if self.similar_at > self.repeated_at:
            raise SettingsError(f"similar_at ({self.similar_at}) must not exceed repeated_at "
                                f"({self.repeated_at}); lower similar_at or raise repeated_at")
        if not isinstance(self.semantic, bool):
            raise SettingsError(f"semantic must be yes or no, got {self.semantic!r}")
        if not isinstance(self.top, int) or isinstance(self.top, bool) or not 1 <= self.top <= 100:
            raise SettingsError(f"top must be a whole number from 1 to 100, got {self.top!r}")
        if not isinstance(self.log_user, bool):
            raise SettingsError(f"log_user must be yes or no, got {self.log_user!r}")

    def status(self, score: float | None) -> str:
        """'repeated', 'similar' or 'new' for a best-match score (None means no match)."""
        if score is None or score < self.similar_at:
            return "new"
        return "repeated" if score >= self.repeated_at else "similar"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], source: str = "settings") -> MatchSettings:
        """Settings from a mapping of names to values (strings from cells are converted)."""
        known = {f.name: f for f in fields(cls)}
        kwargs: dict[str, Any] = {}
        for raw_key, raw in values.items():
            key = str(raw_key).strip().lower().replace(" ", "_").replace("-", "_")
            if key not in known:
                raise SettingsError(f"{source}: unknown setting {raw_key!r}; known: {', '.join(known)}")
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            if known[key].type in (bool, "bool"):
                kwargs[key] = _yes_no(raw, key, source)
                continue
            try:
                kwargs[key] = int(float(raw)) if key == "top" else float(raw)
            except (TypeError, ValueError):
                raise SettingsError(f"{source}: {key} must be a number, got {raw!r}") from None
        return replace(cls(), **kwargs)

    @classmethod
    def from_path_or_dict(cls, value: str | Path | Mapping[str, Any] | None) -> MatchSettings:
        """Settings from a JSON file path, a mapping, or None (defaults)."""
        if value is None:
            return cls()
        if isinstance(value, Mapping):
            return cls.from_mapping(value)
        path = Path(value)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as err:
            raise SettingsError(f"{path}: cannot read settings ({err})") from None
        if not isinstance(data, dict):
            raise SettingsError(f"{path}: settings must be a JSON object")
        return cls.from_mapping(data, str(path))


_YES, _NO = ("yes", "true", "1", "on", "y"), ("no", "false", "0", "off", "n")


def _yes_no(raw: Any, key: str, source: str) -> bool:
    """A yes/no setting from a cell or JSON value (TRUE/FALSE, yes/no, 1/0)."""
    if isinstance(raw, bool):
        return raw
    text = str(int(raw) if isinstance(raw, float) and raw.is_integer() else raw).strip().lower()
    if text in _YES or text in _NO:
        return text in _YES
    raise SettingsError(f"{source}: {key} must be yes or no, got {raw!r}")
