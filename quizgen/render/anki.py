"""Packing an Anki deck (.apkg) with genanki: one note per question, one subdeck per kind.

The templates in templates/anki/note.html.j2 write every field; this module only builds the
collection. genanki stamps notes, cards and the note type with the time and numbers ids from it,
so the collection is written with a fixed timestamp and id counter, its file header as an
in-memory database has it, and zipped with fixed dates: the same set gives the same bytes. A
note's GUID comes from its kind and question seed, so importing a regenerated deck updates the
cards and keeps their review history.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
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


class _Notes:
    """A deck's notes read back from the spool as genanki builds the collection: genanki walks a
    deck's notes (twice) when it writes them, so they need not all be in memory at once."""

    def __init__(self, model: Any, records: Sequence[tuple[Any, ...]], indices: list[int]) -> None:
        self.model, self.records, self.indices = model, records, indices

    def __len__(self) -> int:
        return len(self.indices)

    def __iter__(self) -> Iterator[Any]:
        import genanki

        for i in self.indices:
            fields, tags, guid, sort_field = self.records[i]
            yield genanki.Note(self.model, fields, tags=tags, guid=guid, sort_field=sort_field)


def _as_in_memory(path: Path) -> None:
    """Zero what a database file's header says of its writes (change counter, the version valid
    for it, the library's version), as an in-memory database serializes them: the collection is
    written on disk (memory stays flat) with the bytes the in-memory one had, on any SQLite."""
    with open(path, "r+b") as db:
        for offset in (24, 92, 96):
            db.seek(offset)
            db.write(bytes(4))


def pack(renderer: Renderer, context: Mapping[str, Any], out: BinaryIO) -> None:
    """The .apkg, written into `out`: the collection (sqlite), the media map, each drawing once.
    Notes and drawings wait on disk until genanki writes the collection, deck by deck (its order of
    ids), so a deck of any size takes little memory."""
    import genanki

    from quizgen.render.spool import Spool, Texts

    note = renderer.worksheet.make_module(dict(context))
    model = genanki.Model(MODEL_ID, "quizgen type-in", fields=[{"name": f} for f in FIELDS],
                          templates=[{"name": "Type the answer", "qfmt": str(note.question_format()),
                                      "afmt": str(note.answer_format())}], css=str(note.style()))
    decks: dict[str, list[int]] = {}  # each deck's notes, by their place in `records`
    media: dict[str, int] = {}  # each drawing's file name, by its place in `drawings`
    drawings = Texts()

    def records() -> Iterator[tuple[Any, ...]]:
        for i, v in enumerate(context["questions"]):
            decks.setdefault(str(note.deck(v.q.kind)).strip(), []).append(i)
            src = media_name(v) if v.figure else None
            if src and src not in media:
                media[src] = len(drawings)
                drawings.append(v.figure.svg)
            fields = [str(note.front(v, src)), str(note.format(v)), str(note.answer(v)), str(note.back(v)), v.q.id]
            tags = ["quizgen", v.q.kind, f"difficulty-{v.q.difficulty}", *v.misconceptions]
            yield fields, tags, genanki.guid_for(v.q.kind, v.q.seed), v.q.id

    spooled = Spool(records())
    len(spooled)  # every note spooled: the decks are then known
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "collection.anki2"
        connection = sqlite3.connect(path)
        package = []
        for name, indices in decks.items():
            deck = genanki.Deck(stable_id(name), name)
            deck.notes = _Notes(model, spooled, indices)
            package.append(deck)
        genanki.Package(package).write_to_db(connection.cursor(), TIMESTAMP, itertools.count(FIRST_ID))
        connection.commit()
        connection.close()
        _as_in_memory(path)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            members = [("collection.anki2", path),
                       ("media", json.dumps({str(i): name for i, name in enumerate(media)})),
                       *((str(i), drawings[n]) for i, n in enumerate(media.values()))]
            for name, data in members:
                info = zipfile.ZipInfo(name, ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                with archive.open(info, "w") as member:
                    if isinstance(data, Path):
                        with open(data, "rb") as db:
                            shutil.copyfileobj(db, member)
                    else:
                        member.write(data.encode("utf-8"))
