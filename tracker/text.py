"""Characters that feeds and spreadsheets cannot hold, refused at input and dropped at output.

XML 1.0 (Atom feeds, the .xlsx format) allows tab, newline, carriage return
and the printable planes only. Word writes a vertical tab for a soft line
break and a form feed for a page break; a NUL or a lone surrogate can come
from a broken paste or a hostile sheet. Any of them in published text made
a feed or an Excel download answer 500. Editors' forms and the importer
refuse them with `problem_characters` (a sentence naming each one); outputs
that must be well-formed pass text through `xml_safe`, so that text entered
before this check, or restored from a backup, can never break a page.
"""

import re
import unicodedata

# The complement of XML 1.0's Char production: C0 controls other than tab, newline and
# carriage return; lone surrogates; and the two noncharacters U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_NAMES = {
    "\x00": "a NUL byte",
    "\x0b": "a vertical tab (Word's line break inside a paragraph)",
    "\x0c": "a form feed (Word's page break)",
    "\x1b": "an escape character",
}


def _described(char):
    name = _NAMES.get(char)
    if name is None:
        if "\ud800" <= char <= "\udfff":
            name = "half of a broken character pair"
        else:
            name = unicodedata.name(char, "a control character").lower()
    return f"U+{ord(char):04X} ({name})"


def problem_characters(text):
    """A sentence for an editor naming the characters `text` holds that feeds and spreadsheets cannot, or None."""
    if not isinstance(text, str):
        return None
    found = sorted(set(_NOT_XML.findall(text)))
    if not found:
        return None
    listed = ", ".join(_described(char) for char in found[:5])
    return (
        f"This text holds characters that web feeds and spreadsheets cannot carry: {listed}. "
        "Remove them (a line break typed with Enter is fine)."
    )


def xml_safe(value):
    """`value` without the characters XML 1.0 cannot hold; anything not a string as it is."""
    if isinstance(value, str) and _NOT_XML.search(value):
        return _NOT_XML.sub("", value)
    return value
