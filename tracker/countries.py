"""The countries that records use, for filter choices on public pages and in the admin."""

from django_countries import countries


def used_countries(values):
    """(code, name) for every country in these stored values, sorted by name.

    A value is one code ("BY") or, from a CountryField(multiple=True), several
    joined by commas ("BY,US"); empty values are skipped.
    """
    codes = {code for value in values if value for code in str(value).split(",") if code}
    return sorted(((code, countries.name(code)) for code in codes), key=lambda item: item[1])
