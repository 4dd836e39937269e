"""Name search that ignores case, diacritics, script and transliteration.

Ціханоўскі (Belarusian), Тихановский (Russian), Tsikhanouski (Belarusian
romanisation), Tikhanovsky (media spelling) and Cichanoŭski (Łacinka) are one
name. Each word is reduced to a key that keeps what these spellings share:
the consonant skeleton, after folding the sounds that differ between the two
languages and the romanisation systems (ц/т, г/х, ў/в, дз/д, ш/sh/š…).

The fold is deliberately generous: a search for a person should find them
under any spelling, and an editor or reader can tell the few extra matches
apart. Both the stored names and the query go through the same `word_keys`.
"""

import functools
import re
import unicodedata

# Cyrillic to Latin, for keys only (not for display): Belarusian, Russian and
# Ukrainian letters.
_CYRILLIC = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "h",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "є": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "і": "i",
    "ї": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ў": "w",
    "ф": "f",
    "х": "h",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "sh",
    "ъ": "",
    "ы": "i",
    "ь": "",
    "э": "e",
    "ю": "iu",
    "я": "ia",
    "'": "",
    "’": "",
    "ʼ": "",
}

# Latin letters with diacritics whose plain letter would mislead: Łacinka and
# Polish spellings of Belarusian names, Czech-style romanisations.
_LATIN = {"č": "ch", "š": "sh", "ž": "zh", "ć": "ts", "ŭ": "w", "ł": "l", "ß": "ss"}

# Applied in order to a word in plain Latin letters.
_FOLDS = [
    (re.compile(r"shch|sch|sz"), "s"),
    (re.compile(r"sh"), "s"),
    (re.compile(r"zh|dz"), "z"),
    (re.compile(r"kh|ch|gh|g|x(?=$)"), "h"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"ts|tz|cz|c"), "t"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"ck|q"), "k"),
    # Belarusian ў and the "u" that romanises it after a vowel stand where
    # Russian has в: Tsikhanouski / Tikhanovsky.
    (re.compile(r"(?<=[aeiouy])u(?![aeiouy])"), "v"),
    (re.compile(r"w"), "v"),
    # Belarusian дз where Russian has д, after the z fold: Дзмітрый / Дмитрий.
    (re.compile(r"z(?=m)"), "d"),
]
_VOWELS = re.compile(r"[aeiouyj]")
_REPEATS = re.compile(r"(.)\1+")
_NOT_LETTER = re.compile(r"[^a-z]")


def plain(text: str) -> str:
    """Lower case, Latin letters only: transliterated and without diacritics."""
    text = unicodedata.normalize("NFC", text).casefold()
    text = "".join(_CYRILLIC.get(char, _LATIN.get(char, char)) for char in text)
    text = unicodedata.normalize("NFKD", text)
    return "".join(char for char in text if not unicodedata.combining(char))


# Remembered: a pure function of the word, asked again and again of the same few thousand name words
# (a public text's check reads the names of every person one of its words could name: tens of thousands
# of names at 200,000 people, most sharing their given names and many their surnames).
@functools.lru_cache(maxsize=1 << 16)
def word_key(word: str) -> str:
    """The spelling-independent key of one word of a name."""
    word = _NOT_LETTER.sub("", plain(word))
    if not word:
        return ""
    for pattern, replacement in _FOLDS:
        word = pattern.sub(replacement, word)
    # Vowels differ most between spellings (Лукашэнка / Лукашенко, Siarhei /
    # Sergei): keep only whether the word starts with one.
    start = "a" if _VOWELS.match(word) else ""
    skeleton = _VOWELS.sub("", word)
    return _REPEATS.sub(r"\1", start + skeleton)


# What separates the words of a name or a query.
_SEPARATORS = re.compile(r"[\s\-‐–—,.;:/()«»\"“”„]+")


def word_keys(text: str) -> list[str]:
    words = _SEPARATORS.split(text)
    return [key for key in (word_key(word) for word in words) if key]


# The case endings of Russian and Belarusian names that carry a consonant (a vowel-only ending changes no key):
# "Тихановского", "Ціханоўскага", "Колесниковым", "Бабарико" aside. Longest first.
_CASE_ENDINGS = tuple(
    sorted(
        {
            # Russian: genitive, dative, instrumental, prepositional (adjectival and -ов/-ин surnames, given names)
            "ого", "его", "ому", "ему", "ыми", "ими", "ами", "ями", "ым", "им", "ом", "ем", "ём", "ах", "ях",
            # Belarusian
            "ага", "яга", "аму", "яму", "ымі", "імі", "амі", "ямі", "ім", "ам",
        },
        key=len,
        reverse=True,
    )
)  # fmt: skip
# A stem shorter than this is left whole: "Ким" is a name, not "К" and an ending.
_STEM_LETTERS = 4
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff\u0500-\u052f]+")


def stem(word: str) -> str:
    """A Cyrillic word of a query without its case ending: "Тихановского" → "Тихановск", "Ціханоўскага" →
    "Ціханоўск". Searching matches the start of a name's words, so the stem still finds the name as stored
    ("Тихановский"), in every spelling; a word in Latin letters, or too short, is left as it is."""
    folded = word.casefold()
    if not _CYRILLIC_WORD.fullmatch(folded):
        return word
    for ending in _CASE_ENDINGS:
        if folded.endswith(ending) and len(folded) - len(ending) >= _STEM_LETTERS:
            return word[: -len(ending)]
    return word


def query_keys(text: str) -> list[str]:
    """The keys a search for `text` asks for: word_keys() of each word, a Russian or Belarusian word without its
    case ending, so that "Тихановского" (of Tikhanovsky) and "Ціханоўскага" find Tsikhanouski."""
    return [key for key in (word_key(stem(word)) for word in _SEPARATORS.split(text)) if key]


def search_key(names) -> str:
    """The stored key of a person: every word of every name, each with a leading space.

    A query matches when each of its words is the start of some word here,
    which one indexed `LIKE '% key%'` per word can test.
    """
    keys = []
    for name in names:
        for key in word_keys(name):
            if key not in keys:
                keys.append(key)
    return "".join(f" {key}" for key in keys)
