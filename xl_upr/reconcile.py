"""Stage 5: decide the reconciliation columns of every new recommendation — a Plan, no I/O.

Human decisions win.  A decision is recorded with the match it was made on, so it keeps
meaning what the reviewer meant on every later run:

* ``Confirm`` pins that match;
* ``Reject`` excludes that pair for good (the next best earlier record is shown);
* an earlier record's ID typed as the decision pins that record.

Nothing is planned for a cell whose value would not change, so a second run changes nothing.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from xl_upr.explain import why
from xl_upr.index import CorpusIndex, build_index
from xl_upr.match import Match, match_table, score_pair
from xl_upr.records import Record
from xl_upr.settings import MatchSettings

#: Columns of the New sheet that reconciliation fills, in order.
OWNED = ("Status", "Match ID", "Match score", "Prior cycle", "Prior response", "Prior implementation",
         "Times recommended before", "First recommended", "Treaty-body links", "Same-cycle group", "Why")
#: Columns of the New sheet that people fill; never written.
PEOPLE = ("Reviewer decision", "Assessment", "Notes")
STATUS_LABEL = {"repeated": "Repeated", "similar": "Similar", "new": "New"}


@dataclass(frozen=True)
class NewRow:
    """One row of the New sheet as read: its worksheet row, ID, text, decision and owned cells."""

    row: int
    id: str
    text: str
    decision: str = ""
    current: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    """A reviewer decision as recorded: on which row ID, what, and on which match."""

    id: str
    decision: str
    match_id: str
    recorded: str = ""


@dataclass(frozen=True)
class Edit:
    """Set one owned cell of the New sheet (worksheet row, column header) to a value."""

    row: int
    column: str
    value: Any


@dataclass
class Plan:
    """What a reconciliation will write: cell edits, newly recorded decisions, counts."""

    edits: list[Edit]
    decisions: list[Decision]
    counts: Counter[str]
    seconds: float = 0.0

    def summary(self) -> str:
        c = self.counts
        return (f"{c['repeated']} repeated, {c['similar']} similar, {c['new']} new "
                f"({len(self.edits)} cells changed, {len(self.decisions)} decisions recorded, "
                f"{self.seconds:.1f} s)")


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
def record_decisions(rows: Sequence[NewRow], log: Sequence[Decision], known_ids: set[str]) -> list[Decision]:
    """Decisions typed since the last run: a row whose decision differs from its latest
    recorded one gets a new record, made on the match its row shows now."""
    latest: dict[str, Decision] = {}
    for d in log:
        latest[d.id] = d
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    out = []
    for r in rows:
        text = r.decision.strip()
        if not text or not r.id:
            continue
        prev = latest.get(r.id)
        if prev is not None and prev.decision == text:
            continue
        kind = text.lower()
        if kind not in ("confirm", "reject") and text not in known_ids:
            continue  # not a decision we act on (free text stays the reviewer's note)
        out.append(Decision(r.id, text, str(r.current.get("Match ID") or ""), stamp))
    return out


# ------------------------------------------------------------------ the plan
def plan_reconciliation(rows: Sequence[NewRow], prior: Sequence[Record], treaty: Sequence[Record] = (),
                        settings: MatchSettings | None = None, decisions: Sequence[Decision] = (),
                        progress: Callable[[int, int], None] | None = None) -> Plan:
    """Plan the owned columns of every new row (see module docstring for the rules)."""
    start = time.perf_counter()
    settings = settings or MatchSettings()
    prior = list(prior)
    treaty = list(treaty)
    by_id = {r.id: r for r in prior}
    treaty_by_id = {r.id: r for r in treaty}
    new_decisions = record_decisions(rows, decisions, set(by_id) | set(treaty_by_id))
    log = list(decisions) + new_decisions
    rejected = {(d.id, d.match_id) for d in log if d.decision.lower() == "reject"}
    pinned: dict[str, str] = {}
    for d in log:
        if d.decision.lower() == "confirm" and d.match_id:
            pinned[d.id] = d.match_id
        elif d.decision in by_id or d.decision in treaty_by_id:
            pinned[d.id] = d.decision
        elif d.decision.lower() == "reject" and pinned.get(d.id) == d.match_id:
            pinned.pop(d.id)
    # A decision later changed back to nothing, or to free text, leaves the latest record standing.

    live = [r for r in rows if r.text.strip()]
    prior_index = build_index(prior) if prior else None
    treaty_index = build_index(treaty) if treaty else None
    depth = 50
    prior_hits = match_table([r.text for r in live], prior_index, limit=depth, settings=settings) \
        if prior_index else [[] for _ in live]
    treaty_hits = match_table([r.text for r in live], treaty_index, limit=5, settings=settings,
                              score_cutoff=settings.treaty_at) if treaty_index else [[] for _ in live]
    groups = _same_cycle_groups(live, settings)

    edits: list[Edit] = []
    counts: Counter[str] = Counter()
    for n, (r, hits, links) in enumerate(zip(live, prior_hits, treaty_hits), start=1):
        hits = [h for h in hits if (r.id, h.id) not in rejected]
        best, confirmed = _best(r, hits, pinned, by_id, treaty_by_id, prior_index, settings)
        values = _values(r, best, confirmed, hits, links, groups.get(r.row, ""), prior_index, settings)
        counts[values["Status"].lower()] += 1
        edits.extend(_changes(r, values))
        if progress:
            progress(n, len(live))
    for r in rows:
        if not r.text.strip():
            edits.extend(_changes(r, {c: None for c in OWNED}))
    return Plan(edits, new_decisions, counts, time.perf_counter() - start)


def _best(r: NewRow, hits: list[Match], pinned: dict[str, str], by_id: dict[str, Record],
          treaty_by_id: dict[str, Record], index: CorpusIndex | None,
          settings: MatchSettings) -> tuple[Match | None, bool]:
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


def _values(r: NewRow, best: Match | None, confirmed: bool, hits: list[Match], links: list[Match],
            group: str, index: CorpusIndex | None, settings: MatchSettings) -> dict[str, Any]:
    status = settings.status(best.score if best else None)
    values: dict[str, Any] = {c: None for c in OWNED}
    values["Status"] = STATUS_LABEL[status]
    values["Same-cycle group"] = group or None
    if links:
        values["Treaty-body links"] = "; ".join(
            f"{m.id} ({', '.join(x for x in (m.record.mechanism, implementation_label(m.record.implementation)) if x)})"
            if (m.record.mechanism or m.record.implementation) else m.id for m in links[:3])
    if best is None or (status == "new" and not confirmed):
        return values
    rec = best.record
    lineage = [h for h in hits if h.score >= settings.lineage_at]
    if best not in lineage and confirmed:
        lineage.append(best)
    first = min(lineage, key=lambda h: (h.record.year or "9999", h.record.cycle or "9"), default=None)
    reason = why(best, index) if index is not None and best.key >= 0 else ""
    values.update({
        "Match ID": rec.id,
        "Match score": round(best.score, 1),
        "Prior cycle": _cycle_text(rec) or None,
        "Prior response": rec.response.capitalize() or None,
        "Prior implementation": implementation_label(rec.implementation) or None,
        "Times recommended before": len(lineage),
        "First recommended": _cycle_text(first.record) if first else None,
        "Why": ("confirmed by reviewer; " if confirmed else "") + reason or None,
    })
    return values


def _changes(r: NewRow, values: dict[str, Any]) -> list[Edit]:
    out = []
    for column, value in values.items():
        old = r.current.get(column)
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
