"""Source files and their `.meta.yml` → DocumentMeta and the Sections (policy documents) inside each file."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from etl.model import DocumentMeta, Section
from etl.readers import SUPPORTED_SUFFIXES, DocumentReadError, read_document_lines
from indicators.regions import RegionHistory, RegionTable, UnknownRegion

META_SUFFIX = ".meta.yml"
# libyaml's loader when present: metadata is read once per file, and the pure-Python one is slow.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
REQUIRED_META = ("title", "issuer", "region", "issue_date", "source")
TOC_ENTRY = re.compile(r"^(?P<title>\S.{3,}?)(?:\t+|\s*[.…·]{3,}\s*|\s{2,})(?P<page>\d{1,4})\s*$")
TOC_HEADING = re.compile(r"^\s*目\s*录\s*$")
TITLED_HEADING = re.compile(r"^\s*(?P<prefix>[^《》\s]{2,30})《(?P<name>[^》]+)》?\s*$")


class MetadataError(ValueError):
    """A `.meta.yml` that is missing, unreadable, or breaks the metadata contract."""

    def __init__(self, path: Path, reason_zh: str, reason_en: str):
        super().__init__(f"{path.name}: {reason_zh}")
        self.path = path
        self.reason_zh = reason_zh
        self.reason_en = reason_en


@dataclass(frozen=True)
class LoadedDocument:
    meta: DocumentMeta
    path: Path
    lines: list[str]
    sections: list[Section]
    sha256: str


def source_files(folder: Path) -> list[Path]:
    """Every file in `folder` that is meant to be a policy document, in name order.

    Files with unsupported suffixes are included so the build can report them, but metadata
    files and hidden files are not documents.
    """
    return sorted(
        path for path in folder.iterdir()
        if path.is_file() and not path.name.endswith(META_SUFFIX) and not path.name.startswith(".")
    )


def metadata_path(document_path: Path) -> Path:
    return document_path.with_name(document_path.stem + META_SUFFIX)


def parse_issue_date(value) -> tuple[dt.date | None, int | None]:
    """`2020-11-01` → (date, 2020); a bare year `2021` → (None, 2021) when only the year is known."""
    if value is None:
        return None, None
    if isinstance(value, dt.date):
        return value, value.year
    if isinstance(value, int) and 1949 <= value <= 2100:
        return None, value
    text = str(value).strip()
    if re.fullmatch(r"\d{4}", text):
        return None, int(text)
    try:
        parsed = dt.date.fromisoformat(text)
    except ValueError as error:
        raise ValueError(f"issue_date {value!r} is neither YYYY-MM-DD nor YYYY") from error
    return parsed, parsed.year


def read_metadata(document_path: Path) -> DocumentMeta:
    path = metadata_path(document_path)
    if not path.exists():
        raise MetadataError(path, f"缺少元数据文件 {path.name}", f"metadata file {path.name} is missing")
    try:
        with open(path, encoding="utf-8") as stream:
            raw = yaml.load(stream, Loader=SAFE_LOADER)
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise MetadataError(path, f"元数据文件无法解析：{error}", f"metadata file cannot be parsed: {error}") from error
    if not isinstance(raw, dict):
        raise MetadataError(path, "元数据文件应为键值对", "metadata file must be a mapping")
    missing = [key for key in REQUIRED_META if key not in raw]
    if missing:
        raise MetadataError(path, f"元数据缺少字段：{'、'.join(missing)}", f"metadata lacks {', '.join(missing)}")
    try:
        issue_date, issue_year = parse_issue_date(raw["issue_date"])
    except ValueError as error:
        raise MetadataError(path, f"发布日期格式错误（应为 YYYY-MM-DD 或 YYYY）：{raw['issue_date']}", str(error)) from error
    return DocumentMeta(
        doc=document_path.name,
        title=str(raw["title"]).strip(),
        issuer=str(raw["issuer"]).strip(),
        region=str(raw["region"]).strip(),
        document_number=(str(raw["document_number"]).strip() if raw.get("document_number") else None),
        issue_date=issue_date,
        issue_year=issue_year,
        source=str(raw["source"]).strip(),
        compilation=bool(raw.get("compilation", False)),
    )


def squeeze(text: str) -> str:
    """Headings compared without whitespace: layout breaks titles at different places."""
    return re.sub(r"\s+", "", text)


def table_of_contents(lines: list[str]) -> tuple[list[str], int] | None:
    """Titles listed after a 目录 line, and the line number where the list ends."""
    for index, line in enumerate(lines):
        if TOC_HEADING.match(line):
            titles: list[str] = []
            last = index
            for position in range(index + 1, min(len(lines), index + 400)):
                candidate = lines[position]
                if not candidate.strip():
                    continue
                entry = TOC_ENTRY.match(candidate.strip())
                if not entry:
                    if titles:
                        break
                    continue
                titles.append(entry.group("title").strip())
                last = position + 1
            return (titles, last) if titles else None
    return None


def heading_lines(lines: list[str], titles: list[str], after_line: int) -> list[tuple[int, str]]:
    """Where each listed title starts in the body, in order (1-based line numbers)."""
    found: list[tuple[int, str]] = []
    cursor = after_line
    squeezed = [squeeze(line) for line in lines]
    for title in titles:
        key = squeeze(title)
        for position in range(cursor, len(lines)):
            body = squeezed[position]
            if len(body) < 6:
                continue
            if body == key or key.startswith(body) and len(body) >= 12 or body.startswith(key):
                found.append((position + 1, title))
                cursor = position + 1
                break
    return found


def split_compilation(
    meta: DocumentMeta, lines: list[str], regions: RegionTable
) -> list[Section]:
    """A compilation's documents, found from its table of contents (or, lacking one, its headings).

    `regions` is the table of the compilation's year: each part's region is read from its heading as of then.
    """
    toc = table_of_contents(lines)
    if toc:
        titles, toc_end = toc
        headings = heading_lines(lines, titles, toc_end)
        missing = [title for title in titles if title not in {found for _, found in headings}]
        if missing:
            # A part without its heading would silently join the part before it, under the wrong region.
            raise MetadataError(
                Path(meta.doc), f"目录中的文件在正文中找不到标题：{'；'.join(missing)}",
                f"titles listed in the table of contents not found in the body: {'; '.join(missing)}",
            )
    else:
        headings = [
            (index + 1, line.strip()) for index, line in enumerate(lines)
            if TITLED_HEADING.match(line) and regions.resolve_prefix(line.strip()) is not None
        ]
    if not headings:
        raise MetadataError(
            Path(meta.doc), "合集中找不到目录或各文件标题，无法拆分", "no table of contents or headings found to split the compilation"
        )
    sections = []
    for position, (line_number, title) in enumerate(headings):
        last_line = headings[position + 1][0] - 1 if position + 1 < len(headings) else len(lines)
        heading_text = lines[line_number - 1].strip()
        full_title = title if len(squeeze(title)) >= len(squeeze(heading_text)) else heading_text
        found = regions.resolve_prefix(full_title)
        if found is None:
            year = f"{regions.year} 年" if regions.year is not None else ""
            raise UnknownRegion(full_title, message=f"合集中的标题“{full_title}”开头不是{year}地区表中的地区名称",
                                message_en=f"The compilation heading “{full_title}” does not start with a region's name")
        region, _ = found
        issuer = full_title.split("《", 1)[0].strip() or region.name
        sections.append(
            Section(
                doc=meta.doc,
                title=full_title,
                region_code=region.code,
                region=region.name,
                level=region.level,
                first_line=line_number,
                last_line=last_line,
                issue_year=meta.issue_year,
                issuer=issuer,
            )
        )
    return sections


def sections_of(meta: DocumentMeta, lines: list[str], regions: RegionHistory) -> list[Section]:
    """The policy documents of one file, each with its region as of the file's year (the latest, if undated)."""
    table = regions.table(meta.issue_year)
    if meta.compilation:
        return split_compilation(meta, lines, table)
    region = table.resolve(meta.region)
    return [
        Section(
            doc=meta.doc,
            title=meta.title,
            region_code=region.code,
            region=region.name,
            level=region.level,
            first_line=1,
            last_line=len(lines),
            issue_year=meta.issue_year,
            issuer=meta.issuer,
        )
    ]


def load_document(path: Path, regions: RegionHistory) -> LoadedDocument:
    """Read one source file with its metadata; raises DocumentReadError, MetadataError or UnknownRegion."""
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        read_document_lines(path)  # raises the reader's own "unsupported format" message
    meta = read_metadata(path)
    lines = read_document_lines(path)
    sections = sections_of(meta, lines, regions)
    return LoadedDocument(meta, path, lines, sections, hashlib.sha256(path.read_bytes()).hexdigest())


__all__ = [
    "DocumentReadError",
    "LoadedDocument",
    "MetadataError",
    "load_document",
    "metadata_path",
    "read_metadata",
    "sections_of",
    "source_files",
    "split_compilation",
]
