"""Which document a citation mark points into, and what is wrong when it points nowhere.

``[[lines #offer]]`` names no document: it means the document the text belongs to
(a question printed after Document B cites B), and in text that belongs to the
whole packet, the one document that has a passage of that name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from packet.content.markup import Cite, scan
from packet.content.model import Document
from packet.errors import Problems

# label -> the names of the passages its texts mark
Anchors = Mapping[str, frozenset[str]]


def document_anchors(documents: Sequence[Document]) -> dict[str, frozenset[str]]:
    """The passages each document marks, in its original or its adapted text."""
    found = {}
    for document in documents:
        speakers = [s.id for s in document.speakers]
        names: set[str] = set()
        for text in document.texts():
            names |= set(scan(text.body, Problems(), speakers=speakers, allow_spans=True).anchors)
        found[document.label] = frozenset(names)
    return found


@dataclass(frozen=True)
class Unresolved:
    """Why a citation points nowhere, and how to fix it."""

    why: str
    fix: str


def resolve(cite: Cite, own: str, anchors: Anchors) -> str | Unresolved:
    """The label of the document a citation points into, or why it points nowhere."""
    labels = list(anchors)
    listing = ", ".join(labels)
    if cite.label:
        if cite.label not in anchors:
            return Unresolved(
                f"{cite.typed()} cites Document {cite.label}, which the packet does not have",
                f"use one of the documents' labels: {listing}",
            )
        label = cite.label
    elif not cite.first:
        return Unresolved(f"{cite.typed()} names no document", "write e.g. [[document B]]")
    elif own in anchors:
        label = own
    else:
        having = [name for name, passages in anchors.items() if cite.first in passages]
        if len(having) > 1:
            return Unresolved(
                f"{cite.typed()} could mean the passage #{cite.first} of Document "
                f"{' or Document '.join(having)}",
                f"say which, e.g. [[lines {having[0]}#{cite.first}]]",
            )
        label = having[0] if having else (labels[0] if len(labels) == 1 else "")
        if not label:
            return _unknown(cite, "", anchors)
    if not cite.first:
        return label
    missing = [name for name in (cite.first, cite.last) if name not in anchors[label]]
    if missing:
        return _unknown(cite, label, anchors, missing[0])
    return label


def _unknown(cite: Cite, label: str, anchors: Anchors, name: str = "") -> Unresolved:
    name = name or cite.first
    where = f"Document {label}" if label and len(anchors) > 1 else "the document" if label else ""
    elsewhere = [
        other for other, passages in anchors.items() if name in passages and other != label
    ]
    if label:
        known = ", ".join(f"#{a}" for a in sorted(anchors[label]))
        why = f"{cite.typed()} cites an anchor that does not exist" + (
            f" in {where}" if len(anchors) > 1 else f" (#{name})" if name != cite.first else ""
        )
        fix = f"mark the passage in {where} with [[#{name}]]…[[/#{name}]], or use one of: " + (
            known or "no passages are marked yet"
        )
        if elsewhere:
            fix = f"#{name} is in Document {elsewhere[0]}: write [[lines {elsewhere[0]}#{name}]]"
        return Unresolved(why, fix)
    return Unresolved(
        f"{cite.typed()} cites an anchor that does not exist in any document",
        f"mark the passage in a document with [[#{name}]]…[[/#{name}]]",
    )
