"""Synthetic registry data for demos and benchmarks: people, their names and detentions.

Everything comes from one seeded random generator, stable IDs included, so a
seed always gives the same rows. Rows are written in bulk through the base
manager: no history (nobody edited generated data) and no signals, with what
save() would compute (the search key, truncated dates, the script of a name)
computed here by the project's own functions.

Demo rows carry a mark, so a database holding nothing else can be told from
one holding real data: people and detentions have an external ID starting
with DEMO_PREFIX, organisations and sources a web address under DEMO_HOST
(.invalid is reserved and never resolves, RFC 2606).

The events side (events/demo.py) builds on this module and runs the whole
generation; tracker never imports from events.
"""

import bisect
import datetime
import functools
import itertools
import sys
import time
import uuid

from django.core.management.base import OutputWrapper
from django.core.management.color import no_style
from django.db import connections, models
from django.utils import timezone

from tracker.dates import Precision, truncate
from tracker.models import (
    Charge,
    CustodyStatus,
    Detention,
    DetentionSource,
    IdentityLevel,
    NameVariant,
    Organization,
    OrganizationKind,
    Person,
    ReleaseMode,
    Source,
    SourceKind,
    person_search_key,
    script_of,
)
from tracker.names import listed_names
from tracker.publishing import Status

DEMO_PREFIX = "demo:"
DEMO_HOST = "https://demo.invalid/"
BATCH = 2000
FIRST_DAY = datetime.date(2020, 8, 9)  # the presidential election and the crackdown after it
LAST_DAY = datetime.date(2026, 10, 31)


def demo_uid(rng):
    """A version-4 UUID drawn from the seeded generator: the same seed gives the same IDs."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


class Weighted:
    """Draws one key of {value: weight} by weight."""

    def __init__(self, weights):
        self.values = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))

    def __call__(self, rng):
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]


_weighted = {}


def pick(rng, weights):
    """One key of {value: weight}, drawn by weight."""
    key = tuple(weights.items())
    if key not in _weighted:
        _weighted[key] = Weighted(weights)
    return _weighted[key](rng)


def day_between(rng, first, last):
    return first + datetime.timedelta(days=rng.randrange((last - first).days + 1))


def precise_day(rng, first, last, weights=None):
    """(date, precision): mostly to the day, some to the month or the year, stored truncated."""
    precision = pick(rng, weights or {Precision.DAY: 85, Precision.MONTH: 11, Precision.YEAR: 4})
    return truncate(day_between(rng, first, last), precision), precision


class Progress:
    """A progress bar on stderr, redrawn at most ten times a second."""

    WIDTH = 30

    def __init__(self, label, total, stream=None):
        self.label, self.total, self.done = label, max(total, 1), 0
        self.stream = stream or sys.stderr
        self.started = self.drawn = time.monotonic()
        self.draw()

    def advance(self, count=1):
        self.done += count
        now = time.monotonic()
        if now - self.drawn >= 0.1 or self.done >= self.total:
            self.drawn = now
            self.draw()

    def draw(self):
        share = min(self.done / self.total, 1)
        filled = round(share * self.WIDTH)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.write(
            f"\r{self.label:<8} [{bar}] {share:4.0%} {self.done:>9,}/{self.total:,} "
            f"{time.monotonic() - self.started:6.1f}s"
        )

    def finish(self):
        self.done = self.total
        self.draw()
        self.write("\n")

    def write(self, text):
        if isinstance(self.stream, OutputWrapper):
            # A command's stderr ends each write with a new line unless told not to.
            self.stream.write(text, ending="")
        else:
            self.stream.write(text)
        self.stream.flush()


def insert(model, objs, using):
    """INSERT in batches, primary keys set on the objects; no history, no signals."""
    model._base_manager.db_manager(using).bulk_create(objs, batch_size=BATCH)


# --- Names -------------------------------------------------------------------

# Belarusian and Russian forms of the same given name.
MALE_NAMES = [
    ("Аляксандр", "Александр"),
    ("Сяргей", "Сергей"),
    ("Дзмітрый", "Дмитрий"),
    ("Андрэй", "Андрей"),
    ("Аляксей", "Алексей"),
    ("Мікалай", "Николай"),
    ("Уладзімір", "Владимир"),
    ("Павел", "Павел"),
    ("Віктар", "Виктор"),
    ("Ігар", "Игорь"),
    ("Юрый", "Юрий"),
    ("Максім", "Максим"),
    ("Іван", "Иван"),
    ("Міхаіл", "Михаил"),
    ("Алег", "Олег"),
    ("Вадзім", "Вадим"),
    ("Раман", "Роман"),
    ("Яўген", "Евгений"),
    ("Васіль", "Василий"),
    ("Антон", "Антон"),
    ("Артур", "Артур"),
    ("Дзяніс", "Денис"),
    ("Канстанцін", "Константин"),
    ("Ілья", "Илья"),
    ("Уладзіслаў", "Владислав"),
    ("Арцём", "Артём"),
    ("Кірыл", "Кирилл"),
    ("Мікіта", "Никита"),
    ("Пётр", "Пётр"),
    ("Анатоль", "Анатолий"),
    ("Віталь", "Виталий"),
    ("Генадзь", "Геннадий"),
    ("Леанід", "Леонид"),
    ("Ягор", "Егор"),
    ("Фёдар", "Фёдор"),
    ("Ян", "Ян"),
    ("Эдуард", "Эдуард"),
    ("Руслан", "Руслан"),
    ("Ігнат", "Игнат"),
    ("Зміцер", "Дмитрий"),
]
FEMALE_NAMES = [
    ("Святлана", "Светлана"),
    ("Марыя", "Мария"),
    ("Вольга", "Ольга"),
    ("Алена", "Елена"),
    ("Таццяна", "Татьяна"),
    ("Наталля", "Наталья"),
    ("Ірына", "Ирина"),
    ("Ганна", "Анна"),
    ("Юлія", "Юлия"),
    ("Кацярына", "Екатерина"),
    ("Марына", "Марина"),
    ("Людміла", "Людмила"),
    ("Валянціна", "Валентина"),
    ("Надзея", "Надежда"),
    ("Ксенія", "Ксения"),
    ("Дар'я", "Дарья"),
    ("Аляксандра", "Александра"),
    ("Вікторыя", "Виктория"),
    ("Маргарыта", "Маргарита"),
    ("Паліна", "Полина"),
    ("Анастасія", "Анастасия"),
    ("Лізавета", "Елизавета"),
    ("Яна", "Яна"),
    ("Ала", "Алла"),
    ("Галіна", "Галина"),
    ("Тамара", "Тамара"),
    ("Вераніка", "Вероника"),
    ("Дзіяна", "Диана"),
    ("Крысціна", "Кристина"),
    ("Эліна", "Элина"),
]
# Belarusian and Russian forms of the same surname, in the masculine.
SURNAMES = [
    ("Ціханоўскі", "Тихановский"),
    ("Бабарыка", "Бабарико"),
    ("Калеснік", "Колесник"),
    ("Іваноў", "Иванов"),
    ("Пятроў", "Петров"),
    ("Каваленка", "Коваленко"),
    ("Шаўчук", "Шевчук"),
    ("Бондар", "Бондарь"),
    ("Ткачэнка", "Ткаченко"),
    ("Марозаў", "Морозов"),
    ("Казлоў", "Козлов"),
    ("Навуменка", "Науменко"),
    ("Лебедзеў", "Лебедев"),
    ("Кузняцоў", "Кузнецов"),
    ("Сакалоў", "Соколов"),
    ("Жукаў", "Жуков"),
    ("Мельнік", "Мельник"),
    ("Кавальчук", "Ковальчук"),
    ("Савіцкі", "Савицкий"),
    ("Лявонаў", "Леонов"),
    ("Бялецкі", "Беляцкий"),
    ("Статкевіч", "Статкевич"),
    ("Лосік", "Лосик"),
    ("Протасевіч", "Протасевич"),
    ("Карповіч", "Карпович"),
    ("Шыманскі", "Шиманский"),
    ("Дашкевіч", "Дашкевич"),
    ("Марцінкевіч", "Мартинкевич"),
    ("Сямёнаў", "Семёнов"),
    ("Зайцаў", "Зайцев"),
    ("Агееў", "Агеев"),
    ("Баранаў", "Баранов"),
    ("Волкаў", "Волков"),
    ("Гусеў", "Гусев"),
    ("Дзмітрыеў", "Дмитриев"),
    ("Ярмакоў", "Ермаков"),
    ("Жарскі", "Жарский"),
    ("Калінін", "Калинин"),
    ("Лагвінаў", "Логинов"),
    ("Міхалевіч", "Михалевич"),
    ("Нікіцін", "Никитин"),
    ("Паўлоўскі", "Павловский"),
    ("Радзевіч", "Радевич"),
    ("Сцяпанаў", "Степанов"),
    ("Тарасевіч", "Тарасевич"),
    ("Фёдараў", "Фёдоров"),
    ("Харытонаў", "Харитонов"),
    ("Цімошка", "Тимошко"),
    ("Чарнышоў", "Чернышёв"),
    ("Шарэнда", "Шаренда"),
    ("Юркевіч", "Юркевич"),
    ("Якубовіч", "Якубович"),
    ("Вашкевіч", "Вашкевич"),
    ("Гайдукевіч", "Гайдукевич"),
    ("Пракапенка", "Прокопенко"),
    ("Русаковіч", "Русакович"),
    ("Аляхновіч", "Олехнович"),
    ("Лукашэвіч", "Лукашевич"),
    ("Багдановіч", "Богданович"),
    ("Раманчук", "Романчук"),
]


def feminine(surname, language):
    """Іваноў → Іванова, Ціханоўскі → Ціханоўская, Тихановский → Тихановская; others do not change."""
    for masculine, female in (
        [("скі", "ская"), ("цкі", "цкая"), ("ў", "ва"), ("ін", "іна"), ("ын", "ына")]
        if language == "be"
        else [("ский", "ская"), ("цкий", "цкая"), ("ов", "ова"), ("ев", "ева"), ("ёв", "ёва"), ("ин", "ина")]
    ):
        if surname.endswith(masculine):
            return surname[: -len(masculine)] + female
    return surname


_VOWELS = set("аеёіиоуўыэюяАЕЁІИОУЎЫЭЮЯ'ьъ")
# Letters whose romanisation depends on what stands before them: (at the
# start of a word or after a vowel, after a consonant).
_IOTATED = {"е": ("ie", "ie"), "ё": ("io", "io"), "ю": ("iu", "iu"), "я": ("ia", "ia")}
NATIONAL = {  # Belarusian, as Belarusian passports and the fixture write it: Aliaksandr Lukashenka
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "h",
    "ґ": "g",
    "д": "d",
    "ж": "zh",
    "з": "z",
    "і": "i",
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
    "ў": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "ы": "y",
    "ь": "",
    "э": "e",
    "'": "",
    **_IOTATED,
}
LACINKA = {  # Belarusian Łacinka: Siarhiej Cichanoŭski
    **NATIONAL,
    "ж": "ž",
    "й": "j",
    "ў": "ŭ",
    "х": "ch",
    "ц": "c",
    "ч": "č",
    "ш": "š",
    "ь": "ʹ",
    "е": ("je", "ie"),
    "ё": ("jo", "io"),
    "ю": ("ju", "iu"),
    "я": ("ja", "ia"),
}
BGN_PCGN = {  # Russian: Aleksandr Lukashenko, Sergey Tikhanovskiy
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
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
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "е": ("ye", "e"),
    "ё": ("yo", "ë"),
    "ю": ("yu", "yu"),
    "я": ("ya", "ya"),
}
# Softened consonants of Łacinka: сь → ś.
_LACINKA_SOFT = {"сь": "ś", "зь": "ź", "нь": "ń", "ць": "ć", "ль": "l", "дзь": "dź"}


def romanise(name, table):
    """A Cyrillic name in Latin letters by one of the tables above."""
    if table is LACINKA:
        for soft, letter in _LACINKA_SOFT.items():
            name = name.replace(soft, letter).replace(soft.capitalize(), letter.upper())
    out = []
    previous = " "
    for char in name:
        lower = char.lower()
        latin = table.get(lower, char)
        if isinstance(latin, tuple):
            latin = latin[0] if (not previous.isalpha() or previous in _VOWELS) else latin[1]
        if table is LACINKA and lower == "л":
            # Hard л is ł; before a soft vowel or і it is l.
            latin = "l"
        if char != lower and latin:
            latin = latin[0].upper() + latin[1:]
        out.append(latin)
        previous = lower
    text = "".join(out)
    if table is LACINKA:
        return _harden_l(text)
    if table is NATIONAL:
        # As passports write them: Siarhei, not Siarhiei; Tatsiana, not Tatstsiana.
        text = text.replace("iei ", "ei ").replace("tsts", "ts")
        text = text[:-3] + "ei" if text.endswith("iei") else text
    return text


def _harden_l(text):
    soft = set("iIjJ") | {"ʹ"}
    letters = list(text)
    for i, char in enumerate(letters):
        if char in "lL":
            following = letters[i + 1] if i + 1 < len(letters) else ""
            if following not in soft:
                letters[i] = "ł" if char == "l" else "Ł"
    return "".join(letters).replace("ʹ", "")


def media_spelling(name_ru):
    """The spelling English-language media use for a Russian name: Sergei Tikhanovsky."""
    words = romanise(name_ru, BGN_PCGN).split()
    return " ".join(word[:-2] + "y" if word.endswith("iy") else word.replace("ey", "ei") for word in words)


class Name:
    """One person's name in every form the demo keeps, computed once per combination."""

    def __init__(self, given, surname, female, russian_only=False):
        given_be, given_ru = given
        surname_be, surname_ru = surname
        self.belarusian = f"{given_be} {feminine(surname_be, 'be') if female else surname_be}"
        self.russian = f"{given_ru} {feminine(surname_ru, 'ru') if female else surname_ru}"
        self.russian_only = russian_only
        # The name the registry shows: the Belarusian national romanisation, or the Russian one.
        self.public = romanise(self.russian, BGN_PCGN) if russian_only else romanise(self.belarusian, NATIONAL)
        self.lacinka = romanise(self.belarusian, LACINKA)
        self.bgn_pcgn = romanise(self.russian, BGN_PCGN)
        self.media = media_spelling(self.russian)

    def variants(self, rng):
        """(name, system, language) of each variant: Cyrillic in both languages, then Latin spellings."""
        System = NameVariant.System
        if self.russian_only:
            found = [(self.russian, System.NATIVE, "ru")]
            if rng.random() < 0.5:
                found.append((self.media, System.MEDIA, "ru"))
            return found
        found = [(self.belarusian, System.NATIVE, "be")]
        if self.russian != self.belarusian:  # Ян Бондар is written alike in both languages
            found.append((self.russian, System.NATIVE, "ru"))
        if rng.random() < 0.5:
            found.append((self.lacinka, System.LACINKA, "be"))
        if rng.random() < 0.6:
            found.append((self.bgn_pcgn, System.BGN_PCGN, "ru"))
        if rng.random() < 0.15:
            found.append((self.media, System.MEDIA, "ru"))
        return found


@functools.cache
def _name(given, surname, female, russian_only):
    return Name(given, surname, female, russian_only)


def random_name(rng, female, russian_only=False):
    given = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
    return _name(given, rng.choice(SURNAMES), female, russian_only)


# The search key as Person.save() computes it; people share names, so each
# combination of spellings is folded once.
cached_search_key = functools.cache(person_search_key)


# --- Detentions ----------------------------------------------------------------

BELARUS_CODE = "Criminal Code of Belarus"
RUSSIA_CODE = "Criminal Code of Russia"
ARTICLES = {
    "BY": {
        "342": (30, "Organisation of or active participation in actions grossly violating public order"),
        "361-1": (12, "Creation of or participation in an extremist formation"),
        "130": (10, "Incitement to racial, national, religious or other social hatred"),
        "369": (10, "Insulting a representative of the authorities"),
        "368": (8, "Insulting the President"),
        "361-4": (7, "Facilitating extremist activity"),
        "361": (5, "Calls for actions against national security"),
        "293": (5, "Mass riots"),
        "364": (4, "Violence or threat of violence against a police officer"),
        "367": (3, "Defaming the President"),
        "356": (2, "Treason against the state"),
        "357": (1, "Conspiracy to seize state power"),
    },
    "RU": {
        "207.3": (20, "Disseminating knowingly false information about the armed forces"),
        "280.3": (15, "Repeated discrediting of the armed forces"),
        "282.2": (12, "Organising or taking part in the activity of an extremist organisation"),
        "275": (10, "High treason"),
        "318": (8, "Violence against a representative of the authorities"),
        "212.1": (5, "Repeated violation of the rules for public events"),
        "205.2": (5, "Public justification of terrorism"),
    },
}
FACILITIES = {
    "BY": {
        "colony": [
            "Penal colony No. 1, Novopolotsk",
            "Penal colony No. 2, Bobruisk",
            "Penal colony No. 3, Vitebsk",
            "Penal colony No. 9, Gorki",
            "Penal colony No. 13, Glubokoye",
            "Penal colony No. 15, Mogilev",
            "Penal colony No. 17, Shklov",
            "Penal colony No. 20, Mozyr",
            "Penal colony No. 22, Ivatsevichy",
            "Prison No. 1, Grodno",
            "Prison No. 4, Mogilev",
            "Prison No. 8, Zhodino",
        ],
        "women": ["Penal colony No. 4, Gomel", "Penal colony No. 24, Zarechye"],
        "pretrial": [
            "Pre-trial detention centre No. 1, Minsk",
            "KGB pre-trial detention centre, Minsk",
            "Pre-trial detention centre No. 3, Gomel",
            "Pre-trial detention centre No. 7, Brest",
            "Pre-trial detention centre No. 2, Vitebsk",
            "Pre-trial detention centre No. 6, Baranovichi",
        ],
    },
    "RU": {
        "colony": [
            "Penal colony No. 6, Vladimir region",
            "Penal colony No. 2, Pokrov",
            "Penal colony No. 7, Segezha",
            "Penal colony No. 3, Kharp",
            "Penal colony No. 1, Mordovia",
        ],
        "women": ["Penal colony No. 2, Mordovia", "Penal colony No. 14, Mordovia"],
        "pretrial": [
            "Pre-trial detention centre No. 1 (Matrosskaya Tishina), Moscow",
            "Lefortovo, Moscow",
            "Pre-trial detention centre No. 5, Moscow",
            "Kresty, Saint Petersburg",
        ],
    },
}
REGIONS = {
    "BY": [
        "Minsk",
        "Minsk region",
        "Brest region",
        "Gomel region",
        "Grodno region",
        "Mogilev region",
        "Vitebsk region",
    ],
    "RU": ["Moscow", "Saint Petersburg", "Kaliningrad region", "Smolensk region", "Pskov region"],
}
OCCUPATIONS = [
    "worker",
    "engineer",
    "teacher",
    "journalist",
    "student",
    "IT specialist",
    "doctor",
    "entrepreneur",
    "lawyer",
    "pensioner",
    "musician",
    "driver",
    "blogger",
    "human rights defender",
    "artist",
    "builder",
    "",
    "",
    "",
]
REGIMES = ["general-regime colony", "general-regime colony", "strict-regime colony", "prison", "restricted freedom"]
# How a detention that ended, other than by a named release, came to an end.
ENDINGS = {
    CustodyStatus.RELEASED: {ReleaseMode.END_OF_SENTENCE: 4, ReleaseMode.ACQUITTAL: 1, ReleaseMode.OTHER: 2},
    CustodyStatus.SERVED_SENTENCE: {ReleaseMode.END_OF_SENTENCE: 1},
    CustodyStatus.PARDONED: {ReleaseMode.PARDON: 1},
    CustodyStatus.DEPORTED: {ReleaseMode.EXCHANGE_OR_DEPORTATION: 1},
}
# The custody status a named release leaves a detention in, by the detention's release mode.
STATUS_AFTER_RELEASE = {
    ReleaseMode.PARDON: CustodyStatus.PARDONED,
    ReleaseMode.EXCHANGE_OR_DEPORTATION: CustodyStatus.DEPORTED,
}


class Releases:
    """The releases people can be named in: sorted by date, as plain data (events/demo.py makes them events)."""

    def __init__(self, releases):
        # Each release: (occurred_on, precision, key, detention release mode).
        self.releases = sorted(releases, key=lambda release: release[0])
        self.dates = [release[0] for release in self.releases]

    def after(self, rng, day):
        """A release on or after `day`, or None."""
        start = bisect.bisect_left(self.dates, day)
        if start == len(self.releases):
            return None
        return self.releases[rng.randrange(start, len(self.releases))]


# --- Generation ------------------------------------------------------------------


ORGANIZATIONS = [
    # name, kind, country, name variants
    ("Viasna", OrganizationKind.NGO, "BY", "Вясна\nHuman Rights Centre “Viasna”"),
    ("Memorial", OrganizationKind.NGO, "RU", "Мемориал\nMemorial Human Rights Defence Centre"),
    ("OVD-Info", OrganizationKind.NGO, "RU", "ОВД-Инфо"),
    ("Belarusian Association of Journalists", OrganizationKind.NGO, "BY", "БАЖ"),
    ("Government of Belarus", OrganizationKind.GOVERNMENT, "BY", "Belarusian authorities"),
    ("Government of Russia", OrganizationKind.GOVERNMENT, "RU", ""),
    ("Government of the United States", OrganizationKind.GOVERNMENT, "US", "US government"),
    ("Government of Lithuania", OrganizationKind.GOVERNMENT, "LT", ""),
    ("Government of Poland", OrganizationKind.GOVERNMENT, "PL", ""),
    ("Ministry of Internal Affairs of Belarus", OrganizationKind.MINISTRY, "BY", "МУС\nМВД"),
    ("State Security Committee of Belarus (KGB)", OrganizationKind.MINISTRY, "BY", "КДБ\nКГБ"),
    ("Supreme Court of Belarus", OrganizationKind.COURT, "BY", ""),
    ("Minsk City Court", OrganizationKind.COURT, "BY", ""),
    ("Moscow City Court", OrganizationKind.COURT, "RU", ""),
    ("European Union", OrganizationKind.INTERNATIONAL, "", "EU"),
    ("OSCE", OrganizationKind.INTERNATIONAL, "", "Organization for Security and Co-operation in Europe"),
    ("UN Human Rights Council", OrganizationKind.INTERNATIONAL, "", ""),
    ("Belavia", OrganizationKind.COMPANY, "BY", "Белавиа\nБелавія"),
    ("Belaruskali", OrganizationKind.COMPANY, "BY", "Беларуськалий"),
    ("Nasha Niva", OrganizationKind.MEDIA, "BY", "Наша Ніва"),
    ("Zerkalo", OrganizationKind.MEDIA, "BY", "Зеркало"),
    ("Radio Free Europe/Radio Liberty", OrganizationKind.MEDIA, "", "RFE/RL\nRadio Svaboda"),
    ("Meduza", OrganizationKind.MEDIA, "RU", "Медуза"),
    ("Reuters", OrganizationKind.MEDIA, "", ""),
    ("Associated Press", OrganizationKind.MEDIA, "", "AP"),
    ("BelTA", OrganizationKind.MEDIA, "BY", "БелТА"),
]
SOURCE_TITLES = {
    SourceKind.NEWS_REPORT: [
        "Court in {city} sentences {n} people in a case under article {article}",
        "{n} political prisoners released in {city}",
        "Searches and detentions in {city}: at least {n} people held",
        "Envoy visits {city} as talks on prisoners continue",
    ],
    SourceKind.NGO_REPORT: [
        "Political prisoners in Belarus: monthly review, {month}",
        "{n} people newly recognised as political prisoners",
        "Repressions in {city}: weekly overview",
    ],
    SourceKind.OFFICIAL_STATEMENT: [
        "Statement on the pardon of {n} convicts",
        "Statement on the release of detainees",
        "Statement on sanctions",
    ],
    SourceKind.COURT_RECORD: ["Verdict in case No. {case}", "Appeal ruling in case No. {case}"],
    SourceKind.SOCIAL_MEDIA: ["Post by a human rights defender, {month}", "Channel post on the trial in {city}"],
    SourceKind.OTHER: ["Letter from prison, {month}"],
}
CITIES = {
    "BY": ["Minsk", "Gomel", "Brest", "Grodno", "Mogilev", "Vitebsk", "Bobruisk", "Pinsk", "Lida"],
    "RU": ["Moscow", "Saint Petersburg", "Kaliningrad", "Yekaterinburg", "Smolensk"],
}


class RegistryGenerator:
    """Organisations, sources and people with their detentions, written as they are drawn."""

    def __init__(self, rng, using, progress=Progress):
        self.rng = rng
        self.using = using
        self.progress = progress
        self.organizations = {}  # name -> Organization
        self.sources = []  # Source, published ones first
        self.published_sources = []
        self.people_written = 0
        self.detentions_written = 0
        self.named_releases = []  # (detention pk, release key)
        self.counts = {}

    def count(self, model, number):
        self.counts[model._meta.label] = self.counts.get(model._meta.label, 0) + number

    def status(self, published=0.92, in_review=0.03):
        draw = self.rng.random()
        return (
            Status.PUBLISHED if draw < published else Status.IN_REVIEW if draw < published + in_review else Status.DRAFT
        )

    def write_organizations(self):
        objs = []
        for name, kind, country, variants in ORGANIZATIONS:
            objs.append(
                Organization(
                    uid=demo_uid(self.rng),
                    name=name,
                    kind=kind,
                    country=country,
                    name_variants=variants,
                    website=f"{DEMO_HOST}organizations/{len(objs) + 1}",
                    status=Status.PUBLISHED,
                )
            )
        insert(Organization, objs, self.using)
        self.count(Organization, len(objs))
        self.organizations = {obj.name: obj for obj in objs}

    def write_sources(self, number):
        rng = self.rng
        publishers = [
            o for o in self.organizations.values() if o.kind in (OrganizationKind.MEDIA, OrganizationKind.NGO)
        ]
        officials = [
            o
            for o in self.organizations.values()
            if o.kind in (OrganizationKind.GOVERNMENT, OrganizationKind.MINISTRY, OrganizationKind.COURT)
        ]
        objs = []
        for n in range(1, number + 1):
            kind = pick(
                rng,
                {
                    SourceKind.NEWS_REPORT: 50,
                    SourceKind.NGO_REPORT: 25,
                    SourceKind.OFFICIAL_STATEMENT: 10,
                    SourceKind.COURT_RECORD: 5,
                    SourceKind.SOCIAL_MEDIA: 8,
                    SourceKind.OTHER: 2,
                },
            )
            country = "RU" if rng.random() < 0.1 else "BY"
            published_on = day_between(rng, FIRST_DAY, LAST_DAY)
            title = rng.choice(SOURCE_TITLES[kind]).format(
                city=rng.choice(CITIES[country]),
                n=rng.randint(2, 60),
                case=rng.randint(1000, 99999),
                article=rng.choice(list(ARTICLES[country])),
                month=published_on.strftime("%B %Y"),
            )
            archived = rng.random() < 0.4
            objs.append(
                Source(
                    uid=demo_uid(rng),
                    title=title,
                    publisher=rng.choice(
                        officials if kind in (SourceKind.OFFICIAL_STATEMENT, SourceKind.COURT_RECORD) else publishers
                    ),
                    url=f"{DEMO_HOST}sources/{n}",
                    language=pick(rng, {"en": 4, "be": 3, "ru": 3}),
                    kind=kind,
                    published_on=published_on,
                    retrieved_on=published_on + datetime.timedelta(days=rng.randrange(30)),
                    archive_url=f"{DEMO_HOST}archive/{n}" if archived else "",
                    archive_sha256=f"{rng.getrandbits(256):064x}" if archived else "",
                    status=Status.PUBLISHED if n == 1 or rng.random() < 0.9 else Status.DRAFT,
                )
            )
        insert(Source, objs, self.using)
        self.count(Source, len(objs))
        self.sources = objs
        self.published_sources = [s for s in objs if s.status == Status.PUBLISHED]

    def write_actors(self, number):
        """Officials, envoys, lawyers and opposition figures: named in full and published, for events to cite."""
        rng = self.rng
        roles = [
            "President",
            "Foreign Minister",
            "Special Envoy",
            "Ambassador",
            "Opposition leader",
            "Human rights defender",
            "Lawyer",
            "Judge",
            "Prosecutor",
            "Head of the KGB",
            "Spokesperson",
        ]
        people, variants = [], []
        for _ in range(number):
            female = rng.random() < 0.35
            name = random_name(rng, female, russian_only=rng.random() < 0.15)
            person = self.make_person(name, female, IdentityLevel.FULL, Status.PUBLISHED, variants)
            person.description = rng.choice(roles)
            person.occupation = ""
            people.append(person)
        self.write_people(people, variants)
        return people

    def make_person(self, name, female, identity_level, status, variants):
        rng = self.rng
        country = "RU" if name.russian_only else "BY"
        person = Person(
            uid=demo_uid(rng),
            name=name.public,
            identity_level=identity_level,
            status=status,
            birth_year=rng.randint(1950, 2006) if rng.random() < 0.9 else None,
            gender=Person.Gender.FEMALE if female else Person.Gender.MALE,
            region=rng.choice(REGIONS[country]),
            occupation=rng.choice(OCCUPATIONS),
            internal_notes="The family asked not to publish the name."
            if identity_level == IdentityLevel.WITHHELD
            else "",
            external_id=f"{DEMO_PREFIX}person:{self.people_written + len(variants) + 1}",
        )
        own = [
            NameVariant(
                uid=demo_uid(rng),
                person=person,
                name=text,
                script=script_of(text) or NameVariant.Script.OTHER,
                system=system,
                language=language,
            )
            for text, system, language in name.variants(rng)
        ]
        person.search_key = cached_search_key(person.name, tuple(variant.name for variant in own))
        person.shown_name, person.sort_name = listed_names(person.name, person.identity_level)
        variants.append((person, own))
        return person

    def write_people(self, people, variants):
        # external_id above numbers people by position; NameVariant rows need their person's pk.
        insert(Person, people, self.using)
        rows = []
        for person, own in variants:
            for variant in own:
                variant.person_id = person.pk
                rows.append(variant)
        insert(NameVariant, rows, self.using)
        self.people_written += len(people)
        self.count(Person, len(people))
        self.count(NameVariant, len(rows))

    def write_prisoners(self, number, releases, chunk=5000):
        """`number` people, each with one or two detentions, their charges and a source, a chunk at a time."""
        now = timezone.now()
        tables = {
            "people": Rows(
                Person,
                [
                    "status",
                    "name",
                    "identity_level",
                    "birth_year",
                    "gender",
                    "region",
                    "occupation",
                    "internal_notes",
                    "external_id",
                    "search_key",
                    "shown_name",
                    "sort_name",
                ],
                self.using,
                now,
            ),
            "variants": Rows(NameVariant, ["person", "name", "script", "system", "language"], self.using, now),
            "detentions": Rows(
                Detention,
                [
                    "person",
                    "status",
                    "country",
                    "detained_on",
                    "detained_on_precision",
                    "sentence",
                    "sentence_months",
                    "facility",
                    "custody_status",
                    "recognised_on",
                    "recognised_by",
                    "released_on",
                    "released_on_precision",
                    "release_mode",
                    "external_id",
                ],
                self.using,
                now,
            ),
            "charges": Rows(Charge, ["detention", "article", "code", "description"], self.using, now),
            "sources": Rows(DetentionSource, ["detention", "source"], self.using, now),
        }
        bar = self.progress("people", number)
        for done in range(number):
            self.draw_prisoner(tables, releases)
            if (done + 1) % chunk == 0 or done + 1 == number:
                for rows in tables.values():
                    self.count(rows.model, rows.flush())
                bar.advance((done % chunk) + 1)
        bar.finish()
        reset_sequences([rows.model for rows in tables.values()], self.using)

    def draw_prisoner(self, tables, releases):
        rng = self.rng
        female = rng.random() < 0.22
        russian = rng.random() < 0.1
        name = random_name(rng, female, russian)
        status = self.status()
        level = IDENTITY_LEVELS(rng)
        self.people_written += 1
        spellings = name.variants(rng)
        person = tables["people"].add(
            demo_uid(rng),
            status,
            name.public,
            level,
            rng.randint(1950, 2006) if rng.random() < 0.9 else None,
            Person.Gender.FEMALE if female else Person.Gender.MALE,
            rng.choice(REGIONS["RU" if russian else "BY"]),
            rng.choice(OCCUPATIONS),
            WITHHELD_NOTE if level == IdentityLevel.WITHHELD else "",
            f"{DEMO_PREFIX}person:{self.people_written}",
            cached_search_key(name.public, tuple(text for text, _, _ in spellings)),
            *listed_names(name.public, level),
        )
        for text, system, language in spellings:
            tables["variants"].add(demo_uid(rng), person, text, script_of_name(text), system, language)
        episodes = 2 if rng.random() < 0.08 else 1
        start = FIRST_DAY
        for episode in range(episodes):
            ended_on = self.draw_detention(
                tables, person, status, female, russian, start, episode == episodes - 1, releases
            )
            start = ended_on + datetime.timedelta(days=30)
            if start > LAST_DAY - datetime.timedelta(days=60):
                break

    def draw_detention(self, tables, person, person_status, female, russian, earliest, last, releases):
        """Add one detention with its charges and source; return the day it ended (or began)."""
        rng = self.rng
        country = "RU" if russian else "BY"
        detained_on, precision = precise_day(rng, earliest, LAST_DAY)
        if detained_on < earliest:  # truncated to a month or year before the previous episode ended
            detained_on, precision = earliest, Precision.DAY
        # A person's earlier episode has always ended.
        custody = CUSTODY(rng) if last else CustodyStatus.SERVED_SENTENCE
        months = rng.choice(SENTENCE_MONTHS)
        sentenced = custody != CustodyStatus.HELD or rng.random() < 0.8
        facilities = FACILITIES[country]
        if not sentenced:
            facility = rng.choice(facilities["pretrial"])
        else:
            facility = rng.choice(facilities["women"] if female else facilities["colony"])
        # A detention is published only with its person (Detention.publishing_problems).
        status = person_status if person_status != Status.PUBLISHED or rng.random() < 0.97 else Status.IN_REVIEW
        recognised_on = recognised_by = None
        if rng.random() < 0.9:
            recognised_on = min(detained_on + datetime.timedelta(days=rng.randrange(7, 120)), LAST_DAY)
            recognised_by = self.organizations["Memorial" if country == "RU" else "Viasna"].pk
        released_on, released_precision, mode, release_key = None, Precision.DAY, "", None
        if custody in ENDINGS:
            release = (
                releases.after(rng, detained_on)
                if custody != CustodyStatus.SERVED_SENTENCE and rng.random() < 0.7
                else None
            )
            if release is not None:
                released_on, released_precision, release_key, mode = release
                custody = STATUS_AFTER_RELEASE.get(mode, CustodyStatus.RELEASED)
            else:
                end = min(detained_on + datetime.timedelta(days=months * 30), LAST_DAY)
                released_on, released_precision = precise_day(rng, detained_on, end, RELEASE_PRECISIONS)
                if released_on < detained_on:  # truncated to a month that began before the detention
                    released_on, released_precision = detained_on, Precision.DAY
                mode = pick(rng, ENDINGS[custody])
        self.detentions_written += 1
        detention = tables["detentions"].add(
            demo_uid(rng),
            person,
            status,
            country,
            detained_on,
            precision,
            f"{months // 12} years{f' {months % 12} months' if months % 12 else ''}, {rng.choice(REGIMES)}"
            if sentenced
            else "",
            months if sentenced else None,
            facility if rng.random() < 0.9 else "",
            custody,
            recognised_on,
            recognised_by,
            released_on,
            released_precision,
            mode,
            f"{DEMO_PREFIX}detention:{self.detentions_written}",
        )
        articles = ARTICLES[country]
        chosen = {ARTICLE_PICKS[country](rng) for _ in range(1 + (rng.random() < 0.35) + (rng.random() < 0.1))}
        code = BELARUS_CODE if country == "BY" else RUSSIA_CODE
        for article in sorted(chosen):
            tables["charges"].add(demo_uid(rng), detention, article, code, articles[article][1])
        source = rng.choice(self.published_sources if status == Status.PUBLISHED else self.sources)
        tables["sources"].add(demo_uid(rng), detention, source.pk)
        if release_key is not None:
            self.named_releases.append((detention, release_key))
        return released_on or detained_on


IDENTITY_LEVELS = Weighted({IdentityLevel.FULL: 80, IdentityLevel.INITIALS: 12, IdentityLevel.WITHHELD: 8})
CUSTODY = Weighted(
    {
        CustodyStatus.HELD: 55,
        CustodyStatus.RELEASED: 15,
        CustodyStatus.SERVED_SENTENCE: 13,
        CustodyStatus.PARDONED: 10,
        CustodyStatus.DEPORTED: 3,
        CustodyStatus.DIED_IN_CUSTODY: 0.5,
        CustodyStatus.UNKNOWN: 3.5,
    }
)
ARTICLE_PICKS = {
    country: Weighted({article: weight for article, (weight, _) in articles.items()})
    for country, articles in ARTICLES.items()
}
SENTENCE_MONTHS = [6, 12, 18, 24, 30, 36, 42, 48, 60, 72, 84, 96, 108, 120, 144, 180]
RELEASE_PRECISIONS = {Precision.DAY: 90, Precision.MONTH: 10}
WITHHELD_NOTE = "The family asked not to publish the name."


@functools.cache
def script_of_name(text):
    return script_of(text) or NameVariant.Script.OTHER


class Rows:
    """Rows of one model as tuples, INSERTed with executemany.

    For the large tables: building a model instance per row and Django's
    INSERT for it took three quarters of the time. Primary keys are assigned
    here, after the table's largest, so children can point at rows not yet
    written (reset_sequences() tells PostgreSQL afterwards). The fields not
    named get their default, so a field added to the model later is filled too.
    """

    def __init__(self, model, fields, using, now):
        self.model = model
        self.connection = connection = connections[using]
        meta = model._meta
        named = [meta.get_field(name) for name in fields]
        uid, created_at, updated_at = meta.get_field("uid"), meta.get_field("created_at"), meta.get_field("updated_at")
        others = [f for f in meta.concrete_fields if f not in named and f not in (meta.pk, uid, created_at, updated_at)]
        self.fields = [meta.pk, *named, uid, created_at, updated_at, *others]
        self.prepared = [
            (n, f)
            for n, f in enumerate(self.fields[: len(named) + 2])
            if f.get_internal_type() in ("UUIDField", "DateField")
        ]
        self.tail = [f.get_db_prep_save(now, connection) for f in (created_at, updated_at)] + [
            f.get_db_prep_save(f.get_default(), connection) for f in others
        ]
        qn = connection.ops.quote_name
        self.sql = (
            f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in self.fields)}) "
            f"VALUES ({', '.join(['%s'] * len(self.fields))})"
        )
        self.copy_sql = f"COPY {qn(meta.db_table)} ({', '.join(qn(f.column) for f in self.fields)}) FROM STDIN"
        top = model._base_manager.db_manager(using).aggregate(top=models.Max("pk"))["top"]
        self.next_pk = (top or 0) + 1
        self.rows = []

    def add(self, uid, *values):
        """Add a row (the uid, then the named fields' values); return its primary key."""
        pk = self.next_pk
        self.next_pk += 1
        row = [pk, *values, uid, *self.tail]
        for n, field in self.prepared:
            row[n] = field.get_db_prep_save(row[n], self.connection)
        self.rows.append(row)
        return pk

    def flush(self):
        """Write the rows added since the last flush; return how many."""
        written = len(self.rows)
        if written:
            with self.connection.cursor() as cursor:
                if self.connection.vendor == "postgresql":
                    # COPY: executemany sends PostgreSQL one statement per row, three times slower.
                    with cursor.cursor.copy(self.copy_sql) as copy:
                        for row in self.rows:
                            copy.write_row(row)
                else:
                    cursor.executemany(self.sql, self.rows)
            self.rows = []
        return written


def reset_sequences(models_written, using):
    """Move PostgreSQL's ID sequences past the keys Rows assigned (nothing to do on SQLite)."""
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), models_written)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


# --- Telling demo data from real data ------------------------------------------------


def demo_marks():
    """(model, condition a demo row meets) of each registry model that carries the mark."""
    return [
        (Organization, {"website__startswith": DEMO_HOST}),
        (Source, {"url__startswith": DEMO_HOST}),
        (Person, {"external_id__startswith": DEMO_PREFIX}),
        (Detention, {"external_id__startswith": DEMO_PREFIX}),
    ]


def raw_delete(queryset):
    """DELETE without loading rows, cascading or writing history: for generated rows only."""
    return queryset._raw_delete(queryset.db)


def delete_demo_registry(using):
    """Delete the demo rows of the registry, children before parents."""
    people = Person._base_manager.db_manager(using).filter(external_id__startswith=DEMO_PREFIX)
    detentions = Detention._base_manager.db_manager(using).filter(person__in=people)
    raw_delete(Charge._base_manager.db_manager(using).filter(detention__in=detentions))
    raw_delete(DetentionSource._base_manager.db_manager(using).filter(detention__in=detentions))
    raw_delete(detentions)
    raw_delete(NameVariant._base_manager.db_manager(using).filter(person__in=people))
    raw_delete(people)
    raw_delete(Source._base_manager.db_manager(using).filter(url__startswith=DEMO_HOST))
    raw_delete(Organization._base_manager.db_manager(using).filter(website__startswith=DEMO_HOST))
