"""Small builders shared by the engine's tests (hand-written stacks, in the JSON contract)."""

from __future__ import annotations

from typing import Any

from quizgen.engine.stack import Stack


def conv(filters: int, k: int | list[int], rank: int = 2, **extra: Any) -> dict[str, Any]:
    kernel = k if isinstance(k, list) else [k] * rank
    return {"class_name": f"Conv{len(kernel)}D", "config": {"filters": filters, "kernel_size": kernel, **extra}}


def layer(class_name: str, **config: Any) -> dict[str, Any]:
    return {"class_name": class_name, "config": config}


def stack(input_shape: list[int], *layers: dict[str, Any]) -> Stack:
    return Stack.from_json({"input_shape": input_shape, "layers": list(layers)})
