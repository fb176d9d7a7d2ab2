"""Themes of a recommendation guessed from its wording (OHCHR's thematic-list keywords), for
the Summary sheet when neither the row nor its earlier record names any."""

from __future__ import annotations

import re
from functools import lru_cache

from xl_upr.lexicon import THEMES


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    out = []
    for theme, triggers in THEMES.items():
        words = [t for t in triggers if not t.startswith("zz")]  # zz…: the matcher's instrument codes
        if not words:
            continue
        alts = []
        for trigger in words:
            parts = [re.escape(p.rstrip("s")) + r"(?:s|es)?" for p in trigger.split()]
            alts.append(r"\W+(?:\w+\W+){0,2}".join(parts))  # "freedom expression" = freedom of expression
        out.append((theme, re.compile(r"\b(?:" + "|".join(alts) + r")\b", re.I)))
    return tuple(out)


def wording_themes(text: str) -> tuple[str, ...]:
    """Themes whose keywords occur in a text, in the lexicon's order.

    >>> wording_themes("Abolish the death penalty and protect journalists")
    ('freedom of expression', 'death penalty')
    """
    return tuple(theme for theme, pattern in _patterns() if pattern.search(text or ""))
