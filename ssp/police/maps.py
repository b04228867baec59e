"""A small map of hot spots from a tile server (no JavaScript): a 3x3 grid of tiles around the
points, with the points placed on it. Without a configured tile server there is no map."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

TILE = 256
GRID = 3


@dataclass(frozen=True)
class Marker:
    name: str
    left: int
    top: int


@dataclass(frozen=True)
class TileMap:
    tiles: list[tuple[str, int, int]]  # url, left, top
    markers: list[Marker]
    size: int = TILE * GRID


def _xy(lat: float, lng: float, zoom: int) -> tuple[float, float]:
    n = 2**zoom
    x = (lng + 180.0) / 360.0 * n
    rad = math.radians(lat)
    y = (1.0 - math.log(math.tan(rad) + 1 / math.cos(rad)) / math.pi) / 2.0 * n
    return x, y


def tile_map(points: list[tuple[str, Decimal, Decimal]], tile_url: str) -> TileMap | None:
    if not tile_url or not points:
        return None
    for zoom in range(16, 2, -1):
        xy = [(name, *_xy(float(lat), float(lng), zoom)) for name, lat, lng in points]
        xs = [x for _n, x, _y in xy]
        ys = [y for _n, _x, y in xy]
        if max(xs) - min(xs) < GRID - 1 and max(ys) - min(ys) < GRID - 1:
            break
    cx = math.floor((max(xs) + min(xs)) / 2) - 1
    cy = math.floor((max(ys) + min(ys)) / 2) - 1
    tiles = [
        (
            tile_url.replace("{z}", str(zoom))
            .replace("{x}", str(cx + col))
            .replace("{y}", str(cy + row)),
            col * TILE,
            row * TILE,
        )
        for row in range(GRID)
        for col in range(GRID)
    ]
    markers = [Marker(name, round((x - cx) * TILE), round((y - cy) * TILE)) for name, x, y in xy]
    return TileMap(tiles, markers)
