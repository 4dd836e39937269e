"""A page read as rows (events/rows.py) against the same page read as model instances."""

from django.core.cache import cache


def pages_read_both_ways(client, monkeypatch, addresses, module, name, as_instances):
    """The pages at `addresses`, read as the site reads them, then again with `module.name` replaced by
    `as_instances` (the same relations read as model instances), the cache emptied between: each page must be
    the same bytes both ways. Returns their text, joined, for the test's own checks of what is shown and hidden."""
    as_rows = {address: client.get(address).content for address in addresses}
    cache.clear()
    monkeypatch.setattr(module, name, as_instances)
    for address in addresses:
        assert client.get(address).content == as_rows[address], address
    return b"".join(as_rows.values()).decode()
