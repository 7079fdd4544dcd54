"""Which straight double marks in a text are inch marks, not quotation marks: one rule for the printed
text (``sources/reader`` keeps them straight when it curls quotes) and the spoken one (``speech/codes``
reads them "inches"), so an edition never prints one thing and says another."""

from __future__ import annotations

import re

# the next straight mark is no opening one: nothing opens before a space, a comma or the text's end
_NEXT_CLOSES = re.compile(r'[^"]*(?<=\S)"|[^"]*"(?![\w‘\'(…])')
# a number that a quotation opened right before and that a mark follows: '"9.456" or', '("12")'
_QUOTED_NUMBER = re.compile(r'"[-+−]?[\d.,]*\d$')


def inch_marks(text: str) -> set[int]:
    """The places of the straight marks in ``text`` that are inch marks: one after a number outside a
    quotation ('a 12" ruler'), or inside one when the next mark cannot open a quotation and so is left to
    close it ('"a 12" pizza," she said'), unless the quotation opened right before the number
    ('"9.456" or 6.7890"': the number is what is quoted); every other mark opens or closes a quotation in
    turn."""
    inches: set[int] = set()
    inside = False
    for mark in re.finditer('"', text):
        at = mark.start()
        if at and text[at - 1].isdigit() and (not inside or (_NEXT_CLOSES.match(text, at + 1)
                                                              and not _QUOTED_NUMBER.search(text, 0, at))):
            inches.add(at)
        else:
            inside = not inside
    return inches
