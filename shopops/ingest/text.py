"""Text helpers shared by the importers: HTML to text, handles (slugs), a CJK language guess.

HTML is turned into plain text that keeps the document's shape: headings become Markdown ``#``
lines, list items ``- `` lines, paragraphs and ``<br>`` line breaks, and ``<script>``/``<style>``
disappear. Capabilities downstream (copy, search, support answers) then read clean text, while the
original HTML stays available in the record's attributes where it came from a product export.
"""

from __future__ import annotations

import html
import re
import unicodedata
from html.parser import HTMLParser

_BLOCK_TAGS = {
    "p", "div", "section", "article", "header", "footer", "main", "aside", "blockquote", "pre",
    "table", "tr", "ul", "ol", "dl", "dt", "dd", "form", "figure", "figcaption", "nav",
}  # fmt: skip
_HEADING = {f"h{i}": i for i in range(1, 7)}
_DROP = {"script", "style", "noscript", "template", "head"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self.first_heading = ""
        self._dropping = 0
        self._in_title = False
        self._heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP:
            self._dropping += 1
        elif tag == "title":
            self._in_title = True
        elif tag in _HEADING:
            self.parts.append("\n\n" + "#" * _HEADING[tag] + " ")
            self._heading = []
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in ("br", "hr"):
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP:
            self._dropping = max(0, self._dropping - 1)
        elif tag == "title":
            self._in_title = False
        elif tag in _HEADING:
            if self._heading is not None and not self.first_heading:
                self.first_heading = " ".join("".join(self._heading).split())
            self._heading = None
            self.parts.append("\n\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
            return
        if self._dropping:
            return
        if self._heading is not None:
            self._heading.append(data)
        self.parts.append(data)


def _tidy(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def html_to_text_and_title(markup: str) -> tuple[str, str]:
    """Plain text of an HTML document (headings kept as ``#`` lines) and its title.

    The title is the ``<title>`` element, else the first heading, else "".
    """
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = _tidy("".join(parser.parts))
    title = " ".join(parser.title.split()) or parser.first_heading
    return text, title


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment; text without tags passes through (entities unescaped)."""
    if "<" not in markup:
        return _tidy(html.unescape(markup))
    return html_to_text_and_title(markup)[0]


def slugify(value: str, *, max_length: int = 255) -> str:
    """A URL handle: lowercase words joined by dashes. Letters of every script are kept
    (``"蓝牙耳机 Pro"`` -> ``"蓝牙耳机-pro"``) so that Chinese titles still get a readable handle."""
    value = unicodedata.normalize("NFKC", value).lower()
    value = re.sub(r"[^\w]+", "-", value).replace("_", "-")
    return re.sub(r"-{2,}", "-", value).strip("-")[:max_length].strip("-")


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF


def guess_language(*texts: str, default: str = "en") -> str:
    """``"zh"`` when at least a fifth of the letters are Chinese characters, else ``default``.

    Deliberately crude: it only has to route Chinese and English text to the right tools
    (tokenisers, sentiment lexicons); a file may always state the language in a column.
    """
    letters = cjk = 0
    for text in texts:
        for char in text:
            if char.isalpha():
                letters += 1
                cjk += _is_cjk(char)
    if letters and cjk / letters >= 0.2:
        return "zh"
    return default
