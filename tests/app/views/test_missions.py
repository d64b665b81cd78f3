"""Nearby missions over HTTP, against a brute-force haversine oracle on the same sphere.

Random points include clusters around the antimeridian (±180° longitude) and near the poles
(±89° latitude), where flat-map shortcuts go wrong. The sphere is `app.geo.EARTH_RADIUS_KM`
(the schema owner's choice; see the report for why it is not earthdistance's 6378.168 km).
"""

from __future__ import annotations

import math
import random

import psycopg

from app.geo import EARTH_RADIUS_KM
from tests.app.conftest import insert_missions
from tests.app.openapi_check import checked

NEARBY = "/api/v1/missions/nearby"
EDGE_KM = 1e-6  # points this close to the radius may fall either way in floating point


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _random_points(rng: random.Random) -> list[tuple[float, float]]:
    points = []
    centres = [(0.0, 179.9), (0.0, -179.9), (45.0, 180.0), (-30.0, -180.0), (89.0, 0.0), (-89.0, 120.0),
               (88.5, -170.0), (37.7749, -122.4194)]
    for lat, lng in centres:
        for _ in range(120):
            dlat, dlng = rng.gauss(0, 2.0), rng.gauss(0, 4.0)
            plat = max(-90.0, min(90.0, lat + dlat))
            plng = (lng + dlng + 540.0) % 360.0 - 180.0
            points.append((plat, plng))
    points += [(rng.uniform(-90, 90), rng.uniform(-180, 180)) for _ in range(300)]
    return points


async def test_matches_the_haversine_oracle_near_poles_and_antimeridian(client, clean_db) -> None:
    rng = random.Random(20240611)
    points = _random_points(rng)
    ids = insert_missions(clean_db, points)
    by_id = dict(zip(ids, points, strict=True))
    queries = [(0.0, 180.0, 300.0), (0.5, -179.95, 120.0), (45.0, 179.99, 500.0), (-30.0, -179.0, 250.0),
               (89.9, 45.0, 400.0), (-89.0, -60.0, 500.0), (88.0, 179.0, 350.0), (37.77, -122.42, 50.0)]
    queries += [(rng.uniform(-89.5, 89.5), rng.uniform(-180, 180), rng.uniform(1, 500)) for _ in range(12)]
    answered = hit_limit = 0
    for lat, lng, radius in queries:
        resp = await client.get(NEARBY, params={"lat": str(lat), "lng": str(lng), "radius": str(radius), "limit": "100"})
        assert resp.status == 200
        body = await checked(resp, NEARBY)
        oracle = sorted((haversine_km(lat, lng, plat, plng), pid) for pid, (plat, plng) in by_id.items())
        strict = [(d, pid) for d, pid in oracle if d <= radius - EDGE_KM]
        loose = [(d, pid) for d, pid in oracle if d <= radius + EDGE_KM]
        got = [(m["distanceKm"], m["id"]) for m in body["data"]]
        assert body["count"] == len(got)
        assert min(100, len(strict)) <= len(got) <= min(100, len(loose)), (lat, lng, radius)
        for (distance, pid), (expected, _) in zip(got, loose, strict=False):
            assert abs(distance - haversine_km(lat, lng, *by_id[pid])) < 1e-6, (lat, lng, pid)
            assert abs(distance - expected) < 1e-6, "not the nearest-first order of the oracle"
        if len(loose) <= 100:
            assert {pid for _, pid in strict} <= {pid for _, pid in got}, (lat, lng, radius)
        answered += bool(got)
        hit_limit += len(got) == 100
    assert answered >= 10 and hit_limit >= 2, "the queries should exercise both sparse and full answers"


async def test_limit_and_ordering(client, clean_db) -> None:
    insert_missions(clean_db, [(10.0, 10.0 + i * 0.01) for i in range(30)])
    body = await checked(await client.get(NEARBY, params={"lat": "10", "lng": "10", "radius": "500"}), NEARBY)
    assert body["count"] == 10  # default limit
    distances = [m["distanceKm"] for m in body["data"]]
    assert distances == sorted(distances) and distances[0] == 0.0
    assert set(body["data"][0]) == {"id", "title", "domain", "status", "latitude", "longitude", "distanceKm"}


async def test_bad_queries_name_the_parameter(client) -> None:
    good = {"lat": "37.7", "lng": "-122.4", "radius": "50"}
    cases = [({**good, "radius": "0"}, "radius"), ({**good, "radius": "500.01"}, "radius"),
             ({**good, "radius": "-3"}, "radius"), ({**good, "lat": "91"}, "lat"), ({**good, "lng": "-181"}, "lng"),
             ({**good, "lat": "abc"}, "lat"), ({**good, "lat": "nan"}, "lat"), ({**good, "lng": "inf"}, "lng"),
             ({"lng": "1", "radius": "5"}, "lat"), ({**good, "limit": "0"}, "limit"), ({**good, "limit": "101"}, "limit"),
             ({**good, "radius_km": "5"}, "radius_km")]
    for params, field in cases:
        resp = await client.get(NEARBY, params=params)
        assert resp.status == 400, (params, await resp.text())
        assert field in {f["field"] for f in (await checked(resp, NEARBY))["details"]["fields"]}, params


def test_the_search_uses_the_point_index(clean_db) -> None:
    from app.geo import bounding_boxes, round_parameters, round_query

    with psycopg.connect(clean_db, autocommit=True) as conn:
        conn.execute("INSERT INTO missions (title, description, domain, latitude, longitude) "
                     "SELECT 'm', 'd', 'x', random() * 170 - 85, random() * 360 - 180 FROM generate_series(1, 20000)")
        conn.execute("ANALYZE missions")
        sql, params = round_query(bounding_boxes(37.77, -122.42, 50.0))
        params.update(round_parameters(lat=37.77, lng=-122.42, radius_km=50.0, limit=10))
        plan = "\n".join(row[0] for row in conn.execute("EXPLAIN " + sql, params).fetchall())
    assert "missions_location_idx" in plan, plan
