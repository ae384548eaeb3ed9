"""Packing an Anki deck (.apkg) with genanki: one note per question, one subdeck per kind.

The templates in templates/anki/note.html.j2 write every field; this module only builds the
collection. genanki stamps notes, cards and the note type with the time and numbers ids from it,
so the collection is written with a fixed timestamp and id counter, serialized from memory, and
zipped with fixed dates: the same set gives the same bytes. A note's GUID comes from its kind and
question seed, so importing a regenerated deck updates the cards and keeps their review history.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sqlite3
import zipfile
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    from quizgen.render.environment import Renderer
    from quizgen.render.view import QuestionView

TIMESTAMP = 1_767_225_600  # 2026-01-01 00:00 UTC: every note's and card's modification time
FIRST_ID = TIMESTAMP * 1000  # note and card ids count up from here, as genanki's own do from the clock
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
MODEL_ID = 1_607_392_319  # the note type "quizgen type-in", the same in every deck
FIELDS = ("Question", "Format", "Answer", "Back", "Code")


def stable_id(text: str) -> int:
    """A deck id from its name (Anki ids are 63-bit positive integers)."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:7], "big") + 1


def media_name(v: QuestionView) -> str:
    """A drawing's file name in Anki's media folder, shared by every deck there: from its content."""
    return f"quizgen-{hashlib.sha256(v.figure.svg.encode('utf-8')).hexdigest()[:20]}.svg"


def pack(renderer: Renderer, context: Mapping[str, Any], out: BinaryIO) -> None:
    """The .apkg, written into `out`: the collection (sqlite, built in memory: genanki's way), the
    media map, each drawing once."""
    import genanki

    note = renderer.worksheet.make_module(dict(context))
    model = genanki.Model(MODEL_ID, "quizgen type-in", fields=[{"name": f} for f in FIELDS],
                          templates=[{"name": "Type the answer", "qfmt": str(note.question_format()),
                                      "afmt": str(note.answer_format())}], css=str(note.style()))
    decks: dict[str, Any] = {}
    media: dict[str, bytes] = {}
    for v in context["questions"]:
        name = str(note.deck(v.q.kind)).strip()
        deck = decks.get(name) or decks.setdefault(name, genanki.Deck(stable_id(name), name))
        src = media_name(v) if v.figure else None
        if src:
            media[src] = v.figure.svg.encode("utf-8")
        fields = [str(note.front(v, src)), str(note.format(v)), str(note.answer(v)), str(note.back(v)), v.q.id]
        tags = ["quizgen", v.q.kind, f"difficulty-{v.q.difficulty}", *v.misconceptions]
        deck.add_note(genanki.Note(model, fields, tags=tags, guid=genanki.guid_for(v.q.kind, v.q.seed),
                                   sort_field=v.q.id))
    connection = sqlite3.connect(":memory:")
    genanki.Package(list(decks.values())).write_to_db(connection.cursor(), TIMESTAMP, itertools.count(FIRST_ID))
    connection.commit()
    collection = connection.serialize()
    connection.close()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        members = [("collection.anki2", collection),
                   ("media", json.dumps({str(i): name for i, name in enumerate(media)}).encode("utf-8")),
                   *((str(i), data) for i, data in enumerate(media.values()))]
        for name, data in members:
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
