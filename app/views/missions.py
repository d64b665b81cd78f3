"""Missions near a point, nearest first, with exact great-circle distances.

The search itself lives in `app.geo` (owned with the schema and the seeder): a GiST point index
probed with bounding boxes of growing radius, exact at the poles and across the antimeridian,
on a sphere of radius `app.geo.EARTH_RADIUS_KM`. This view validates the query and shapes the
answer.
"""

from __future__ import annotations

from aiohttp import web
from psycopg.rows import dict_row, tuple_row

from .. import db, geo
from ..schemas import NearbyMission, NearbyMissions, NearbyQuery
from .common import json_response, parse_query


async def nearby_missions(request: web.Request) -> web.Response:
    query = parse_query(request, NearbyQuery)
    async with db.connection(request.app) as conn:
        conn.row_factory = tuple_row  # app.geo reads rows as tuples; the pool's default is dicts
        try:
            rows = await geo.nearby_missions(conn, lat=query.lat, lng=query.lng, radius_km=query.radius, limit=query.limit)
        finally:
            conn.row_factory = dict_row
    missions = [
        NearbyMission(id=id_, title=title, domain=domain, status=status, latitude=lat, longitude=lng, distance_km=km)
        for id_, title, domain, status, lat, lng, km in rows
    ]
    return json_response(NearbyMissions(data=missions, count=len(missions)))
