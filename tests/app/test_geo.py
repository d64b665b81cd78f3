"""Geo search is exact: the bounding boxes never miss a point, and the SQL search matches a
brute-force haversine oracle, including near the poles and across the antimeridian."""

from __future__ import annotations

import asyncio
import math
import random

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.geo import EARTH_RADIUS_KM, bounding_boxes, haversine_km, nearby_missions, search_radii


def _destination(lat: float, lng: float, distance_km: float, bearing_deg: float) -> tuple[float, float]:
    """The point `distance_km` from (lat, lng) along `bearing_deg` on the sphere."""
    delta, theta, phi1 = distance_km / EARTH_RADIUS_KM, math.radians(bearing_deg), math.radians(lat)
    phi2 = math.asin(math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta))
    lmb2 = math.radians(lng) + math.atan2(math.sin(theta) * math.sin(delta) * math.cos(phi1),
                                          math.cos(delta) - math.sin(phi1) * math.sin(phi2))
    return math.degrees(phi2), (math.degrees(lmb2) + 540) % 360 - 180


@settings(max_examples=400, deadline=None)
@given(
    lat=st.floats(-89.99, 89.99), lng=st.floats(-180, 180),
    radius=st.floats(0.01, 500), fraction=st.floats(0, 0.999), bearing=st.floats(0, 360),
)
def test_every_point_within_the_radius_is_inside_a_box(lat, lng, radius, fraction, bearing) -> None:
    plat, plng = _destination(lat, lng, radius * fraction, bearing)
    boxes = bounding_boxes(lat, lng, radius)
    assert any(b.lng_min - 1e-9 <= plng <= b.lng_max + 1e-9 and b.lat_min - 1e-9 <= plat <= b.lat_max + 1e-9
               for b in boxes), (plat, plng, boxes)


def test_boxes_split_across_the_antimeridian_and_open_at_the_poles() -> None:
    assert len(bounding_boxes(10.0, 179.9, 50)) == 2
    assert len(bounding_boxes(10.0, -179.9, 50)) == 2
    (polar,) = bounding_boxes(89.9, 0.0, 50)
    assert (polar.lng_min, polar.lng_max, polar.lat_max) == (-180.0, 180.0, 90.0)


def test_search_radii_grow_and_end_at_the_requested_radius() -> None:
    assert search_radii(50) == [1.0, 4.0, 16.0, 50]
    assert search_radii(0.5) == [0.5]


def _insert_points(database_url: str, points: list[tuple[float, float]]) -> None:
    with psycopg.connect(database_url) as conn:
        with conn.cursor().copy("COPY missions (title, description, domain, latitude, longitude) FROM STDIN") as copy:
            for lat, lng in points:
                copy.write_row(("m", "d", "education", lat, lng))


def _oracle(points: list[tuple[float, float]], lat: float, lng: float, radius: float, limit: int) -> list[float]:
    distances = sorted(d for d in (haversine_km(lat, lng, p, q) for p, q in points) if d <= radius)
    return distances[:limit]


@pytest.mark.parametrize("centre", [(37.77, -122.42), (0.0, 179.95), (-12.0, -179.9), (89.2, 40.0), (-89.5, -10.0)])
def test_search_matches_the_haversine_oracle(clean_db: str, centre: tuple[float, float]) -> None:
    rng = random.Random(hash(centre))
    lat0, lng0 = centre
    points = [_destination(lat0, lng0, rng.uniform(0, 300), rng.uniform(0, 360)) for _ in range(1500)]
    points += [(rng.uniform(-90, 90), rng.uniform(-180, 180)) for _ in range(500)]
    _insert_points(clean_db, points)

    async def query(lat: float, lng: float, radius: float, limit: int) -> list[tuple]:
        async with await psycopg.AsyncConnection.connect(clean_db) as conn:
            return await nearby_missions(conn, lat=lat, lng=lng, radius_km=radius, limit=limit)

    for _ in range(15):
        lat, lng = _destination(lat0, lng0, rng.uniform(0, 100), rng.uniform(0, 360))
        radius, limit = rng.choice([0.5, 5, 50, 150, 500]), rng.choice([1, 10, 100])
        rows = asyncio.run(query(lat, lng, radius, limit))
        expected = _oracle(points, lat, lng, radius, limit)
        got = [row[6] for row in rows]
        assert got == pytest.approx(expected, abs=1e-6), (lat, lng, radius, limit)
        for row in rows:  # the reported distance is the great-circle distance of that row
            assert row[6] == pytest.approx(haversine_km(lat, lng, row[4], row[5]), abs=1e-6)
