"""Processors str -> str / tokens: recommending States, instrument names, boilerplate, word forms.

Every function here is pure.  `canonical` works on one text or on many joined by
`SEPARATOR` (the index's fast path) with the same result per text, because no pattern
crosses a separator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer

from xl_upr import lexicon

#: Joins many texts into one string for the vectorised path; no pattern matches across it.
SEPARATOR = "\n\x1e\n"
TOKEN_RE = re.compile(r"[a-z0-9]+|\x1e")

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " ", "–": "-", "—": "-",
                         "\u00ad": ""})
# A parenthesised group with at most one level of nesting: "(Iran (Islamic Republic of))".
_PAREN = re.compile(r"\((?:[^()\x1e]|\([^()\x1e]*\))*\)")
_TRAILING = re.compile(r"(?:\s*(?:\((?:[^()\x1e]|\([^()\x1e]*\))*\))\s*(?:and|,|/)?)+[\s;.,]*$")
_WS = re.compile(r"\s+")


def _state_key(name: str) -> str:
    name = name.translate(_QUOTES).lower().strip(" ;,.")
    name = re.sub(r"^the\s+", "", name)
    return _WS.sub(" ", name)


_STATE_KEYS = frozenset(_state_key(s) for s in lexicon.STATES)
# Single-word State names met in running text ("Kazakhstan's obligations"): weighted down.
_AMBIGUOUS = {"chad", "georgia", "guinea", "jordan", "niger", "turkey", "china", "india", "israel", "mali",
              "cuba", "peru", "togo", "iran", "oman", "fiji", "palau", "samoa", "tonga", "nauru"}
STATE_WORDS = frozenset(k for k in _STATE_KEYS if " " not in k and "-" not in k and k not in _AMBIGUOUS)


def is_state(name: str) -> bool:
    """True when ``name`` is a UN member or observer State (any common UN spelling)."""
    return _state_key(name) in _STATE_KEYS


def _state_parts(inner: str) -> list[str] | None:
    """The States named inside one parenthesised group, or None if it is not a list of States."""
    inner = inner.strip()
    if is_state(inner):
        return [_WS.sub(" ", inner.translate(_QUOTES))]
    parts = [p for p in re.split(r"\s*(?:,|;|/|\band\b)\s*", inner) if p.strip()]
    # Re-join names that contain "and" ("Bosnia and Herzegovina") before judging.
    out: list[str] = []
    i = 0
    while i < len(parts):
        for j in range(min(len(parts), i + 4), i, -1):
            cand = " and ".join(parts[i:j])
            if is_state(cand):
                out.append(_WS.sub(" ", cand.translate(_QUOTES)))
                i = j
                break
        else:
            return None
    return out or None


def _looks_like_name(inner: str) -> bool:
    """Fallback for States missing from the list: 1-6 capitalised words, no digits."""
    words = inner.replace("(", " ").replace(")", " ").split()
    return 0 < len(words) <= 8 and not any(ch.isdigit() for ch in inner) and words[0][:1].isupper() \
        and all(w[:1].isupper() or w in ("of", "the", "and", "de", "d'Ivoire") for w in words) \
        and not inner.isupper()


def split_states(text: str) -> tuple[str, tuple[str, ...]]:
    """Split a recommendation into its text and the recommending State(s).

    States are taken from parenthesised groups that name States (anywhere, for clustered
    recommendations) and from the trailing groups even when a name is not in the list.

    Examples
    --------
    >>> split_states("Ratify CRPD (Iran (Islamic Republic of)) (Spain);")
    ('Ratify CRPD', ('Iran (Islamic Republic of)', 'Spain'))
    """
    text = _WS.sub(" ", text.translate(_QUOTES)).strip()
    found: list[str] = []
    m = _TRAILING.search(text)
    tail_start = m.start() if m else len(text)

    def repl(match: re.Match[str]) -> str:
        inner = match.group(0)[1:-1]
        parts = _state_parts(inner)
        if parts is None and match.start() >= tail_start and _looks_like_name(inner):
            parts = [inner.strip()]
        if parts is None:
            return match.group(0)
        found.extend(parts)
        return " "

    body = _PAREN.sub(repl, text)
    body = _WS.sub(" ", body).strip()
    body = re.sub(r"\s+([;,.])", r"\1", body).rstrip(" ;,")
    seen: list[str] = []
    for s in found:
        if s not in seen:
            seen.append(s)
    return body, tuple(seen)


def clean(text: str) -> str:
    """The recommendation without its recommending State(s) and trailing punctuation."""
    return split_states(text)[0]


# --------------------------------------------------------------------------- canonical text
_ACRONYM_TO_TOKEN: dict[str, str] = {}
_PHRASES: list[tuple[re.Pattern[str], str]] = []
for _tok, _name, _topic, _longs, _acrs in lexicon.INSTRUMENTS:
    for _a in _acrs:
        _ACRONYM_TO_TOKEN[_a] = _tok
    for _long in _longs:
        _PHRASES.append((re.compile(r"\b(?:" + _long + r")\b"), f" {_tok} "))
for _p, _r in lexicon.SYNONYMS:
    _PHRASES.append((re.compile(r"\b(?:" + _p + r")\b"), f" {_r} "))
_PHRASES.append((re.compile(lexicon.ILO_PATTERNS[0]), r" zzilo\1 "))
_PHRASES.append((re.compile(lexicon.ILO_PATTERNS[1]), r" zzilo\1 "))

_TOPIC = {tok: topic for tok, _n, topic, _l, _a in lexicon.INSTRUMENTS}
DISPLAY = {tok: name for tok, name, _t, _l, _a in lexicon.INSTRUMENTS}
_ACRONYM_RE = re.compile(
    r"(?<![A-Za-z0-9-])(?:" + "|".join(re.escape(a) for a in sorted(_ACRONYM_TO_TOKEN, key=len, reverse=True))
    + r")(?![A-Za-z0-9]|-[A-Za-z])")
_UPPER_RUN = re.compile(r"[A-Z]{2}")
_CAPS_WORD = re.compile(r"(?<![A-Za-z0-9-])[A-Z]{4,6}(?![A-Za-z0-9])")
# Transposed letters in an acronym ("CPRD" for CRPD) are a common typo in UN texts.
_ANAGRAMS = {"".join(sorted(a)): tok for a, tok in _ACRONYM_TO_TOKEN.items() if a.isalpha() and len(a) >= 4}


def _acronym_typo(m: re.Match[str]) -> str:
    word = m.group(0)
    tok = _ANAGRAMS.get("".join(sorted(word)))
    return f" {tok} " if tok else word
_WORD = re.compile(r"[a-z0-9]+")
_HYPHEN_BREAK = re.compile(r"(\w)-\s+(\w)")


def _gate(word: str) -> str:
    return word[:6]


def _anchors(pattern: str) -> frozenset[str]:
    """Words (6-letter prefixes) of which a text must contain one for ``pattern`` to match.

    Taken from the pattern's literal words; a pattern made only of short or optional words
    gets no gate (it always runs).
    """
    words = {w for w in re.findall(r"[a-z]{4,}|\d{2,4}", re.sub(r"\\[a-z]", " ", pattern))}
    return frozenset(_gate(w) for w in words)


_GATES: dict[str, list[int]] = {}
_ALWAYS: list[int] = []
for _i, (_pat, _r) in enumerate(_PHRASES):
    _a = _anchors(_pat.pattern)
    if not _a:
        _ALWAYS.append(_i)
    for _w in _a:
        _GATES.setdefault(_w, []).append(_i)


def _strip_state_groups(text: str) -> str:
    def repl(match: re.Match[str]) -> str:
        inner = match.group(0)[1:-1]
        if _state_parts(inner) is not None:
            return " "
        return " " + inner + " "

    return _PAREN.sub(repl, text)


def canonical(text: str) -> str:
    """Lower-case text with States removed and instruments/synonyms replaced by concept words.

    Each phrase pattern runs only when the text holds one of its anchor words, so a
    text costs a few pattern runs, not all of them.

    Examples
    --------
    >>> canonical("Ratify the Convention on the Rights of Persons with Disabilities (Spain)")
    'ratify the zzcrpd'
    """
    text = text.translate(_QUOTES)
    if "(" in text:
        text = _strip_state_groups(text)
    if _UPPER_RUN.search(text):
        text = _ACRONYM_RE.sub(lambda m: f" {_ACRONYM_TO_TOKEN[m.group(0)]} ", text)
        text = _CAPS_WORD.sub(_acronym_typo, text)
    low = _WS.sub(" ", text.lower())
    if "- " in low:
        low = _HYPHEN_BREAK.sub(r"\1\2", low)
    keys = {_gate(w) for w in _WORD.findall(low)}
    todo = set(_ALWAYS)
    for k in keys.intersection(_GATES):
        todo.update(_GATES[k])
    for i in sorted(todo):
        pattern, replacement = _PHRASES[i]
        low = _WS.sub(" ", pattern.sub(replacement, low)) if pattern.search(low) else low
    return _WS.sub(" ", low).strip()


# --------------------------------------------------------------------------- tokens and stems
_STEMMER = snowballstemmer.stemmer("english")


#: A readable word for each stem (the first word seen that gave it), for explanations.
SURFACE: dict[str, str] = {}


def surface(term: str) -> str:
    """A readable form of a stem or stem pair ('orient' -> 'orientation')."""
    return " ".join(SURFACE.get(t, t) for t in term.split(" "))


def stem(word: str) -> str:
    """Stem of one lower-case word, with UN-domain aliases merged ('' for a stop word)."""
    result = _stem(word)
    if result and result not in SURFACE:
        SURFACE[result] = word
    return result


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    if word in lexicon.STOPWORDS or len(word) < 2 and not word.isdigit():
        return ""
    if word.startswith("zz"):
        return word
    if word in lexicon.WORD_ALIASES:
        word = lexicon.WORD_ALIASES[word]
        if not word:
            return ""
    if word in STATE_WORDS:
        return "zzstate"
    if word.isdigit():
        return word if len(word) == 4 else ""  # keep years, drop paragraph/article numbers
    s = _STEMMER.stemWord(word)
    return lexicon.STEM_ALIASES.get(s, s)


_NOT_TREATIES = {"zzstate", "zzcso", "zzhrd", "zzlgbti", "zzfgm", "zzsdg", "zzupr", "zzohchr", "zzunhcr",
                 "zzspecproc", "zzparis", "zznhri"}
#: Score multiplier when both texts name treaties and share none ("ratify OP-CRPD" is not "ratify CRPD").
OTHER_TREATY = 0.7


def treaties(stems: Iterable[str]) -> frozenset[str]:
    """The treaty tokens among stems (instrument concepts, ILO conventions)."""
    return frozenset(s for s in stems if s.startswith("zz") and s not in _NOT_TREATIES)


def treaty_factor(a: frozenset[str], b: frozenset[str]) -> float:
    """1.0, or `OTHER_TREATY` when both name treaties and none in common."""
    return OTHER_TREATY if a and b and not (a & b) else 1.0


def weight_multiplier(term: str) -> float:
    """Domain weight of a stem: boilerplate counts little, instrument concepts a lot."""
    if term.startswith("zz"):
        return 0.15 if term == "zzstate" else 1.6
    if term in lexicon.GROUPS:
        return 1.3
    return lexicon.BOILERPLATE.get(term, 1.0)


_TOPIC_STEMS: dict[str, tuple[str, ...]] = {}


def topic_stems(token: str) -> tuple[str, ...]:
    """Stems of the subject an instrument token stands for ('zzcrpd' -> ('disabl',))."""
    if token not in _TOPIC_STEMS:
        _TOPIC_STEMS[token] = tuple(s for s in (stem(w) for w in _TOPIC.get(token, "").split()) if s)
    return _TOPIC_STEMS[token]


def terms(text: str) -> list[str]:
    """Content stems of one text, in order; an instrument brings its subject's stems along.

    Examples
    --------
    >>> terms("Ratify CRPD (Hungary)")
    ['ratifi', 'zzcrpd', 'disabl']
    """
    out: list[str] = []
    for word in _WORD.findall(canonical(text)):
        s = stem(word)
        if s:
            out.append(s)
            if s.startswith("zz"):
                out.extend(topic_stems(s))
    return out
