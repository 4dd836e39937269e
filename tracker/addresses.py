"""The address of a record named by its uid (an event's, a person's page), reversed once and filled in.

reverse() walks the URLconf on every call: about 25 µs, and a page of the
ledger or the timeline asks for some sixty addresses (an eighth of the ledger's
time not cached, at 200,000 people). The pattern of each name is reversed
once per URLconf, script prefix and language (each may change what reverse()
gives), with a placeholder uid, and the record's uid put in its place.
"""

import functools
import uuid

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

_PLACEHOLDER = str(uuid.UUID(int=0))


@functools.lru_cache(maxsize=64)
def _around(name, urlconf, prefix, language):
    head, found, tail = reverse(name, urlconf=urlconf, args=[_PLACEHOLDER]).partition(_PLACEHOLDER)
    return (head, tail) if found else None


def uid_address(name, uid):
    """reverse(name, args=[uid]) for a URL pattern of one `<uuid:uid>`."""
    # As reverse() chooses it: this request's URLconf, else the setting's (which tests may change).
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    around = _around(name, urlconf, get_script_prefix(), get_language())
    if around is None or not isinstance(uid, uuid.UUID):
        return reverse(name, args=[uid])
    return f"{around[0]}{uid}{around[1]}"
