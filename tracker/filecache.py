"""The file cache, without listing its whole folder on every set().

Django's FileBasedCache counts its files before each set() to decide whether
to cull: a directory listing that grows with the cache (0.6 ms empty, ~6 ms
at 5,000 entries on the bench machine, on every page computed). Here each
process lists the folder once every CULL_EVERY sets; between two checks it
can hold up to CULL_EVERY entries more than MAX_ENTRIES per process, which
the next check removes. Entries are keyed by the data versions
(tracker/caching.py), so most culled entries are of versions already gone.
"""

import threading

from django.core.cache.backends.filebased import FileBasedCache


class FileCache(FileBasedCache):
    CULL_EVERY = 50

    def __init__(self, dir, params):
        super().__init__(dir, params)
        self._sets = 0
        self._sets_lock = threading.Lock()

    def _cull(self):
        with self._sets_lock:
            self._sets += 1
            due = self._sets % self.CULL_EVERY == 1 or self.CULL_EVERY <= 1
        if due:
            super()._cull()
