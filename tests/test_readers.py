"""Reading policy documents of every supported format, and refusing broken files with a clear reason."""
from __future__ import annotations

import io
import pickle
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib import pdfencrypt
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from etl import readers
from etl.readers import DocumentReadError, read_document_lines

SENTENCE = "企业开办时间压缩至2个工作日以内"
LINES = ["关于优化营商环境的若干措施", "", f"一、{SENTENCE}。", "二、不动产登记压缩至5个工作日。"]
TEXT = "\n".join(LINES) + "\n"


def write(directory: Path, name: str, data: bytes) -> Path:
    path = directory / name
    path.write_bytes(data)
    return path


def make_docx(*blocks: str | list[list[str]]) -> bytes:
    """A .docx with one paragraph per string and one table per list of rows, in that order."""
    document = docx.Document()
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
        else:
            table = document.add_table(rows=len(block), cols=len(block[0]))
            for row, values in zip(table.rows, block):
                for cell, value in zip(row.cells, values):
                    cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_pdf(*pages: list[str], encrypt: pdfencrypt.StandardEncryption | None = None) -> bytes:
    """A PDF with a real text layer; an empty page list draws only a rectangle, as a scan would."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, encrypt=encrypt)
    for lines in pages or [[]]:
        if not lines:
            pdf.rect(100, 100, 300, 400, fill=1)
        pdf.setFont("STSong-Light", 12)
        for number, line in enumerate(lines):
            pdf.drawString(72, 760 - 20 * number, line)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


# --- plain text -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(TEXT.encode("utf-8"), id="utf-8"),
        pytest.param(b"\xef\xbb\xbf" + TEXT.encode("utf-8"), id="utf-8-bom"),
        pytest.param(TEXT.encode("utf-16"), id="utf-16-bom"),
        pytest.param(b"\xfe\xff" + TEXT.encode("utf-16-be"), id="utf-16-be-bom"),
        pytest.param(TEXT.encode("gb18030"), id="gb18030"),
        pytest.param(TEXT.replace("\n", "\r\n").encode("utf-8"), id="crlf"),
        pytest.param(TEXT.replace("\n", "\r\n").encode("gb18030"), id="gb18030-crlf"),
    ],
)
def test_text_encodings_give_the_same_lines(tmp_path, data):
    assert read_document_lines(write(tmp_path, "policy.txt", data)) == LINES


def test_text_line_numbers_match_the_file(tmp_path):
    # Characters that str.splitlines() would break on, or a cleaner would touch, stay in place.
    file_lines = [
        "标题",
        "",
        "",
        "一、指标\ue5ce\t目标值",
        "二、\u2002缩进\u3000与\x0c换页\u2028分隔",
        "三、单独的\r回车",
        "   ",
        "结尾",
    ]
    path = write(tmp_path, "policy.txt", ("\n".join(file_lines) + "\n").encode("utf-8"))
    lines = read_document_lines(path)
    assert lines == file_lines
    # Same numbering as `sed -n Np`: the final newline does not add a line.
    assert lines[4 - 1] == "一、指标\ue5ce\t目标值"
    assert len(lines) == path.read_bytes().count(b"\n")


def test_text_without_final_newline_keeps_its_last_line(tmp_path):
    path = write(tmp_path, "policy.txt", "第一行\r\n第二行".encode())
    assert read_document_lines(path) == ["第一行", "第二行"]


# --- Word -------------------------------------------------------------------------------


def test_docx_keeps_tables_between_paragraphs(tmp_path):
    data = make_docx("前言", [["指标", "目标值"], ["企业开办", "2个工作日"]], "结语")
    lines = read_document_lines(write(tmp_path, "policy.docx", data))
    assert lines == ["前言", "指标\t目标值", "企业开办\t2个工作日", "结语"]


def test_docx_merged_and_multi_paragraph_cells_appear_once(tmp_path):
    document = docx.Document(io.BytesIO(make_docx([["指标", "", "目标"], ["开办", "时间", "2日"]])))
    table = document.tables[0]
    table.cell(0, 0).merge(table.cell(0, 1))
    table.cell(1, 2).add_paragraph("（2025年）")
    buffer = io.BytesIO()
    document.save(buffer)
    lines = read_document_lines(write(tmp_path, "policy.docx", buffer.getvalue()))
    assert lines == ["指标\t目标", "开办\t时间\t2日 （2025年）"]


# --- HTML -------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>不应出现的标题</title>
<style>p {{ color: red; }}</style>
<script>var target = "压缩至99个工作日";</script>
</head>
<body>
  <noscript>请启用脚本</noscript>
  <h1>关于优化营商环境的若干措施</h1>
  <p>一、{sentence}
     。</p>
  <p>二、A&amp;B&nbsp;类事项&lt;5日&gt;<br>第二行<br><br>空行之后</p>
  <table><tr><td>指标</td><td> 目标值 </td></tr><tr><td>开办</td><td>2日</td></tr></table>
  <div>三、&#x4E00;网通办</div>
</body></html>
"""
PAGE_LINES = [
    "关于优化营商环境的若干措施",
    f"一、{SENTENCE} 。",
    "二、A&B\xa0类事项<5日>",
    "第二行",
    "",
    "空行之后",
    "指标\t目标值",
    "开办\t2日",
    "三、一网通办",
]


@pytest.mark.parametrize(
    "page, encoding",
    [
        pytest.param(PAGE, "gb2312", id="meta-gb2312"),
        pytest.param(PAGE.replace("charset=gb2312", "charset=utf-8"), "utf-8", id="meta-utf-8"),
        pytest.param(PAGE.replace("; charset=gb2312", ""), "utf-8", id="undeclared-utf-8"),
        pytest.param(PAGE.replace("; charset=gb2312", ""), "gb18030", id="undeclared-gb18030"),
    ],
)
def test_html_visible_text_by_block(tmp_path, page, encoding):
    data = page.format(sentence=SENTENCE).encode(encoding)
    assert read_document_lines(write(tmp_path, "policy.html", data)) == PAGE_LINES


def test_html_declared_gb2312_but_utf8(tmp_path):
    # These UTF-8 bytes also decode as GB18030 without error, into "钀ュ晢鐜".
    data = '<meta charset="gb2312"><p>营商环境</p>'.encode()
    assert read_document_lines(write(tmp_path, "policy.html", data)) == ["营商环境"]


def test_htm_suffix_and_unclosed_head(tmp_path):
    data = "<html><head><title>标题<body><p>正文第一段</p><p>正文第二段".encode()
    assert read_document_lines(write(tmp_path, "POLICY.HTM", data)) == ["正文第一段", "正文第二段"]


# --- PDF --------------------------------------------------------------------------------


def test_pdf_chinese_text_layer(tmp_path):
    data = make_pdf(LINES[:1] + LINES[2:], ["第二页：附件"])
    lines = read_document_lines(write(tmp_path, "policy.pdf", data))
    # pdfminer renders STSong-Light text without spaces between CJK characters and puts a
    # blank line between text boxes; the reader keeps those single blank lines.
    assert f"一、{SENTENCE}。" in lines
    assert lines[0] == LINES[0]
    assert lines[-1] == "第二页：附件"
    assert not any("\x0c" in line or line != line.rstrip() for line in lines)
    assert all(lines[i] or lines[i + 1] for i in range(len(lines) - 1)), "blank runs are collapsed"


def test_pdf_undecodable_glyphs_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "extract_text", lambda _: "(cid:3090)(cid:4156)\n\n(cid:17) 2\n\x0c")
    with pytest.raises(DocumentReadError) as caught:
        read_document_lines(write(tmp_path, "policy.pdf", b"%PDF-1.4 stand-in"))
    assert "文字无法解码" in caught.value.reason_zh


# --- broken files -----------------------------------------------------------------------


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


BROKEN = [
    ("empty.txt", lambda: b"", "文件为空"),
    ("whitespace_only.txt", lambda: " \r\n\t\n\u3000\n".encode("utf-8"), "文件为空"),
    ("whitespace_only_utf16.txt", lambda: "  \n".encode("utf-16"), "文件为空"),
    ("binary.txt", lambda: b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64, "不是文本文件"),
    ("control_bytes.txt", lambda: b"abc\x01\x02\x03\x04def\x05\x06\x07\x08", "不是文本文件"),
    ("latin1.txt", lambda: b"Caf\xe9 r\xe9sum\xe9 na\xefve\n" * 20, "无法识别文件编码"),
    ("latin1_gbk_valid.txt", lambda: "Über die Größe und Qualität der Straßen.\n".encode("latin-1"), "无法识别文件编码"),
    ("shift_jis.txt", lambda: "これは日本語のテキストです。東京都の行政手続き。".encode("shift_jis"), "无法识别文件编码"),
    ("truncated.docx", lambda: truncated(make_docx("正文")), "Word 文件已损坏或不是 .docx 格式"),
    ("not_really.docx", lambda: "这是改了扩展名的纯文本。\n".encode(), "Word 文件已损坏或不是 .docx 格式"),
    ("empty.docx", lambda: make_docx(), "文件为空"),
    ("blank_paragraphs.docx", lambda: make_docx("", "   ", [["", ""]]), "文件为空"),
    ("scanned.pdf", lambda: make_pdf(), "PDF 没有文本层（可能是扫描件）"),
    ("truncated.pdf", lambda: truncated(make_pdf([SENTENCE])), "PDF 文件已损坏或不是 PDF 格式"),
    ("not_really.pdf", lambda: "这不是 PDF。\n".encode() * 5, "PDF 文件已损坏或不是 PDF 格式"),
    (
        "encrypted.pdf",
        lambda: make_pdf([SENTENCE], encrypt=pdfencrypt.StandardEncryption("secret")),
        "PDF 已加密",
    ),
    ("script_only.html", lambda: b"<html><head><script>var a = 1;</script></head><body> </body></html>", "文件为空"),
    ("unsupported.xls", lambda: b"\xd0\xcf\x11\xe0", "不支持的文件格式 .xls；支持：.txt, .docx, .html, .htm, .pdf"),
    ("no_suffix", lambda: TEXT.encode("utf-8"), "不支持的文件格式"),
]


@pytest.mark.parametrize("name, make, phrase", BROKEN, ids=[name for name, _, _ in BROKEN])
def test_broken_files_are_refused_with_a_reason(tmp_path, name, make, phrase):
    path = write(tmp_path, name, make())
    with pytest.raises(DocumentReadError) as caught:
        read_document_lines(path)
    error = caught.value
    assert phrase in error.reason_zh
    assert error.path == path
    assert str(error) == f"{name}: {error.reason_zh}"
    assert error.reason_en and error.reason_en.isascii()


def test_missing_file_is_a_read_error(tmp_path):
    with pytest.raises(DocumentReadError) as caught:
        read_document_lines(tmp_path / "missing.txt")
    assert "无法读取文件" in caught.value.reason_zh


def test_error_survives_pickling(tmp_path):
    error = DocumentReadError(tmp_path / "a.txt", "文件为空", "the file is empty")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.path, copy.reason_zh, copy.reason_en, str(copy)) == (error.path, "文件为空", error.reason_en, str(error))


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".txt", ".html"]))
def test_arbitrary_bytes_give_lines_or_a_read_error(tmp_path_factory, data, suffix):
    path = write(tmp_path_factory.mktemp("fuzz"), "any" + suffix, data)
    try:
        lines = read_document_lines(path)
    except DocumentReadError:
        return
    assert lines and all("\n" not in line for line in lines)
