"""A schema's generation plan: what the generator works out from the schema alone, kept across calls.

Following ``$ref`` and merging ``allOf`` (:meth:`xai_fake.schema.generate.Generator.flatten`),
numbering the scopes subschemas are read in, and finding which ``enum`` members, ``examples`` and
``default`` satisfy the rest of their schema depend on the schema, never on the request's random
generator. One :class:`Plan` per compiled schema (held by its :class:`~xai_fake.schema.validate.Checker`,
so as many as the checkers' LRU keeps) remembers them, filled in as calls reach each part: the
first call on a schema does that work, the next ones look it up.

Only schemas that are the same objects on every call are remembered (*stable*: those of the schema
document, those references reach in the registry, and what they flatten to); schemas a call merges
for itself (a branch of ``anyOf`` merged into its parent, a ``contains`` into an item) are flattened
for that call alone, as they are new objects each time. The memo is bounded (:data:`LIMIT` entries,
then it starts afresh); a call in progress keeps the memo it started with.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from xai_fake.schema.refs import Refs

if TYPE_CHECKING:
    from referencing._core import Resolver

__all__ = ["LIMIT", "Memo", "Plan"]

#: Entries one plan's memo holds before it starts afresh (wide recursive schemas reach many scopes).
LIMIT = 20_000


class Memo:
    """The remembered parts of one plan; see :class:`Plan`."""

    def __init__(self, root: Any) -> None:
        #: The scopes that wrapped subschemas (``{"x-fake-in": [n, schema]}``) are read in, by ``n``.
        self.scopes: list[Resolver[Any]] = []
        self.numbers: dict[int, int] = {}  # id(scope) -> its n
        #: Flattened schemas by (id(node), target, scope key): (node, flat); ``node`` kept alive, its id() its own.
        self.flat: dict[tuple[Any, ...], tuple[Any, Any]] = {}
        self.keys: dict[int, tuple[Resolver[Any], tuple[Any, ...]]] = {}  # id(scope) -> (scope, its key)
        #: Members of ``enum`` (or ``examples`` and ``default``) valid against their flattened schema, by
        #: (what, id(flat), scope key): (flat, members).
        self.fitting: dict[tuple[Any, ...], tuple[Any, list[Any]]] = {}
        self._stable: dict[int, Any] = {}  # id(schema) -> schema (kept alive: its id() stays its own)
        self._lock = threading.Lock()
        self.settle(root)

    def stable(self, schema: Any) -> bool:
        """Whether ``schema`` is the same object on every call (see the module), so worth remembering by id()."""
        return self._stable.get(id(schema)) is schema

    def settle(self, schema: Any) -> None:
        """Mark ``schema`` and every object and list inside it stable."""
        todo = [schema]
        while todo:
            item = todo.pop()
            if isinstance(item, (dict, list)) and self._stable.get(id(item)) is not item:
                self._stable[id(item)] = item
                todo.extend(item.values() if isinstance(item, dict) else item)

    def keep(self, key: tuple[Any, ...], node: Any, flat: Any) -> None:
        """Remember that the stable ``node`` flattens to ``flat`` (``key``: see :attr:`flat`), stable too."""
        self.flat[key] = (node, flat)
        self.settle(flat)

    def size(self) -> int:
        """How many entries the memo holds."""
        return len(self.flat) + len(self.fitting) + len(self.keys) + len(self.scopes)

    def number(self, scope: Resolver[Any]) -> int:
        """The number of ``scope`` in :attr:`scopes` (added on first use, kept alive so its id() is not reused)."""
        number = self.numbers.get(id(scope))
        if number is None:
            with self._lock:  # two threads must not give two scopes one number
                number = self.numbers.get(id(scope))
                if number is None:
                    number = len(self.scopes)
                    self.scopes.append(scope)
                    self.numbers[id(scope)] = number
        return number


class Plan:
    """The generation plan of one schema document: its references (:class:`Refs`) and a :class:`Memo`."""

    def __init__(self, refs: Refs) -> None:
        self.refs = refs
        self._memo = Memo(refs.root)

    def memo(self) -> Memo:
        """The memo a new call works with (a fresh one once the current one holds :data:`LIMIT` entries)."""
        if self._memo.size() > LIMIT:
            self._memo = Memo(self.refs.root)
        return self._memo
