"""Text of UN documents as extracted from PDFs: reading, and removal of extraction noise."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import snowballstemmer

from xl_upr.errors import DocumentError

SYMBOL_RE = re.compile(r"\b((?:A/HRC|A/HRC/WG\.6|CCPR/C|CAT/C|CEDAW/C|CRC/C|CERD/C|E/C\.12|CRPD/C|CED/C)"
                       r"/[A-Za-z0-9./]+?)(?=[\s,;)]|\.?$)")

# Lines that are page furniture, not content.
_NOISE_LINES = [
    re.compile(r"^\s*(?:A/HRC|A/HRC/WG\.6|CCPR/C|CAT/C|CEDAW/C|CRC/C|CERD/C|E/C\.12)/[\w./-]+\s*(?:\d{1,3})?\s*$"),
    re.compile(r"^\s*\d{1,3}\s*(?:A/HRC/[\w./-]+)?\s*$"),            # page or footnote number alone
    re.compile(r"^\s*(?:\d{1,3}\s+)?GE\.\d{2}-\d{4,6}.*$"),            # job number (after a page number)
    re.compile(r"^\s*\*+\s*$"),                                        # lone asterisks
    re.compile(r"^\s*\*{0,2}\s*(?:The )?conclusions and(?:/or)? recommendations (?:contained in the present report )?"
               r"(?:have|has) not been edited\.?\s*$", re.I),
    re.compile(r"^\s*\*\s*The present document (?:was|is being) .*$", re.I),
    re.compile(r"^\s*Please recycle\s*$", re.I),
    re.compile(r"^\s*Page \d{1,3}\s*$"),
]
_SPACES = re.compile(r"[ \t\u00a0]+")
_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]+(?![A-Za-z0-9])")  # not the 'th' of '19th'
_AFTER_NUMBER = re.compile(r"[0-9] ")  # '9 th meeting': an ordinal's letters are no word
_STEM = snowballstemmer.stemmer("english").stemWord
# Two letter runs one space apart, not inside a hyphenated or apostrophised word on the right.
_SPLIT = re.compile(r"\b([A-Za-z]+) (?=([a-z]+)\b(?![-'’]))")
_SPACE_BEFORE_PUNCT = re.compile(r"(?<=[A-Za-z)]) (?=[,;:](?:\s|$))")


def read_text(path: str | Path) -> str:
    """Text of a .txt or .pdf file, with a provenance line ("SOURCE: …") dropped."""
    path = Path(path)
    if not path.exists():
        raise DocumentError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        text = _read_pdf(path)
    elif suffix in (".txt", ".text", ""):
        raw = path.read_bytes()
        for enc in ("utf-8-sig", "cp1252", "latin-1"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
    else:
        raise DocumentError(f"{path}: unsupported document type {suffix}; use .txt or .pdf")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("SOURCE:"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
    if not text.strip():
        raise DocumentError(f"{path}: the document is empty")
    return text


def _read_pdf(path: Path) -> str:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:  # pragma: no cover - pypdf is a dependency
        raise DocumentError("reading PDFs needs pypdf; reinstall xl-upr") from None
    try:
        reader = PdfReader(str(path))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, OSError, ValueError) as err:
        raise DocumentError(f"{path}: cannot read the PDF ({err})") from None


def strip_noise(text: str) -> str:
    """Drop page headers/footers, lone page and footnote numbers, and editorial notes."""
    keep = []
    for line in text.split("\n"):
        if any(p.match(line) for p in _NOISE_LINES):
            continue
        keep.append(line)
    return "\n".join(keep)


def document_symbol(text: str) -> str:
    """The UN symbol printed most often in the page furniture (e.g. 'A/HRC/28/10')."""
    heads = [m.group(1).rstrip(".") for line in text.split("\n")
             if (m := re.fullmatch(r"\s*(?:\d{1,3}\s+)?(\S+)(?:\s+\d{1,3})?\s*", line))
             and SYMBOL_RE.fullmatch(m.group(1).rstrip("."))]
    return Counter(heads).most_common(1)[0][0] if heads else ""


class Vocabulary:
    """A document's own words, to tell a word broken by a stray space from two real words.

    ``count(w)`` is how often ``w`` occurs as a whole token; ``known(w)`` is true when it
    occurs, or when a word of six letters or more shares its Snowball stem with one that does
    ('prosecute' where the document has 'prosecution').  ``is_word(w)`` is true when
    at least half of the occurrences of ``w`` are where it cannot be half of a broken word,
    i.e. neither it and the token before nor it and the token after (one space apart) join
    into a known word.  Fragments such as 'wo' (of 'wo men') or 'streng' (of 'streng then')
    only ever occur beside their other half, so they are not words; 'men' and 'then'
    also occur on their own, so they are.  Single letters other than 'a' and 'I' are never
    words.
    """

    def __init__(self, text: str) -> None:
        tokens = list(_TOKEN.finditer(text))
        words = [m.group(0).lower() for m in tokens]
        self._counts = Counter(words)
        self._stems = {_STEM(w) for w in self._counts if len(w) > 3}
        joins = [text[a.end():b.start()] == " " and self.known(wa + wb)
                 for a, b, wa, wb in zip(tokens, tokens[1:], words, words[1:])]
        alone: Counter[str] = Counter()
        for k, (m, w) in enumerate(zip(tokens, words)):
            if not (k > 0 and joins[k - 1]) and not (k < len(joins) and joins[k]) \
                    and not _AFTER_NUMBER.match(text, max(0, m.start() - 2), m.start()):
                alone[w] += 1
        self._alone = alone

    def count(self, word: str) -> int:
        """Occurrences of ``word`` (any case) as a whole token."""
        return self._counts[word.lower()]

    def known(self, word: str) -> bool:
        """True when ``word`` or, for six letters or more, a word of its stem occurs."""
        low = word.lower()
        return self._counts[low] > 0 or (len(low) >= 6 and _STEM(low) in self._stems)

    def is_word(self, token: str) -> bool:
        """True when ``token`` is a word of the document in its own right (see the class)."""
        if len(token) == 1:
            return token in ("a", "A", "I")
        low = token.lower()
        return self._alone[low] > 0 and 2 * self._alone[low] >= self._counts[low]


def vocabulary(text: str) -> Vocabulary:
    """The document's words (used to repair split and hyphenated words)."""
    return Vocabulary(text)


def join_lines(lines: list[str], vocab: Vocabulary) -> str:
    """Join wrapped lines into one line, mending end-of-line hyphenation."""
    out = ""
    for raw in lines:
        line = _SPACES.sub(" ", raw).strip()
        if not line:
            continue
        if out.endswith("-") and line[:1].islower():
            head = re.search(r"([A-Za-z]+)-$", out)
            tail = re.match(r"[A-Za-z]+", line)
            if head and tail and vocab.count(head.group(1) + tail.group(0)) > 0:
                out = out[:-1] + line
            else:
                out = out + line
        else:
            out = f"{out} {line}" if out else line
    return out


def repair_split_words(text: str, vocab: Vocabulary) -> str:
    """Mend words broken by stray spaces ('Disabilitie s', 'in ternational', 'wo men').

    Two neighbouring fragments are joined when the joined form is a word of the document
    (`Vocabulary.known`) and the two parts are not both words (`Vocabulary.is_word`): 'a part' and 'in form'
    stay as they are.  Space before a comma, semicolon or colon is dropped too.

    >>> v = vocabulary("women and men; the women; then strengthen; wo men; streng then")
    >>> repair_split_words("against wo men; to streng then it; men and women", v)
    'against women; to strengthen it; men and women'
    """
    def repl(m: re.Match[str]) -> str:
        a, b = m.group(1), m.group(2)
        if vocab.known(a + b) and not (vocab.is_word(a) and vocab.is_word(b)):
            return a
        return m.group(0)

    prev = None
    while prev != text:
        prev = text
        text = _SPLIT.sub(repl, text)
    return _SPACE_BEFORE_PUNCT.sub("", text)


def one_line(text: str) -> str:
    """Whitespace collapsed to single spaces, trimmed."""
    return _SPACES.sub(" ", text.replace("\n", " ")).strip()
