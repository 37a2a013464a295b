"""Source files (.txt, .docx, .html, .pdf) → the policy document's text as a list of lines."""
from __future__ import annotations

import codecs
import io
import re
import zipfile
import zlib
from html.parser import HTMLParser
from pathlib import Path

import docx
from docx.table import Table, _Cell
from lxml.etree import XMLSyntaxError
from pdfminer.high_level import extract_text
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.psexceptions import PSException

SUPPORTED_SUFFIXES = (".txt", ".docx", ".html", ".htm", ".pdf")

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Tab, LF, VT, FF and CR occur in real text files; the other C0 controls and DEL almost never do.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\v\f\r") + b"\x7f"
_MAX_CONTROL_SHARE = 0.05
_MIN_COMMON_CHINESE_SHARE = 0.8
_ASCII_WHITESPACE = " \t\n\r\f\v"
_ASCII_WHITESPACE_RUN = re.compile(r"[ \t\n\r\f\v]+")
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_GB_LABELS = {"gb2312", "gb_2312-80", "gbk", "x-gbk", "cp936", "gb18030"}
_CID_GLYPH = re.compile(r"\(cid:\d+\)")

# Malformed documents surface from the parsing libraries as these plain errors as well as
# their own exception classes (found by fuzzing truncated and bit-flipped files).
_DOCX_ERRORS = (zipfile.BadZipFile, zlib.error, KeyError, ValueError, NotImplementedError, XMLSyntaxError, EOFError)
_PDF_ERRORS = (PSException, ValueError, KeyError, TypeError, AttributeError, AssertionError, IndexError, zlib.error)


class DocumentReadError(Exception):
    """A source file that cannot be read as a policy document."""

    def __init__(self, path: Path, reason_zh: str, reason_en: str):
        # All three go to Exception.__init__ so the error survives pickling between processes.
        super().__init__(path, reason_zh, reason_en)
        self.path = path
        self.reason_zh = reason_zh
        self.reason_en = reason_en

    def __str__(self) -> str:
        return f"{self.path.name}: {self.reason_zh}"


def read_document_lines(path: Path) -> list[str]:
    """The text of a policy document as lines, without line terminators."""
    suffix = path.suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        supported = ", ".join(SUPPORTED_SUFFIXES)
        raise DocumentReadError(
            path,
            f"不支持的文件格式 {suffix or '（无扩展名）'}；支持：{supported}",
            f"unsupported file format {suffix or '(no suffix)'}; supported: {supported}",
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentReadError(path, f"无法读取文件：{exc.strerror or exc}", f"cannot read the file: {exc}") from exc
    if not data.strip():
        raise _empty(path)
    lines = reader(path, data)
    if not any(line.strip() for line in lines):
        raise _empty(path)
    return lines


def _empty(path: Path) -> DocumentReadError:
    return DocumentReadError(path, "文件为空（没有可读的文字）", "the file is empty (no readable text)")


def _detail(exc: BaseException) -> str:
    # KeyError's str() adds quotes around the message; a bare class name beats an empty detail.
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0])
    return str(exc) or type(exc).__name__


# --- plain text -------------------------------------------------------------------------


def _read_txt(path: Path, data: bytes) -> list[str]:
    text = _decode_bom(path, data)
    if text is None:
        if _looks_binary(data):
            raise DocumentReadError(path, "不是文本文件（含二进制内容）", "not a text file (contains binary data)")
        text = _decode_utf8_or_chinese(path, data)
    # Split on LF only: line N must be line N of the file as `sed -n Np` shows it, so neither
    # U+2028, VT, FF nor a lone CR may start a new line the way str.splitlines() would.
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def _decode_bom(path: Path, data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise DocumentReadError(
                    path, f"文件编码与开头的字节顺序标记不符（{encoding}）", f"content does not match its {encoding} byte order mark"
                ) from exc
    return None


def _looks_binary(data: bytes) -> bool:
    if b"\x00" in data:
        return True
    control = len(data) - len(data.translate(None, _CONTROL_BYTES))
    return control > len(data) * _MAX_CONTROL_SHARE


def _decode_utf8_or_chinese(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is None or not _looks_chinese(text):
        raise DocumentReadError(
            path,
            "无法识别文件编码，请另存为 UTF-8",
            "the file's encoding could not be recognised (expected UTF-8 or GB18030); please save it as UTF-8",
        )
    return text


def _looks_chinese(text: str) -> bool:
    # Latin-1 and Shift-JIS bytes mostly decode as valid but rare GBK ideographs, so "is CJK"
    # tells nothing; real Chinese prose instead draws almost entirely on GB2312's symbol rows
    # (lead bytes A1–A9) and its 3,755 level-1 hanzi (lead bytes B0–D7).
    non_ascii = [ch for ch in text if ord(ch) > 0x7F]
    common = 0
    for ch in non_ascii:
        try:
            lead = ch.encode("gb2312")[0]
        except UnicodeEncodeError:
            continue
        common += lead <= 0xA9 or 0xB0 <= lead <= 0xD7
    return common >= len(non_ascii) * _MIN_COMMON_CHINESE_SHARE


# --- Word -------------------------------------------------------------------------------


def _read_docx(path: Path, data: bytes) -> list[str]:
    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines.extend(_table_rows(block))
            else:
                # A soft line break (Shift+Enter) shows as "\n"; the result must hold no terminators.
                lines.extend(block.text.split("\n"))
    except _DOCX_ERRORS as exc:
        raise DocumentReadError(
            path, f"Word 文件已损坏或不是 .docx 格式：{_detail(exc)}", f"corrupt Word file or not a .docx: {_detail(exc)}"
        ) from exc
    return lines


def _table_rows(table: Table) -> list[str]:
    rows = []
    for row in table.rows:
        # Walk the physical <w:tc> cells: row.cells repeats a merged cell once per spanned grid
        # column and row, which would extract the same number several times.
        cells = ["" if tc.vMerge == "continue" else _Cell(tc, table).text for tc in row._tr.tc_lst]
        rows.append("\t".join(_ASCII_WHITESPACE_RUN.sub(" ", cell).strip() for cell in cells))
    return rows


# --- HTML -------------------------------------------------------------------------------


def _read_html(path: Path, data: bytes) -> list[str]:
    text = _decode_bom(path, data)
    if text is None:
        text = _decode_declared(data)
    if text is None:
        text = _decode_utf8_or_chinese(path, data)
    parser = _HtmlText()
    parser.feed(text)
    parser.close()
    return _collapse_blank_runs([line.strip(_ASCII_WHITESPACE) for line in parser.lines])


def _decode_declared(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    label = match.group(1).decode("ascii").lower()
    # Pages labelled GB2312 or GBK routinely use characters only GB18030 (their superset) has.
    encoding = "gb18030" if label in _GB_LABELS else label
    try:
        text = data.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        # Declarations lie often enough that the content itself should get a say.
        return None
    # Short UTF-8 text often decodes as GB18030 without error, into rare characters.
    if encoding == "gb18030" and not _looks_chinese(text):
        return None
    return text


class _HtmlText(HTMLParser):
    """Visible text of a page, one line per block element, table cells separated by tabs."""

    SKIPPED = {"script", "style", "noscript", "head", "title", "template"}
    BLOCKS = {"p", "div", "li", "tr", "section", "article", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6"}
    CELLS = {"td", "th"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines = [""]
        self._skip_depth = 0
        self._pre_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            # An unclosed <head> must not swallow the whole page.
            self._skip_depth = 0
        elif tag in self.SKIPPED:
            self._skip_depth += 1
        elif tag == "br":
            self.lines.append("")
        elif tag in self.CELLS:
            if self.lines[-1].strip(_ASCII_WHITESPACE):
                self.lines[-1] = self.lines[-1].rstrip(" ") + "\t"
        elif tag in self.BLOCKS or tag == "pre":
            self._break()
        if tag == "pre":
            self._pre_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in self.BLOCKS or tag == "pre":
            self._break()
        if tag == "pre":
            self._pre_depth = max(0, self._pre_depth - 1)

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        if self._pre_depth:
            first, *rest = data.split("\n")
            self.lines[-1] += first
            self.lines.extend(rest)
            return
        # Source line breaks inside a paragraph are layout, not text: render them as browsers do.
        data = _ASCII_WHITESPACE_RUN.sub(" ", data)
        if not self.lines[-1] or self.lines[-1].endswith("\t"):
            data = data.lstrip(" ")
        self.lines[-1] += data

    def _break(self) -> None:
        # Block boundaries only end a line that has text; blank lines come from <br> alone.
        if self.lines[-1].strip(_ASCII_WHITESPACE):
            self.lines.append("")


# --- PDF --------------------------------------------------------------------------------


def _read_pdf(path: Path, data: bytes) -> list[str]:
    try:
        text = extract_text(io.BytesIO(data))
    except PDFPasswordIncorrect as exc:
        raise DocumentReadError(path, "PDF 已加密，需要密码才能打开", "the PDF is encrypted and needs a password") from exc
    except PDFEncryptionError as exc:
        raise DocumentReadError(
            path, f"PDF 已加密，无法解密：{_detail(exc)}", f"the PDF is encrypted and cannot be decrypted: {_detail(exc)}"
        ) from exc
    except _PDF_ERRORS as exc:
        raise DocumentReadError(
            path, f"PDF 文件已损坏或不是 PDF 格式：{_detail(exc)}", f"corrupt PDF or not a PDF: {_detail(exc)}"
        ) from exc
    # pdfminer ends every page with a form feed; a line break keeps pages from running together.
    text = text.replace("\x0c", "\n")
    if not text.strip():
        raise DocumentReadError(
            path,
            "PDF 没有文本层（可能是扫描件），请先进行文字识别",
            "the PDF has no text layer (a scanned image?); run OCR first",
        )
    glyphs = len(_CID_GLYPH.findall(text))
    if glyphs and glyphs >= len("".join(_CID_GLYPH.sub("", text).split())):
        # Fonts without a Unicode mapping come out as "(cid:1234)" tokens: text in name only.
        raise DocumentReadError(
            path,
            "PDF 的文字无法解码（字体缺少 Unicode 映射），请先进行文字识别",
            "the PDF's text cannot be decoded (fonts lack a Unicode mapping); run OCR first",
        )
    return _collapse_blank_runs([line.rstrip() for line in text.split("\n")])


def _collapse_blank_runs(lines: list[str]) -> list[str]:
    """Runs of blank lines become one; leading and trailing blank lines go."""
    collapsed: list[str] = []
    for line in lines:
        if line or (collapsed and collapsed[-1]):
            collapsed.append(line)
    while collapsed and not collapsed[-1]:
        collapsed.pop()
    return collapsed


_READERS = {".txt": _read_txt, ".docx": _read_docx, ".html": _read_html, ".htm": _read_html, ".pdf": _read_pdf}
