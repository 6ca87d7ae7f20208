"""The paper's text page by page: on which page a quotation stands.

The text was extracted from the PDF, one page after another: a page's body, then its
footnotes, sometimes its printed page number. Where a page begins, the extraction left a
line starting with a space (its trace of the page break), or the running head. A few pages
print their number at the foot (a line holding only the number, after a blank line: the
footnote numbers that also stand alone follow one another with no blank line); those
numbers fix the numbering of every page, and must agree with each other.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

RUNNING_HEAD = "INTERFACES BETWEEN PEACE OPERATIONS AND ORGANIZED CRIME"
# A page, or a range of pages ("6-7"), as findings store it.
PAGE_FORM = r"[1-9][0-9]{0,3}(-[1-9][0-9]{0,3})?"


EN_DASH = "\u2013"


def page_label(page):
    """A stored page as citations and pages print it: "p. 7", "pp. 6-7" (with an en dash)."""
    if not page:
        return ""
    return f"pp. {page.replace('-', EN_DASH)}" if "-" in page else f"p. {page}"


class PaperError(Exception):
    """The text's pages cannot be told apart: its printed numbers contradict each other."""


def normalise(text):
    """Collapse what PDF extraction scrambles: line breaks, hyphenation, quote styles."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
    text = text.replace("\u201d", '"').replace("-\n", "").replace("\u2013", "-")
    return re.sub(r"\s+", " ", text).strip().lower()


@dataclass(frozen=True)
class Paper:
    """The paper's pages: ``pages[i]`` is the normalised text of page ``first + i``."""

    pages: tuple[str, ...]
    first: int

    @property
    def last(self):
        return self.first + len(self.pages) - 1

    @property
    def text(self):
        return " ".join(self.pages)

    def pages_of(self, quotation):
        """Every place the quotation stands, as page labels ("7", or "6-7" across a break)."""
        needle = normalise(quotation)
        if not needle:
            return []
        starts, offset = [], 0
        for page in self.pages:
            starts.append(offset)
            offset += len(page) + 1
        found, text, at = [], self.text, 0
        while (at := text.find(needle, at)) != -1:
            begin = self._page_at(starts, at)
            end = self._page_at(starts, at + len(needle) - 1)
            label = str(begin) if begin == end else f"{begin}-{end}"
            if label not in found:
                found.append(label)
            at += 1
        return found

    def _page_at(self, starts, offset):
        index = max(i for i, start in enumerate(starts) if start <= offset)
        return self.first + index

    def holds(self, label):
        """Whether ``label`` names pages of this paper."""
        if not re.fullmatch(PAGE_FORM, label):
            return False
        numbers = [int(n) for n in label.split("-")]
        return all(self.first <= n <= self.last for n in numbers) and numbers == sorted(numbers)


def _split(lines):
    """The text's pages, as lists of lines."""
    pages, current = [], []
    for index, line in enumerate(lines):
        previous = lines[index - 1] if index else ""
        starts_page = (line.startswith(" ") and not previous.startswith(" ")) or (
            line.strip() == RUNNING_HEAD
        )
        if starts_page and any(current):
            pages.append(current)
            current = []
        if line.strip() != RUNNING_HEAD:
            current.append(line)
    pages.append(current)
    return pages


def _printed_numbers(page):
    """The numbers a page prints at its foot: alone on a line after a blank line."""
    return [
        int(line)
        for previous, line in zip(["", *page], page, strict=False)
        if line.strip().isdigit() and not previous.strip() and line == line.strip()
    ]


@lru_cache(maxsize=4)
def parse(text):
    """The paper's pages, numbered by the numbers printed on them."""
    pages = _split(text.splitlines())
    offsets = {
        number - index for index, page in enumerate(pages) for number in _printed_numbers(page)
    }
    if len(offsets) != 1:
        raise PaperError(
            "the page numbers printed in the paper's text do not fit one numbering "
            f"(first page would be {sorted(offsets) or 'unknown'})"
        )
    first = offsets.pop()
    return Paper(tuple(normalise("\n".join(page)) for page in pages), first)
