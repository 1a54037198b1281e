"""Small line charts drawn on the server as SVG (issue 14, item 5): no chart library and no
JavaScript, so they show on any phone, offline from the cache, and on paper. The numbers are
always beside them in text and a table (the template's part): a chart is never the only way in.

Points are spaced evenly, in the order given (one per rating or check-in), not by date: a few
answers weeks apart read better as a sequence; the dates are in the table."""

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 300
HEIGHT = 84
_LEFT = 22  # room for the scale's numbers
_RIGHT = 8
_TOP = 8
_BOTTOM = 10


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: int


@dataclass(frozen=True)
class LineChart:
    """Where to draw: the points, the polyline through them, and the scale's lines."""

    points: tuple[Point, ...]
    polyline: str
    scale: tuple[tuple[int, float], ...]  # (value, y) for the lines at 0, 5 and 10
    width: int = WIDTH
    height: int = HEIGHT
    left: int = _LEFT
    right: int = WIDTH - _RIGHT

    @property
    def last(self) -> Point | None:
        return self.points[-1] if self.points else None


def _y(value: int, top: int) -> float:
    plot = HEIGHT - _TOP - _BOTTOM
    return round(_TOP + plot * (1 - value / top), 1)


def line_chart(values: Sequence[int], *, top: int = 10, most: int = 12) -> LineChart:
    """A chart of the last `most` values on a scale from 0 to `top`."""
    shown = list(values)[-most:]
    span = WIDTH - _LEFT - _RIGHT
    if len(shown) == 1:
        xs = [_LEFT + span / 2]
    else:
        xs = [_LEFT + span * index / (len(shown) - 1) for index in range(len(shown))]
    points = tuple(
        Point(x=round(x, 1), y=_y(max(0, min(top, value)), top), value=value)
        for x, value in zip(xs, shown, strict=True)
    )
    return LineChart(
        points=points,
        polyline=" ".join(f"{point.x},{point.y}" for point in points),
        scale=tuple((mark, _y(mark, top)) for mark in (0, top // 2, top)),
    )
