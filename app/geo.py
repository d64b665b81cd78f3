"""Exact nearest-first geo search on a plain GiST point index (core PostgreSQL only).

Why not a cube/earthdistance KNN index: its GiST build has no sorted mode and takes ~55 s for
5M rows here, against ~9 s for a sorted-build point index. So the search expands a search
radius (1 km, ×4, ... up to the requested radius): each round fetches the candidates inside
the exact bounding box(es) of that circle through the point index, computes the great-circle
distance of each, and stops once `limit` rows lie within the round's radius. Every point
within the radius lies inside the boxes, so the answer is exact, including near the poles
(the box widens to every longitude) and across the antimeridian (the box splits in two).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psycopg

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius; the one sphere used everywhere here
FIRST_ROUND_KM = 1.0
GROWTH = 4.0


@dataclass(frozen=True)
class Box:
    """A longitude/latitude rectangle in degrees, lng_min <= lng_max (never wraps)."""

    lng_min: float
    lat_min: float
    lng_max: float
    lat_max: float


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lng2 - lng1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def bounding_boxes(lat: float, lng: float, radius_km: float) -> list[Box]:
    """Boxes that together contain every point within `radius_km` of (lat, lng).

    J. P. Matuschek, "Finding Points Within a Distance of a Latitude/Longitude Using
    Bounding Coordinates": the widest longitude span of a circle is asin(sin δ / cos φ).
    """
    delta = radius_km / EARTH_RADIUS_KM
    phi = math.radians(lat)
    lat_min, lat_max = phi - delta, phi + delta
    if lat_max >= math.pi / 2 or lat_min <= -math.pi / 2:  # a pole lies inside the circle
        return [Box(-180.0, math.degrees(max(lat_min, -math.pi / 2)),
                    180.0, math.degrees(min(lat_max, math.pi / 2)))]
    d_lng = math.degrees(math.asin(min(1.0, math.sin(delta) / math.cos(phi))))
    lo, hi = lng - d_lng, lng + d_lng
    la, lb = math.degrees(lat_min), math.degrees(lat_max)
    if lo < -180.0:
        return [Box(lo + 360.0, la, 180.0, lb), Box(-180.0, la, hi, lb)]
    if hi > 180.0:
        return [Box(lo, la, 180.0, lb), Box(-180.0, la, hi - 360.0, lb)]
    return [Box(lo, la, hi, lb)]


def search_radii(radius_km: float) -> list[float]:
    """The rounds' radii: 1, 4, 16, ... km, ending exactly at `radius_km`."""
    radii, current = [], min(FIRST_ROUND_KM, radius_km)
    while current < radius_km:
        radii.append(current)
        current *= GROWTH
    radii.append(radius_km)
    return radii


# One round. The distance is computed once per candidate; ties broken by id for stable pages.
_ROUND_SQL = """
SELECT id, title, domain, status, latitude, longitude, distance_km FROM (
    SELECT id, title, domain, status, latitude, longitude,
           2 * %(r)s * asin(least(1.0, sqrt(
               power(sin(radians(latitude - %(lat)s) / 2), 2)
               + cos(radians(%(lat)s)) * cos(radians(latitude))
                 * power(sin(radians(longitude - %(lng)s) / 2), 2)))) AS distance_km
    FROM missions
    WHERE {boxes}
) AS candidates
WHERE distance_km <= %(radius)s
ORDER BY distance_km, id
LIMIT %(limit)s
"""


def round_query(boxes: list[Box]) -> tuple[str, dict[str, float]]:
    """SQL (psycopg named parameters) and box parameters for one round."""
    clauses, params = [], {}
    for i, box in enumerate(boxes):
        clauses.append(f"point(longitude, latitude) <@ box(point(%(x0_{i})s, %(y0_{i})s), "
                       f"point(%(x1_{i})s, %(y1_{i})s))")
        params.update({f"x0_{i}": box.lng_min, f"y0_{i}": box.lat_min,
                       f"x1_{i}": box.lng_max, f"y1_{i}": box.lat_max})
    return _ROUND_SQL.format(boxes=" OR ".join(clauses)), params


def round_parameters(*, lat: float, lng: float, radius_km: float, limit: int) -> dict[str, float]:
    return {"r": EARTH_RADIUS_KM, "lat": lat, "lng": lng, "radius": radius_km, "limit": limit}


async def nearby_missions(conn: "psycopg.AsyncConnection", *, lat: float, lng: float,
                          radius_km: float, limit: int) -> list[tuple]:
    """Up to `limit` missions within `radius_km`, nearest first, as
    (id, title, domain, status, latitude, longitude, distance_km) tuples."""
    rows: list[tuple] = []
    for round_km in search_radii(radius_km):
        sql, params = round_query(bounding_boxes(lat, lng, round_km))
        params.update(round_parameters(lat=lat, lng=lng, radius_km=round_km, limit=limit))
        cursor = await conn.execute(sql, params)
        rows = await cursor.fetchall()
        if len(rows) >= limit:
            break
    return rows
