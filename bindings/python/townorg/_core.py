# SPDX-License-Identifier: MulanPSL-2.0
"""The classes of the townorg package, on top of the SWIG module _townorg_c.

Lifetimes follow the C library's ownership rules, made safe for Python:

* a Repository owns its versions; a Version keeps its Repository alive, and
  anything that borrows from a version (a Diff, an iterator, a preview)
  keeps that version alive;
* Repository.close() first releases everything still borrowing from it,
  after which using any of those objects raises ClosedError instead of
  touching freed memory;
* an Entity holds its own reference (townorg_entity_ref) and lives on its
  own.
"""

from __future__ import annotations

import collections.abc as _abc
import json as _json
import os
import weakref
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Union

if TYPE_CHECKING:  # only for the annotations (and type checkers)
    import datetime

    import networkx as nx
    import pandas as pd

    from ._merge import Merge

try:
    from . import _townorg_c as _c  # installed: the C module inside the package
except ImportError:  # a build tree: the libtool module in bindings/python/.libs on PYTHONPATH
    import _townorg_c as _c

# Annotations: a version given as a Version, a name ("main", "v3", a tag,
# an id prefix, "main@2020-06-30") or None (the empty state).
VersionRef = Union["Version", str, None]
Kinds = Union[str, Iterable[str], None]
PathLike = Union[str, "os.PathLike[str]"]

# ---------------------------------------------------------------- errors

OK = 0


class Error(Exception):
    """Base class of every error libtownorg reports.

    ``code`` is the library's negative error code and ``message`` (also
    ``str(error)``) the library's message, which names the entity, file,
    line or column at fault.
    """

    code = -1

    def __init__(self, message="", code=None):
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self):
        """The library's error message."""
        return self.args[0] if self.args else ""

    def __str__(self):
        return self.message


class NotFound(Error, KeyError):
    """No such entity, version, branch, tag or file (TOWNORG_ENOTFOUND)."""
    code = -3
    __str__ = Error.__str__


class Exists(Error):
    """The name or id is already taken (TOWNORG_EEXISTS)."""
    code = -4


class Invalid(Error, ValueError):
    """An argument or value is not acceptable (TOWNORG_EINVALID)."""
    code = -5


class OutOfMemory(Error, MemoryError):
    """The library ran out of memory (TOWNORG_ENOMEM)."""
    code = -6


class IOFailure(Error, OSError):
    """A read or write failed (TOWNORG_EIO)."""
    code = -7
    __str__ = Error.__str__


class Corrupt(Error):
    """Stored data fails its hash or structure check (TOWNORG_ECORRUPT)."""
    code = -8


class Conflict(Error):
    """A merge or concurrent update conflicts (TOWNORG_ECONFLICT)."""
    code = -9


class ParseError(Error, ValueError):
    """Input could not be parsed; the message names file:line:column (TOWNORG_EPARSE)."""
    code = -10


class IntegrityError(Error):
    """The graph would break a structural rule; the message names the entity (TOWNORG_EINTEGRITY)."""
    code = -11


class Ambiguous(Error, LookupError):
    """A version prefix or a name matches more than one thing (TOWNORG_EAMBIGUOUS)."""
    code = -12


class ReadOnly(Error):
    """The repository was opened read-only (TOWNORG_EREADONLY)."""
    code = -13


class Busy(Error):
    """The store is locked by another writer (TOWNORG_EBUSY)."""
    code = -14


class EncodingError(Error, ValueError):
    """Input is not valid UTF-8, or in an unsupported encoding (TOWNORG_EENCODING)."""
    code = -15


class ClosedError(Error, ValueError):
    """The object (or the repository it belongs to) was closed or freed."""
    code = -5


_ERRORS = {cls.code: cls for cls in (NotFound, Exists, Invalid, OutOfMemory, IOFailure, Corrupt, Conflict,
                                     ParseError, IntegrityError, Ambiguous, ReadOnly, Busy, EncodingError)}
_c.pyto_set_exceptions(dict(_ERRORS), Error)

# ---------------------------------------------------------------- tokens

KINDS = tuple(_c.townorg_kind_token(i) for i in range(1, _c.TOWNORG_KIND_COUNT + 1))
"""Every entity kind token, in the library's order."""

ORGAN_KINDS = tuple(k for k in KINDS if _c.townorg_kind_is_organ(_c.townorg_kind_parse(k)))
"""The organ kinds (office, center, station, team, listed, dispatched)."""

TOWNSHIP_KINDS = tuple(k for k in KINDS if _c.townorg_kind_is_township_level(_c.townorg_kind_parse(k)))
"""The township-level kinds (town, township, subdistrict, township_like)."""

INT_FIELDS = tuple(_c.townorg_field_token(i) for i in range(_c.TOWNORG_FIELD_COUNT))
"""The integer attributes ("population", "area_km2", ... "inst_quota")."""

EVENT_KINDS = tuple(t for t in (_c.townorg_event_kind_token(i) for i in range(1, 32)) if t)
"""Every change event kind token."""

LIST_ATTRS = ("nameplates", "functions", "colocated_with")
TEXT_ATTRS = ("funding", "nature", "rank", "regime", "supervisor", "code")
_FIELD_INDEX = {t: i for i, t in enumerate(INT_FIELDS)}


def library_version():
    """The run-time version of libtownorg, e.g. "0.1.0"."""
    return _c.townorg_library_version()


def _kind(token):
    return _c.townorg_kind_parse(_text(token, "kind"))


def _text(value, what):
    if not isinstance(value, str):
        raise TypeError("%s must be str, not %s" % (what, type(value).__name__))
    return value


def _opt_text(value, what):
    return None if value is None else _text(value, what)


def _path(p):
    return None if p is None else os.fsdecode(os.fspath(p))


META_KEYS = ("effective_date", "recorded_at", "author", "doc_issuer", "doc_number", "doc_date", "doc_title",
             "message")


def _closest(name, valid):
    """The valid name closest to a misspelt one (or None)."""
    import difflib
    m = difflib.get_close_matches(name, list(valid), n=1, cutoff=0.5)
    return m[0] if m else None


def _unknown_kwarg(fn, name, valid):
    """A TypeError for an unknown keyword argument naming the closest valid one."""
    near = _closest(name, valid)
    hint = ("; did you mean %s=?" % near) if near else ("; valid: %s" % ", ".join(sorted(valid)))
    return TypeError("%s() got an unexpected keyword argument '%s'%s" % (fn, name, hint))


# The library's messages name the CLI's options and C constants; the
# Python package names its own arguments instead.
_PY_WORDS = (("townorg export --lossy, or TOWNORG_TABLES_EXPORT_LOSSY", "lossy=True"),)


def _python_words(e):
    """The same error with the CLI's and C's words replaced by Python's."""
    msg = e.message
    for a, b in _PY_WORDS:
        msg = msg.replace(a, b)
    return type(e)(msg, e.code) if msg != e.message else e


def _check_meta(meta, fn):
    """Refuse unknown metadata keywords (TypeError naming the closest valid one)."""
    for k in meta:
        if k not in META_KEYS:
            raise _unknown_kwarg(fn, k, META_KEYS)


def _free_box(box, free):
    """Free the pointer held in a one-item list, once (a finalizer)."""
    p, box[0] = box[0], None
    if p is not None:
        free(p)


def _boxed():
    """A ``_ptr`` property kept in ``self._box`` (a one-item list), which the
    object's weakref.finalize shares: whether the finalizer runs at garbage
    collection, at exit or through close(), the object sees None after."""
    def get(self):
        return self._box[0]

    def set_(self, value):
        self._box[0] = value
    return property(get, set_)


def _own(obj, p, free):
    """Give ``obj`` the pointer ``p``, freed by ``free`` through a
    weakref.finalize (no __del__: no resurrection, no order surprises at exit)."""
    obj._box = [p]
    obj._fin = weakref.finalize(obj, _free_box, obj._box, free)


class _Scope:
    """The owner of pointers valid only for a while (a custom rule's call)."""

    def __init__(self):
        self.alive = True
        self.repository = None
        self._deps = weakref.WeakSet()

    def end(self):
        self.alive = False
        for d in list(self._deps):
            d._release()


# ---------------------------------------------------------------- entities

class Entity(_abc.Mapping):
    """An immutable entity value: a unit, organ, village or department.

    Also a read-only mapping of its set attributes: ``e["admin_quota"]``,
    ``"functions" in e``, ``dict(e)``, ``e.keys()`` (core fields, the set
    integer fields, text and list attributes, and quota types by name such
    as "admin"); a missing key raises NotFound (a KeyError).

    Read its attributes as properties (``e.name``, ``e.admin_quota``,
    ``e.functions``) or all at once with ``to_dict()``.  Unset numbers are
    None; areas are in km² (146.7).  Entities compare equal when their
    content is the same.  To change one, use ``Transaction.update``.
    """

    __slots__ = ("_ptr", "_d", "__weakref__")

    def __init__(self, _ptr):
        if _ptr is None:
            raise Invalid("no entity")
        self._ptr = _c.townorg_entity_ref(_ptr)
        self._d = None

    def __del__(self):
        p, self._ptr = getattr(self, "_ptr", None), None
        if p is not None and _c is not None:
            _c.townorg_entity_free(p)

    @classmethod
    def from_json(cls, text):
        """Parse one entity from its JSON object (as ``to_json`` writes it)."""
        p = _c.townorg_entity_from_json(_text(text, "text"))
        e = cls.__new__(cls)
        e._ptr, e._d = p, None
        return e

    def to_json(self):
        """The entity's JSON object, on one line."""
        return _c.townorg_entity_to_json(self._ptr)

    def _dict(self):
        if self._d is None:
            self._d = _c.pyto_entity_dict(self._ptr)
        return self._d

    def to_dict(self):
        """Every attribute as a dict: id, kind, name, parent_id, class, the
        integer fields that are set, quotas {type: n} and attrs {name: text or list}."""
        d = dict(self._dict())
        d["quotas"] = dict(d["quotas"])
        d["attrs"] = {k: (list(v) if isinstance(v, list) else v) for k, v in d["attrs"].items()}
        return d

    id = property(lambda self: self._dict()["id"], doc="The stable id (a township's official code).")
    kind = property(lambda self: self._dict()["kind"], doc="The kind token: 'town', 'office', ...")
    name = property(lambda self: self._dict()["name"], doc="The name (may be '').")
    parent_id = property(lambda self: self._dict()["parent_id"], doc="The parent's id, or None at the top.")
    cls = property(lambda self: self._dict()["class"], doc="Township class: 'large', 'medium', 'small' or None.")
    class_ = cls
    quotas = property(lambda self: dict(self._dict()["quotas"]), doc="Quotas by type, e.g. {'admin': 10, 'inst': 5}.")
    attrs = property(lambda self: dict(self._dict()["attrs"]), doc="Text and list attributes by name.")

    @property
    def quota_total(self):
        """The sum of all the entity's own quota types (0 if none)."""
        return _c.townorg_entity_quota_total(self._ptr)

    @property
    def hash(self):
        """SHA-256 of the canonical encoding (32 bytes)."""
        return _c.pyto_entity_hash(self._ptr)

    @property
    def is_organ(self):
        """True for offices, centers, stations, teams, listed and dispatched organs."""
        return self.kind in ORGAN_KINDS

    @property
    def is_township_level(self):
        """True for towns, townships, subdistricts and township-like units."""
        return self.kind in TOWNSHIP_KINDS

    def get(self, name, default=None):
        """An attribute by name: an integer field, a quota type ("admin"), a
        text or list attribute, or a core field; ``default`` when unset."""
        d = self._dict()
        for src in (d, d["attrs"], d["quotas"]):
            if name in src and src[name] is not None:
                return src[name]
        return default

    def _keys(self):
        d = self._dict()
        keys = [k for k, v in d.items() if k not in ("attrs", "quotas") and v is not None]
        keys += [k for k in d["attrs"] if k not in keys]
        keys += [k for k in d["quotas"] if k not in keys]
        return keys

    def __getitem__(self, name):
        v = self.get(name) if isinstance(name, str) else None
        if v is None:
            raise NotFound("entity %s has no attribute '%s' set" % (self.id, name), NotFound.code)
        return v

    def __iter__(self):
        return iter(self._keys())

    def __len__(self):
        return len(self._keys())

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name in _FIELD_INDEX:
            return self._dict().get(name)
        if name in LIST_ATTRS:
            return list(self._dict()["attrs"].get(name, []))
        if name in TEXT_ATTRS:
            return self._dict()["attrs"].get(name)
        raise AttributeError("%r has no attribute %r" % (type(self).__name__, name))

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(INT_FIELDS) | set(LIST_ATTRS) | set(TEXT_ATTRS))

    def __eq__(self, other):
        if not isinstance(other, Entity):
            return NotImplemented
        return _c.townorg_entity_equal(self._ptr, other._ptr)

    def __hash__(self):
        return hash(self.hash)

    def __repr__(self):
        return "<Entity %s %s %s>" % (self.id, self.kind, self.name)

    def _repr_html_(self):
        from ._display import entity_html
        return entity_html(self)


_KNOWN_ATTRS = None


def _check_attr_name(key):
    """A keyword that is not a known attribute but is close to one is a
    typo, not a new free-form attribute: TypeError naming the closest
    (a custom attribute of that very name goes through attrs={...})."""
    global _KNOWN_ATTRS
    if _KNOWN_ATTRS is None:
        _KNOWN_ATTRS = set(INT_FIELDS) | set(LIST_ATTRS) | set(TEXT_ATTRS) | {
            "name", "kind", "parent_id", "class_", "cls", "quotas", "attrs"}
    if key in _KNOWN_ATTRS:
        return
    import difflib
    near = difflib.get_close_matches(key, sorted(_KNOWN_ATTRS), n=1, cutoff=0.8)
    if near:
        raise TypeError("unknown attribute keyword '%s'; did you mean %s=? (to set a custom attribute of that "
                        "name, pass attrs={'%s': ...})" % (key, near[0], key))


def _set_attrs(b, attrs, custom=False):
    """Apply keyword attributes to an entity builder (custom: names given
    through attrs={...}, taken as they are)."""
    for key, value in attrs.items():
        if not custom and key != "class":
            _check_attr_name(key)
        if key == "name":
            _c.townorg_entity_builder_set_name(b, _text(value, "name"))
        elif key == "kind":
            _c.townorg_entity_builder_set_kind(b, _kind(value))
        elif key == "parent_id":
            _c.townorg_entity_builder_set_parent(b, _opt_text(value, "parent_id"))
        elif key in ("class", "class_", "cls"):
            _c.townorg_entity_builder_set_class(b, _c.townorg_class_parse(_opt_text(value, "class")))
        elif key in _FIELD_INDEX:
            f = _FIELD_INDEX[key]
            if value is None:
                _c.townorg_entity_builder_unset_int(b, f)
                continue
            if key == "area_km2":
                if isinstance(value, str):
                    value = _c.townorg_area_parse(value)
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    value = int(round(value * 10))
                else:
                    raise TypeError("area_km2 must be a number or str")
            elif isinstance(value, bool) or not isinstance(value, int):
                raise TypeError("%s must be int, not %s" % (key, type(value).__name__))
            _c.townorg_entity_builder_set_int(b, f, value)
        elif key == "quotas":
            for qtype, n in dict(value).items():
                _set_attrs(b, {qtype + "_quota": n})
        elif key.endswith("_quota"):
            qtype = key[:-len("_quota")]
            if value is None:
                _c.townorg_entity_builder_unset_quota(b, qtype)
            elif isinstance(value, bool) or not isinstance(value, int):
                raise TypeError("%s must be int" % key)
            else:
                _c.townorg_entity_builder_set_quota(b, qtype, value)
        elif key == "attrs":
            _set_attrs(b, dict(value), custom=True)
        elif value is None:
            if key in LIST_ATTRS:
                _c.townorg_entity_builder_list_clear(b, key)
            else:
                try:
                    _c.townorg_entity_builder_set_text(b, key, None)
                except Invalid:
                    _c.townorg_entity_builder_list_clear(b, key)
        elif isinstance(value, str):
            if key in LIST_ATTRS:
                raise TypeError("%s is a list attribute: give a list of str" % key)
            _c.townorg_entity_builder_set_text(b, key, value)
        elif isinstance(value, (list, tuple, set, frozenset)):
            _c.townorg_entity_builder_list_clear(b, key)
            for item in value:
                _c.townorg_entity_builder_list_add(b, key, _text(item, key))
        else:
            raise TypeError("unsupported value for %s: %r" % (key, value))


def make_entity(id, kind, name="", parent_id=None, **attrs):
    """Build a detached Entity value from keyword attributes (see
    ``Transaction.create`` for the names)."""
    b = _c.townorg_entity_builder_new(_text(id, "id"), _kind(kind), _text(name, "name"),
                                      _opt_text(parent_id, "parent_id"))
    try:
        _set_attrs(b, attrs)
        p = _c.townorg_entity_builder_build(b)
    finally:
        _c.townorg_entity_builder_free(b)
    e = Entity.__new__(Entity)
    e._ptr, e._d = p, None
    return e


# ---------------------------------------------------------------- events

class Event:
    """A change event record: kind, predecessors (from_ids), successors
    (to_ids), the event id grouping the records of one change, its own
    documents, date and the source's wording."""

    __slots__ = ("kind", "event_id", "from_ids", "to_ids", "documents", "date", "wording", "version")

    def __init__(self, d, version=None):
        for k in ("kind", "event_id", "from_ids", "to_ids", "documents", "date", "wording"):
            setattr(self, k, d[k])
        self.version = version

    def to_dict(self):
        """The record as a dict."""
        return {k: getattr(self, k) for k in ("kind", "event_id", "from_ids", "to_ids", "documents", "date",
                                             "wording")}

    def __eq__(self, other):
        return isinstance(other, Event) and self.to_dict() == other.to_dict()

    def __repr__(self):
        return "<Event %s %s -> %s>" % (self.kind, ",".join(self.from_ids), ",".join(self.to_ids))


# ---------------------------------------------------------------- versions

class Version:
    """An immutable snapshot of the whole graph, with its metadata.

    ``len(v)`` entities; ``v["341023-001"]`` an entity by id (NotFound if
    absent); iterate for every entity.  A version keeps its repository
    alive; after ``Repository.close()`` using it raises ClosedError.
    """

    __slots__ = ("_ptr", "_owner", "_owned", "_fin", "__weakref__")

    def __init__(self, _ptr, _owner, _owned=False):
        self._ptr = _ptr
        self._owner = _owner
        self._owned = _owned
        if _owned:
            self._fin = weakref.finalize(self, _c.townorg_version_free, _ptr)
            _owner._deps.add(self)

    @property
    def _p(self):
        if self._ptr is None or not self._owner.alive:
            raise ClosedError("the version's repository is closed" if self._ptr is not None
                              else "the version was freed")
        return self._ptr

    def _release(self):
        p, self._ptr = self._ptr, None
        if p is not None and self._owned:
            self._fin()

    def _wrap(self, p):
        return None if p is None else Version(p, self._owner)

    @property
    def repository(self):
        """The Repository holding this version (None inside a custom rule)."""
        o = self._owner
        return o if isinstance(o, Repository) else getattr(o, "repository", None)

    @property
    def detached(self):
        """True for a preview made by ``Transaction.preview()`` (not in the repository)."""
        return self._owned

    id = property(lambda self: _c.townorg_version_id(self._p), doc="The version id (64 hex digits).")
    state_hash = property(lambda self: _c.townorg_version_state_hash(self._p),
                          doc="The state hash (64 hex digits): equal states have equal hashes.")

    @property
    def meta(self):
        """The metadata as a dict: effective_date, recorded_at, author,
        doc_issuer, doc_number, doc_date, doc_title, message."""
        return _c.pyto_version_meta(self._p)

    effective_date = property(lambda self: self.meta["effective_date"], doc="Valid time, YYYY-MM-DD.")
    recorded_at = property(lambda self: self.meta["recorded_at"], doc="Transaction time (UTC).")
    author = property(lambda self: self.meta["author"], doc="Who recorded the version.")
    doc_number = property(lambda self: self.meta["doc_number"], doc="The authorising document's number.")
    message = property(lambda self: self.meta["message"], doc="The version's message.")

    @property
    def document(self):
        """The authorising document: {'issuer', 'number', 'date', 'title'}."""
        m = self.meta
        return {"issuer": m["doc_issuer"], "number": m["doc_number"], "date": m["doc_date"],
                "title": m["doc_title"]}

    @property
    def parents(self) -> "List[Version]":
        """The parent versions (the first is the line its branch followed)."""
        return [self._wrap(p) for p in _c.pyto_version_parents(self._p)]

    @property
    def parent(self) -> "Optional[Version]":
        """The first parent, or None for a root version."""
        ps = self.parents
        return ps[0] if ps else None

    def ancestors(self) -> "List[Version]":
        """This version and its first parents back to the root, newest first."""
        out, v = [], self
        while v is not None:
            out.append(v)
            v = v.parent
        return out

    @property
    def events(self) -> "List[Event]":
        """The change events recorded by this version."""
        return [Event(d, self) for d in _c.pyto_version_events(self._p)]

    def __len__(self):
        return _c.townorg_version_entity_count(self._p)

    def kind_count(self, kind: str) -> int:
        """Number of entities of one kind."""
        return _c.townorg_version_kind_count(self._p, _kind(kind))

    def __getitem__(self, id):
        return Entity(_c.townorg_version_get(self._p, _text(id, "id")))

    def get(self, id, default=None):
        """The entity with this id, or ``default``."""
        try:
            return self[id]
        except NotFound:
            return default

    def __contains__(self, id):
        return isinstance(id, str) and self.get(id) is not None

    def __iter__(self):
        return _EntityIterator(self)

    def children(self, id: Optional[str] = None) -> "List[Entity]":
        """The entities directly under ``id`` (None: the top level), sorted
        by id.  NotFound when ``id`` is not in the version."""
        kids = _c.pyto_version_children(self._p, _opt_text(id, "id"))
        if not kids and id is not None:
            _c.townorg_version_get(self._p, id)  # NotFound names the id
        return [Entity(p) for p in kids]

    def descendants(self, id: str) -> "List[Entity]":
        """Every entity below ``id``, breadth first."""
        out, head = [], 0
        self[_text(id, "id")]  # NotFound names the id
        kids = self.children(id)
        out.extend(kids)
        while head < len(out):
            out.extend(self.children(out[head].id))
            head += 1
        return out

    def find(self, name: str, kind: Optional[str] = None) -> "List[Entity]":
        """The entities with exactly this name (and kind), sorted by id."""
        return [Entity(p) for p in _c.pyto_version_find(self._p, _text(name, "name"), _opt_text(kind, "kind"))]

    def by_name(self, name: str, kind: Optional[str] = None) -> "Entity":
        """The one entity with this name (and kind): NotFound if none,
        Ambiguous if several."""
        found = self.find(name, kind)
        if not found:
            raise NotFound("no entity named '%s' in version %s" % (name, self.id[:12]), NotFound.code)
        if len(found) > 1:
            raise Ambiguous("%d entities are named '%s': %s" % (len(found), name, ", ".join(e.id for e in found)),
                            Ambiguous.code)
        return found[0]

    def quota_total(self, id: Optional[str] = None, quota_type: Optional[str] = None) -> int:
        """Sum of quotas (of one type, or all) over the organs at or below
        ``id``; None sums over every top-level entity."""
        if id is None:
            return sum(self.quota_total(e.id, quota_type) for e in self.children(None))
        return _c.townorg_version_quota_total(self._p, _text(id, "id"), _opt_text(quota_type, "quota_type"))

    def headroom(self, id: str, quota_type: Optional[str] = None) -> int:
        """Free quota before a hire (不得超编进人): an organ's quota minus its
        staff, or a pool minus what its organs are allocated."""
        return _c.townorg_version_headroom(self._p, _text(id, "id"), _opt_text(quota_type, "quota_type"))

    def is_ancestor_of(self, other: "Version") -> bool:
        """True if this version is ``other`` or one of its ancestors."""
        return _c.townorg_version_is_ancestor(self._p, other._p)

    def diff(self, other: "Optional[Version]" = None, under: Optional[str] = None, kinds: Kinds = None,
             fields: Optional[Iterable[str]] = None, events: bool = True, totals: bool = True) -> "Diff":
        """What changed from this version to ``other`` (None: the empty state).
        Filters: ``under`` an entity id, ``kinds`` a list of kind tokens,
        ``fields`` a list of field names."""
        return Diff(self, other, under=under, kinds=kinds, fields=fields, events=events, totals=totals)

    def blame(self, id: str) -> "Blame":
        """Which version set each field of entity ``id``'s current value."""
        return Blame(self, id)

    def history(self, id: str) -> "List[HistoryEntry]":
        """The versions on this version's line that changed entity ``id``, newest first."""
        out = [HistoryEntry(self, d) for d in _c.pyto_history(self._p, _text(id, "id"))]
        if not out:
            raise NotFound("entity '%s' never existed on the line of version %s" % (id, self.id[:12]),
                           NotFound.code)
        return out

    def lineage(self, id: str, direction: str = "both", family: bool = False, lang: str = "zh") -> "Lineage":
        """Predecessors and successors of entity ``id`` across merges,
        splits, renames and moves.  direction: 'both', 'predecessors' or
        'successors'; family: the whole connected family."""
        flags = {"both": 0, "predecessors": 1, "successors": 2}.get(direction)
        if flags is None:
            raise Invalid("direction must be 'both', 'predecessors' or 'successors'", Invalid.code)
        if family:
            flags |= 4
        lin = Lineage(self, _c.pyto_lineage(self._p, _text(id, "id"), flags, lang))
        if not lin.edges and not any(n.get("present") for n in lin.nodes):
            raise NotFound("no entity '%s' in version %s nor in any event before it" % (id, self.id[:12]),
                           NotFound.code)
        return lin

    def validate(self, policy: "Optional[Policy]" = None) -> "Validation":
        """Validate against a Policy (None: the library's default policy)."""
        return Validation._run(policy, lambda pp: _c.townorg_validate(self._p, pp), self)

    def to_frame(self, under: Optional[str] = None, kinds: Kinds = None, labels: str = "en") -> "pd.DataFrame":
        """The entities as a pandas DataFrame indexed by id, one row per
        entity sorted by id, built from arrays filled in C: ``kind`` and
        ``class`` categorical, numbers nullable (Int64; area_km2 Float64 in
        km²), text columns of the ``string`` dtype with pd.NA when unset,
        ``nameplates``/``functions``/``colocated_with`` lists.  ``under``:
        only that entity and what is below it; ``kinds``: only those kinds;
        ``labels="zh"``: Chinese column labels (``townorg.ZH_LABELS``)."""
        from ._frame import version_frame
        return version_frame(self._p, _opt_text(under, "under"), _kinds(kinds), labels)

    def to_networkx(self, under: Optional[str] = None, kinds: Kinds = None) -> "nx.DiGraph":
        """The tree as a networkx.DiGraph with an edge parent → child
        (``under``: only that unit and what is below it; ``kinds``: only
        those kinds); nodes carry name, kind, cls, admin_quota, inst_quota."""
        from ._nx import tree_graph
        return tree_graph(self, under=_opt_text(under, "under"), kinds=kinds)

    def to_json(self, compact: bool = False) -> str:
        """The version's snapshot document (JSON text)."""
        return _c.pyto_json_export(None, self._p, 1 if compact else 0)

    def org_chart(self, id):
        """An org chart of unit ``id`` (a township) as a Graph (DOT; SVG if
        Graphviz is installed)."""
        from ._display import org_chart
        return org_chart(self, id)

    def __eq__(self, other):
        return isinstance(other, Version) and self.id == other.id

    def __hash__(self):
        return hash(self.id)

    def __repr__(self):
        if self._ptr is None or not self._owner.alive:
            return "<Version (closed)>"
        m = self.meta
        return "<Version %s %s %s>" % (self.id[:12], m["effective_date"] or "", m["doc_number"] or "")

    def _repr_html_(self):
        from ._display import version_html
        return version_html(self)


def _ids(ids, what):
    if isinstance(ids, (str, bytes)):
        raise TypeError("%s must be a list of str, not a single string" % what)
    return list(ids)


def _kinds(kinds):
    if kinds is None:
        return None
    if isinstance(kinds, str):
        return [kinds]
    return list(kinds)


class _EntityIterator:
    """Iterator over a version's entities (in structure order)."""

    _it = _boxed()

    def __init__(self, version):
        self._version = version
        _own(self, _c.townorg_iterator_new(version._p), _c.townorg_iterator_free)
        version._owner._deps.add(self)

    def __iter__(self):
        return self

    def __next__(self):
        self._version._p  # raises ClosedError once the repository is closed
        if self._it is None:
            raise StopIteration
        p = _c.pyto_iterator_next(self._it)
        if p is None:
            self._release()
            raise StopIteration
        return Entity(p)

    def _release(self):
        self._fin()


# ---------------------------------------------------------------- repository

class Repository:
    """Versions, branches and tags: in memory, or in a single SQLite file.

    ``Repository()`` is an empty in-memory repository;
    ``Repository.open(path)`` opens a file, ``Repository.create(path)``
    makes a new one.  Use it as a context manager, or call ``close()``.
    ``repo["main"]``, ``repo["v3"]``, ``repo["main@2020-06-30"]``,
    ``repo["main~2"]`` or a version id prefix look a version up.
    """

    _ptr = _boxed()

    def __init__(self, path=None, create=False, readonly=False):
        self._box = [None]
        self._deps = weakref.WeakSet()
        if path is None:
            p = _c.townorg_repo_new()
        else:
            flags = (_c.TOWNORG_OPEN_CREATE if create else 0) | (_c.TOWNORG_OPEN_READONLY if readonly else 0)
            p = _c.townorg_repo_open(_path(path), flags)
        self._box[0] = p
        self._fin = weakref.finalize(self, _close_repo, self._box, self._deps)

    @classmethod
    def open(cls, path: PathLike, readonly: bool = False, create: bool = False) -> "Repository":
        """Open a repository file (NotFound if missing, unless create)."""
        return cls(path, create=create, readonly=readonly)

    @classmethod
    def create(cls, path: PathLike) -> "Repository":
        """Create a new repository file and open it (Exists if the path exists)."""
        _c.townorg_repo_init(_path(path))
        return cls(path)

    @classmethod
    def memory(cls) -> "Repository":
        """A new empty in-memory repository."""
        return cls()

    @property
    def alive(self):
        """False once the repository is closed."""
        return self._ptr is not None

    @property
    def _p(self):
        if self._ptr is None:
            raise ClosedError("the repository is closed")
        return self._ptr

    def close(self) -> None:
        """Release everything borrowing from the repository, then free it
        (closing the file).  Closing twice is harmless."""
        self._fin()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _v(self, p):
        return None if p is None else Version(p, self)

    def _version(self, ref):
        """A Version from a Version, a name, or None."""
        if ref is None or isinstance(ref, Version):
            if isinstance(ref, Version):
                ref._p
            return ref
        return self.lookup(ref)

    path = property(lambda self: _c.townorg_repo_path(self._p), doc="The file, or None in memory.")
    readonly = property(lambda self: _c.townorg_repo_is_readonly(self._p), doc="True if it cannot be written.")

    def refresh(self) -> int:
        """Read what other processes committed to the file; returns the
        number of new versions."""
        return _c.townorg_repo_refresh(self._p)

    @property
    def versions(self) -> "List[Version]":
        """Every version, in the order they were added."""
        return [self._v(p) for p in _c.pyto_repo_versions(self._p)]

    def __len__(self):
        return _c.townorg_repo_version_count(self._p)

    def __iter__(self):
        return iter(self.versions)

    def lookup(self, name: str) -> "Version":
        """A version by branch, tag, id or id prefix, with optional
        ``@YYYY-MM-DD`` or ``~N`` suffix."""
        return self._v(_c.townorg_repo_lookup(self._p, _text(name, "name")))

    __getitem__ = lookup

    def get(self, name, default=None):
        """``lookup(name)``, or ``default`` when nothing matches."""
        try:
            return self.lookup(name)
        except NotFound:
            return default

    def __contains__(self, name):
        return isinstance(name, str) and self.get(name) is not None

    def version(self, id: str) -> "Version":
        """A version by its full id."""
        return self._v(_c.townorg_repo_version_by_id(self._p, _text(id, "id")))

    def head(self, branch: str = "main") -> "Optional[Version]":
        """The head of a branch (None for an empty branch; NotFound for a missing one)."""
        return self._v(_c.townorg_repo_branch_head(self._p, _text(branch, "branch")))

    def as_of(self, date: "Union[str, datetime.date]", branch: str = "main") -> "Version":
        """The version in effect on ``date`` (YYYY-MM-DD or a date) on a branch."""
        date = date.isoformat() if hasattr(date, "isoformat") else date
        return self._v(_c.townorg_repo_asof(self._p, _text(branch, "branch"), _text(date, "date")))

    @property
    def branches(self) -> "Dict[str, Optional[Version]]":
        """Branches as a dict {name: head Version or None}, in name order."""
        return {b: self.head(b) for b in _c.pyto_repo_branches(self._p)}

    @property
    def tags(self) -> "Dict[str, Version]":
        """Tags as a dict {name: Version}, in name order."""
        return {n: self._v(p) for n, p in _c.pyto_repo_tags(self._p)}

    def create_branch(self, name: str, at: VersionRef = None) -> None:
        """Create a branch at a version (None: an empty branch)."""
        at = self._version(at)
        _c.townorg_repo_branch_create(self._p, _text(name, "name"), at._p if at else None)

    def set_branch(self, name: str, at: VersionRef) -> None:
        """Point an existing branch at another version."""
        _c.townorg_repo_branch_set(self._p, _text(name, "name"), self._version(at)._p)

    def delete_branch(self, name: str) -> None:
        """Delete a branch (its versions stay)."""
        _c.townorg_repo_branch_delete(self._p, _text(name, "name"))

    def tag(self, name: str, at: VersionRef) -> None:
        """Create a tag naming a version (tags never move)."""
        _c.townorg_repo_tag_create(self._p, _text(name, "name"), self._version(at)._p)

    def transaction(self, branch: Optional[str] = None, parent: VersionRef = None, **meta: str) -> "Transaction":
        """Start a Transaction.  With ``branch`` it builds on the branch head
        and advances the branch; with ``branch`` and ``parent`` it starts a
        new branch at ``parent`` (created by the commit); with only
        ``parent`` (a Version or name) it moves no branch; with neither it
        starts from the empty state.  Keyword metadata (effective_date, author,
        doc_number, doc_issuer, doc_date, doc_title, message, recorded_at)
        is used at commit.  As a context manager it commits on success and
        discards on an exception."""
        return Transaction(self, branch=branch, parent=parent, **meta)

    def diff(self, a: VersionRef, b: VersionRef, **filters: Any) -> "Diff":
        """The Diff from version ``a`` to ``b`` (Versions or names; None is
        the empty state).  Filters as for ``Version.diff``: under, kinds,
        fields, events, totals."""
        valid = ("under", "kinds", "fields", "events", "totals")
        for k in filters:
            if k not in valid:
                raise _unknown_kwarg("diff", k, valid)
        a, b = self._version(a), self._version(b)
        return Diff(a, b, **filters)

    def diff_dates(self, from_date: str, to_date: str, branch: str = "main", under: Optional[str] = None,
                   kinds: Kinds = None, fields: Optional[Iterable[str]] = None) -> "Diff":
        """What changed on a branch between two dates."""
        p = _c.pyto_diff_dates(self._p, _text(branch, "branch"), from_date, to_date, _opt_text(under, "under"),
                               _kinds(kinds), None if fields is None else list(fields), 0)
        d = Diff._adopt(self, p)
        if under is not None:
            d._check_under(under)
        return d

    # ---- merge, patch and log

    def merge(self, theirs: VersionRef, into: VersionRef = "main") -> "Merge":
        """Merge ``theirs`` (a Version or name) into ``into`` (a branch name,
        a Version or name, or None for the empty state) and return a Merge:
        its ``status``, ``conflicts`` and ``commit(**meta)``, which moves the
        branch ``into`` names.  Nothing is recorded until ``commit``."""
        from ._merge import Merge
        theirs = self._version(theirs)
        if theirs is None:
            raise TypeError("theirs must be a Version or a version name, not None")
        branch = None
        if isinstance(into, str) and into in _c.pyto_repo_branches(self._p):
            branch, ours = into, self.head(into)
        else:
            ours = self._version(into)
        return Merge(self, ours, theirs, into=branch)

    def merge_base(self, a: VersionRef, b: VersionRef) -> "Optional[Version]":
        """The best common ancestor of two versions (Versions or names), or
        None when they share none."""
        from ._merge import merge_base
        return merge_base(self, a, b)

    def log(self, ref: VersionRef = "main", all: bool = False, max_count: Optional[int] = None) -> "pd.DataFrame":
        """The versions as a DataFrame, newest first: id, date (effective,
        a datetime), document (the document number), message, author,
        parents (a list of ids) and refs (a list of the branches and
        ``tag:NAME`` tags pointing at it).  From ``ref`` (a branch, tag or
        version) through every parent; ``all=True``: every version in the
        repository; ``max_count``: only the newest N."""
        from ._merge import log
        return log(self, ref=ref, all=all, max_count=max_count)

    def write_frame(self, df: "pd.DataFrame", branch: str = "main", under: Optional[str] = None,
                    remove_missing: bool = False, events: Iterable[Any] = (), ignore: Iterable[str] = (),
                    **meta: str) -> "Version":
        """Commit a DataFrame as a new version on ``branch`` (as Dolt's
        ``write_pandas``) and return the Version.  The frame has the shape
        ``Version.to_frame()`` gives (id as index or column; English or
        Chinese labels; any subset of the columns).  Each row is upserted:
        attributes without a column are kept, a missing value (NaN, None,
        pd.NA) unsets one (in ``kind``, ``name``, ``parent_id`` it keeps
        the current value); a new entity needs ``kind`` and ``parent_id``.
        With ``remove_missing=True`` the entities below ``under`` (required
        then) that are not rows of the frame are removed; entities outside
        ``under`` are never touched, and every row must lie under it.
        ``events``: dicts of ``Transaction.event`` arguments; keyword
        metadata names the document (doc_number, doc_issuer, doc_date,
        doc_title, effective_date, message, author).  ``ignore``: columns
        to skip.  Errors name the row (index label and id) and column;
        nothing is committed then."""
        _check_meta(meta, "write_frame")
        if isinstance(events, dict):
            events = [events]
        tx = Transaction(self, branch=_text(branch, "branch"), **meta)
        try:
            tx.write_frame(df, under=under, remove_missing=remove_missing, ignore=ignore)
            for i, ev in enumerate(events):
                if isinstance(ev, Event):
                    ev = ev.to_dict()
                if not isinstance(ev, dict):
                    raise TypeError("events[%d] must be a dict of Transaction.event arguments or an Event" % i)
                ev = dict(ev)
                kind = ev.pop("kind", None)
                valid = ("from_ids", "to_ids", "event_id", "documents", "date", "wording")
                for k in ev:
                    if k not in valid:
                        raise _unknown_kwarg("event", k, valid + ("kind",))
                try:
                    tx.event(kind, **ev)
                except Error as e:
                    raise type(e)("events[%d]: %s" % (i, e.message), e.code) from None
            return tx.commit()
        finally:
            tx.discard()

    # ---- import / export

    def import_tables(self, dir, branch="main", onto=None, tag_prefix=None, author=None, recorded_at=None,
                      tags=True):
        """Import a CSV table set (versions.csv, base.csv, changes.csv,
        events.csv) onto a branch, all or nothing.  Returns a dict report:
        versions [(label, Version)], rows, encodings, notes."""
        onto = onto.id if isinstance(onto, Version) else onto
        r = _c.pyto_tables_import(self._p, _path(dir), branch, onto, tag_prefix, author, recorded_at,
                                  0 if tags else 1)
        r["versions"] = [(label, self._v(p)) for label, p in r["versions"]]
        return r

    def export_tables(self, dir: PathLike, to: VersionRef = "main", from_: VersionRef = None,
                      lossy: bool = False) -> None:
        """Write the CSV table set of ``to``'s first-parent line from
        ``from_`` (None: the root) into ``dir``."""
        to, from_ = self._version(to), self._version(from_)
        try:
            _c.pyto_tables_export(self._p, from_._p if from_ else None, to._p, _path(dir), 1 if lossy else 0)
        except Invalid as e:
            raise _python_words(e) from None

    def import_excel(self, path, branch="main", **options):
        """Import a workbook (.xlsx), read by the library's C reader.

        A 台账 workbook (what ``export_excel`` writes, or an office's own
        with the same headers) becomes one new version on ``branch`` whose
        state is exactly the workbook's entities; keyword options
        ``with_events``, ``author``, ``recorded_at``, ``effective_date``,
        ``message``.  Returns a dict: version, entities, notes.

        A workbook in the older table-set layout (sheets versions, base,
        changes, events, or 版本, 基础, 变更, 事件; Chinese headers
        accepted) is imported as ``import_tables`` would import the CSV
        tables, with its options, and returns that report."""
        from ._excel import import_workbook
        return import_workbook(self, path, branch=branch, **options)

    def export_excel(self, path, version="main", changes_since=None, policy=None, to=None, **old):
        """Write the 台账 workbook (.xlsx) of a version with the library's
        townorg_export_xlsx: a sheet per kind group with every attribute,
        Chinese headers and values; ``changes_since`` (a version) adds the
        sheets 变更表 and 精简率, ``policy`` (a Policy) the sheet 核查结果.
        ``to`` is an older name of ``version``; the older keywords
        ``chinese`` and ``lossy`` are accepted and have no effect (headers
        are always Chinese, nothing is dropped); ``from_`` is refused (the
        workbook holds one version: use ``export_tables`` for a line)."""
        import warnings
        from ._excel import export_workbook
        if old.get("from_") is not None:
            raise TypeError("export_excel writes one version; from_= applies to export_tables (CSV tables)")
        unknown = set(old) - {"chinese", "lossy", "from_"}
        if unknown:
            raise TypeError("export_excel() got unexpected keyword arguments: %s" % ", ".join(sorted(unknown)))
        if set(old) - {"from_"}:
            warnings.warn("export_excel: chinese= and lossy= no longer apply (the 台账 has Chinese headers and "
                          "drops nothing)", DeprecationWarning, stacklevel=2)
        export_workbook(self, path, version=to if to is not None else version, changes_since=changes_since,
                        policy=policy)

    def export_json(self, path: Optional[PathLike] = None, compact: bool = False) -> Optional[str]:
        """The repository document (every version, branch and tag): written
        to ``path``, or returned as text."""
        if path is None:
            return _c.pyto_json_export(self._p, None, 1 if compact else 0)
        _c.townorg_json_export_repo_file(_path(path), self._p, None)

    def import_json(self, path: Optional[PathLike] = None, text: Optional[str] = None) -> None:
        """Import a repository document from a file or from text, all or nothing."""
        if (path is None) == (text is None):
            raise TypeError("give exactly one of path and text")
        if path is not None:
            _c.townorg_json_import_repo_file(self._p, _path(path), None)
        else:
            _c.pyto_json_import_repo(self._p, _text(text, "text"), None)

    def import_snapshot(self, path=None, text=None, branch="main", **meta):
        """Import a snapshot document as one new version on a branch, with
        keyword metadata; returns the version."""
        if (path is None) == (text is None):
            raise TypeError("give exactly one of path and text")
        return self._v(_c.pyto_json_import_snapshot(self._p, _text(branch, "branch"), meta or None,
                                                     _opt_text(text, "text"), _path(path)))

    def import_nbs(self, source, branch="main", mca=None, effective_date=None, author=None, recorded_at=None):
        """Import NBS township lists (one edition folder, or a folder of
        them) and optionally the MCA change tables.  Returns a dict report."""
        return _c.pyto_nbs_import(self._p, _path(source), branch, _path(mca), effective_date, author, recorded_at)

    def verify(self):
        """Verify the repository's file (see ``townorg.verify``)."""
        if self.path is None:
            raise Invalid("an in-memory repository has no file to verify", Invalid.code)
        return verify(self.path)

    # ---- data science

    def quota_trend(self, unit_id: Optional[str] = None, branch: str = "main",
                    quota_types: Iterable[str] = ("admin", "inst"), last: Optional[int] = None) -> "pd.DataFrame":
        """Quota totals over the versions of a branch's first-parent line
        (oldest first) as a DataFrame: version, effective_date, doc_number,
        one column per quota type and 'total'."""
        from ._plot import quota_trend
        return quota_trend(self, unit_id=unit_id, branch=branch, quota_types=quota_types, last=last)

    def plot_quota_trend(self, unit_id=None, branch="main", quota_types=("admin", "inst"), last=None, ax=None):
        """Plot quota totals over versions with matplotlib (Chinese labels
        in a CJK font); returns the Axes."""
        from ._plot import plot_quota_trend
        return plot_quota_trend(self, unit_id=unit_id, branch=branch, quota_types=quota_types, last=last, ax=ax)

    def _repr_html_(self):
        from ._display import repository_html
        return repository_html(self)

    def __repr__(self):
        if self._ptr is None:
            return "<Repository (closed)>"
        return "<Repository %s, %d versions, branches %s>" % (self.path or "(memory)", len(self),
                                                              ", ".join(_c.pyto_repo_branches(self._p)))


def _close_repo(box, deps):
    """The repository's finalizer: release what borrows from it, then free it."""
    if box[0] is None:
        return
    for d in list(deps):
        d._release()
    _free_box(box, _c.townorg_repo_free)


def verify(path):
    """Verify a repository file from its bytes: every hash recomputed and
    the branch log's chain followed.  Returns a dict: ok, problems [(kind,
    what, message)], objects, versions, log_records, log_head."""
    return _c.pyto_verify(_path(path))


# ---------------------------------------------------------------- transactions

class Transaction:
    """A set of changes committed atomically as one new version — or discarded.

    ``with repo.transaction(branch="plan-2025", doc_number="某编〔2025〕3号") as tx:``
    commits when the block ends normally and discards on an exception.
    """

    _borrowed = False
    _ptr = _boxed()

    def __init__(self, repo, branch=None, parent=None, **meta):
        _check_meta(meta, "transaction")
        self._repo = repo
        self._box = [None]
        self._fin = None
        self._version = None
        self._meta = {}
        self._new_branch = None
        if branch is not None and parent is not None:
            # A new branch starting at `parent`: created by the commit, so a
            # discarded transaction leaves no branch behind.
            names = _c.pyto_repo_branches(repo._p)
            parent = repo._version(parent)
            if _text(branch, "branch") in names:
                head = repo.head(branch)
                if head is None or head.id != parent.id:
                    raise Conflict("branch '%s' exists and its head is not the given parent" % branch,
                                   Conflict.code)
                self._ptr = _c.townorg_txn_new_on_branch(repo._p, branch)
            else:
                self._ptr = _c.townorg_txn_new(repo._p, parent._p)
                self._new_branch = branch
        elif branch is not None:
            self._ptr = _c.townorg_txn_new_on_branch(repo._p, _text(branch, "branch"))
        else:
            parent = repo._version(parent)
            self._ptr = _c.townorg_txn_new(repo._p, parent._p if parent else None)
        self._fin = weakref.finalize(self, _free_box, self._box, _c.townorg_txn_free)
        repo._deps.add(self)
        self.branch = branch
        if meta:
            self.set_meta(**meta)

    @property
    def _p(self):
        if self._ptr is None:
            raise ClosedError("the transaction was committed or discarded" if self._repo.alive
                              else "the repository is closed")
        return self._ptr

    @classmethod
    def _borrow(cls, repo, p):
        """A Transaction over a pointer someone else owns (a merge's)."""
        t = cls.__new__(cls)
        t._box, t._fin = [p], None
        t._repo, t._version, t._meta, t._new_branch, t.branch = repo, None, {}, None, None
        t._borrowed = True
        return t

    def _release(self):
        if self._fin is not None:
            self._fin()
        else:
            self._ptr = None  # borrowed, or never made (the constructor failed)

    @property
    def open(self):
        """True until committed or discarded."""
        return self._ptr is not None

    def set_meta(self, **meta: str) -> None:
        """Set (merge) metadata: effective_date, recorded_at, author,
        doc_issuer, doc_number, doc_date, doc_title, message."""
        _check_meta(meta, "set_meta")
        merged = dict(self._meta)
        merged.update(meta)
        _c.pyto_txn_set_meta(self._p, merged)
        self._meta = merged

    def put(self, entity: "Entity") -> None:
        """Insert or replace an Entity value (by id)."""
        if not isinstance(entity, Entity):
            raise TypeError("put() needs an Entity; use create() or update() for attributes")
        _c.townorg_txn_put(self._p, entity._ptr)

    def create(self, id: str, kind: str, name: str = "", parent_id: Optional[str] = None, **attrs: Any) -> "Entity":
        """Insert (or replace) an entity from attributes: class_ ('large',
        'medium', 'small'), population, area_km2 (km², e.g. 146.7),
        revenue_per_capita, leader_posts, actual_staff, chief_posts,
        deputy_posts, admin_quota, inst_quota, <type>_quota or quotas={...},
        text attributes (funding, nature, rank, regime, supervisor, code,
        any name) and list attributes (nameplates, functions,
        colocated_with, any list).  Returns the Entity."""
        p = self._p
        b = _c.townorg_entity_builder_new(_text(id, "id"), _kind(kind), _text(name, "name"),
                                          _opt_text(parent_id, "parent_id"))
        try:
            _set_attrs(b, attrs)
            _c.townorg_txn_put_builder(p, b)
        finally:
            _c.townorg_entity_builder_free(b)
        return self[id]

    def update(self, id: str, **attrs: Any) -> "Entity":
        """Change attributes of an existing entity (None unsets); returns
        the new Entity."""
        p = self._p
        cur = _c.townorg_txn_get(p, _text(id, "id"))
        b = _c.townorg_entity_builder_from(cur)
        try:
            _set_attrs(b, attrs)
            _c.townorg_txn_put_builder(p, b)
        finally:
            _c.townorg_entity_builder_free(b)
        return self[id]

    def remove(self, id: str) -> None:
        """Remove an entity (NotFound if absent)."""
        _c.townorg_txn_remove(self._p, _text(id, "id"))

    def __delitem__(self, id):
        self.remove(id)

    def __getitem__(self, id):
        return Entity(_c.townorg_txn_get(self._p, _text(id, "id")))

    def get(self, id, default=None):
        """The entity with this id in the transaction's state, or ``default``."""
        try:
            return self[id]
        except NotFound:
            return default

    def __contains__(self, id):
        return isinstance(id, str) and self.get(id) is not None

    def __len__(self):
        return _c.townorg_txn_entity_count(self._p)

    def event(self, kind, from_ids=(), to_ids=(), event_id=None, documents=(), date=None, wording=None):
        """Record a change event (create, abolish, merge, split, reorganize,
        rename, reclassify, move, transfer_functions, transfer_staff,
        transfer_archives)."""
        _c.pyto_txn_add_event(self._p, _text(kind, "kind"), event_id, _ids(from_ids, "from_ids"),
                              _ids(to_ids, "to_ids"), _ids(documents, "documents"), date, wording)

    def apply(self, diff: "Diff", events: bool = False) -> None:
        """Apply a Diff (a patch) to the transaction's state: added entities
        are put, removed ones removed, changed fields set.  Every change is
        checked first against the diff's "before" values; on a mismatch
        Conflict names the entity and field and nothing changes.
        ``events``: also record the diff's events."""
        if not isinstance(diff, Diff):
            raise TypeError("diff must be a townorg.Diff, not %s" % type(diff).__name__)
        if self._borrowed:
            self._p
        _c.pyto_patch_apply(self._p, diff._p, 1 if events else 0)

    def write_frame(self, df: "pd.DataFrame", under: Optional[str] = None, remove_missing: bool = False,
                    ignore: Iterable[str] = ()) -> Dict[str, int]:
        """Upsert a DataFrame's rows (the shape ``Version.to_frame()``
        gives) into this transaction; see ``Repository.write_frame``.
        Returns a dict: upserted, created, removed.  On an error the
        transaction may hold part of the rows: discard it."""
        from ._write import write_frame
        return write_frame(self, df, under=under, remove_missing=remove_missing, ignore=ignore)

    def add_parent(self, version: VersionRef) -> None:
        """Add a further parent (a merge of branches)."""
        _c.townorg_txn_add_parent(self._p, self._repo._version(version)._p)

    def check(self) -> None:
        """Run the structural checks (raises IntegrityError) without committing."""
        _c.townorg_txn_check(self._p)

    def preview(self) -> "Version":
        """A detached Version of the current state (for dry-run diffs)."""
        return Version(_c.townorg_txn_preview(self._p), self._repo, _owned=True)

    def validate(self, policy=None):
        """Dry run: validate what the transaction would commit, without committing."""
        return Validation._run(policy, lambda pp: _c.townorg_validate_txn(self._p, pp), None)

    def commit(self, **meta: str) -> "Version":
        """Check and commit (with extra metadata); returns the new Version.
        On failure nothing changed and the transaction stays open."""
        if self._borrowed:
            raise Invalid("this is a merge's transaction: commit the Merge", Invalid.code)
        if meta:
            self.set_meta(**meta)
        p = _c.townorg_txn_commit(self._p)
        self._version = self._repo._v(p)
        self._release()
        if self._new_branch is not None:
            _c.townorg_repo_branch_create(self._repo._p, self._new_branch, p)
        return self._version

    def discard(self) -> None:
        """Drop the transaction without committing.  Harmless when spent."""
        self._release()

    @property
    def version(self):
        """The committed Version (None before commit)."""
        return self._version

    def __enter__(self):
        self._p
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            if self._ptr is not None:
                try:
                    self.commit()
                except BaseException:
                    self.discard()
                    raise
        else:
            self.discard()
        return False

    def __repr__(self):
        return "<Transaction %s%s>" % (self.branch or "(detached)", "" if self.open else " (closed)")


# ---------------------------------------------------------------- diffs

class FieldChange:
    """One changed field: name, type ('text', 'int', 'area', 'list'), old and new text."""

    __slots__ = ("name", "type", "old", "new")

    def __init__(self, t):
        self.name, self.type, self.old, self.new = t

    def __iter__(self):
        return iter((self.name, self.old, self.new))

    def __repr__(self):
        return "<FieldChange %s: %r -> %r>" % (self.name, self.old, self.new)


class Delta:
    """One entity's change: status ('added', 'removed', 'changed'), id,
    kind, fields (FieldChange list), and the old and new Entity."""

    __slots__ = ("status", "id", "kind", "fields", "_diff")

    def __init__(self, diff, d):
        self._diff = diff
        self.status, self.id, self.kind = d["status"], d["id"], d["kind"]
        self.fields = [FieldChange(t) for t in d["fields"]]

    @property
    def old(self):
        """The entity before (None when added)."""
        v = self._diff.from_version
        return None if v is None or self.status == "added" else v.get(self.id)

    @property
    def new(self):
        """The entity after (None when removed)."""
        v = self._diff.to_version
        return None if v is None or self.status == "removed" else v.get(self.id)

    def __repr__(self):
        return "<Delta %s %s %s>" % (self.status, self.id, ",".join(f.name for f in self.fields))


class Diff:
    """What changed between two versions: deltas by entity (index by id or
    iterate), the events between, and aggregates per county and township
    with the reduction rate 精简率 = (before − after) / before."""

    _ptr = _boxed()

    def __init__(self, from_version, to_version, under=None, kinds=None, fields=None, events=True, totals=True):
        flags = (0 if events else 1) | (0 if totals else 2)
        self._from, self._to = from_version, to_version
        owner = (from_version or to_version)
        fp = from_version._p if from_version is not None else None
        tp = to_version._p if to_version is not None else None
        _own(self, _c.pyto_diff_new(fp, tp, _opt_text(under, "under"), _kinds(kinds),
                                    None if fields is None else list(fields), flags), _c.townorg_diff_free)
        self._repo = owner._owner if owner is not None else None
        if self._repo is not None:
            self._repo._deps.add(self)
        self._deltas = None
        if under is not None:
            self._check_under(under)

    def _check_under(self, under):
        """NotFound when the ``under`` filter names a unit in neither version."""
        for v in (self._from, self._to):
            if v is not None and under in v:
                return
        raise NotFound("no entity '%s' in either version of the diff (under=)" % under, NotFound.code)

    @classmethod
    def _adopt(cls, repo, p):
        d = cls.__new__(cls)
        _own(d, p, _c.townorg_diff_free)
        d._repo, d._deltas = repo, None
        fp, tp = _c.townorg_diff_from(p), _c.townorg_diff_to(p)
        d._from = None if fp is None else Version(fp, repo)
        d._to = None if tp is None else Version(tp, repo)
        repo._deps.add(d)
        return d

    @property
    def _p(self):
        if self._ptr is None:
            raise ClosedError("the diff was closed (or its repository was)")
        return self._ptr

    def _release(self):
        self._fin()

    def close(self):
        """Free the diff now (it is freed when garbage-collected anyway)."""
        self._release()

    from_version = property(lambda self: self._from, doc="The older side (None: the empty state).")
    to_version = property(lambda self: self._to, doc="The newer side (None: the empty state).")
    relation = property(lambda self: _c.pyto_diff_relation(self._p),
                        doc="'same', 'forward', 'backward' or 'unrelated'.")

    @property
    def deltas(self) -> "List[Delta]":
        """Every Delta, sorted by id."""
        if self._deltas is None:
            self._deltas = [Delta(self, d) for d in _c.pyto_diff_deltas(self._p)]
        self._p
        return list(self._deltas)

    def __len__(self):
        return _c.townorg_diff_num_deltas(self._p)

    def __iter__(self):
        return iter(self.deltas)

    def __getitem__(self, id):
        d = self._index().get(id)
        if d is None:
            raise NotFound("the diff has no change to '%s'" % id, NotFound.code)
        return d

    def _index(self):
        """Deltas by id, made once (lookups in a loop stay linear overall)."""
        idx = getattr(self, "_by_id", None)
        if idx is None:
            idx = self._by_id = {d.id: d for d in self.deltas}
        self._p
        return idx

    def __contains__(self, id):
        return id in self._index()

    added = property(lambda self: [d for d in self.deltas if d.status == "added"], doc="Added deltas.")
    removed = property(lambda self: [d for d in self.deltas if d.status == "removed"], doc="Removed deltas.")
    changed = property(lambda self: [d for d in self.deltas if d.status == "changed"], doc="Changed deltas.")

    @property
    def events(self):
        """The change events between the versions (Event with .version)."""
        repo = self._repo
        return [Event(ev, Version(vp, repo)) for vp, ev in _c.pyto_diff_events(self._p)]

    @property
    def totals(self):
        """Aggregates of the whole diff (dict; None when skipped)."""
        return _c.pyto_diff_totals(self._p, 0)

    @property
    def counties(self):
        """Aggregates per county the diff touches (list of dicts)."""
        return _c.pyto_diff_totals(self._p, 1)

    @property
    def townships(self):
        """Aggregates per township-level unit the diff touches (list of dicts)."""
        return _c.pyto_diff_totals(self._p, 2)

    def reduction(self, what: str = "organs", unit: Optional[str] = None) -> Dict[str, Any]:
        """The reduction of 'organs', 'quota' or 'staff' for the whole diff
        or one unit: dict before, after, available, value, text ("58.8")."""
        if unit is None:
            t = self.totals
        else:
            t = next((x for x in self.counties + self.townships if x["id"] == unit), None)
            if t is None:
                raise NotFound("the diff does not touch '%s'" % unit, NotFound.code)
        return t[what]

    def to_frame(self, labels: str = "en") -> "pd.DataFrame":
        """The changes as a DataFrame: one row per changed field, one per
        added or removed entity (field NA).  Columns: status, id, kind,
        name (the entity's), township and township_name (the township-level
        unit it lies in), county and county_name, field, type ('text',
        'int', 'area', 'list'), old and new as Python values of the field's
        type (int, float km², str, list), and change (new − old, Float64,
        for numeric fields).  ``labels="zh"``: Chinese column labels."""
        from ._frame import diff_frame
        return diff_frame(self, labels)

    def totals_frame(self, level: str = "township") -> "pd.DataFrame":
        """Aggregates as a DataFrame, one row per unit ('township' or
        'county'), with organs/quota/staff before, after and 精简率."""
        from ._display import totals_frame
        rows = self.townships if level == "township" else self.counties if level == "county" else None
        if rows is None:
            raise Invalid("level must be 'township' or 'county'", Invalid.code)
        return totals_frame(rows)

    def to_json(self):
        """The diff as JSON text (docs/format.md, "Diff JSON")."""
        return _c.pyto_diff_render(self._p, "json")

    def to_text(self, lang: str = "zh") -> str:
        """The diff as text for people, in Chinese ('zh') or English ('en')."""
        return _c.pyto_diff_render(self._p, "zh" if lang == "zh" else "en")

    def __repr__(self):
        if self._ptr is None:
            return "<Diff (closed)>"
        return "<Diff %s: %d added, %d removed, %d changed>" % (
            self.relation, len(self.added), len(self.removed), len(self.changed))

    def _repr_html_(self):
        from ._display import diff_html
        return diff_html(self)


# ---------------------------------------------------------------- history

class BlameEntry:
    """Where one field's current value came from: field, type, value, and
    the version (with doc_number, effective_date, author) that set it."""

    __slots__ = ("field", "type", "value", "version", "doc_number", "effective_date", "author")

    def __init__(self, d, version):
        for k in ("field", "type", "value", "doc_number", "effective_date", "author"):
            setattr(self, k, d[k])
        self.version = version

    def __repr__(self):
        return "<BlameEntry %s=%s by %s %s>" % (self.field, self.value, self.doc_number, self.effective_date)


class Blame(_abc.Mapping):
    """Blame of an entity at a version, a read-only mapping field name →
    BlameEntry: ``blame["admin_quota"]``, ``"name" in blame``, ``blame.keys()``,
    ``blame.items()``; ``entries`` lists the BlameEntry values in field order."""

    def __init__(self, version, id):
        d = _c.pyto_blame(version._p, _text(id, "id"))
        self.id = id
        self.at = version
        self.created = version._wrap(d["created"])
        self.entries = [BlameEntry(e, version._wrap(e["version"])) for e in d["fields"]]
        self._by_field = {e.field: e for e in self.entries}

    def __iter__(self):
        return iter(self._by_field)

    def __len__(self):
        return len(self.entries)

    def __getitem__(self, field):
        try:
            return self._by_field[field]
        except (KeyError, TypeError):
            raise NotFound("field '%s' is not set on '%s'" % (field, self.id), NotFound.code) from None

    def _repr_html_(self):
        from ._display import blame_html
        return blame_html(self)

    def to_frame(self) -> "pd.DataFrame":
        """The blame as a DataFrame (field, value, version, doc_number, effective_date, author)."""
        import pandas as pd
        rows = [{"field": e.field, "value": e.value, "version": e.version.id if e.version else None,
                 "doc_number": e.doc_number, "effective_date": e.effective_date, "author": e.author}
                for e in self.entries]
        return pd.DataFrame(_c.pyto_transpose(rows, ["field", "value", "version", "doc_number", "effective_date",
                                                     "author"]))


class HistoryEntry:
    """A version that changed an entity: version, status, fields, events."""

    __slots__ = ("version", "status", "fields", "events")

    def __init__(self, at, d):
        self.version = at._wrap(d["version"])
        self.status = d["status"]
        self.fields = [FieldChange(t) for t in d["fields"]]
        self.events = [Event(e, self.version) for e in d["events"]]

    def __repr__(self):
        return "<HistoryEntry %s %s>" % (self.status, self.version.effective_date if self.version else "")


class Lineage:
    """Predecessors and successors of an entity: nodes (dicts id, name,
    kind, present, is_root), edges (dicts from_id, to_id, version, event),
    and renderings: dot, json, text; ``graph()`` for display."""

    def __init__(self, version, d):
        self.nodes = d["nodes"]
        self.edges = [dict(e, version=version._wrap(e["version"]), event=Event(e["event"])) for e in d["edges"]]
        self.dot = d["dot"]
        self.json = d["json"]
        self.text = d["text"]

    def graph(self):
        """The family tree as a Graph (DOT text; SVG where Graphviz is installed)."""
        from ._display import Graph
        return Graph(self.dot)

    def _repr_svg_(self):
        return self.graph()._repr_svg_()

    def _repr_html_(self):
        from ._display import lineage_html
        return lineage_html(self)

    def to_networkx(self) -> "nx.MultiDiGraph":
        """The lineage as a networkx.MultiDiGraph, predecessor → successor,
        one edge per event record (kind, date, event_id, version); nodes
        carry name, kind, present and is_root."""
        from ._nx import lineage_graph
        return lineage_graph(self)

    def __repr__(self):
        return "<Lineage %d nodes, %d edges>" % (len(self.nodes), len(self.edges))


# ---------------------------------------------------------------- validation

SEVERITIES = ("info", "warning", "error")


def builtin_rules():
    """The built-in rules: a list of (id, default severity, description)."""
    return _c.pyto_builtin_rules()


class RuleContext:
    """What a custom rule is given: its id, its parameters, and ``report()``.
    Valid only during the rule's call."""

    def __init__(self, ptr):
        self._ptr = ptr

    @property
    def _p(self):
        if self._ptr is None:
            raise ClosedError("a rule context is valid only during the rule's call")
        return self._ptr

    @property
    def rule(self):
        """The id of the running rule."""
        return _c.townorg_rule_ctx_rule(self._p)

    def param(self, name, default=None):
        """A parameter of the rule (decoded from JSON), or ``default``."""
        try:
            return _json.loads(_c.townorg_rule_param_json(self._p, _text(name, "name")))
        except NotFound:
            return default

    def report(self, message_zh=None, message_en=None, entity=None, severity=None, path=None, value=None,
               limit=None, value_text=None, version=None):
        """Report a finding (at least one message; the other is copied).
        ``severity`` None uses the rule's configured one."""
        if isinstance(version, Version):
            version = version.id
        _c.pyto_rule_report(self._p, severity, entity, path, value, limit, value_text, message_zh, message_en,
                            version)


class Policy:
    """Which rules run, with which parameters and severities, the dates it
    applies to, and its waivers.  ``Policy()`` holds the library's defaults;
    ``Policy.load(path)`` applies a policy file on top.  Custom rules are
    Python functions ``fn(ctx, version)`` registered with ``register_rule``
    or the ``rule`` decorator."""

    _ptr = _boxed()

    def __init__(self, path=None):
        _own(self, _c.townorg_policy_new() if path is None else _c.townorg_policy_load(_path(path)),
             _c.townorg_policy_free)
        self._pending = []
        self._custom = []

    @classmethod
    def load(cls, path: PathLike) -> "Policy":
        """The defaults with a policy file applied on top."""
        return cls(path)

    @classmethod
    def from_json(cls, text, name=None):
        """The defaults with a policy document (JSON text) applied on top."""
        p = cls()
        p.apply_json(text, name)
        return p

    @property
    def _p(self):
        if self._ptr is None:
            raise ClosedError("the policy is closed")
        return self._ptr

    def close(self):
        """Free the policy (and release its custom rules' functions)."""
        self._fin()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def apply_json(self, text, name=None):
        """Apply a policy document (JSON text); on error nothing changes."""
        _c.townorg_policy_apply_json(self._p, _text(text, "text"), name)

    def apply_file(self, path):
        """Apply a policy file."""
        _c.townorg_policy_apply_file(self._p, _path(path))

    title = property(lambda self: _c.townorg_policy_title(self._p), doc="The policy's title.")
    valid_from = property(lambda self: _c.townorg_policy_valid_from(self._p), doc="First day it applies.")
    valid_to = property(lambda self: _c.townorg_policy_valid_to(self._p), doc="Last day it applies.")

    def enable(self, rule, enabled=True):
        """Enable (or disable) a rule."""
        _c.townorg_policy_set_enabled(self._p, _text(rule, "rule"), 1 if enabled else 0)

    def disable(self, rule):
        """Disable a rule."""
        self.enable(rule, False)

    def set_severity(self, rule, severity):
        """Set a rule's severity: 'error', 'warning' or 'info'."""
        _c.townorg_policy_set_severity(self._p, _text(rule, "rule"), _c.townorg_severity_parse(severity))

    def set_param(self, rule, name, value):
        """Set a rule parameter to a Python value (checked as in a policy file)."""
        _c.townorg_policy_set_param(self._p, _text(rule, "rule"), _text(name, "name"),
                                    _json.dumps(value, ensure_ascii=False))

    def get_param(self, rule, name):
        """A rule parameter's current value."""
        return _json.loads(_c.townorg_policy_get_param(self._p, _text(rule, "rule"), _text(name, "name")))

    def waive(self, rule, entity, reason, document):
        """Add a waiver: findings of ``rule`` on ``entity`` are reported as
        waived, citing the approving ``document``."""
        _c.townorg_policy_add_waiver(self._p, rule, entity, reason, document)

    @property
    def waiver_count(self):
        """Number of waivers."""
        return _c.townorg_policy_waiver_count(self._p)

    def register_rule(self, id: str, check: "Callable[[RuleContext, Version], Any]", severity: Optional[str] = None,
                      params: Optional[Dict[str, Any]] = None, description: Optional[str] = None) -> None:
        """Register a custom rule: ``check(ctx, version)`` reads the version
        and calls ``ctx.report(...)``.  ``params``: default parameters (a
        dict, overridable by policy files and ``set_param``).  An exception
        raised by ``check`` aborts the validation and is re-raised."""
        if not callable(check):
            raise TypeError("check must be callable")
        pending = self._pending

        def trampoline(ctx_ptr, version_ptr):
            scope = _Scope()
            ctx = RuleContext(ctx_ptr)
            version = Version(version_ptr, scope)
            try:
                r = check(ctx, version)
                return int(r) if isinstance(r, int) and r < 0 else 0
            except BaseException as e:  # re-raised by Validation._run
                pending.append(e)
                return _c.TOWNORG_ERROR
            finally:
                scope.end()
                ctx._ptr = None

        _c.pyto_policy_register_rule(self._p, _text(id, "id"), severity,
                                     None if params is None else _json.dumps(params, ensure_ascii=False),
                                     description, trampoline)
        self._custom.append({"id": id, "severity": severity or "warning", "description": description or "",
                             "custom": True})

    def rule(self, id, severity=None, params=None, description=None):
        """Decorator form of ``register_rule``::

            @policy.rule("local.veterans-station", severity="warning")
            def veterans(ctx, version): ...
        """
        def deco(fn):
            self.register_rule(id, fn, severity=severity, params=params, description=description or fn.__doc__)
            return fn
        return deco

    def rules(self):
        """The rules the policy knows: dicts id, severity (the default),
        description, custom (registered from Python)."""
        out = [{"id": r[0], "severity": r[1], "description": r[2], "custom": False} for r in builtin_rules()]
        return out + [dict(r) for r in self._custom]

    def _repr_html_(self):
        from ._display import policy_html
        return policy_html(self)

    def validate(self, version: "Union[Version, Transaction]") -> "Validation":
        """Validate a Version (or a Transaction, as a dry run) with this policy."""
        if isinstance(version, Transaction):
            return version.validate(self)
        return version.validate(self)

    def __repr__(self):
        if self._ptr is None:
            return "<Policy (closed)>"
        return "<Policy %s>" % (self.title or "(untitled)")


class Finding:
    """One finding: rule, severity, entity, version_id, version_date, path,
    value, limit, value_text, message_zh, message_en, waived, waiver_reason,
    waiver_document."""

    FIELDS = ("rule", "severity", "entity", "version_id", "version_date", "path", "value", "limit", "value_text",
              "message_zh", "message_en", "waived", "waiver_reason", "waiver_document")
    __slots__ = FIELDS

    def __init__(self, d):
        for k in self.FIELDS:
            setattr(self, k, d[k])

    @property
    def message(self):
        """The Chinese message."""
        return self.message_zh

    def to_dict(self):
        """The finding as a dict."""
        return {k: getattr(self, k) for k in self.FIELDS}

    def __str__(self):
        return "%s %s %s: %s%s" % (self.severity, self.rule, self.entity or "-", self.message_zh,
                                   " [waived: %s]" % self.waiver_document if self.waived else "")

    def __repr__(self):
        return "<Finding %s>" % self

    def _repr_html_(self):
        from ._display import findings_html
        return findings_html([self])


class Validation:
    """The result of validating a version: findings (sorted), whether it
    conforms (no unwaived error), renderings, and ``to_frame()``."""

    def __init__(self, ptr, version=None):
        # The C result owns copies of everything it reports (no pointers
        # into versions), so it is kept until this object goes, and the
        # JSON and text renderings are made when first asked for.
        self._free = weakref.finalize(self, _c.townorg_validation_free, ptr)
        self._ptr = ptr
        self._renders = {}
        self._rows = _c.pyto_validation_findings(ptr)
        self.findings = [Finding(d) for d in self._rows]
        self.conforms = _c.townorg_validation_conforms(ptr)
        self.version = version

    def _render(self, how):
        r = self._renders.get(how)
        if r is None:
            r = self._renders[how] = _c.pyto_validation_render(self._ptr, how)
        return r

    @staticmethod
    def _run(policy, call, version):
        pp = None
        if policy is not None:
            if not isinstance(policy, Policy):
                raise TypeError("policy must be a townorg.Policy")
            pp = policy._p
            del policy._pending[:]
        try:
            ptr = call(pp)
        except Error:
            if policy is not None and policy._pending:
                exc = policy._pending[0]
                del policy._pending[:]
                # The rule's own exception, without the library's "rule …
                # failed" error chained to it.
                raise exc.with_traceback(exc.__traceback__) from None
            raise
        return Validation(ptr, version)

    def __len__(self):
        return len(self.findings)

    def __iter__(self):
        return iter(self.findings)

    def __getitem__(self, i):
        return self.findings[i]

    def __bool__(self):
        return True

    def by_rule(self, rule):
        """The findings of one rule."""
        return [f for f in self.findings if f.rule == rule]

    def count(self, severity, include_waived=False):
        """Number of findings of a severity ('error', 'warning', 'info')."""
        return sum(1 for f in self.findings if f.severity == severity and (include_waived or not f.waived))

    errors = property(lambda self: [f for f in self.findings if f.severity == "error" and not f.waived],
                      doc="Unwaived error findings.")
    warnings = property(lambda self: [f for f in self.findings if f.severity == "warning" and not f.waived],
                        doc="Unwaived warnings.")

    def to_frame(self, labels: str = "en") -> "pd.DataFrame":
        """The findings as a DataFrame, one row per finding: the Finding
        fields plus the entity's name, township, township_name, county and
        county_name (looked up in the validated version) and version (the
        short id, 12 digits); severity is an ordered categorical (info <
        warning < error), value and limit Int64, text columns of the
        ``string`` dtype.  ``labels="zh"``: Chinese column labels."""
        from ._frame import validation_frame
        return validation_frame(self, labels)

    def to_json(self):
        """The findings as JSON text (docs/format.md, "Validation JSON")."""
        return self._render("json")

    def to_text(self, lang="zh"):
        """The findings as text for people, in Chinese ('zh') or English ('en')."""
        return self._render("zh" if lang == "zh" else "en")

    def __repr__(self):
        return "<Validation %s: %d findings>" % ("conforms" if self.conforms else "does not conform",
                                                 len(self.findings))

    def _repr_html_(self):
        from ._display import findings_html
        return findings_html(self.findings, self.conforms)


# ---------------------------------------------------------------- keyword typos

def _suggesting(fn):
    """Wrap a function so that an unknown keyword argument raises a
    TypeError naming the closest valid one ("did you mean under=?")."""
    import functools
    import inspect
    try:
        params = [p.name for p in inspect.signature(fn).parameters.values()
                  if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name not in ("self", "cls")]
    except (TypeError, ValueError):
        return fn

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except TypeError as e:
            # Only the call's own binding failure (no deeper frame), not a
            # TypeError raised inside the function.
            tb = e.__traceback__
            if tb is not None and tb.tb_next is None and "unexpected keyword argument" in str(e):
                bad = [k for k in kwargs if k not in params]
                if bad:
                    name = fn.__name__ if fn.__name__ != "__init__" else fn.__qualname__.split(".")[0]
                    raise _unknown_kwarg(name, bad[0], params) from None
            raise
    return wrapper


def _suggest_kwargs(cls):
    """Apply _suggesting to the public methods (and __init__) of a class."""
    for name, value in list(vars(cls).items()):
        if name.startswith("_") and name != "__init__":
            continue
        if isinstance(value, classmethod):
            setattr(cls, name, classmethod(_suggesting(value.__func__)))
        elif isinstance(value, staticmethod):
            setattr(cls, name, staticmethod(_suggesting(value.__func__)))
        elif callable(value) and not isinstance(value, type):
            setattr(cls, name, _suggesting(value))
    return cls


for _cls in (Version, Repository, Transaction, Diff, Blame, Lineage, Policy, RuleContext, Validation):
    _suggest_kwargs(_cls)
del _cls
