"""A source line cleaned for matching (private-use and control characters, stray spaces) with a map back to the original, so quotes stay exact."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

# --- Cleaning ---------------------------------------------------------------------------------

SPACE_LIKE = {"\t", "\u00a0", "\u3000"} | {chr(code) for code in range(0x2000, 0x200B)}
# Anything clean_line would change; most lines have none, and skip the per-character walk.
NEEDS_CLEANING = re.compile(
    "[\t\u00a0\u3000\u2000-\u200f\u2028-\u202f\u2060-\u206f\ufeff\ue000-\uf8ff\U000f0000-\U0010ffff"
    "\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]|  "
)


@dataclass(frozen=True)
class CleanLine:
    """A line with private-use, control and format characters removed.

    `positions[i]` is where cleaned character i sits in the original line, so every quote is cut
    from the original text and stays an exact substring of the source file.
    """

    text: str
    positions: Sequence[int]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        return self.positions[start], self.positions[end - 1] + 1


def clean_line(original: str) -> CleanLine:
    if not NEEDS_CLEANING.search(original):
        return CleanLine(original, range(len(original)))
    kept: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(original):
        if char in SPACE_LIKE:
            char = " "
        elif unicodedata.category(char) in ("Co", "Cc", "Cf", "Cs"):
            continue
        if char == " " and kept and kept[-1] == " ":
            continue  # runs of spaces carry no meaning but would break number patterns
        kept.append(char)
        positions.append(index)
    return CleanLine("".join(kept), tuple(positions))
