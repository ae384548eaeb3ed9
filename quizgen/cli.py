"""The `quizgen` command: argument parsing and error reporting only.

Bad input ends with one line on stderr and exit status 2, never a traceback. Heavy imports
(jinja2, faker, markdown) happen inside the commands that need them, so `--help` stays fast.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import signal
import sys
from collections.abc import Container, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from quizgen import __version__
from quizgen.engine.kind_names import CORE_KINDS, SUMMARIES
from quizgen.errors import QuizgenError, check_text

if TYPE_CHECKING:
    from quizgen.engine.question import Question

EXIT_USAGE = 2

def _kind_lines(names: Iterable[str]) -> str:
    return "".join(f"  {name:<20} {SUMMARIES[name]}\n" for name in names)


KIND_HELP = ("question kinds (stable ids):\n" + _kind_lines(CORE_KINDS)
             + "one level up (chosen by name, not in the default mix):\n"
             + _kind_lines(name for name in SUMMARIES if name not in CORE_KINDS) + """
difficulty levels:
  1  one layer on a small input, friendly numbers (e.g. 32 3x3 filters on a 28x28x1 image);
     questions about a whole model or a Flatten add a pool, a Flatten and one Dense output
     (memory-footprint keeps the one convolution; receptive-field, spot-the-error and
     most-params need a level-2 stack)
  2  two or more conv/pool blocks (more on larger inputs), then Flatten and Dense layers
  3  strides, 'same' padding, dilation, groups, depthwise/separable, BatchNorm, frozen layers,
     1D/3D, transposed convolutions

examples:
  quizgen generate --seed 7 --count 20 -o output/set.json
  quizgen generate --kind conv-params --difficulty 1 --count 5 -o -
  quizgen generate --question-seed 4242 -o -     (rebuild one question from its seed)
  quizgen generate --seed 7 -n 100000 --jobs auto -o output/bank.json   (one process per CPU, same bytes)
""")

EXAM_HELP = """examples:
  quizgen exam --init                                   (writes a commented exam.toml to start from)
  quizgen exam exam.toml --fake-roster 30 -o output/midterm/
  quizgen exam exam.toml --roster students.csv --format md --format html -o output/midterm/
  quizgen exam exam.toml --roster students.csv --only V07 --force -o output/midterm/
"""

DRILL_HELP = """answers: a number (18,496 or 18496), a shape (26x26x32 or (26, 26, 32)), an amount with its unit
(1,234.56 KiB), a layer name or number (conv2d_1, 3), or with --mc a letter.
commands: hint (the formula), skip (show the solution), quit; end of input or Ctrl-C also ends the drill.
Answers may be piped in, one per line. The level goes up after a run of right answers and down
after repeated misses; kinds you keep missing come up more often. Without --kind the drill asks the
seven core kinds at level 1 and every kind from level 2 on. Kinds: 'quizgen kinds'.

examples:
  quizgen drill
  quizgen drill --seed 7 --kind conv-params --count 5
  quizgen drill --mc --difficulty 2 --time
  quizgen drill --stats
"""

REPORT_HELP = """In Moodle: Quiz → Results → Responses, tick "Question text" (with "Response"; "Right answer" adds a
check that the bank is the quiz's), then Download table data as CSV. Without "Question text" nothing in
Moodle's exports says which question a random slot drew. The Grades report may be given too.

classes: correct; a misconception id (quizgen misconceptions); near-miss (a plausible slip no named
mistake explains); blank; unexplained (a value no known mistake gives). Answers that cannot be tied
to a question for certain are listed apart, never guessed.

examples:
  quizgen report responses.csv --exam output/midterm/
  quizgen report responses.csv grades.csv --exam output/midterm/ --format html -o report.html
  quizgen report responses.csv --set output/set-7.json --bank output/set-7.xml --format json -o -
  quizgen report responses.csv --exam output/midterm/ --anonymous --format csv -o report.csv
"""


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line, as every other error is."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see {self.prog} --help)\n")
        sys.exit(EXIT_USAGE)


if TYPE_CHECKING:
    Commands = argparse._SubParsersAction[Parser]  # what add_subparsers returns


def _split(values: Sequence[str] | None) -> list[str]:
    """--kind a,b --kind c → [a, b, c]."""
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


def _difficulties(values: Sequence[str] | None) -> tuple[int, ...]:
    out = []
    for v in _split(values) or ["1", "2", "3"]:
        if v not in ("1", "2", "3"):
            raise QuizgenError(f"difficulty must be 1, 2 or 3, got {v!r}")
        out.append(int(v))
    return tuple(dict.fromkeys(out))


def _jobs(text: str) -> int:
    from quizgen.parallel import parse_jobs

    try:
        return parse_jobs(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def build_parser(chosen: Container[str] | None = None) -> Parser:
    """quizgen's command line. Every command is listed; only the `chosen` ones (default: all) get
    their options. `main` builds just the command it runs: the options' choices import the modules
    they come from (the formats, the report's readers), a cost every start-up would pay."""
    parser = Parser(prog="quizgen", description="Randomized, verified exercises about CNN parameter counts "
                    "and output shapes, with distractors from real misconceptions.",
                    epilog="Run 'quizgen COMMAND --help' for each command's options.")
    parser.add_argument("--version", action="version", version=f"quizgen {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name, add in (("generate", _generate_parser), ("summary", _summary_parser), ("kinds", _kinds_parser),
                      ("misconceptions", _misconceptions_parser), ("audit", _audit_parser), ("exam", _exam_parser),
                      ("drill", _drill_parser), ("report", _report_parser)):
        add(commands, name, chosen is None or name in chosen)
    return parser


def _generate_parser(commands: Commands, name: str, full: bool) -> None:
    gen = commands.add_parser(name, help="write a problem set", description=(
        "Write a problem set of randomized questions: answers checked against PyTorch, wrong options\n"
        "from named misconceptions, a worked solution each. The same seed and options always give\n"
        "byte-identical output; every question records its own seed."),
        epilog=KIND_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    if not full:
        return  # listed by name and help only (see build_parser)
    gen.add_argument("--count", "-n", type=int, default=10, help="number of questions (default 10)")
    gen.add_argument("--seed", type=int, help="seed of the set (default: a random one, recorded in the output)")
    gen.add_argument("--kind", "-k", action="append", metavar="KIND",
                     help="question kind(s), repeatable or comma-separated (default: a mix of the seven core "
                          "kinds listed first below)")
    gen.add_argument("--difficulty", "-d", action="append", metavar="LEVEL",
                     help="difficulty 1, 2 or 3, repeatable or comma-separated (default: a mix of all)")
    from quizgen.engine.styles import STYLES
    from quizgen.render.formats import ANSWERS, FORMATS, MOODLE_TYPES, PAPERS
    gen.add_argument("--format", "-f", choices=list(FORMATS), default="json", metavar="FORMAT",
                     help="output format: " + "; ".join(f"{f.name}: {f.help}" for f in FORMATS.values())
                     + " (default json)")
    gen.add_argument("--output", "-o", metavar="PATH",
                     help="file to write, a folder (DIR/) to write set-SEED.EXT into, or - for standard output "
                          "(default output/)")
    gen.add_argument("--force", action="store_true", help="overwrite existing output files")
    gen.add_argument("--question-seed", type=int, metavar="SEED",
                     help="write only the question this seed stands for (with the same --kind/--difficulty)")
    gen.add_argument("--quiet", "-q", action="store_true", help="no progress bar or closing message")
    gen.add_argument("--jobs", "-j", type=_jobs, default=1, metavar="N",
                     help="make the questions in N processes, or auto for one per CPU; the output is the same "
                          "byte for byte (default 1)")
    gen.add_argument("--style", choices=STYLES, default="table",
                     help="how each question shows its model: a table of Keras layers, runnable Keras code, PyTorch "
                          "code (answered in PyTorch's convention, shapes channels first), or sentences "
                          "(default table)")
    gen.add_argument("--diagram", action=argparse.BooleanOptionalAction,
                     help="draw each model as an SVG, the asked layer highlighted: inline in html, embedded in "
                          "moodle, an SVG file in a canvas zip, a NAME-ID.svg file beside an md worksheet, SVG text in "
                          "json, a media file in an anki deck; pdf and print leave out drawings whose shapes are all "
                          "hidden (default: on for html, moodle and canvas, off for the others)")
    look = gen.add_argument_group("md, html, moodle, canvas, gift, anki and pdf output")
    look.add_argument("--title", metavar="TEXT", help="title of the set (default: from the kinds chosen)")
    look.add_argument("--templates", metavar="DIR", type=Path,
                      help="your own copy of the templates folder, to restyle or translate")
    look.add_argument("--answers", choices=ANSWERS,
                      help="md, html, pdf: the answer key in a file beside the worksheet (NAME-key.EXT), after the "
                           "questions, or not at all (default separate; inline with -o -; none with --interactive)")
    look.add_argument("--paper", metavar="SIZE",
                      help="pdf: page size, " + " or ".join(PAPERS) + " (default a4)")
    look.add_argument("--interactive", action="store_true",
                      help="html: a self-check page (pick or type an answer, see the feedback and the score)")
    look.add_argument("--moodle-type", choices=MOODLE_TYPES,
                      help="moodle, canvas, gift: multiple choice, typed numbers (numerical; a shape is a cloze "
                           "with one number per axis), or auto: typed for shapes and whole-model sums (default "
                           "auto). A kind that cannot be asked so is written as it can be, with a note on stderr: "
                           "summary-table, reverse-filters and reverse-kernel are always typed, trainable-split a "
                           "cloze of two parts, most-params and spot-the-error always multiple choice")
    look.add_argument("--category", metavar="PATH",
                      help="moodle, gift: the category the questions go under, then KIND/difficulty-N "
                           "(default '$course$/quizgen')")
    gen.set_defaults(run=cmd_generate)


def _summary_parser(commands: Commands, name: str, full: bool) -> None:
    summ = commands.add_parser(name, help="print a Keras-style summary of a stack", description=(
        "Print a Keras-style model summary (layer, output shape, parameters; totals with trainable and "
        "non-trainable) of a stack written in quizgen's JSON stack format, or of a question from a "
        "problem set."), epilog="example: quizgen summary model.json")
    if not full:
        return  # listed by name and help only (see build_parser)
    summ.add_argument("stack", metavar="STACK.json", help="a stack document, a question, or - for standard input")
    summ.add_argument("--json", action="store_true", help="print the summary as JSON")
    summ.set_defaults(run=cmd_summary)


def _kinds_parser(commands: Commands, name: str, full: bool) -> None:
    kinds = commands.add_parser(name, help="list the question kinds", description="List the question kinds.")
    kinds.set_defaults(run=cmd_kinds)


def _misconceptions_parser(commands: Commands, name: str, full: bool) -> None:
    mis = commands.add_parser(name, help="list the misconceptions distractors come from",
                              description="List the catalogue of misconceptions that distractors come from.")
    mis.set_defaults(run=cmd_misconceptions)


def _audit_parser(commands: Commands, name: str, full: bool) -> None:
    audit = commands.add_parser(name, help="item statistics of a problem set: can blind guessing beat chance?",
                                description=(
        "Read a problem set (JSON, as 'generate' writes it) and print per kind: how often each sorted\n"
        "rank holds the answer, the best blind strategy (smallest, closest pair, nearest the mean, ...)\n"
        "and its score, the misconceptions shown and how often, the near-miss share, options 30x or\n"
        "more off the answer, and duplicates. Exit status 1 (with one line on stderr) when a kind falls\n"
        "short of the goals: each rank 15-35%, no strategy above 35%, near-misses at most 10%, options\n"
        "30x off at most 5% unless marked as the asked layer's signature mistake, no duplicates. Kinds\n"
        "with fewer than 50 numeric answers are not judged."),
        epilog="example: quizgen generate --seed 4711 -n 200 --kind conv-params -o set.json && quizgen audit set.json",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    if not full:
        return  # listed by name and help only (see build_parser)
    audit.add_argument("set", metavar="SET.json", help="a problem set, or - for standard input")
    audit.set_defaults(run=cmd_audit)


def _exam_parser(commands: Commands, name: str, full: bool) -> None:
    exam = commands.add_parser(name, help="per-student exam variants, keys and a Moodle bank from a blueprint",
                               description=(
        "Write an exam from a TOML blueprint: a worksheet and an answer key per variant (one per student),\n"
        "one Moodle XML file with a category per slot holding every variant (for 'random question from\n"
        "category'), manifest.json (variant → student, seeds) and grading-key.csv. The same blueprint\n"
        "and seed always give the same files; a student's name never changes their numbers."),
        epilog=EXAM_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    if not full:
        return  # listed by name and help only (see build_parser)
    exam.add_argument("blueprint", nargs="?", metavar="BLUEPRINT.toml", help="the exam blueprint")
    exam.add_argument("--init", nargs="?", const="exam.toml", metavar="PATH",
                      help="write a commented example blueprint (default exam.toml) and stop")
    who = exam.add_mutually_exclusive_group()
    who.add_argument("--roster", metavar="CSV", help="students, one per row (a 'name' column, UTF-8)")
    who.add_argument("--fake-roster", type=int, metavar="N", help="N made-up students (Faker), for a demo")
    exam.add_argument("--variants", type=int, metavar="N",
                      help="number of variants (default: one per student, or 1 without a roster)")
    exam.add_argument("--locale", metavar="LOCALE", help="Faker locale for names (default: the blueprint's, en_US)")
    exam.add_argument("--format", "-f", action="append", choices=["md", "html", "pdf", "canvas", "gift"],
                      metavar="{md,html,pdf,canvas,gift}",
                      help="worksheet format, repeatable (default md); the Moodle file is always written; pdf "
                           "adds an answer sheet per student and print.pdf, every variant from an odd page; "
                           "canvas (canvas.zip, a question group per slot) or gift (gift.txt) add the same bank for "
                           "Canvas or as GIFT")
    exam.add_argument("--paper", metavar="SIZE", help="pdf: page size, a4 or letter (default a4)")
    exam.add_argument("--output", "-o", metavar="DIR", help="output folder (default output/BLUEPRINT-NAME/)")
    exam.add_argument("--only", metavar="VARIANT", help="rebuild just this variant's worksheets and keys (e.g. V07)")
    exam.add_argument("--templates", metavar="DIR", help="your own copy of the templates folder")
    exam.add_argument("--force", action="store_true",
                      help="overwrite existing files, and remove those the previous run wrote (as its manifest.json "
                           "lists them) that this one does not")
    exam.add_argument("--quiet", "-q", action="store_true", help="no progress bar or messages")
    exam.add_argument("--jobs", "-j", type=_jobs, default=1, metavar="N",
                      help="draw the questions in N processes, or auto for one per CPU; the files are the same "
                           "byte for byte (default 1)")
    exam.set_defaults(run=cmd_exam)


def _drill_parser(commands: Commands, name: str, full: bool) -> None:
    drill = commands.add_parser(name, help="practise in the terminal, with a diagnosis of each mistake",
                                description=(
        "Ask questions one at a time; a wrong answer is matched against the common misconceptions\n"
        "and explained, with the worked solution. The level adapts to the answers. With the same\n"
        "--seed, --kind and --difficulty, the first question is the first one 'generate' makes."),
        epilog=DRILL_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    if not full:
        return  # listed by name and help only (see build_parser)
    drill.add_argument("--count", "-n", type=int, default=10, help="number of questions (default 10)")
    drill.add_argument("--seed", type=int, help="seed of the drill (default: a random one, shown at the start)")
    drill.add_argument("--kind", "-k", action="append", metavar="KIND",
                       help="question kind(s), repeatable or comma-separated (default: the core kinds at "
                            "level 1, every kind from level 2)")
    drill.add_argument("--difficulty", "-d", type=int, default=1, metavar="LEVEL",
                       help="starting level 1, 2 or 3 (default 1)")
    drill.add_argument("--mc", action="store_true", help="multiple choice: show lettered options")
    drill.add_argument("--time", action="store_true", help="show the time taken for each answer")
    drill.add_argument("--progress", metavar="FILE",
                       help="progress file (default $XDG_DATA_HOME/quizgen/progress.json)")
    drill.add_argument("--no-save", action="store_true", help="do not read or write the progress file")
    drill.add_argument("--stats", action="store_true", help="print the saved progress as a table and exit")
    drill.set_defaults(run=cmd_drill)


def _report_parser(commands: Commands, name: str, full: bool) -> None:
    rep = commands.add_parser(name, help="what a class got wrong, by misconception, from the LMS's results",
                              description=(
        "Read a quiz's results as the LMS exports them, tie every response to the quizgen question the\n"
        "student was shown, and classify it. Shows per misconception how many students made it, per\n"
        "slot the difficulty, discrimination and distractors, per student the misconceptions and a drill\n"
        "command that practises them. Everything stays on this machine."),
        epilog=REPORT_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    if not full:
        return  # listed by name and help only (see build_parser)
    from quizgen.render.formats import MOODLE_TYPES
    from quizgen.report.output import FORMATS as REPORT_FORMATS
    rep.add_argument("results", nargs="+", metavar="RESULTS.csv",
                     help="Moodle's Responses report as CSV, and optionally its Grades report")
    bank = rep.add_mutually_exclusive_group(required=True)
    bank.add_argument("--exam", metavar="EXAM_DIR", help="the folder 'quizgen exam' wrote (or its blueprint .toml, "
                      "re-planned: then give --variants)")
    bank.add_argument("--set", metavar="SET.json", help="a problem set 'quizgen generate' wrote, for a quiz built "
                      "from its Moodle file")
    from quizgen.report.results import READERS
    rep.add_argument("--lms", choices=list(READERS), default="moodle",
                     help="which LMS wrote the results (default moodle)")
    rep.add_argument("--bank", metavar="BANK.xml", help="the Moodle XML imported, to recognize questions by their "
                     "text when they show no question code (default: moodle.xml in EXAM_DIR)")
    rep.add_argument("--variants", type=int, metavar="N", help="with --exam BLUEPRINT.toml: how many variants")
    rep.add_argument("--moodle-type", choices=MOODLE_TYPES,
                     help="with --set: the --moodle-type the Moodle file was generated with (default auto)")
    rep.add_argument("--format", "-f", choices=list(REPORT_FORMATS), default="text",
                     help="; ".join(f"{k}: {v}" for k, v in REPORT_FORMATS.items()) + " (default text)")
    rep.add_argument("--output", "-o", metavar="PATH", default="-", help="file to write (default: standard output)")
    rep.add_argument("--force", action="store_true", help="overwrite the output file")
    rep.add_argument("--anonymous", action="store_true", help="number the students instead of naming them")
    rep.add_argument("--templates", metavar="DIR", type=Path, help="your own copy of the templates folder")
    rep.set_defaults(run=cmd_report)


def cmd_generate(args: argparse.Namespace) -> None:
    import random

    from quizgen.engine.generate import Options, join_json, one_question, question_json, set_header
    from quizgen.parallel import Workers
    from quizgen.progress_bar import progress_bar
    from quizgen.render.files import FileGroup, emit
    from quizgen.render.formats import FORMATS
    from quizgen.render.publish import Look, load, plan, write

    fmt = FORMATS[args.format]
    for flag, value in (("--title", args.title), ("--category", args.category)):
        if value is not None:
            check_text(value, flag)
    if args.question_seed is not None and args.question_seed < 0:
        raise QuizgenError(f"--question-seed must be a whole number ≥ 0 (as each question records it), "
                           f"got {args.question_seed}")
    diagram = fmt.diagrams if args.diagram is None else args.diagram
    options = Options(tuple(dict.fromkeys(_split(args.kind))) or tuple(_all_kinds()), _difficulties(args.difficulty),
                      style=args.style, diagram=diagram, templates=args.templates)
    if args.count <= 0:
        raise QuizgenError(f"--count must be at least 1, got {args.count}")
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1_000_000)
    target = args.output or "output/"
    if target != "-" and (target.endswith(("/", os.sep)) or Path(target).is_dir()):
        target = str(Path(target) / f"set-{seed}.{fmt.extension}")  # -o DIR/ is a folder to write into
    # staged, then committed whole; any error or signal: the workers stop and nothing changes
    with FileGroup(args.force) as group, Workers(args.jobs if args.question_seed is None else 1) as workers:
        files = plan(fmt, Look(args.title, args.templates, args.answers, args.interactive, args.moodle_type,
                               args.category, diagram, args.paper), target, group)
        renderer = load(files) if fmt.worksheet else None
        progress = progress_bar(args.count, "generating", args.quiet)
        if args.question_seed is not None:
            header = {**set_header(seed, options), "seed": None, "question_seed": args.question_seed}
            questions: Iterable[Question] = [one_question(args.question_seed, options)]
        else:
            header = set_header(seed, options)
            questions = workers.questions(seed, args.count, options, progress)
        if renderer is None:  # streamed: one question in memory at a time
            # each question's line written where it is made (by a worker, with --jobs)
            lines = (map(question_json, questions) if args.question_seed is not None
                     else workers.encoded(seed, args.count, options, question_json, progress))
            emit(target, join_json(header, lines), group)
        else:
            from quizgen.render.spool import Spool
            from quizgen.render.view import Sheet
            sheet = Sheet(header["seed"], args.question_seed, options.kinds, options.difficulties, style=options.style)
            items = None
            if fmt.item and workers.jobs > 1:  # each question rendered where it is made
                from quizgen.render.publish import made_item
                items = workers.encoded(seed, args.count, options, functools.partial(made_item, files), progress,
                                        numbered=True)
            # a format with item templates walks the set once (rendering each question): no spool
            for note in write(files, renderer, questions if fmt.item else Spool(questions), sheet, group,
                              items=items):
                if not args.quiet:
                    print(f"quizgen: note: {note}", file=sys.stderr)
    if target != "-" and not args.quiet:
        count = 1 if args.question_seed is not None else args.count
        key = f" and its answer key {files.key}" if files.key else ""
        print(f"wrote {target}{key} ({count} question{'s' * (count != 1)}, seed {seed})", file=sys.stderr)


def _all_kinds() -> list[str]:
    """The default mix; the one-level-up kinds are chosen by name with --kind."""
    return list(CORE_KINDS)


def read_json(name: str) -> Any:
    from quizgen.render.files import read_text

    text = sys.stdin.read() if name == "-" else read_text(name)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise QuizgenError(f"{name} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})") \
            from None
    except RecursionError:
        raise QuizgenError(f"{name}: JSON nested too deeply to be a model") from None
    except ValueError:  # Python's limit on reading an integer
        raise QuizgenError(f"{name}: a number in the JSON has more than {sys.get_int_max_str_digits():,} digits") \
            from None


def cmd_summary(args: argparse.Namespace) -> None:
    from quizgen.engine.stack import Stack
    from quizgen.engine.summary import summarize

    doc = read_json(args.stack)
    try:
        stack = Stack.from_json(doc)
    except QuizgenError as error:
        raise QuizgenError(f"{'standard input' if args.stack == '-' else args.stack}: {error}") from None
    summary = summarize(stack)
    if args.json:
        print(json.dumps(summary.to_json(), indent=2))
        return
    from quizgen.render.environment import environment, get_template
    sys.stdout.write(get_template(environment(), "text/summary.txt.j2").render(summary=summary))


def cmd_kinds(args: argparse.Namespace) -> None:
    for name, summary in SUMMARIES.items():
        print(f"{name:<22}{summary}")


def cmd_misconceptions(args: argparse.Namespace) -> None:
    from quizgen.engine.misconceptions import CATALOGUE
    for m in CATALOGUE:
        print(f"{m.id:<40}{m.title}")


def cmd_audit(args: argparse.Namespace) -> None:
    from quizgen import audit
    from quizgen.render.environment import environment, get_template

    report = audit.audit(read_json(args.set))
    goals = {"strategy": audit.STRATEGY_GOAL, "far": audit.FAR, "min_parts": audit.MIN_PARTS}
    sys.stdout.write(get_template(environment(), "text/audit.txt.j2").render(audit=report, goals=goals))
    failures = report.failures
    if failures:
        more = f" (and {len(failures) - 1} more above)" if len(failures) > 1 else ""
        sys.stderr.write(f"quizgen: audit: {failures[0]}{more}\n")
        sys.exit(1)


def cmd_exam(args: argparse.Namespace) -> None:
    import dataclasses

    from quizgen.exam.blueprint import load_blueprint
    from quizgen.exam.plan import plan_exam
    from quizgen.exam.roster import fake_roster, read_roster, repeated_names
    from quizgen.exam.write import BANKS, ExamOutput, point_warnings, write_exam
    from quizgen.parallel import Workers
    from quizgen.progress_bar import progress_bar

    if args.init is not None:
        from quizgen.render.environment import default_templates
        from quizgen.render.files import write_atomic
        example = (default_templates() / "exam" / "example.toml").read_text(encoding="utf-8")
        write_atomic(Path(args.init), [example], args.force)
        if not args.quiet:
            print(f"wrote {args.init}; edit it, then: quizgen exam {args.init} --fake-roster 30", file=sys.stderr)
        return
    if not args.blueprint:
        raise QuizgenError("give a blueprint (quizgen exam exam.toml), or --init to write an example")
    bp = load_blueprint(Path(args.blueprint))
    if args.locale:
        bp = dataclasses.replace(bp, locale=args.locale)
    for flag, value in (("--variants", args.variants), ("--fake-roster", args.fake_roster)):
        if value is not None and value <= 0:
            raise QuizgenError(f"{flag} must be at least 1, got {value}")
    if args.roster:
        students = read_roster(Path(args.roster))
        for name in repeated_names(students):
            print(f"quizgen: warning: {args.roster}: {name!r} appears more than once; each gets a variant",
                  file=sys.stderr)
        if args.variants is not None and args.variants != len(students):
            raise QuizgenError(f"--variants {args.variants} but the roster has {len(students)} students")
    elif args.fake_roster:
        students = fake_roster(args.fake_roster, bp.locale, bp.seed)
    else:
        students = [""] * (args.variants or 1)
    out = ExamOutput(Path(args.output or f"output/{Path(args.blueprint).stem}"), tuple(dict.fromkeys(args.format or ["md"])),
                     Path(args.templates) if args.templates else None, args.only, args.force, args.paper)
    if args.paper is not None and "pdf" not in out.formats:
        raise QuizgenError("--paper applies to --format pdf")
    total = len(students) * len(bp.slots)
    with Workers(args.jobs) as workers:
        plan = plan_exam(bp, students, progress_bar(total, "drawing questions", args.quiet, min_total=200),
                         workers=workers)
    sheets = len(students) * len([f for f in out.formats if f not in BANKS])
    names = write_exam(plan, out, progress_bar(sheets, "writing", args.quiet, min_total=20))
    if not args.quiet:
        for warning in plan.warnings + point_warnings(plan):
            print(f"quizgen: warning: {warning}", file=sys.stderr)
        print(f"wrote {len(names)} files to {out.folder}/ ({len(plan.variants)} variants, {len(bp.slots)} slots)",
              file=sys.stderr)


def cmd_drill(args: argparse.Namespace) -> None:
    import random

    from quizgen.drill.progress import ProgressStore, default_path
    from quizgen.drill.session import Settings, run, show_stats

    store = ProgressStore(Path(args.progress), chosen=True) if args.progress else ProgressStore(default_path())
    if args.stats:
        show_stats(store)
        return
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1_000_000)
    kinds = tuple(dict.fromkeys(_split(args.kind)))  # none: the drill's own mix, graded by level
    run(Settings(seed, kinds, args.difficulty, args.count, args.mc, args.time), None if args.no_save else store)


def cmd_report(args: argparse.Namespace) -> None:
    from quizgen.render.files import FileGroup, emit
    from quizgen.report import bank, classify, output, results, stats

    if args.variants is not None and (not args.exam or not args.exam.endswith(".toml")):
        raise QuizgenError("--variants applies to --exam BLUEPRINT.toml")
    if args.moodle_type and not args.set:
        raise QuizgenError("--moodle-type applies to --set (an exam folder records how Moodle asks each question)")
    source = (bank.load_exam(Path(args.exam), args.variants) if args.exam
              else bank.load_set(Path(args.set), args.moodle_type or "auto"))
    if args.bank:
        source = bank.with_openings(source, Path(args.bank))
    answers = results.read(args.lms, [Path(p) for p in args.results])
    report = stats.build(classify.classify(answers, source), anonymous=args.anonymous)
    with FileGroup(args.force) as group:
        emit(args.output, output.render(report, args.format, args.templates), group)


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where the program is so that it cleans up as it does for Ctrl-C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_interrupted(signum: int, _frame: Any) -> None:
    raise Interrupted(signum)


# What an ASCII (or Latin-1) terminal shows instead of the characters it cannot encode.
ASCII = {"×": "x", "·": "*", "−": "-", "–": "-", "—": "-", "…": "...", "→": "->", "←": "<-", "≤": "<=", "≥": ">=",
         "≠": "!=", "≈": "~", "‘": "'", "’": "'", "“": '"', "”": '"', "²": "^2", "³": "^3", "⌊": "floor(", "⌋": ")"}


def _ascii_fallback(error: UnicodeError) -> tuple[str, int]:
    import unicodedata

    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start:error.end]
    return "".join(ASCII.get(c) or unicodedata.normalize("NFKD", c).encode("ascii", "ignore").decode() or "?"
                   for c in text), error.end


def _plain_terminal() -> None:
    """A terminal whose encoding cannot show a character quizgen prints (→ in Latin-1; × or · in an
    ASCII locale) gets the nearest ASCII instead of a UnicodeEncodeError."""
    import codecs

    codecs.register_error("quizgen-ascii", _ascii_fallback)
    for stream in (sys.stdout, sys.stderr):
        try:
            if not codecs.lookup(stream.encoding).name.startswith("utf"):
                stream.reconfigure(errors="quizgen-ascii")  # used only for the characters it cannot encode
        except (AttributeError, LookupError):  # closed (None), or not a text stream
            pass


def main(argv: Sequence[str] | None = None) -> int:
    _plain_terminal()
    argv = sys.argv[1:] if argv is None else argv
    # The command is the first argument that is not an option (--help and --version take no value).
    parser = build_parser({next((a for a in argv if not a.startswith("-")), "")})
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_USAGE
    handlers = {sig: signal.signal(sig, _raise_interrupted) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        args.run(args)
    except QuizgenError as error:
        sys.stderr.write(f"quizgen: error: {error}\n")
        _silence_stdout()
        return EXIT_USAGE
    except KeyboardInterrupt as error:
        signum = getattr(error, "signum", signal.SIGINT)
        sys.stderr.write(f"quizgen: interrupted{f' ({error})' if signum != signal.SIGINT else ''}\n")
        return 128 + signum  # the shell's convention: 130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP
    except BrokenPipeError:
        _silence_stdout()  # e.g. `quizgen generate -o - | head`: not an error
        return 0
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    return 0


def _silence_stdout() -> None:
    """After a failed write to standard output, point it at /dev/null so that the interpreter's own
    flush at exit does not fail a second time with a traceback."""
    if sys.stdout is None:
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())
