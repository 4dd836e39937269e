"""How a person is named in public, and which people the public sees at all.

Every public output names a person through `public_name`. Three words, one
meaning each, everywhere in the code:

- **linked**: the person has a registry record (a detention), whatever their
  identity level; withheld people are counted, never shown.
- **listed**: a published person the public sees a row and a page of, named in
  full or by initials (`LISTED_LEVELS`, `PersonQuerySet.listed()`,
  `Person.is_listed`).
- **named**: a published person named in full (`NAMED_LEVELS`,
  `PersonQuerySet.named()`, `Person.is_named`).

What a listed person shows beyond the name is events/disclosure.py's. No other
module compares or filters on an identity level (tests/test_fences.py).
"""

import functools
import operator
import re
import unicodedata

from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q
from django.utils.text import capfirst

from tracker.search import plain, word_key, word_keys

WITHHELD = "Name withheld"


class IdentityLevel(models.TextChoices):
    FULL = "full", "Full name public"
    INITIALS = "initials", "Initials only"
    WITHHELD = "withheld", "Name withheld"


# The levels of the people the registry lists, and of those it names in full.
# Anything else, including a level this code does not know, is withheld.
LISTED_LEVELS = (IdentityLevel.FULL, IdentityLevel.INITIALS)
NAMED_LEVELS = (IdentityLevel.FULL,)


def level_sql(column: str, named: bool) -> str:
    """SQL for "`column` holds a named level" (NAMED_LEVELS), or a listed one: for raw SQL that keeps
    the derived tables (tracker/kept_tables.py), so the levels are still decided here alone."""
    levels = NAMED_LEVELS if named else LISTED_LEVELS
    return f"{column} IN ({', '.join(f"'{level}'" for level in levels)})"


# How much of a person each level shows, least first; a level this code does not know shows least.
_SHOWN = {IdentityLevel.WITHHELD: 0, IdentityLevel.INITIALS: 1, IdentityLevel.FULL: 2}


def shows_more(level: str, than: str) -> bool:
    """Whether `level` shows more of a person than `than`: moving to it lowers their protection."""
    return _SHOWN.get(level, 0) > _SHOWN.get(than, 0)


def is_protected(level: str) -> bool:
    """Whether no public text may name a person at `level`: anyone not named in full (PersonQuerySet.protected())."""
    return shows_more(IdentityLevel.FULL, level)


# Punctuation that may stand before a name part: “(Sasha)”, "«Ales»".
_OPENING = "\"'“”‘’«»„([{"


def initials(name: str) -> str:
    """'Sviatlana Tsikhanouskaya' -> 'S. T.'; 'Jean-Luc Picard' -> 'J.-L. P.'"""
    # Pasted names may carry decomposed letters (И + combining breve for Й).
    name = unicodedata.normalize("NFC", name)
    words = []
    for word in name.split():
        parts = (part.lstrip(_OPENING) for part in word.split("-"))
        letters = [part[0].upper() + "." for part in parts if part and part[0].isalpha()]
        if letters:
            words.append("-".join(letters))
    return " ".join(words)


def published_name(name: str, identity_level: str) -> str:
    """The name of a published person, as far as their identity level allows."""
    if identity_level == IdentityLevel.INITIALS:
        return initials(name) or WITHHELD
    if identity_level == IdentityLevel.FULL:
        return name
    # Withheld, and any level this code does not know: the strictest.
    return WITHHELD


def public_name(person) -> str:
    """The person's name as far as their identity level allows.

    A person who is not published is withheld too: a published event may
    point at a person an editor has not yet cleared.
    """
    if person is None:
        return ""
    if not person.is_published:
        return WITHHELD
    return published_name(person.name, person.identity_level)


def listed_names(name: str, identity_level: str) -> tuple[str, str]:
    """(shown, sort): the name the registry lists a published person under, and the key it sorts them by.

    `shown` is what public_name() gives the person once published; `sort` is
    that name case-folded. A person shown by initials sorts by their
    initials: sorting by the stored name would place them among the others
    and narrow down who they are. People who are not listed (withheld, or
    any level this code does not know) get neither.
    """
    if identity_level not in LISTED_LEVELS:
        return "", ""
    shown = published_name(name, identity_level)
    return shown[:300], unicodedata.normalize("NFC", shown).casefold()[:300]


# --- Protected names in public text ------------------------------------------------
#
# A published record's text (an event's summary, a figure's quote, a source's
# title, a participant's role…) must not name a person the public sees only by
# initials or not at all: "the wife of Mirrorfield" undoes a withheld name as
# surely as the registry printing it. Every record with public text lists its
# fields in `public_text` and inherits PublicText; its clean() refuses such
# text on every save while the text is public (the admin's form shows the
# error under the field; imports go through full_clean() too), and its
# publishing_problems() asks the same before it is published.

# "Mirrorfield's", "Mirrorfields'", "Mirrorfield’s": the possessive is not part of the name.
_POSSESSIVE = re.compile(r"(?:['’ʼ][sS]|(?<=[sS])['’ʼ])$")
# An initial keeps its full stop ("M."): "Anna M." names a person as "Anna" alone does not.
_TEXT_WORD = re.compile(r"\b[^\W\d_]\.|\w+(?:['’ʼ]\w+)*['’ʼ]?")
# The last word of a Belarusian or Russian name written surname first: Ціханоўскі Сяргей Леанідавіч.
_PATRONYMIC = re.compile(r"(?:vich|vitch|wich|ich|vna|wna|una|ichna)$")


def text_words(text: str) -> list[tuple[str, str]]:
    """(word, key) for each word of a text, in order: its search key (tracker/search.py), possessive dropped.

    A word that joins words ("#FreeMirrorfield", "Anna_Mirrorfield") is
    followed by each of them, as the writer's word with the part's key.
    """
    found = []
    for word in _TEXT_WORD.findall(unicodedata.normalize("NFC", text)):
        own = _POSSESSIVE.sub("", word)
        found += [(word, key) for part in [own, *joined_parts(own)] if (key := word_key(part))]
    return found


def joined_parts(word: str) -> list[str]:
    """The words a hashtag or a CamelCase word joins ("FreeMirrorfield" -> Free, Mirrorfield); [] for one word."""
    parts = []
    for piece in re.split(r"[\d_]+", word):
        start = 0
        for i in range(1, len(piece)):
            if piece[i].isupper() and piece[i - 1].islower():
                parts.append(piece[start:i])
                start = i
        parts.append(piece[start:])
    parts = [part for part in parts if part]
    return parts if len(parts) > 1 else []


def surname(name: str) -> str:
    """The word of a name that identifies a person on its own: the surname, as far as the spelling tells.

    The last word, unless the name is written surname first: one word in
    capitals ("MIRRORFIELD Anna"), or three words or more ending in a
    patronymic ("Ціханоўскі Сяргей Леанідавіч").
    """
    words = name.split()
    if len(words) < 2:
        return words[0] if words else ""
    capitals = [word for word in words if word.isupper() and len(word) > 1]
    if len(capitals) == 1:
        return capitals[0]
    if len(words) >= 3 and _PATRONYMIC.search(plain(words[-1])):
        return words[0]
    return words[-1]


def same_word(text_key: str, name_key: str) -> bool:
    """A word of a text is a word of a name: the same key, or a declined form of it ("Mirrorfielda", "Ціханоўскага")."""
    if text_key == name_key:
        return True
    return len(name_key) >= 4 and text_key.startswith(name_key) and len(text_key) - len(name_key) <= 2


def surname_key(name: str) -> str:
    """The key of the name's surname, if it is long enough to identify someone alone (a lone first name is not)."""
    own = surname(name)
    key = word_key(own) if own else ""
    return key if len(key) >= 3 else ""


def by_surname(words: list[tuple[str, str]], name: str) -> str:
    """The word of a text (text_words()) that is the surname of `name`, in any form, or ""."""
    own = surname_key(name)
    return next((word for word, key in words if own and same_word(key, own)), "")


def by_whole_name(words: list[tuple[str, str]], name: str) -> str:
    """The words of a text that are all the words of `name` next to each other, in any order, or ""."""
    name_keys = word_keys(name)
    if len(name_keys) < 2:
        return ""
    for start in range(len(words) - len(name_keys) + 1):
        window = words[start : start + len(name_keys)]
        if all(any(same_word(key, name_key) for _, key in window) for name_key in name_keys):
            return " ".join(word for word, _ in window)
    return ""


def given_and_initial(name: str) -> tuple[set, str]:
    """The keys of a name's given names (not the surname, not a patronymic) and the surname's first letter."""
    own = surname(name)
    given = {
        key
        for word in name.split()
        if word != own and not _PATRONYMIC.search(plain(word)) and len(key := word_key(word)) >= 2
    }
    return given, plain(own)[:1]


def by_initial(words: list[tuple[str, str]], name: str) -> str:
    """A given name of `name` followed by its surname's initial ("Anna M.", "Ганна М."), or ""."""
    given, initial = given_and_initial(name)
    if not given or not initial:
        return ""
    for (word, key), (after, _) in zip(words, words[1:]):
        if (
            len(after) == 2
            and after[0].isupper()
            and after.endswith(".")
            and plain(after[0])[:1] == initial
            and any(same_word(key, own) for own in given)
        ):
            return f"{word} {after}"
    return ""


def naming_words(words: list[tuple[str, str]], name: str) -> str:
    """The words of a text that name the person called `name`, or "".

    Either their surname alone, in any form ("Mirrorfield's", "wife of
    Mirrorfield", "Мірарфілда"), or all the words of the name next to each
    other in any order ("Mirrorfield Anna", "MIRRORFIELD, Anna"), or a given
    name and the surname's initial ("Anna M.").
    """
    return by_surname(words, name) or by_whole_name(words, name) or by_initial(words, name)


class NameMatcher:
    """Which words of a text name one of the protected people's names, unless a person named in full explains them.

    `protected`: the names (and name variants) no public text may use;
    `named`: the names of people named in full who may share a surname
    with them. Built once, asked of many texts without a query.
    """

    def __init__(self, protected: list[str], named: list[str]):
        self.protected = protected
        self.named = named
        # Each name's keys, once: naming() is asked of every text field of a record, and a word
        # of a text shared with a common given name brings tens of thousands of names (computing
        # their keys again for each field was half of a figure's publish at 200,000 people).
        self._named = [(name, tuple(word_keys(name))) for name in named]
        self._protected = [(name, surname_key(name), tuple(word_keys(name))) for name in protected]

    def find(self, texts: dict) -> dict:
        """{field: the words that name someone} for each of `texts` ({field: text}) naming a protected name."""
        found = {}
        for field, text in texts.items():
            naming = self.naming(text_words(text or ""))
            if naming:
                found[field] = naming
        return found

    def naming(self, words: list[tuple[str, str]]) -> str:
        """The words of a text (text_words()) that name a protected name, or "".

        A name's words are first looked up among the keys the text's words
        can be (name_keys_in()): a set lookup that tells exactly whether
        by_surname() or by_whole_name() can find anything, so the names of
        the tens of thousands of people sharing a given name with a word of
        the text are passed over without scanning the text for each.
        """
        if not words:
            return ""
        keys = name_keys_in(words)
        initials = has_initial(words)
        named_here = [
            name for name, name_keys in self._named if _all_keys_in(name_keys, keys) and by_whole_name(words, name)
        ]
        explained = {surname_key(name) for name in named_here} | {frozenset(word_keys(name)) for name in named_here}
        # "Anna Makarova … Anna M." abbreviates the person named in full, not a protected Anna Mirrorfield.
        abbreviated = [given_and_initial(name) for name in named_here]
        for name, own, name_keys in self._protected:
            naming = "" if own in explained or own not in keys else by_surname(words, name)
            if not naming and _all_keys_in(name_keys, keys) and frozenset(name_keys) not in explained:
                naming = by_whole_name(words, name)
            if not naming and initials:
                given, initial = given_and_initial(name)
                if not any(initial == other and given & others for others, other in abbreviated):
                    naming = by_initial(words, name)
            if naming:
                return naming
        return ""


def name_keys_in(words: list[tuple[str, str]]) -> set:
    """Every name key some word of a text (text_words()) can be, by same_word(): its own key, and the keys
    it declines (one or two letters shorter, of 4 letters or more). same_word(text key, k) for some word of
    the text exactly when k is in this set."""
    keys = set()
    for _, key in words:
        keys.add(key)
        keys.update(key[:-cut] for cut in (1, 2) if len(key) - cut >= 4)
    return keys


def _all_keys_in(name_keys, keys: set) -> bool:
    """Whether by_whole_name() could find a name whose word_keys() are `name_keys` in a text whose
    name_keys_in() are `keys`: each of its words is there."""
    return len(name_keys) >= 2 and all(key in keys for key in name_keys)


def has_initial(words: list[tuple[str, str]]) -> bool:
    """Whether a text has a word by_initial() could read as a surname's initial ("M.") after a given name."""
    return any(len(after) == 2 and after[0].isupper() and after.endswith(".") for after, _ in words[1:])


def _name_candidates(people, keys):
    """The people of `people` a word of whose names starts with one of `keys` (by Person.search_key)."""
    parts = [f" {key}" for key in sorted(keys)]
    condition = functools.reduce(operator.or_, (Q(search_key__contains=part) for part in parts))
    return people.narrowed_to_any(parts).filter(condition)


def _text_candidates(people, keys):
    """The people of `people` a word of whose names can be a word of these text keys (same_word), by Person.search_key.

    A name word is a text word when its key is the text word's key, or a
    declined form of it: a key of 4 letters or more that the text's key
    extends by one or two ("Mirrorfielda", "Pavlovym"). So a key of 4
    letters or fewer is asked as a whole word, and a longer one by the stem
    every such name key starts with (its first len - 2 letters, and never
    fewer than 4). Asking every key as a prefix made short keys of common
    words ("the", "of") match most of the registry: a publish at 200,000
    people compared 33,774 names in Python (7.7 s); and asking a 5-letter key
    whole missed the 4-letter name it declines ("Pavlovym" of Pavlov).
    """
    conditions, parts = [], []
    for key in sorted(keys):
        if len(key) <= 4:
            conditions.append(Q(search_key__contains=f" {key} ") | Q(search_key__endswith=f" {key}"))
            parts.append(f" {key}")
        else:
            stem = key[: max(4, len(key) - 2)]
            conditions.append(Q(search_key__contains=f" {stem}"))
            parts.append(f" {stem}")
    return people.narrowed_to_any(parts).filter(functools.reduce(operator.or_, conditions))


def protected_names_in(texts: dict, people) -> dict:
    """{field: the words that name someone} for each of `texts` ({field: text}) naming one of `people`.

    `people` is a queryset of the people no public text may name
    (PersonQuerySet.protected()). A surname many people share is explained
    by a person named in full whom the same text names in full: "Krystsina
    Kuzniatsova calls for…" names her, not a withheld prisoner Kuzniatsou.
    Two queries: the names of the protected people and of the people named
    in full whom a word of the texts could name (by their search keys, which
    hold every name variant).
    """
    words = {field: text_words(text or "") for field, text in texts.items()}
    keys = {key for found in words.values() for _, key in found if len(key) >= 2}
    if not keys:
        return {}
    matcher = NameMatcher(
        names_of(_text_candidates(people, keys)), names_of(_text_candidates(people.model.objects.named(), keys))
    )
    found = {}
    for field, field_words in words.items():
        naming = matcher.naming(field_words)
        if naming:
            found[field] = naming
    return found


def matcher_for(person) -> NameMatcher:
    """A NameMatcher for one person's names (their variants read from the database): two queries."""
    names = [person.name, *person.name_variants.values_list("name", flat=True)]
    # The people named in full who could explain a word: those sharing a surname or a word of a name.
    keys = {key for name in names for key in [surname_key(name), max(word_keys(name), key=len, default="")] if key}
    named = []
    if keys:
        people = _name_candidates(type(person).objects.named().exclude(pk=person.pk), keys)
        named = names_of(people)
    return NameMatcher(names, named)


# Keys asked of the people named in full per query: a longer OR overflows SQLite's expression depth.
CANDIDATE_BATCH = 100
PEOPLE_BATCH = 500


def matcher_for_all(people, using=None) -> NameMatcher:
    """A NameMatcher for the names of several people (`people`: their keys), for one pass over the public text.

    One query per 500 people (their names and variants), and one per 100
    name keys for the names of the people named in full who could explain a word.
    """
    model = apps.get_model("tracker", "Person")
    pks = sorted(set(people))
    names = []
    for start in range(0, len(pks), PEOPLE_BATCH):
        batch = model._base_manager.db_manager(using).filter(pk__in=pks[start : start + PEOPLE_BATCH])
        names += names_of(batch)
    keys = sorted(
        {key for name in names for key in [surname_key(name), max(word_keys(name), key=len, default="")] if key}
    )
    named = {}
    for start in range(0, len(keys), CANDIDATE_BATCH):
        others = model.objects.db_manager(using).named().exclude(pk__in=pks)
        others = _name_candidates(others, keys[start : start + CANDIDATE_BATCH])
        named.update(names_by_person(others))
    return NameMatcher(names, [name for found in named.values() for name in found])


def names_by_person(people) -> dict:
    """{key: [name, *name variants]} of the people of a queryset: one query, read as values (the checks read
    the names of tens of thousands of people at 200,000; model instances cost most of the time)."""
    found = {}
    for pk, name, variant in people.order_by().values_list("pk", "name", "name_variants__name"):
        names = found.setdefault(pk, [name])
        if variant is not None:
            names.append(variant)
    return found


def people_named_in(texts) -> dict:
    """{name as written: the person's public page} of the people named in full whom one of `texts` (a published
    quote) names: by a name or name variant written whole, or by a surname alone ("Envoy Coale") when one person
    named in full has it. One query, none for no words.

    Only people the public sees named in full (PersonQuerySet.named()) are looked for, so a link never names
    anyone the text does not already name in public; the texts themselves were checked when published.
    """
    from tracker.addresses import uid_address

    keys = {key for text in texts for _, key in text_words(text or "") if len(key) >= 2}
    if not keys:
        return {}
    Person = apps.get_model("tracker", "Person")
    written_words = {word.casefold() for text in texts for word, _ in text_words(text or "")}
    lowered = [text.casefold() for text in texts if text]
    found, surnames = {}, {}
    for uid, name, variant in (
        _text_candidates(Person.objects.named(), keys).order_by().values_list("uid", "name", "name_variants__name")
    ):
        page = uid_address("events:person", uid)
        for written in (name, variant):
            if written and any(written.casefold() in text for text in lowered):
                found[written] = page
            if written and len(written.split()) > 1:
                surnames.setdefault(written.split()[-1], set()).add(page)
    for surname, pages in surnames.items():
        # A surname alone is a link only when one person named in full has it, and no fuller name of theirs
        # is linked already.
        if len(pages) == 1 and surname.casefold() in written_words and not set(found.values()) & pages:
            found[surname] = next(iter(pages))
    return found


def names_of(people) -> list[str]:
    """Every name and name variant of the people of a queryset (names_by_person())."""
    return [name for names in names_by_person(people).values() for name in names]


class PublicText:
    """A model whose `public_text` fields the public reads once `text_is_public()`: they never name a protected person."""

    public_text = ()
    # The record whose status makes this text public, as a path from this model: "" for the record itself,
    # "event" for a part of an event. When this text names a person whose protection was just raised, that
    # record is taken off the public site (tracker/withholding.py).
    text_owner = ""
    # For text the public reads only while one person is named in full (their description, detentions, charges):
    # the attribute holding that person's key. Such text may name them.
    text_person = ""

    def text_is_public(self) -> bool:
        return self.is_published

    @classmethod
    def rows_with_public_text(cls, using=None):
        """The rows whose text the public reads now or once published again: their owner is published."""
        prefix = f"{cls.text_owner}__" if cls.text_owner else ""
        return cls._base_manager.db_manager(using).filter(**{f"{prefix}status": "published"})

    def protected_name_errors(self, people=None) -> dict:
        """{field: message} for each public text field naming a person the public may not see named.

        `people`: those people (PersonQuerySet.protected() if not given). A
        person's own text, public once they are named in full, may name them.
        """
        if people is None:
            people = apps.get_model("tracker", "Person").objects.protected()
            try:  # an inline's charge may have no detention yet
                own = self.text_person and functools.reduce(getattr, self.text_person.split("."), self)
            except ObjectDoesNotExist:
                own = None
            if own:
                people = people.exclude(pk=own)
        texts = {field: getattr(self, field) for field in self.public_text}
        return {
            field: PROTECTED_NAME_MESSAGE.format(field=capfirst(self._meta.get_field(field).verbose_name), words=words)
            for field, words in protected_names_in(texts, people).items()
        }

    def full_clean(self, exclude=None, *args, **kwargs):
        self._not_in_form = set(exclude or ())
        try:
            return super().full_clean(exclude, *args, **kwargs)
        finally:
            self.__dict__.pop("_not_in_form", None)

    def clean(self):
        super().clean()
        if self.text_is_public():
            errors = self.protected_name_errors()
            if errors:
                # A field a form does not show (an inline's) is named in the message: the form's own errors.
                hidden = self.__dict__.get("_not_in_form", set())
                moved = [message for field, message in errors.items() if field in hidden]
                errors = {field: message for field, message in errors.items() if field not in hidden}
                if moved:
                    errors[NON_FIELD_ERRORS] = moved
                raise ValidationError(errors, code="protected_name")

    def protected_name_problems(self, people=None) -> list[str]:
        """The same, as publishing problems: asked before the text becomes public."""
        return [
            f"{self._meta.verbose_name.capitalize()} “{self}”: {message}"
            for message in self.protected_name_errors(people).values()
        ]


# Shown to Editors (only they change published records or publish), and still
# never quoting the protected person's stored name or level: the word is the writer's own.
PROTECTED_NAME_MESSAGE = (
    "{field}: “{words}” names a person whom the public sees only by initials or not at all "
    "(a surname alone, a possessive or another order of the name count too). "
    "Remove it, or write the name the public sees."
)
