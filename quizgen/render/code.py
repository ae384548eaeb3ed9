"""A stack written out as a runnable Keras 3 or PyTorch program through `templates/code/`.

Which call each layer becomes is decided in `quizgen.engine.frameworks`; this module lays the
calls out through the templates and blanks what a question asks (`?`).
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import TYPE_CHECKING

from quizgen.engine.frameworks import Code, Listing, listing, wrapped
from quizgen.engine.layers import Activation, BatchNormalization, Dropout, Flatten, ReLU
from quizgen.engine.stack import Stack
from quizgen.errors import QuizgenError

if TYPE_CHECKING:
    import jinja2


@functools.cache
def _default_environment() -> jinja2.Environment:
    from quizgen.render.environment import environment

    return environment()


def render_code(stack: Stack, framework: str, env: jinja2.Environment | None = None, *,
                unknown: tuple[int, str] | None = None, hide_sizes: bool = False) -> Code:
    """The stack as a runnable program in `framework` ("keras" or "pytorch"), written through
    `code/<framework>.py.j2` of `env` (the package's templates by default).

    A question may need numbers left out, written as `?` (the program then no longer runs):
    `unknown`, a (layer, config key) the student must find, with every argument it decides (in
    PyTorch, the next layer's in_channels too); `hide_sizes`, the in_features of a Linear after a
    Flatten of a feature map, which is the size the student works out when shapes are not shown.
    """
    from quizgen.render.environment import get_template

    data = listing(stack, framework)
    blanks = _dependents(stack, framework, data, unknown) if unknown else set()
    if hide_sizes:
        blanks |= {(n, a) for n, call in enumerate(data.calls) if call.name == "nn.Linear" and _after_flatten(stack, call.layer)
                   for a, arg in enumerate(call.args) if arg.startswith("in_features=")}
    if blanks:
        data = replace(data, calls=tuple(
            wrapped(replace(call, args=tuple(_blank(arg) if (n, a) in blanks else arg for a, arg in enumerate(call.args))))
            for n, call in enumerate(data.calls)))
    template = get_template(env or _default_environment(), f"code/{framework}.py.j2")
    text = template.render(listing=data)
    return Code(framework, text, _layer_lines(text, data, len(stack.layers)))


BLANK = "?"


def _blank(arg: str) -> str:
    """`out_channels=32` → `out_channels=?`; a positional `32` → `?`."""
    name, equals, _ = arg.partition("=")
    return f"{name}={BLANK}" if equals and name.isidentifier() else BLANK


def _arguments(data: Listing) -> dict[tuple, tuple[tuple[int, int], str]]:
    """Each argument by a key that survives a change of values: (layer, module, its rank among the
    layer's modules of that name, keyword or position) → ((call, argument) index, source)."""
    found: dict[tuple, tuple[tuple[int, int], str]] = {}
    seen: dict[tuple[int, str], int] = {}
    for n, call in enumerate(data.calls):
        rank = seen.get((call.layer, call.name), 0)
        seen[(call.layer, call.name)] = rank + 1
        for a, arg in enumerate(call.args):
            name, equals, _ = arg.partition("=")
            found[(call.layer, call.name, rank, name if equals and name.isidentifier() else a)] = ((n, a), arg)
    return found


def _alternatives(value: int | tuple[int, ...]) -> list[int | tuple[int, ...]]:
    """Other values of a count (filters) or of a square kernel, to see what changes with them."""
    if isinstance(value, int):
        return [2 * value, value + 1]
    return [(k,) * len(value) for k in (value[0] + 2, value[0] - 2, value[0] + 1, value[0] - 1) if k >= 1]


def _dependents(stack: Stack, framework: str, data: Listing, unknown: tuple[int, str]) -> set[tuple[int, int]]:
    """The arguments an unknown config value decides: those that change, or vanish, when the
    program is written again with other values of it (where the stack stays valid)."""
    index, key = unknown
    layer = stack.layers[index]
    base = _arguments(data)
    found: set[tuple[int, int]] = set()
    for other in _alternatives(getattr(layer, key)):
        try:
            changed = Stack(stack.input_shape, (*stack.layers[:index], replace(layer, **{key: other}),
                                                *stack.layers[index + 1:]))
            variant = _arguments(listing(changed, framework))
        except QuizgenError:
            continue
        found |= {where for k, (where, arg) in base.items() if k not in variant or variant[k][1] != arg}
    return found


def _after_flatten(stack: Stack, index: int) -> bool:
    """Whether layer `index` takes a Flatten's output of a feature map (through shape-keeping layers)."""
    i = index - 1
    while i >= 0 and isinstance(stack.layers[i], Dropout | Activation | ReLU | BatchNormalization):
        i -= 1
    return i >= 0 and isinstance(stack.layers[i], Flatten) and len(stack.input_of(i)) > 1


def _layer_lines(text: str, data: Listing, n_layers: int) -> tuple[tuple[int, ...], ...]:
    """Each call's first line, found in order: calls begin their lines, one after another."""
    lines = text.splitlines()
    found: list[list[int]] = [[] for _ in range(n_layers)]
    at = 0
    for call in data.calls:
        while at < len(lines) and not lines[at].lstrip().startswith(call.name + "("):
            at += 1
        if at == len(lines):
            raise QuizgenError(f"template code/{data.framework}.py.j2 does not write {call.name}(...) "
                               "at the start of a line")
        found[call.layer].append(at + 1)
        at += 1
    for i, lines_of in enumerate(found):  # a folded ZeroPadding: the convolution it went into
        if not lines_of and i + 1 < n_layers:
            lines_of.extend(found[i + 1][:1])
    return tuple(tuple(lines_of) for lines_of in found)
