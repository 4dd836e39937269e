"""Demo names: Belarusian and Russian given names and surnames, and their spellings in Latin letters."""

import functools

from tracker.models import (
    NameVariant,
    person_search_key,
)

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
    ("Сідарэнка", "Сидоренко"),
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
