"""Stage 5: decide the reconciliation columns of every new recommendation — a Plan, no I/O.

Human decisions win.  A decision is recorded with the match it was made on, so it keeps
meaning what the reviewer meant on every later run:

* ``Confirm`` pins that match;
* ``Reject`` excludes that pair for good (the next best earlier record is shown);
* an earlier record's ID typed as the decision pins that record;
* ``Repeated``, ``Similar`` or ``New`` sets the status (``New``: no earlier record);
* clearing the cell withdraws the row's decisions (recorded as ``Withdrawn``).

Mistakes are reported, never ignored: a decision naming no earlier record, a decision on a row
without an ID or with a duplicate ID is shown in the row's ``Why`` (and counted in the summary
line); a New row whose ID is also on Prior is not matched to itself.  A cell of an owned column
edited by hand (its value differs from what the last run wrote, see ``Run check``) is reported
and replaced.

Nothing is planned for a cell whose value would not change, so a second run changes nothing.
"""

from __future__ import annotations

import re
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from xl_upr._cells import text as cell_text
from xl_upr.explain import why
from xl_upr.index import CorpusIndex, build_index
from xl_upr.match import Match, match_table, score_pair
from xl_upr.records import Record
from xl_upr.settings import MatchSettings
from xl_upr.themes import wording_themes

#: Columns of the New sheet that reconciliation fills: the key ones first, then the helpers.
KEY_OWNED = ("Status", "Match ID", "Match score", "Prior text", "Times recommended before", "Why",
             "Other candidates")
HELPER_OWNED = ("Prior cycle", "Prior response", "Prior implementation", "First recommended", "Treaty-body links",
                "Same-cycle group", "Run check")
OWNED = KEY_OWNED + HELPER_OWNED
#: The owned column holding a short checksum of what the last run wrote in each other owned column.
CHECK = "Run check"
CHECKED = tuple(c for c in OWNED if c != CHECK)
#: Columns of the New sheet that people fill; never written.
PEOPLE = ("Reviewer decision", "Assessment", "Notes")
STATUS_LABEL = {"repeated": "Repeated", "similar": "Similar", "new": "New"}
#: The Decisions entry recorded when a reviewer clears a decision cell.
WITHDRAWN = "Withdrawn"
#: Kinds of `Message`, in the order the summary line counts them.
MESSAGE_KINDS = {"not applied": "decision{s} not applied", "withdrawn": "decision{s} withdrawn",
                 "hand edit": "hand edit{s} replaced", "no ID": "row{s} without an ID",
                 "duplicate ID": "row{s} with a duplicate ID", "also on Prior": "New ID{s} also on Prior"}


def _count(n: int, phrase: str) -> str:
    """'1 decision recorded', '2 decisions recorded' (``{s}`` marks the plural)."""
    return f"{n} {phrase.format(s='' if n == 1 else 's')}"


@dataclass(frozen=True)
class NewRow:
    """One row of the New sheet as read: its worksheet row, ID, text, decision and owned cells.

    ``link`` is the internal hyperlink target of its Match ID cell (``None``: not known).
    """

    row: int
    id: str
    text: str
    decision: str = ""
    current: dict[str, Any] = field(default_factory=dict)
    states: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    link: str | None = None


@dataclass(frozen=True)
class Decision:
    """A reviewer decision as recorded: on which row ID, what, and on which match."""

    id: str
    decision: str
    match_id: str
    recorded: str = ""


@dataclass(frozen=True)
class Edit:
    """Set one owned cell of the New sheet (worksheet row, column header) to a value; a Match ID
    edit carries the internal hyperlink target of its earlier record (e.g. ``'Prior'!A57``)."""

    row: int
    column: str
    value: Any
    link: str | None = None


@dataclass(frozen=True)
class Message:
    """Feedback on one New row (or 0 for the sheet): a kind of `MESSAGE_KINDS` and a sentence."""

    kind: str
    row: int
    text: str


@dataclass(frozen=True)
class RowResult:
    """What reconciliation concluded for one New row (the Summary sheet counts these)."""

    row: int
    id: str
    status: str
    match_id: str
    times_before: int
    states: tuple[str, ...]
    themes: tuple[str, ...]
    themes_from: str  # "source", "earlier record" or "wording" (both inferred), "" when none


@dataclass
class Plan:
    """What a reconciliation will write: cell edits, newly recorded decisions, counts, feedback."""

    edits: list[Edit]
    decisions: list[Decision]
    counts: Counter[str]
    seconds: float = 0.0
    messages: list[Message] = field(default_factory=list)
    results: list[RowResult] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """True when the workbook needs writing (cells or decisions)."""
        return bool(self.edits or self.decisions)

    def message_counts(self) -> Counter[str]:
        """Rows concerned per kind of message."""
        return Counter(m.kind for m in self.messages if m.row)

    def summary(self) -> str:
        c = self.counts
        recorded = sum(1 for d in self.decisions if d.decision != WITHDRAWN)
        notes = "".join(f", {_count(n, MESSAGE_KINDS[k])}" for k, n in sorted(
            self.message_counts().items(), key=lambda kv: list(MESSAGE_KINDS).index(kv[0])))
        return (f"{c['repeated']} repeated, {c['similar']} similar, {c['new']} new "
                f"({_count(len(self.edits), 'cell{s} changed')}, {_count(recorded, 'decision{s} recorded')}{notes}, "
                f"{self.seconds:.1f} s)")

    def report(self, per_kind: int = 5) -> str:
        """The summary line, then the messages (at most ``per_kind`` of each kind, then a count)."""
        lines = [self.summary()]
        by_kind: dict[str, list[Message]] = defaultdict(list)
        for m in self.messages:
            by_kind[m.kind].append(m)
        for kind in MESSAGE_KINDS:
            found = by_kind.get(kind, [])
            lines += [m.text for m in found[:per_kind]]
            if len(found) > per_kind:
                lines.append(f"… and {len(found) - per_kind} more: {_count(len(found), MESSAGE_KINDS[kind])} in all")
        return "\n".join(lines)

# ------------------------------------------------------------------ vocabularies, mapped
_GRADES = {"A": "Fully implemented", "B": "Partially implemented", "B1": "Partially implemented",
           "B2": "Partially implemented", "C": "Not implemented", "C1": "Not implemented",
           "C2": "Not implemented", "D": "Not implemented", "E": "Not implemented (contrary action)"}
_WORDS = (
    (r"\bnot (?:yet )?implemented|\bno action|\bnone\b|\bnot started|\bno progress", "Not implemented"),
    (r"\bpartial|\bpartly|\bongoing|\bin progress|\bin process|\bunder ?way|\bstarted", "Partially implemented"),
    (r"\bfully|\bcompleted?\b|\bimplemented\b|\bdone\b|\bachieved", "Fully implemented"),
)


def implementation_label(value: str) -> str:
    """A coalition's implementation wording, or a follow-up grade (A-E, B1 …), as one of
    Fully / Partially / Not implemented; unknown wording is kept as written."""
    text = str(value or "").strip()
    if not text:
        return ""
    grade = re.fullmatch(r"(?:grade\s*)?([A-E][12]?)\b.*", text, re.I)
    if grade and grade.group(1).upper() in _GRADES:
        return f"{_GRADES[grade.group(1).upper()]} ({grade.group(1).upper()})"
    low = text.lower()
    for pattern, label in _WORDS:
        if re.search(pattern, low):
            return label
    return text


def _cycle_text(rec: Record) -> str:
    if rec.cycle and rec.year:
        return f"{rec.cycle} ({rec.year})"
    return rec.cycle or rec.year


# ------------------------------------------------------------------ decisions
_STATUS_DECISIONS = {"repeated", "similar", "new"}


def _acted(text: str, known_ids: set[str]) -> bool:
    """A decision xl-upr acts on (anything else in the cell is reported, not recorded)."""
    return text.lower() in ("confirm", "reject", *_STATUS_DECISIONS) or text in known_ids


def record_decisions(rows: Sequence[NewRow], log: Sequence[Decision], known_ids: set[str],
                     skip: Collection[int] = ()) -> list[Decision]:
    """Decisions typed since the last run: a row whose decision differs from its latest
    recorded one gets a new record, made on the match its row shows now; a cleared cell whose
    row has decisions in force records ``Withdrawn``.  Rows in ``skip`` (worksheet rows with a
    duplicate ID) record nothing."""
    latest: dict[str, Decision] = {}
    for d in log:
        latest[d.id] = d
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    out = []
    for r in rows:
        text = r.decision.strip()
        if not r.id or r.row in skip:
            continue
        prev = latest.get(r.id)
        match_id = cell_text(r.current.get("Match ID"))
        if not text:
            if prev is not None and prev.decision != WITHDRAWN:
                out.append(Decision(r.id, WITHDRAWN, match_id, stamp))
            continue
        if prev is not None and prev.decision == text:
            continue
        if _acted(text, known_ids):
            out.append(Decision(r.id, text, match_id, stamp))
    return out


@dataclass
class _Rules:
    """The decisions in force, replayed from the Decisions log."""

    pinned: dict[str, str] = field(default_factory=dict)
    rejected: set[tuple[str, str]] = field(default_factory=set)
    status: dict[str, str] = field(default_factory=dict)


def _rules(log: Sequence[Decision], known_ids: set[str]) -> _Rules:
    in_force: dict[str, list[Decision]] = defaultdict(list)
    for d in log:
        if d.decision == WITHDRAWN:
            in_force.pop(d.id, None)  # clearing the cell withdraws the row's decisions
        else:
            in_force[d.id].append(d)
    rules = _Rules()
    for rid, decisions in in_force.items():
        for d in decisions:
            kind = d.decision.lower()
            if kind == "confirm" and d.match_id:
                rules.pinned[rid] = d.match_id
                rules.status.pop(rid, None)
            elif kind == "reject":
                rules.rejected.add((rid, d.match_id))
                if rules.pinned.get(rid) == d.match_id:
                    rules.pinned.pop(rid)
            elif kind in _STATUS_DECISIONS:
                rules.status[rid] = kind
            elif d.decision in known_ids:
                rules.pinned[rid] = d.decision
                rules.status.pop(rid, None)
    return rules


def _row_notes(rows: Sequence[NewRow], known_ids: set[str], by_id: Mapping[str, Record],
               places: Mapping[str, tuple[str, int]]) -> tuple[dict[int, list[str]], list[Message], set[int]]:
    """Per-row notes for Why, the sheet-level messages, and the rows whose ID is duplicated."""
    notes: dict[int, list[str]] = defaultdict(list)
    messages: list[Message] = []
    seen: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        if r.id:
            seen[r.id].append(r.row)
    duplicated = {row for rws in seen.values() if len(rws) > 1 for row in rws}
    for r in rows:
        decision = r.decision.strip()
        if not r.id:
            messages.append(Message("no ID", r.row, f"New row {r.row}: no ID"))
            if decision:
                notes[r.row].append("decision not applied: this row has no ID")
                messages.append(Message("not applied", r.row, f"New row {r.row}: decision {decision!r} not applied "
                                        "(the row has no ID; decisions are kept by ID)"))
            continue
        if r.row in duplicated:
            others = ", ".join(str(x) for x in seen[r.id] if x != r.row)
            notes[r.row].append(f"same ID as row {others}")
            messages.append(Message("duplicate ID", r.row, f"New row {r.row}: ID {r.id!r} also on row {others}"))
            if decision:
                notes[r.row].append("decision not applied: the ID is not unique")
                messages.append(Message("not applied", r.row, f"New row {r.row}: decision {decision!r} not applied "
                                        f"(ID {r.id!r} is on several rows)"))
        elif decision and not _acted(decision, known_ids):
            notes[r.row].append(f"decision not applied: no earlier record {decision}")
            messages.append(Message("not applied", r.row, f"New row {r.row}: decision {decision!r} not applied: "
                                    "not Confirm, Reject, Repeated, Similar, New or an ID on Prior / Treaty bodies"))
        if r.id in by_id:
            sheet, at = places.get(r.id, ("Prior", 0))
            where = f"{sheet} row {at}" if at else sheet
            notes[r.row].append(f"this ID is also on {where}: not matched to itself")
            messages.append(Message("also on Prior", r.row, f"New row {r.row}: ID {r.id!r} is also on {where}"))
    return notes, messages, duplicated


# ------------------------------------------------------------------ the plan
def plan_reconciliation(rows: Sequence[NewRow], prior: Sequence[Record], treaty: Sequence[Record] = (),
                        settings: MatchSettings | None = None, decisions: Sequence[Decision] = (),
                        progress: Callable[[int, int], None] | None = None,
                        places: Mapping[str, tuple[str, int]] | None = None,
                        embedding: Callable[[int, int], None] | None = None) -> Plan:
    """Plan the owned columns of every new row (see module docstring for the rules).

    ``progress(done, total)`` follows the rows; ``embedding(done, total)`` is called while
    earlier records are embedded for the first time (later runs read them from the cache).

    ``places`` maps an earlier record's ID to its sheet and worksheet row, for the Match ID
    hyperlink and for messages.

    Examples
    --------
    >>> prior = [Record("P1", "Ratify the Convention on the Rights of Persons with Disabilities")]
    >>> plan = plan_reconciliation([NewRow(2, "N1", "Ratify CRPD", decision="P9")], prior)
    >>> [m.text for m in plan.messages][0][:40]
    "New row 2: decision 'P9' not applied: no"
    """
    start = time.perf_counter()
    settings = settings or MatchSettings()
    places = places or {}
    prior = list(prior)
    treaty = list(treaty)
    by_id = {r.id: r for r in prior}
    treaty_by_id = {r.id: r for r in treaty}
    known = set(by_id) | set(treaty_by_id)
    notes, messages, duplicated = _row_notes(rows, known, by_id, places)
    new_decisions = record_decisions(rows, decisions, known, duplicated)
    rules = _rules(list(decisions) + new_decisions, known)
    for d in new_decisions:
        if d.decision == WITHDRAWN:
            row = next(r.row for r in rows if r.id == d.id)
            messages.append(Message("withdrawn", row, f"New row {row}: decisions on {d.id!r} withdrawn "
                                    "(the decision cell was cleared)"))

    live = [r for r in rows if r.text.strip()]
    prior_index = build_index(prior) if prior else None
    treaty_index = build_index(treaty) if treaty else None
    depth = 50
    prior_hits = match_table([r.text for r in live], prior_index, limit=depth, settings=settings,
                             progress=embedding) if prior_index else [[] for _ in live]
    treaty_hits = match_table([r.text for r in live], treaty_index, limit=5, settings=settings,
                              score_cutoff=settings.treaty_at, progress=embedding) \
        if treaty_index else [[] for _ in live]
    groups = _same_cycle_groups(live, settings)

    edits: list[Edit] = []
    counts: Counter[str] = Counter()
    results: list[RowResult] = []
    for n, (r, hits, links) in enumerate(zip(live, prior_hits, treaty_hits), start=1):
        hits = [h for h in hits if (r.id, h.id) not in rules.rejected and h.id != r.id]
        best, confirmed = _best(r, hits, rules.pinned, by_id, treaty_by_id, settings)
        values = _values(r, best, confirmed, rules.status.get(r.id), hits, links, groups.get(r.row, ""),
                         prior_index, settings, notes.get(r.row, []))
        counts[values["Status"].lower()] += 1
        link = _link(values["Match ID"], places)
        messages.extend(_hand_edits(r, values))
        edits.extend(_changes(r, values, link))
        results.append(_result(r, values, best))
        if progress:
            progress(n, len(live))
    for r in rows:
        if not r.text.strip():
            edits.extend(_changes(r, {c: None for c in OWNED}, None))
    return Plan(edits, new_decisions, counts, time.perf_counter() - start, messages, results)


def _best(r: NewRow, hits: list[Match], pinned: dict[str, str], by_id: dict[str, Record],
          treaty_by_id: dict[str, Record], settings: MatchSettings) -> tuple[Match | None, bool]:
    target = pinned.get(r.id)
    if target:
        hit = next((h for h in hits if h.id == target), None)
        if hit:
            return hit, True
        rec = by_id.get(target) or treaty_by_id.get(target)
        if rec is not None:
            score = score_pair(r.text, rec.text)
            return Match(rec, score, -1, settings.status(score)), True
    return (hits[0] if hits else None), False


def _values(r: NewRow, best: Match | None, confirmed: bool, status_decision: str | None, hits: list[Match],
            links: list[Match], group: str, index: CorpusIndex | None, settings: MatchSettings,
            notes: list[str]) -> dict[str, Any]:
    status = status_decision or settings.status(best.score if best else None)
    values: dict[str, Any] = {c: None for c in OWNED}
    values["Status"] = STATUS_LABEL[status]
    values["Same-cycle group"] = group or None
    if links:
        values["Treaty-body links"] = "; ".join(
            f"{m.id} ({', '.join(x for x in (m.record.mechanism, implementation_label(m.record.implementation)) if x)})"
            if (m.record.mechanism or m.record.implementation) else m.id for m in links[:3])
    prefix = "; ".join(notes + (["status set by reviewer"] if status_decision else []))
    if best is None or (status == "new" and (not confirmed or status_decision)):
        values["Why"] = prefix or None
        values[CHECK] = fingerprint(values)
        return values
    rec = best.record
    lineage = [h for h in hits if h.score >= settings.lineage_at]
    if best not in lineage and confirmed:
        lineage.append(best)
    first = min(lineage, key=lambda h: (h.record.year or "9999", h.record.cycle or "9"), default=None)
    reason = why(best, index) if index is not None and best.key >= 0 else ""
    reason = ("confirmed by reviewer; " if confirmed else "") + reason
    others = [h for h in hits if h.id != rec.id][:max(0, settings.top - 1)]
    values.update({
        "Match ID": rec.id,
        "Match score": round(best.score, 1),
        "Prior text": rec.text,
        "Other candidates": "; ".join(f"{h.id} ({h.score:.1f})" for h in others) or None,
        "Prior cycle": _cycle_text(rec) or None,
        "Prior response": rec.response.capitalize() or None,
        "Prior implementation": implementation_label(rec.implementation) or None,
        "Times recommended before": len(lineage),
        "First recommended": _cycle_text(first.record) if first else None,
        "Why": "; ".join(x for x in (prefix, reason) if x) or None,
    })
    values[CHECK] = fingerprint(values)
    return values


def _link(match_id: Any, places: Mapping[str, tuple[str, int]]) -> str | None:
    """Internal hyperlink target of a Match ID (the earlier record's row), or None."""
    place = places.get(match_id) if match_id else None
    if place is None:
        return None
    sheet, row = place
    return f"'{sheet}'!A{row}"


def _result(r: NewRow, values: dict[str, Any], best: Match | None) -> RowResult:
    """The row's themes: its own; else those of its confirmed or best earlier record; else
    those its wording suggests (the last two marked as inferred)."""
    themes, source = r.themes, "source"
    if not themes and best is not None and values["Match ID"]:
        themes, source = best.record.themes, "earlier record"
    if not themes:
        themes, source = wording_themes(r.text), "wording"
    return RowResult(r.row, r.id, values["Status"], values["Match ID"] or "",
                     int(values["Times recommended before"] or 0), r.states, themes, source if themes else "")


# ------------------------------------------------------------------ what the last run wrote
def _code(value: Any) -> str:
    n = zlib.crc32(cell_text(value).encode("utf-8")) % 1296
    return "0123456789abcdefghijklmnopqrstuvwxyz"[n // 36] + "0123456789abcdefghijklmnopqrstuvwxyz"[n % 36]


def fingerprint(values: Mapping[str, Any]) -> str:
    """Two characters per owned column (a checksum of its text): what a run wrote, so the next
    run can tell a hand edit from its own output.

    >>> fingerprint({"Status": "New"}) == fingerprint({"Status": "New", "Why": ""})
    True
    """
    return "".join(_code(values.get(c)) for c in CHECKED)


def edited_columns(r: NewRow) -> list[str]:
    """Owned columns of a row whose value differs from what the last run wrote there."""
    stored = cell_text(r.current.get(CHECK))
    if len(stored) != 2 * len(CHECKED):
        return []  # never written by this version of xl-upr: nothing to compare with
    return [c for k, c in enumerate(CHECKED)
            if c in r.current and _code(r.current.get(c)) != stored[2 * k:2 * k + 2]]


def _hand_edits(r: NewRow, values: dict[str, Any]) -> list[Message]:
    out = []
    for column in edited_columns(r):
        old, new = r.current.get(column), values.get(column)
        if _same(old, new):
            continue  # the edit agrees with this run (e.g. the reviewer made it a decision)
        hint = " (to keep a status or match of your own, type it in Reviewer decision)" \
            if column in ("Status", "Match ID") else ""
        out.append(Message("hand edit", r.row, f"New row {r.row}: {column} was edited by hand "
                           f"({cell_text(old) or 'emptied'}); replaced by {cell_text(new) or 'nothing'}{hint}"))
    return out


def _changes(r: NewRow, values: dict[str, Any], link: str | None) -> list[Edit]:
    out = []
    for column, value in values.items():
        old = r.current.get(column)
        if column == "Match ID":
            stale = r.link is not None and (r.link or None) != link
            if not _same(old, value) or stale:
                out.append(Edit(r.row, column, value, link))
            continue
        if _same(old, value):
            continue
        out.append(Edit(r.row, column, value))
    return out


def _same(old: Any, new: Any) -> bool:
    if old in (None, "") and new in (None, ""):
        return True
    if isinstance(new, (int, float)) and not isinstance(new, bool):
        try:
            return abs(float(old) - float(new)) < 1e-9
        except (TypeError, ValueError):
            return False
    return str(old) == str(new)


def _same_cycle_groups(rows: Sequence[NewRow], settings: MatchSettings) -> dict[int, str]:
    """Rows of this cycle that ask the same thing (several States): worksheet row -> group
    label (the first ID of the group), for groups of two or more.

    Each row joins the group of its best-scoring earlier row when that score reaches
    ``group_at``; no chains through weaker links.
    """
    if len(rows) < 2:
        return {}
    index = build_index([Record(str(i), r.text) for i, r in enumerate(rows)])
    leader = list(range(len(rows)))
    hits = match_table([r.text for r in rows], index, limit=len(rows), score_cutoff=settings.group_at)
    for i, found in enumerate(hits):
        earlier = [h for h in found if int(h.id) < i]
        if earlier:
            leader[i] = leader[int(earlier[0].id)]
    size = Counter(leader)
    return {r.row: rows[leader[i]].id or f"row {rows[leader[i]].row}"
            for i, r in enumerate(rows) if size[leader[i]] > 1}
