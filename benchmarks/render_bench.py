"""Rendering speed: 10,000 questions to Moodle XML and HTML through the templates, next to a
minimal hand-written f-string generator of comparable Moodle XML (the issue's yardstick: within 5×).

Run: python benchmarks/render_bench.py [--count 10000] [--repeat 3]
The questions are generated once, outside the timings; each figure is the best of --repeat runs
of rendering into a discarded stream (the CLI writes the same chunks to a file). No assertions:
figures for the closing notes and for spotting regressions.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import time
from collections.abc import Callable, Iterator, Sequence

from quizgen.engine.generate import Options, generate
from quizgen.engine.kinds import CORE_KINDS
from quizgen.engine.misconceptions import CATALOGUE
from quizgen.engine.question import Question
from quizgen.engine.summary import layer_names
from quizgen.render.formats import FORMATS
from quizgen.render.publish import Look, load, plan, write
from quizgen.render.view import Sheet

WHY = {m.id: m.explanation for m in CATALOGUE}


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def show(value: object) -> str:
    return "×".join(f"{v:,}" for v in value) if isinstance(value, list) else f"{value:,}"


def feedback(d) -> str:
    return f"<p><strong>{html.escape(d.title)}.</strong></p><p>{html.escape(WHY.get(d.misconception, d.feedback))}</p>"


def cloze_blank(answer: int, wrong: Sequence[tuple[int, str]]) -> str:
    alternatives = "".join(f"~%0%{v}#{fb.replace('}', chr(92) + '}')}" for v, fb in wrong)
    return f"{{1:NUMERICAL:={answer}#<p>Correct.</p>{alternatives}}}"


def fstring_moodle(questions: Sequence[Question]) -> Iterator[str]:
    """What one would write by hand: the same categories, question types, table, answers and feedback."""
    yield '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n'
    groups: dict[tuple[str, int], list[Question]] = {}
    for q in questions:
        groups.setdefault((q.kind, q.difficulty), []).append(q)
    for (kind, difficulty), qs in groups.items():
        yield (f'<question type="category"><category><text>$course$/quizgen/{kind}/difficulty-{difficulty}'
               f'</text></category></question>\n')
        for q in qs:
            names = layer_names(q.stack.layers)
            rows = []
            for i, layer in enumerate(q.stack.layers):
                config = ", ".join(f"{k}={v!r}" for k, v in layer.config().items())
                rows.append(f"<tr><td>{i + 1}</td><td>{names[i]} ({layer.class_name})</td>"
                            f"<td><code>{html.escape(f'{layer.class_name}({config})')}</code></td>"
                            f"<td>{show(list(q.stack.output_of(i)))}</td>")
            part = q.parts[0]
            if not q.multiple_choice:
                for p in q.parts:
                    if p.target.layer is not None:
                        rows[p.target.layer] += "<td>" + cloze_blank(
                            p.answer, [(d.value, feedback(d)) for d in p.distractors]) + "</td>"
                qtype = "cloze"
            elif part.target.layer is None or part.target.quantity == "output_size":
                qtype = "numerical"
            else:
                qtype = "multichoice"
            solution = "".join(f"<li>{html.escape(s.topic)}: <code>{html.escape(s.formula)}</code> = "
                               f"<code>{html.escape(s.substitution)}</code> = <strong>{show(s.result)}</strong></li>"
                               for s in q.solution)
            text = (f'<div class="quizgen"><p>Question about {html.escape(q.kind)}</p><table class="table table-sm">'
                    + "".join(r + "</tr>" for r in rows) + "</table></div>")
            general = cdata("<ol>" + solution + "</ol>")
            yield (f'<question type="{qtype}">\n<name><text>{q.id} {q.kind} seed {q.seed}</text></name>\n'
                   f'<questiontext format="html"><text>{cdata(text)}</text></questiontext>\n'
                   f'<generalfeedback format="html"><text>{general}</text></generalfeedback>\n'
                   f'<penalty>0.3333333</penalty>\n<idnumber>{q.kind}-{q.seed}</idnumber>\n')
            if qtype == "multichoice":
                yield "<single>true</single>\n<shuffleanswers>true</shuffleanswers>\n"
                for o in part.options:
                    fb = "<p>Correct.</p>" if o.correct else feedback(o.distractor)
                    yield (f'<answer fraction="{100 if o.correct else 0}" format="html"><text>{cdata(show(o.value))}'
                           f'</text><feedback format="html"><text>{cdata(fb)}</text></feedback></answer>\n')
            elif qtype == "numerical":
                yield (f'<answer fraction="100"><text>{part.answer}</text><feedback format="html"><text>'
                       f'{cdata("<p>Correct.</p>")}</text></feedback><tolerance>0</tolerance></answer>\n')
                for d in part.distractors:
                    yield (f'<answer fraction="0"><text>{d.value}</text><feedback format="html"><text>'
                           f'{cdata(feedback(d))}</text></feedback><tolerance>0</tolerance></answer>\n')
            tags = "".join(f"<tag><text>{d.misconception}</text></tag>" for p in q.parts for d in p.distractors)
            yield f"<tags><tag><text>{q.kind}</text></tag>{tags}</tags>\n</question>\n"
    yield "</quiz>\n"


def best(run: Callable[[], int], repeat: int) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        size = run()
        times.append(time.perf_counter() - start)
    return min(times), size


class Sink:
    """Standard output that only counts what it is given."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, text: str) -> None:
        self.size += len(text)

    def flush(self) -> None:
        pass


def templated(name: str, look: Look, questions: Sequence[Question], options: Options) -> Callable[[], int]:
    """Render through quizgen's own code path (the CLI's `write` to `-o -`), into a counter."""
    files = plan(FORMATS[name], look, "-", force=True)
    renderer = load(files)  # templates compiled once, outside the timing
    sheet = Sheet(7, None, options.kinds, options.difficulties)

    def run() -> int:
        sink = Sink()
        with contextlib.redirect_stdout(sink):
            write(files, renderer, questions, sheet, force=True)
        return sink.size
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    options = Options(CORE_KINDS, (1, 2, 3))
    start = time.perf_counter()
    questions = generate(7, args.count, options)
    print(f"generated {args.count:,} questions in {time.perf_counter() - start:.2f} s (not counted below)")

    baseline, base_size = best(lambda: sum(len(c) for c in fstring_moodle(questions)), args.repeat)
    print(f"{'f-string Moodle XML (baseline)':<34}{baseline:7.2f} s  {base_size / 1e6:6.1f} MB")
    for label, name, look in (("Moodle XML (templates)", "moodle", Look()),
                              ("HTML worksheet (templates)", "html", Look(answers="none")),
                              ("HTML interactive (templates)", "html", Look(interactive=True)),
                              ("Markdown + inline key (templates)", "md", Look(answers="inline"))):
        seconds, size = best(templated(name, look, questions, options), args.repeat)
        print(f"{label:<34}{seconds:7.2f} s  {size / 1e6:6.1f} MB  {seconds / baseline:5.1f}× baseline  "
              f"{args.count / seconds:,.0f} questions/s")


if __name__ == "__main__":
    main()
