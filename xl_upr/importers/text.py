"""Text of UN documents as extracted from PDFs: reading, and removal of extraction noise."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from xl_upr.errors import DocumentError

SYMBOL_RE = re.compile(r"\b((?:A/HRC|A/HRC/WG\.6|CCPR/C|CAT/C|CEDAW/C|CRC/C|CERD/C|E/C\.12|CRPD/C|CED/C)"
                       r"/[A-Za-z0-9./]+?)(?=[\s,;)]|\.?$)")

# Lines that are page furniture, not content.
_NOISE_LINES = [
    re.compile(r"^\s*(?:A/HRC|A/HRC/WG\.6|CCPR/C|CAT/C|CEDAW/C|CRC/C|CERD/C|E/C\.12)/[\w./-]+\s*(?:\d{1,3})?\s*$"),
    re.compile(r"^\s*\d{1,3}\s*(?:A/HRC/[\w./-]+)?\s*$"),            # page or footnote number alone
    re.compile(r"^\s*GE\.\d{2}-\d{4,6}.*$"),                          # job number
    re.compile(r"^\s*\*+\s*$"),                                        # lone asterisks
    re.compile(r"^\s*\*{0,2}\s*(?:The )?conclusions and(?:/or)? recommendations (?:contained in the present report )?"
               r"(?:have|has) not been edited\.?\s*$", re.I),
    re.compile(r"^\s*\*\s*The present document (?:was|is being) .*$", re.I),
    re.compile(r"^\s*Please recycle\s*$", re.I),
]
_SPACES = re.compile(r"[ \t\u00a0]+")
_WORD = re.compile(r"[A-Za-z]+")


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


def vocabulary(text: str) -> Counter[str]:
    """Lower-case word counts of a document (used to repair split and hyphenated words)."""
    return Counter(w.lower() for w in _WORD.findall(text))


def join_lines(lines: list[str], vocab: Counter[str]) -> str:
    """Join wrapped lines into one line, mending end-of-line hyphenation."""
    out = ""
    for raw in lines:
        line = _SPACES.sub(" ", raw).strip()
        if not line:
            continue
        if out.endswith("-") and line[:1].islower():
            head = re.search(r"([A-Za-z]+)-$", out)
            tail = re.match(r"[A-Za-z]+", line)
            if head and tail and vocab[(head.group(1) + tail.group(0)).lower()] > 0:
                out = out[:-1] + line
            else:
                out = out + line
        else:
            out = f"{out} {line}" if out else line
    return out


def repair_split_words(text: str, vocab: Counter[str]) -> str:
    """Mend words broken by stray spaces ('Disabilitie s', 'in ternational', 'wo men').

    Two neighbouring fragments are joined when the joined word occurs in the document and
    one fragment is rare there compared with the joined word (fragments of a split word
    seldom stand alone; real word pairs such as 'a part' are left as they are).
    """
    def repl(m: re.Match[str]) -> str:
        a, b = m.group(1), m.group(2)
        joined = (a + b).lower()
        n = vocab[joined]
        if n > 0 and a.lower() not in ("a", "i") \
                and min(vocab[a.lower()], vocab[b.lower()]) <= max(1, n // 3):
            return a + b
        return m.group(0)

    prev = None
    while prev != text:
        prev = text
        text = re.sub(r"\b([A-Za-z]+) ([a-z]+)\b", repl, text)
    return text


def one_line(text: str) -> str:
    """Whitespace collapsed to single spaces, trimmed."""
    return _SPACES.sub(" ", text.replace("\n", " ")).strip()
