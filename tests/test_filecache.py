"""The file cache counts its folder once every CULL_EVERY sets, not on every set (issue #14), and still culls."""

from unittest import mock

from tracker.filecache import FileCache


def make(tmp_path, max_entries, cull_frequency=2):
    return FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": max_entries, "CULL_FREQUENCY": cull_frequency}})


def test_a_set_does_not_list_the_folder_each_time(tmp_path):
    cache = make(tmp_path, 1000)
    with mock.patch.object(FileCache, "_list_cache_files", wraps=cache._list_cache_files) as listing:
        for number in range(200):
            cache.set(f"key{number}", number)
    # Django's FileBasedCache lists it on every one of the 200 sets.
    assert listing.call_count == 200 // FileCache.CULL_EVERY
    assert cache.get("key199") == 199


def test_it_still_culls_past_max_entries(tmp_path):
    # CULL_FREQUENCY 0: a check past MAX_ENTRIES empties the cache, so what stays is what came after the last check.
    cache = make(tmp_path, 20, cull_frequency=0)
    sets = FileCache.CULL_EVERY * 3
    for number in range(sets):
        cache.set(f"key{number}", number)
    last_check = (sets - 1) // FileCache.CULL_EVERY * FileCache.CULL_EVERY + 1  # the set that counted last
    assert len(cache._list_cache_files()) == sets - last_check + 1
