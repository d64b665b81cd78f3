"""Realistic synthetic rows for the bulk seeder, generated column-wise with numpy.

Locations cluster around real cities (the k6 script searches around San Francisco), with a
sprinkle of points near the poles and the antimeridian so geo search meets its edge cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterator

import numpy as np

DOMAINS = (
    "environmental_protection", "food_security", "healthcare_access", "education",
    "clean_water", "disaster_response", "mental_health", "community_building",
    "economic_opportunity", "digital_inclusion", "human_rights", "biodiversity",
)
SEVERITIES = ("low", "medium", "high", "critical")
SCOPES = ("local", "regional", "national", "global")
STATUSES = ("approved", "approved", "approved", "approved", "pending_review", "rejected")
MISSION_STATUSES = ("open", "open", "open", "in_progress", "completed")

# (name, latitude, longitude, weight): weights roughly follow population.
CITIES = (
    ("San Francisco", 37.7749, -122.4194, 6), ("New York", 40.7128, -74.0060, 8),
    ("Lagos", 6.5244, 3.3792, 7), ("Sao Paulo", -23.5505, -46.6333, 7),
    ("Mumbai", 19.0760, 72.8777, 9), ("Jakarta", -6.2088, 106.8456, 7),
    ("Tokyo", 35.6762, 139.6503, 8), ("Cairo", 30.0444, 31.2357, 6),
    ("Mexico City", 19.4326, -99.1332, 7), ("Nairobi", -1.2921, 36.8219, 5),
    ("London", 51.5074, -0.1278, 6), ("Dhaka", 23.8103, 90.4125, 7),
    ("Manila", 14.5995, 120.9842, 6), ("Lima", -12.0464, -77.0428, 4),
    ("Sydney", -33.8688, 151.2093, 4), ("Suva", -18.1248, 178.4501, 1),
    ("Anchorage", 61.2181, -149.9003, 1), ("Longyearbyen", 78.2232, 15.6267, 1),
    ("Ushuaia", -54.8019, -68.3030, 1), ("Apia", -13.8333, -171.7667, 1),
)
_ADJECTIVES = ("Severe", "Growing", "Chronic", "Sudden", "Seasonal", "Widespread", "Local", "Persistent")
_SUBJECTS = ("flooding", "water shortage", "air pollution", "school closures", "clinic overload",
             "food insecurity", "power outages", "waste accumulation", "heat stress", "soil erosion")
_MISSION_VERBS = ("Survey", "Document", "Map", "Photograph", "Interview residents about", "Verify")


@dataclass(frozen=True)
class Locations:
    latitude: np.ndarray
    longitude: np.ndarray
    city: np.ndarray  # index into CITIES


def random_locations(rng: np.random.Generator, count: int) -> Locations:
    """Points around the cities (sd ~25 km), 1 % anywhere on the sphere (uniform by area)."""
    weights = np.array([c[3] for c in CITIES], dtype=float)
    city = rng.choice(len(CITIES), size=count, p=weights / weights.sum())
    lat = np.array([c[1] for c in CITIES])[city] + rng.normal(0, 0.22, count)
    lng = np.array([c[2] for c in CITIES])[city] + rng.normal(0, 0.28, count)
    anywhere = rng.random(count) < 0.01
    n = int(anywhere.sum())
    lat[anywhere] = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))
    lng[anywhere] = rng.uniform(-180, 180, n)
    lat = np.clip(lat, -90, 90)
    lng = (lng + 180) % 360 - 180  # wrap across the antimeridian
    return Locations(latitude=lat, longitude=lng, city=city)


def _pool(rng: np.random.Generator, items: tuple[str, ...], count: int) -> list[str]:
    return [items[i] for i in rng.integers(0, len(items), count)]


def _created_at(rng: np.random.Generator, count: int, *, now: datetime) -> list[datetime]:
    # Spread over the last year; microsecond offsets keep (created_at, id) keyset order realistic.
    offsets_us = rng.integers(0, 365 * 24 * 3600 * 1_000_000, count)
    return [now - timedelta(microseconds=int(o)) for o in offsets_us]


def problem_rows(rng: np.random.Generator, count: int, *, now: datetime | None = None) -> Iterator[tuple]:
    """Rows for COPY into problems (see PROBLEM_COLUMNS)."""
    now = now or datetime.now(timezone.utc)
    loc = random_locations(rng, count)
    titles = [f"{a} {s} in {c[0]}" for a in _ADJECTIVES for s in _SUBJECTS for c in CITIES]
    title_idx = rng.integers(0, len(titles), count)
    population = rng.integers(50, 2_000_000, count)
    columns = zip(
        (titles[i] for i in title_idx),
        _pool(rng, DOMAINS, count), _pool(rng, SEVERITIES, count),
        (f"{p:,}" for p in population.tolist()), _pool(rng, SCOPES, count),
        (CITIES[i][0] for i in loc.city.tolist()),
        loc.latitude.tolist(), loc.longitude.tolist(),
        _pool(rng, STATUSES, count), _created_at(rng, count, now=now),
    )
    description = "Reported by a field agent; see evidence links for details."
    for title, domain, severity, pop, scope, city, lat, lng, status, created in columns:
        yield (title, description, domain, severity, pop, scope, city, lat, lng, status, created, created)


PROBLEM_COLUMNS = ("title", "description", "domain", "severity", "affected_population_estimate",
                   "geographic_scope", "location_name", "latitude", "longitude", "status",
                   "created_at", "updated_at")
PROBLEM_TYPES = ("text", "text", "text", "text", "text", "text", "text", "float8", "float8", "text",
                 "timestamptz", "timestamptz")


def mission_rows(rng: np.random.Generator, count: int, *, problem_count: int,
                 now: datetime | None = None) -> Iterator[tuple]:
    """Rows for COPY into missions (see MISSION_COLUMNS)."""
    now = now or datetime.now(timezone.utc)
    loc = random_locations(rng, count)
    titles = [f"{v} {s}" for v in _MISSION_VERBS for s in _SUBJECTS]
    title_idx = rng.integers(0, len(titles), count)
    problem_ids = rng.integers(1, max(problem_count, 1) + 1, count) if problem_count else None
    columns = zip(
        problem_ids.tolist() if problem_ids is not None else [None] * count,
        (titles[i] for i in title_idx), _pool(rng, DOMAINS, count),
        _pool(rng, MISSION_STATUSES, count), rng.integers(10, 500, count).tolist(),
        loc.latitude.tolist(), loc.longitude.tolist(), _created_at(rng, count, now=now),
    )
    description = "Collect evidence on site and report back with photos."
    for problem_id, title, domain, status, points, lat, lng, created in columns:
        yield (problem_id, title, description, domain, status, points, lat, lng, created)


MISSION_COLUMNS = ("problem_id", "title", "description", "domain", "status", "reward_points",
                   "latitude", "longitude", "created_at")
MISSION_TYPES = ("int8", "text", "text", "text", "text", "int4", "float8", "float8", "timestamptz")
