"""Processors str -> str / tokens: recommending States, instrument names, boilerplate, word forms.

Every function here is pure.  `canonical` works on one text or on many joined by
`SEPARATOR` (the index's fast path) with the same result per text, because no pattern
crosses a separator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import snowballstemmer

from xl_upr import lexicon
from xl_upr.csr import distinct

try:  # Python's regex parser, read to know what literals a phrase pattern needs (`_needs`)
    from re import _parser as _sre  # type: ignore[attr-defined]
except ImportError:  # Python 3.10
    import sre_parse as _sre

#: Joins many texts into one string for the vectorised path; no pattern matches across it.
SEPARATOR = "\x00"

_QUOTE_PAIRS = (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("\u00a0", " "), ("–", "-"), ("—", "-"),
                ("\u00ad", ""))
# A parenthesised group with at most one level of nesting: "(Iran (Islamic Republic of))".
_PAREN = re.compile(r"\((?:[^()\x00]|\([^()\x00]*\))*\)")
_TRAILING = re.compile(r"(?:\s*(?:\((?:[^()\x00]|\([^()\x00]*\))*\))\s*(?:and|,|/)?)+[\s;.,]*$")
_WS = re.compile(r"\s+")


def _unquote(text: str) -> str:
    """Typographic quotes and dashes to plain ones (str.replace runs in C; translate with a
    dict goes character by character)."""
    for a, b in _QUOTE_PAIRS:
        if a in text:
            text = text.replace(a, b)
    return text


def _state_key(name: str) -> str:
    name = _unquote(name).lower().strip(" ;,.")
    name = re.sub(r"^the\s+", "", name)
    return _WS.sub(" ", name)


_STATE_KEYS = frozenset(_state_key(s) for s in lexicon.STATES)
# Single-word State names met in running text ("Kazakhstan's obligations"): weighted down.
_AMBIGUOUS = {"chad", "georgia", "guinea", "jordan", "niger", "turkey", "china", "india", "israel", "mali",
              "cuba", "peru", "togo", "iran", "oman", "fiji", "palau", "samoa", "tonga", "nauru"}
STATE_WORDS = frozenset(k for k in _STATE_KEYS if " " not in k and "-" not in k and k not in _AMBIGUOUS)


@lru_cache(maxsize=4096)
def is_state(name: str) -> bool:
    """True when ``name`` is a UN member or observer State (any common UN spelling)."""
    return _state_key(name) in _STATE_KEYS


@lru_cache(maxsize=50_000)
def _state_parts(inner: str) -> tuple[str, ...] | None:
    """The States named inside one parenthesised group, or None if it is not a list of States."""
    inner = inner.strip()
    if is_state(inner):
        return (_WS.sub(" ", _unquote(inner)),)
    parts = [p for p in re.split(r"\s*(?:,|;|/|\band\b)\s*", inner) if p.strip()]
    # Re-join names that contain "and" ("Bosnia and Herzegovina") before judging.
    out: list[str] = []
    i = 0
    while i < len(parts):
        for j in range(min(len(parts), i + 4), i, -1):
            cand = " and ".join(parts[i:j])
            if is_state(cand):
                out.append(_WS.sub(" ", _unquote(cand)))
                i = j
                break
        else:
            return None
    return tuple(out) or None


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
    return _split_states(text)


def _tight(spaced: str) -> str:
    """No space before ; , or . in a text whose spaces are single (what ``\\s+([;,.])`` -> ``\\1`` does)."""
    return spaced.replace(" ;", ";").replace(" ,", ",").replace(" .", ".")


@lru_cache(maxsize=20_000)
def _split_states(text: str) -> tuple[str, tuple[str, ...]]:
    text = " ".join(_unquote(text).split())  # str.split splits on what the regex \s matches
    first = text.find("(")
    if first < 0:  # no group: nothing to take out
        return _tight(text).rstrip(" ;,"), ()
    found: list[str] = []
    while first > 0 and text[first - 1].isspace():  # a trailing run can start no earlier
        first -= 1
    m = _TRAILING.search(text, first)
    tail_start = m.start() if m else len(text)

    def repl(match: re.Match[str]) -> str:
        inner = match.group(0)[1:-1]
        parts = _state_parts(inner)
        if parts is None and match.start() >= tail_start and _looks_like_name(inner):
            parts = (inner.strip(),)
        if parts is None:
            return match.group(0)
        found.extend(parts)
        return " "

    body = _tight(" ".join(_PAREN.sub(repl, text).split())).rstrip(" ;,")
    return body, tuple(dict.fromkeys(found))


def clean(text: str) -> str:
    """The recommendation without its recommending State(s) and trailing punctuation."""
    return split_states(text)[0]


# --------------------------------------------------------------------------- canonical text
_ACRONYM_TO_TOKEN: dict[str, str] = {}
_RAW_PATTERNS: list[str] = []
_PHRASES: list[tuple[re.Pattern[str], str]] = []


def _phrase(pattern: str) -> re.Pattern[str]:
    """Compile a lexicon phrase; a space in it matches any run of white space, so texts need
    no white-space folding before matching."""
    return re.compile(pattern.replace(" ", r"\s+"))


for _tok, _name, _topic, _longs, _acrs in lexicon.INSTRUMENTS:
    for _a in _acrs:
        _ACRONYM_TO_TOKEN[_a] = _tok
    for _long in _longs:
        _RAW_PATTERNS.append(_long)
        _PHRASES.append((_phrase(r"\b(?:" + _long + r")\b"), f" {_tok} "))
for _p, _r in lexicon.SYNONYMS:
    _RAW_PATTERNS.append(_p)
    _PHRASES.append((_phrase(r"\b(?:" + _p + r")\b"), f" {_r} "))
for _p in lexicon.ILO_PATTERNS:
    _RAW_PATTERNS.append(_p)
    _PHRASES.append((_phrase(_p), r" zzilo\1 "))

_TOPIC = {tok: topic for tok, _n, topic, _l, _a in lexicon.INSTRUMENTS}
DISPLAY = {tok: name for tok, name, _t, _l, _a in lexicon.INSTRUMENTS}
_ACRONYM_RE = re.compile(
    r"(?:" + "|".join(re.escape(a) for a in sorted(_ACRONYM_TO_TOKEN, key=len, reverse=True))
    + r")(?![A-Za-z0-9]|-[A-Za-z])")
_UPPER_RUN = re.compile(r"[A-Z]{2}")
_CAPS_WORD = re.compile(r"[A-Z]{4,6}(?![A-Za-z0-9])")
# Transposed letters in an acronym ("CPRD" for CRPD) are a common typo in UN texts.
_ANAGRAMS = {"".join(sorted(a)): tok for a, tok in _ACRONYM_TO_TOKEN.items() if a.isalpha() and len(a) >= 4}


def _acronyms(text: str) -> str:
    """Acronyms (and letter-transposed acronyms) to concept tokens.

    Scans only where two capitals start a word, then tries the acronym list there: a
    character-class scan is many times faster than an alternation tried at every position.
    """
    out: list[str] = []
    last = 0
    for cand in _UPPER_RUN.finditer(text):
        pos = cand.start()
        if pos < last or (pos and (text[pos - 1].isalnum() or text[pos - 1] in "-_")):
            continue
        m = _ACRONYM_RE.match(text, pos)
        tok: str | None = None
        if m:
            tok = _ACRONYM_TO_TOKEN[m.group(0)]
        else:
            m = _CAPS_WORD.match(text, pos)
            tok = _ANAGRAMS.get("".join(sorted(m.group(0)))) if m else None
        if m and tok:
            out.append(text[last:pos])
            out.append(f" {tok} ")
            last = m.end()
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)
_WORD = re.compile(r"[a-z0-9]+")
_HYPHEN_BREAK = re.compile(r"-\s+")


def _gate(word: str) -> str:
    """Gate key of a word: the word, singular where it ends in a plain 's'."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


# Words too frequent in recommendations to be worth gating on, and words that are rare and
# required by many patterns (preferred).
_COMMON = {"rights", "human", "international", "national", "persons", "people", "children", "women",
           "against", "with", "their", "members", "protection", "optional", "forms", "elimination", "all",
           "discrimination", "criminal", "disabilities", "disability", "government", "society", "minorities",
           "political", "civil", "violence", "trafficking", "to", "the", "of", "and", "on"}
_PREFERRED = ("convention", "covenant", "protocol", "statute", "principles", "treaty", "committee", "commissioner",
              "procedures", "procedure", "court", "mutilation", "statelessness", "penalty", "punishment")


def _top_level(pattern: str, sep: str = "|") -> list[str]:
    """Split a regex at ``sep`` characters outside any group or character class."""
    parts, depth, cur, esc, klass = [], 0, "", False, False
    for ch in pattern:
        if esc:
            cur, esc = cur + ch, False
            continue
        if ch == "\\":
            cur, esc = cur + ch, True
            continue
        if klass or ch == "[":
            klass = ch != "]"
            cur += ch
            continue
        depth += ch == "("
        depth -= ch == ")"
        if ch == sep and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    return parts + [cur]


def _outside_groups(branch: str) -> str:
    """The parts of a regex branch outside every group and class (group quantifiers dropped)."""
    out, depth, esc, klass, after_group = "", 0, False, False, False
    for ch in branch:
        if after_group and ch in "?*+":
            after_group = False
            continue
        after_group = False
        if esc:
            esc = False
            continue
        if ch == "\\":
            esc = True
            out += " "
            continue
        if klass or ch == "[":
            klass = ch != "]"
            out += " "
            continue
        if ch == "(":
            depth += 1
            out += " "
            continue
        if ch == ")" and depth:
            depth -= 1
            after_group = depth == 0
            continue
        if depth == 0:
            out += ch
    return out


def _anchors(pattern: str) -> frozenset[str] | None:
    """Word prefixes of which a text must contain one for ``pattern`` to match, or None.

    Each top-level branch contributes one word it cannot match without (a literal outside
    every group, the rarest-looking one); a branch without such a word means no gate.
    """
    gates = set()
    for branch in _top_level(pattern):
        outside = re.sub(r"[a-z]\?", " ", _outside_groups(branch).replace("s?", ""))
        words = re.findall(r"[a-z0-9]{2,}", outside)
        if not words:
            return None
        best = sorted(words, key=lambda w: (w not in _PREFERRED, len(w) < 4, w in _COMMON, -len(w)))[0]
        gates.add(_gate(best))
    return frozenset(gates)


_GATES: dict[str, list[int]] = {}
_ALWAYS: list[int] = []
for _i, _raw in enumerate(_RAW_PATTERNS):
    _gates = _anchors(_raw)
    if not _gates:
        _ALWAYS.append(_i)
        continue
    for _w in _gates:
        _GATES.setdefault(_w, []).append(_i)
GATE_WORDS = frozenset(_GATES)
_PATTERN_GATES: list[frozenset[str]] = [_anchors(raw) or frozenset() for raw in _RAW_PATTERNS]


def _literal_runs(seq: Any) -> list[str]:
    """The runs of literal characters every match of a parsed regex sequence contains."""
    runs: list[str] = []
    run: list[str] = []
    for op, av in seq:
        if op is _sre.LITERAL:
            run.append(chr(av))
            continue
        if run:
            runs.append("".join(run))
            run = []
        if op is _sre.SUBPATTERN and not av[1]:  # a group without flags of its own
            runs += _literal_runs(av[-1])
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and av[0] >= 1:  # taken at least once
            runs += _literal_runs(av[2])
    if run:
        runs.append("".join(run))
    return runs


def _needs(pattern: re.Pattern[str]) -> tuple[tuple[str, ...], ...] | None:
    """Per alternative of a phrase pattern, the literal strings a text must contain for that
    alternative to match (a text holding none of the sets cannot match); None when unknown.

    Read off the pattern as Python's own regex parser parses it, so the test is exact: a
    pattern only ever runs over texts it could change.

    >>> _needs(re.compile(r"\\b(?:convention\\s+against\\s+torture|cat)\\b"))
    (('onvention', 'against', 'torture', 'c'), ('at', 'c'))
    """
    if pattern.flags & re.IGNORECASE:
        return None
    try:
        seq = list(_sre.parse(pattern.pattern))
    except Exception:  # noqa: BLE001 - an unknown form: the pattern runs wherever its gate is
        return None
    branches = [k for k, (op, _av) in enumerate(seq) if op is _sre.BRANCH]
    if len(branches) == 1:  # "c(?:onvention against torture|at)", as the parser writes it: per alternative
        k = branches[0]
        rest = _literal_runs(seq[:k]) + _literal_runs(seq[k + 1:])
        options = [rest + _literal_runs(alternative) for alternative in seq[k][1][1]]
    else:
        options = [_literal_runs(seq)]
    if not all(options):
        return None
    return tuple(tuple(sorted(set(o), key=lambda x: (-len(x), x))) for o in options)  # longest first: fails soonest


def _may_match(i: int, text: str) -> bool:
    """False when phrase pattern ``i`` cannot match ``text`` (it lacks the literals it needs)."""
    needs = _NEEDS[i]
    if needs is None:
        return True
    for option in needs:  # plain loops: this runs for every text a gate lets through
        for literal in option:
            if literal not in text:
                break
        else:
            return True
    return False


_NEEDS = [_needs(pattern) for pattern, _ in _PHRASES]


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
    return _phrases(_plain(text))


def _plain(text: str) -> str:
    """Stage A of `canonical`: quotes, States, acronyms, lower case, white space.  Works the
    same on one text or on many joined by `SEPARATOR` (no pattern crosses it)."""
    text = _unquote(text)
    if "(" in text:
        text = _strip_state_groups(text)
    low = _acronyms(text).lower()
    if "-" in low:
        low = _HYPHEN_BREAK.sub(_mend_hyphen, low)
    return low


def _mend_hyphen(m: re.Match[str]) -> str:
    s, a, b = m.string, m.start(), m.end()
    if a and b < len(s) and (s[a - 1].isalnum() or s[a - 1] == "_") and (s[b].isalnum() or s[b] == "_"):
        return ""
    return m.group(0)


def _phrases(low: str) -> str:
    """Stage B of `canonical`: the phrase patterns whose gate words the text holds."""
    words = set(_WORD.findall(low))
    keys = words | {w[:-1] for w in words if w[-1:] == "s"}  # superset of the gate keys
    todo = set(_ALWAYS)
    for k in keys.intersection(_GATES):
        todo.update(_GATES[k])
    for i in sorted(todo):
        if _may_match(i, low):
            pattern, replacement = _PHRASES[i]
            low = pattern.sub(replacement, low)
    return _WS.sub(" ", low).strip()


# --------------------------------------------------------------------------- tokens and stems
_STEMMER = snowballstemmer.stemmer("english")


#: A readable word for each stem (the first word seen that gave it), for explanations.
SURFACE: dict[str, str] = {}


def surface(term: str) -> str:
    """A readable form of a stem or stem pair ('orient' -> 'orientation')."""
    if " " not in term:
        return SURFACE.get(term, term)
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
OTHER_TREATY = 0.6


TREATY_TOKENS = frozenset(tok for tok, *_ in lexicon.INSTRUMENTS if tok not in _NOT_TREATIES)


def treaties(stems: Iterable[str]) -> frozenset[str]:
    """The treaty tokens among stems (instrument concepts, ILO conventions)."""
    return frozenset(s for s in stems if s.startswith("zz") and s not in _NOT_TREATIES)


#: Score multiplier when only the earlier record names a treaty (a call to ratify X is not a
#: call about the subject in general).
ONLY_RECORD_TREATY = 0.8


def treaty_factor(a: frozenset[str], b: frozenset[str]) -> float:
    """1.0; `OTHER_TREATY` when both name treaties and none in common; `ONLY_RECORD_TREATY`
    when only ``b`` (the earlier record) names one."""
    if a and b and not (a & b):
        return OTHER_TREATY
    if b and not a:
        return ONLY_RECORD_TREATY
    return 1.0


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
        topic = "" if token in TREATY_TOKENS else _TOPIC.get(token, "")
        _TOPIC_STEMS[token] = tuple(s for s in (stem(w) for w in topic.split()) if s)
    return _TOPIC_STEMS[token]


def terms(text: str) -> list[str]:
    """Content stems of one text, in order; a non-treaty concept (LGBTI, FGM …) brings its
    subject's stems along (a treaty's subject comes in through its theme instead).

    Examples
    --------
    >>> terms("Ratify CRPD (Hungary)")
    ['ratifi', 'zzcrpd']
    >>> terms("Protect LGBTI persons")
    ['protect', 'zzlgbti', 'sexual', 'orient', 'gender', 'ident', 'person']
    """
    return _terms_of(canonical(text))


def _terms_of(canon: str) -> list[str]:
    out: list[str] = []
    for word in _WORD.findall(canon):
        s = stem(word)
        if s:
            out.append(s)
            if s.startswith("zz"):
                out.extend(topic_stems(s))
    return out


_WORD_OR_SEP = re.compile(r"[a-z0-9]+|\x00")


def _stem_seq(word: str) -> tuple[str, ...]:
    s = stem(word)
    if not s:
        return ()
    return (s, *topic_stems(s)) if s.startswith("zz") else (s,)


def _tokenise(plain: str) -> tuple[np.ndarray, list[str], np.ndarray, np.ndarray]:
    """Token codes, distinct tokens, text index and separator flag of every token of a joined text."""
    tokens = _WORD_OR_SEP.findall(plain)
    if not tokens:
        empty = np.zeros(0, dtype=np.int64)
        return empty, [], empty, np.zeros(0, dtype=bool)
    uniq_list = list(dict.fromkeys(tokens))  # distinct tokens in first-seen order, found in C
    code_of = {t: i for i, t in enumerate(uniq_list)}
    codes = np.fromiter(map(code_of.__getitem__, tokens), dtype=np.int64, count=len(tokens))
    sep = np.array([u == SEPARATOR for u in uniq_list], dtype=bool)
    is_sep = sep[codes]
    return codes, uniq_list, np.cumsum(is_sep), is_sep


def _apply_phrases_batch(docs: dict[int, str], gates: dict[str, np.ndarray]) -> dict[int, str]:
    """`_phrases` for many texts: each pattern runs once over the texts holding its gate and
    the literals it needs."""
    for i, (pattern, replacement) in enumerate(_PHRASES):
        hit = [gates[g] for g in _PATTERN_GATES[i] if g in gates]
        if not hit:
            continue
        ds = [d for d in distinct(np.concatenate(hit)).tolist() if _may_match(i, docs[d])]
        if not ds:
            continue
        joined, n = pattern.subn(replacement, SEPARATOR.join(docs[d] for d in ds))
        if not n:
            continue
        out = joined.split(SEPARATOR)
        for d, t in zip(ds, out):
            docs[d] = t
    return docs


def terms_many(texts: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """`terms` of many texts at once, as arrays: (stem names in sorted order, the stem id of
    every term in text order, the text index of every term).

    Stage A of `canonical` and the tokenising run once over all texts joined; texts holding a
    gate word get their phrase patterns applied pattern by pattern over the joined subset.
    The result equals ``[terms(t) for t in texts]`` (tested).
    """
    return _terms_many(texts)[:3]


def _terms_many(texts: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray, tuple[int, int, int]]:
    """`terms_many`, and the size of `SURFACE` before stemming, after the plain words and after
    the words the phrase patterns wrote (what `terms_in_two` needs to give `SURFACE` the words
    one process would give it)."""
    texts = [t.replace(SEPARATOR, " ") for t in texts]
    plain = _plain(SEPARATOR.join(texts))
    codes, uniq, doc_of, is_sep = _tokenise(plain)
    gate_of = [_gate(u) for u in uniq]
    gated = np.array([g in GATE_WORDS for g in gate_of], dtype=bool)
    flagged = np.zeros(len(texts), dtype=bool)
    parts: list[tuple[np.ndarray, list[str], np.ndarray]] = []
    if len(codes):
        hit = gated[codes] & ~is_sep
        flagged[doc_of[hit]] = True
        keep = ~is_sep & ~flagged[doc_of]
        parts.append((codes[keep], uniq, doc_of[keep]))
        if flagged.any():
            gates: dict[str, list[np.ndarray]] = {}
            hit_codes, hit_docs = codes[hit], doc_of[hit]
            order = np.argsort(hit_codes, kind="stable")
            hit_codes, hit_docs = hit_codes[order], hit_docs[order]
            bounds = np.flatnonzero(np.diff(hit_codes)) + 1
            for c_run, d_run in zip(np.split(hit_codes, bounds), np.split(hit_docs, bounds)):
                gates.setdefault(gate_of[int(c_run[0])], []).append(d_run)
            gate_docs = {g: np.concatenate(v) for g, v in gates.items()}
            plain_docs = plain.split(SEPARATOR)
            fl = np.flatnonzero(flagged).tolist()
            done = _apply_phrases_batch({d: plain_docs[d] for d in fl}, gate_docs)
            f_codes, f_uniq, f_doc, f_sep = _tokenise(SEPARATOR.join(done[d] for d in fl))
            fl_arr = np.asarray(fl, dtype=np.int64)
            parts.append((f_codes[~f_sep], f_uniq, fl_arr[f_doc[~f_sep]]))
    marks = [len(SURFACE)]
    seqs_by_part = []
    for _, part_uniq, _ in parts:  # the plain words, then those the phrase patterns wrote
        seqs_by_part.append([_stem_seq(u) if u != SEPARATOR else () for u in part_uniq])
        marks.append(len(SURFACE))
    marks += [marks[-1]] * (3 - len(marks))
    surface_marks = (marks[0], marks[1], marks[2])
    names = sorted({s for seqs in seqs_by_part for seq in seqs for s in seq})
    sid = {s: i for i, s in enumerate(names)}
    all_ids, all_docs = [], []
    for (part_codes, _, part_docs), seqs in zip(parts, seqs_by_part):
        lens = np.array([len(seq) for seq in seqs], dtype=np.int64)
        offsets = np.concatenate(([0], np.cumsum(lens)[:-1]))
        flat = np.array([sid[s] for seq in seqs for s in seq], dtype=np.int64)
        n_out = lens[part_codes]
        total = int(n_out.sum())
        starts = np.repeat(offsets[part_codes] - (np.cumsum(n_out) - n_out), n_out) + np.arange(total)
        all_ids.append(flat[starts] if total else np.zeros(0, dtype=np.int64))
        all_docs.append(np.repeat(part_docs, n_out))
    if not all_ids:
        return names, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), surface_marks
    ids, docs = np.concatenate(all_ids), np.concatenate(all_docs)
    if len(all_ids) > 1:
        order = np.argsort(docs, kind="stable")
        ids, docs = ids[order], docs[order]
    return names, ids, docs, surface_marks


#: Texts from which `terms_in_two` splits the work over two processes.
SPLIT_TEXTS = 4_000

_Words = tuple[dict[str, str], dict[str, str]]


def _terms_and_words(texts: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray, _Words]:
    names, ids, docs, (m0, m1, m2) = _terms_many(texts)
    added = list(SURFACE.items())[m0:]
    return names, ids, docs, (dict(added[:m1 - m0]), dict(added[m1 - m0:m2 - m0]))


def terms_in_two(texts: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """`terms_many`, the second half of the texts in a child process where `workers` can split
    (a corpus index of thousands of texts): the same arrays, and the same readable words in
    `SURFACE` (one process gives a stem the first word that made it: the plain words of all
    texts before the words the phrase patterns wrote)."""
    if len(texts) < SPLIT_TEXTS:
        return terms_many(texts)
    from xl_upr import workers

    if not workers.available():
        return terms_many(texts)
    before = dict(SURFACE)
    done = []

    def decode(result: tuple[list[str], np.ndarray, np.ndarray, _Words]) -> tuple[list[str], np.ndarray,
                                                                                   np.ndarray, _Words]:
        done.append(True)
        return result

    at = len(texts) // 2
    first, second = workers.in_two(texts, at, _terms_and_words, lambda r: r, decode)
    if not done:  # the child failed and this process did its half after its own: start over, in one
        SURFACE.clear()
        SURFACE.update(before)
        return terms_many(texts)
    (n1, i1, d1, (plain1, _)), (n2, i2, d2, (plain2, phrased2)) = first, second
    for stem_, word in plain2.items():  # a plain word of the second half comes before a phrase's word
        if stem_ not in plain1:
            SURFACE[stem_] = word
    for stem_, word in phrased2.items():
        SURFACE.setdefault(stem_, word)
    names = sorted(set(n1).union(n2))
    col = {t: i for i, t in enumerate(names)}
    remap1 = np.array([col[t] for t in n1], dtype=np.int64)
    remap2 = np.array([col[t] for t in n2], dtype=np.int64)
    ids = np.concatenate((remap1[i1] if len(i1) else i1, remap2[i2] if len(i2) else i2))
    return names, ids, np.concatenate((d1, d2 + at))
