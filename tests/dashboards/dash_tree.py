"""Reading a rendered Dash component tree in tests: find a component by id, collect its text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import plotly.graph_objects as go
from dash.development.base_component import Component


def walk(node: Any) -> Iterator[Any]:
    if node is None:
        return
    if isinstance(node, (list, tuple)):
        for item in node:
            yield from walk(item)
        return
    yield node
    if isinstance(node, Component):
        yield from walk(getattr(node, "children", None))


def find(tree: Any, component_id: str) -> Any:
    for node in walk(tree):
        if isinstance(node, Component) and getattr(node, "id", None) == component_id:
            return node
    raise AssertionError(f"no component with id {component_id!r} in the tree")


def has(tree: Any, component_id: str) -> bool:
    return any(isinstance(n, Component) and getattr(n, "id", None) == component_id for n in walk(tree))


def text(tree: Any) -> str:
    return " ".join(str(n) for n in walk(tree) if isinstance(n, (str, int, float)))


def figure(tree: Any, component_id: str) -> go.Figure:
    found = find(tree, component_id)
    return found.figure if isinstance(found.figure, go.Figure) else go.Figure(found.figure)
