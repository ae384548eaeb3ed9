"""The quizgen questions a quiz drew from, read from quizgen's own data, and how to tell which of
them an LMS showed a student.

An exam folder holds `questions.json` (every question as data, with how Moodle asks it) and
`moodle.xml` (the bank as imported). Nothing is re-generated, so a report stays right whatever a
later quizgen would draw. A blueprint alone is re-planned (a fallback, exact only with the quizgen
that wrote the exam); a problem set's JSON is read as it is.

A drawn question is recognized by its code (the "Q V06-q1" footer quizgen's Moodle questions
carry), or else by its first paragraph: no two questions of an exam share it. Anything less
certain is not a match.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quizgen.engine.question import NEAR_MISS, Value, misconception_ids
from quizgen.errors import QuizgenError


@dataclass(frozen=True, slots=True)
class Box:
    """One answer box Moodle shows: the part it belongs to (from 1), the axis of a shape it holds
    (None: the whole value), and whether it is a choice among options (else a typed number)."""

    part: int
    axis: int | None
    choice: bool


@dataclass(frozen=True, slots=True)
class PartKey:
    number: int  # from 1
    quantity: str
    unit: str | None
    answer: Value
    # Each wrong value and its class: its misconception id, near-miss, or two ids joined by "+" for a value two
    # mistakes make together (a student who gives it shows both).
    distractors: tuple[tuple[Value, str], ...]
    shown: tuple[int, ...]  # indices into distractors of the options shown, when it is a choice
    choice: bool

    def possible(self) -> tuple[str, ...]:
        """The named misconceptions a student could show on this part: the options shown, for a
        choice; every known wrong value, for a typed number."""
        return tuple(m for cls in self.options() for m in ids_of(cls))

    def options(self) -> tuple[str, ...]:
        """Every wrong class a student could land in by a known mistake, near misses included."""
        pool = [self.distractors[i] for i in self.shown] if self.choice else self.distractors
        return tuple(m for _, m in pool)


@dataclass(frozen=True, slots=True)
class Item:
    id: str  # quizgen's question id, the code the question shows (V06-q1)
    slot: int | None  # the exam slot; None for a problem set's question (any slot may hold it)
    kind: str
    idnumber: str
    points: float
    parts: tuple[PartKey, ...]
    boxes: tuple[Box, ...]
    layers: tuple[str, ...]  # Keras's layer names, for the parts that ask for a layer
    opening: str | None = None  # the first paragraph of the question text, as Moodle shows it


@dataclass(frozen=True, slots=True)
class Bank:
    source: str
    title: str | None
    slots: int | None  # an exam's slots; None for a problem set
    items: tuple[Item, ...]


BOTH = "+"  # joins the two ids of a value two mistakes make together into one class


def wrong_class(distractor: dict[str, Any]) -> str:
    """A distractor's class: its misconception id (or near-miss); "first+second" for two mistakes together."""
    return BOTH.join(misconception_ids(distractor["misconception"], distractor.get("second_misconception"))
                     ) or distractor["misconception"]


def ids_of(cls: str) -> tuple[str, ...]:
    """The catalogue ids a wrong class shows: none for a near miss, two for a value two mistakes make together."""
    return () if cls == NEAR_MISS else tuple(cls.split(BOTH))


def _layer_names(doc: dict[str, Any]) -> tuple[str, ...]:
    from quizgen.engine.stack import Stack
    from quizgen.engine.summary import layer_names
    return tuple(layer_names(Stack.from_json(doc["stack"]).layers))


def item(doc: dict[str, Any], boxes: Sequence[Box], slot: int | None, points: float, idnumber: str) -> Item:
    parts = []
    for n, p in enumerate(doc["parts"], 1):
        choice = any(b.choice for b in boxes if b.part == n)
        parts.append(PartKey(n, p["target"]["quantity"], p["target"].get("unit"), p["answer"],
                             tuple((d["value"], wrong_class(d)) for d in p["distractors"]),
                             tuple(i - 1 for i in p.get("option_order", ()) if i), choice))
    return Item(doc["id"], slot, doc["kind"], idnumber, points, tuple(parts), tuple(boxes), _layer_names(doc))


def _load_json(path: Path) -> Any:
    from quizgen.render.files import read_text
    try:
        return json.loads(read_text(path))
    except json.JSONDecodeError as error:
        raise QuizgenError(f"{path} is not valid JSON (line {error.lineno}: {error.msg})") from None


def from_exam_doc(doc: dict[str, Any], source: str) -> Bank:
    try:
        items = tuple(item(q, [Box(b["part"], b["axis"], b["choice"]) for b in q["moodle"]["blanks"]], q["slot"],
                           q["points"], q["moodle"]["idnumber"]) for q in doc["questions"])
    except (KeyError, TypeError) as error:
        raise QuizgenError(f"{source}: not a quizgen exam's questions.json (no {error})") from None
    return Bank(source, doc.get("title"), max((i.slot or 0 for i in items), default=0), items)


def load_exam(path: Path, variants: int | None = None) -> Bank:
    """An exam folder (questions.json, and moodle.xml for the question texts), or a blueprint re-planned."""
    if path.is_dir():
        qpath = path / "questions.json"
        if not qpath.exists():
            raise QuizgenError(f"{path} has no questions.json (written by 'quizgen exam' since it has 'quizgen "
                               "report'); give --exam BLUEPRINT.toml --variants N to re-plan the exam instead")
        bank = from_exam_doc(_load_json(qpath), str(qpath))
        xml = path / "moodle.xml"
        return with_openings(bank, xml) if xml.exists() else bank
    if path.suffix != ".toml":
        raise QuizgenError(f"--exam takes the folder 'quizgen exam' wrote, or its blueprint (.toml); got {path}")
    if not variants:
        raise QuizgenError("--exam BLUEPRINT.toml needs --variants N (how many variants the exam was written with)")
    from quizgen.exam.blueprint import load_blueprint
    from quizgen.exam.key import questions_doc
    from quizgen.exam.plan import plan_exam
    plan = plan_exam(load_blueprint(path), [""] * variants)
    return from_exam_doc(questions_doc(plan), str(path))


def load_set(path: Path, moodle_type: str = "auto") -> Bank:
    """A problem set's JSON: every question may sit in any slot of the quiz."""
    doc = _load_json(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("questions"), list):
        raise QuizgenError(f"{path}: not a quizgen problem set (no 'questions' list)")
    from quizgen.report.layout import layout
    items = []
    for q in doc["questions"]:
        qtype, boxes = layout(q, moodle_type)
        items.append(item(q, boxes, None, 1, f"{q['kind']}-d{q['difficulty']}-{qtype}-{q['seed']}"))
    return Bank(str(path), None, None, tuple(items))


def plain(text: str) -> str:
    """Text compared as Moodle's plain-text rendering shows it: every run of white space one space."""
    return re.sub(r"\s+", " ", text).strip()


def openings(xml: Path) -> dict[str, tuple[str, str]]:
    """Question id → (idnumber, first paragraph as plain text), from a quizgen Moodle XML bank."""
    try:
        root = ET.parse(xml).getroot()
    except (OSError, ET.ParseError) as error:
        raise QuizgenError(f"{xml}: not a readable Moodle XML file ({error})") from None
    out = {}
    for q in root.iter("question"):
        if q.get("type") == "category":
            continue
        name, text = q.findtext("name/text") or "", q.findtext("questiontext/text") or ""
        first = re.search(r"<p>(.*?)</p>", text, re.DOTALL)
        if first:
            out[name.split(" · ", 1)[0].strip()] = (q.findtext("idnumber") or "",
                                                     plain(html.unescape(re.sub(r"<[^>]+>", "", first[1]))))
    return out


def with_openings(bank: Bank, xml: Path) -> Bank:
    """The bank, each question knowing its first paragraph; the XML must be this bank's."""
    import dataclasses
    texts = openings(xml)
    items = []
    for i in bank.items:
        if i.id not in texts or texts[i.id][0] != i.idnumber:
            raise QuizgenError(f"{xml}: question {i.id} ({i.idnumber}) is not in it: the Moodle bank does not "
                               f"match {bank.source}")
        items.append(dataclasses.replace(i, opening=texts[i.id][1]))
    return dataclasses.replace(bank, items=tuple(items))


CODE = re.compile(r"(?<![\w-])((?:[A-Za-z][0-9]+-)?q[0-9]+)(?![\w-])")


class Identifier:
    """Which question an LMS's rendering of a question is, or why that cannot be told for certain."""

    def __init__(self, bank: Bank) -> None:
        self.bank = bank
        self.by_id: dict[str, list[Item]] = {}
        for i in bank.items:
            self.by_id.setdefault(i.id, []).append(i)
        self.by_slot: dict[int | None, list[Item]] = {}
        for i in bank.items:
            self.by_slot.setdefault(i.slot, []).append(i)

    def candidates(self, slot: int) -> list[Item]:
        return self.by_slot.get(slot, []) if self.bank.slots else list(self.bank.items)

    def identify(self, slot: int, text: str | None) -> Item | str:
        """The item, or the reason it cannot be told."""
        pool = self.candidates(slot)
        if not pool:
            return f"the exam has no slot {slot}"
        if text is None:
            if len({i.idnumber for i in pool}) == 1:
                return pool[0]
            return "the export has no question text (tick 'Question text' in the Responses report)"
        codes = {c for c in CODE.findall(text) if c in self.by_id}
        if len(codes) > 1:
            return f"the text shows several question codes ({', '.join(sorted(codes))})"
        if codes:
            code = codes.pop()
            found = [i for i in pool if i.id == code]
            if not found:
                return f"question {code} is not one of slot {slot}'s questions"
            return found[0]
        flat = plain(text)
        found = [i for i in pool if i.opening and flat.startswith(i.opening)
                 and flat[len(i.opening):len(i.opening) + 1] in ("", " ")]
        if len(found) == 1:
            return found[0]
        if found:
            return f"the text fits {len(found)} questions ({', '.join(i.id for i in found)})"
        if not any(i.opening for i in pool):
            return "the text shows no question code, and no Moodle bank was given to match its opening (--bank)"
        where = f"slot {slot}'s" if self.bank.slots else "the set's"
        return f"the text matches none of {where} questions (a different quiz or bank?)"
