# SPDX-License-Identifier: MulanPSL-2.0
"""Three-way merge, merge base, patch and the version log (townorg/merge.h).

Design: ``Repository.merge(theirs, into=...)`` returns a :class:`Merge`
that owns the C merge result (freed with the repository at the latest,
like a Diff).  Its status, base, target and conflicts are read once; a
clean three-way merge holds a transaction that can be amended through
``Merge.transaction`` (a borrowed Transaction) before ``commit()``.  When
``into`` names a branch, ``commit()`` moves that branch atomically with the
commit (the C library checks that it still points at ``ours``).

``Transaction.apply(diff)`` is the patch: the diff's changes applied on the
transaction's state, refused (Conflict naming the entity and field) when the
target no longer has the diff's "before" values.

``Repository.log()`` is a DataFrame of versions newest first, walking every
parent (a version appears once), with the refs (branches and tags) that
point at each version.
"""

from . import _core
from ._core import _c

MERGE_STATUSES = ("up_to_date", "fast_forward", "clean", "conflicts")


class MergeConflict:
    """One conflict of a three-way merge: the entity (``id``, ``kind``),
    the ``field`` and its three values as text (``base``, ``ours``,
    ``theirs``; None where unset or removed), and what each side did to the
    entity (``ours_did``, ``theirs_did``: 'added', 'removed', 'changed' or
    'unchanged')."""

    FIELDS = ("id", "kind", "field", "type", "base", "ours", "theirs", "ours_did", "theirs_did")
    __slots__ = FIELDS

    def __init__(self, d):
        for k in self.FIELDS:
            setattr(self, k, d[k])

    def to_dict(self):
        """The conflict as a dict."""
        return {k: getattr(self, k) for k in self.FIELDS}

    def __repr__(self):
        return "<MergeConflict %s.%s: base %r, ours %r, theirs %r>" % (self.id, self.field, self.base, self.ours,
                                                                      self.theirs)


class Merge:
    """The result of merging ``theirs`` into ``ours``.

    ``status`` is 'up_to_date' (nothing to do), 'fast_forward' (ours is an
    ancestor of theirs), 'clean' (a three-way merge ready to commit) or
    'conflicts' (nothing can be committed; see ``conflicts``).  ``commit()``
    records the result (and moves the branch given as ``into``).
    """

    _ptr = _core._boxed()

    def __init__(self, repo, ours, theirs, into=None):
        self._repo = repo
        self._txn = None
        _core._own(self, _c.pyto_merge(repo._p, ours._p if ours is not None else None, theirs._p),
                   _c.townorg_merge_result_free)
        repo._deps.add(self)
        self.ours, self.theirs, self.into = ours, theirs, into
        info = _c.pyto_merge_info(self._ptr)
        self.status = info["status"]
        self.fast_forward = info["fast_forward"]
        self.base = repo._v(info["base"])
        self.target = repo._v(info["target"])
        self.applied = info["applied"]
        self.conflicts = [MergeConflict(d) for d in info["conflicts"]]
        self.version = None

    @property
    def _p(self):
        if self._ptr is None:
            raise _core.ClosedError("the merge was committed or discarded (or its repository was closed)")
        return self._ptr

    def _release(self):
        if self._txn is not None:
            self._txn._ptr = None
            self._txn = None
        self._fin()

    def discard(self):
        """Drop the result (and its transaction) without committing."""
        self._release()

    @property
    def ok(self):
        """True unless there are conflicts."""
        return self.status != "conflicts"

    @property
    def transaction(self):
        """The transaction of a clean three-way merge (to resolve an
        IntegrityError or add events before committing); None otherwise."""
        if self._txn is None:
            p = _c.townorg_merge_result_txn(self._p)
            if p is None:
                return None
            self._txn = _core.Transaction._borrow(self._repo, p)
        return self._txn

    def preview(self):
        """The merged state as a Version (not committed).  Conflict when
        there are conflicts, IntegrityError when the merged state breaks a
        structural rule."""
        return _core.Version(_c.townorg_merge_result_preview(self._p), self._repo)

    def conflicts_frame(self):
        """The conflicts as a DataFrame (one row per entity and field)."""
        import pandas as pd
        return pd.DataFrame(_c.pyto_transpose([c.to_dict() for c in self.conflicts], list(MergeConflict.FIELDS)))

    def commit(self, **meta):
        """Record the result and return the resulting Version: the merge
        version (parents ours, theirs) for a clean merge, theirs for a
        fast-forward, ours when up to date.  The branch given as ``into``
        moves with it.  Keyword metadata as for ``Repository.transaction``
        (unknown keywords raise TypeError).  Conflict when there are
        conflicts (nothing changes)."""
        _core._check_meta(meta, "commit")
        if self.status == "conflicts":
            raise _core.Conflict("the merge has %d conflicts (first: %s.%s); resolve them before committing"
                                 % (len(self.conflicts), self.conflicts[0].id, self.conflicts[0].field),
                                 _core.Conflict.code)
        p = _c.pyto_merge_commit(self._p, meta or None, self.into)
        self.version = self._repo._v(p)
        self._release()
        return self.version

    def __repr__(self):
        extra = " %d conflicts" % len(self.conflicts) if self.conflicts else ""
        return "<Merge %s%s>" % (self.status, extra)

    def _repr_html_(self):
        from ._display import merge_html
        return merge_html(self)


def merge_base(repo, a, b):
    """The best common ancestor of two versions, or None."""
    a, b = repo._version(a), repo._version(b)
    return repo._v(_c.townorg_merge_base(a._p if a is not None else None, b._p if b is not None else None))


def log(repo, ref=None, all=False, max_count=None):
    """The versions as a DataFrame newest first (see Repository.log)."""
    import pandas as pd
    if all:
        versions = list(reversed(repo.versions))
    else:
        start = repo._version("main" if ref is None else ref)
        versions, seen, stack = [], set(), [] if start is None else [start]
        # Every parent, each version once, newest (by position) first: a
        # depth-first walk collecting, then a sort by repository position.
        while stack:
            v = stack.pop()
            if v.id in seen:
                continue
            seen.add(v.id)
            versions.append(v)
            stack.extend(v.parents)
        pos = {v.id: i for i, v in enumerate(repo.versions)}
        versions.sort(key=lambda v: pos.get(v.id, -1), reverse=True)
    if max_count is not None:
        if isinstance(max_count, bool) or not isinstance(max_count, int) or max_count < 0:
            raise TypeError("max_count must be a non-negative int")
        versions = versions[:max_count]
    cols = _c.pyto_log_columns([v._p for v in versions])
    refs = {}
    for name, head in repo.branches.items():
        if head is not None:
            refs.setdefault(head.id, []).append(name)
    for name, v in repo.tags.items():
        refs.setdefault(v.id, []).append("tag:" + name)
    cols["refs"] = [refs.get(i, []) for i in cols["id"]]
    df = pd.DataFrame(cols, columns=["id", "date", "document", "message", "author", "parents", "refs"])
    for c in ("date", "document", "message", "author"):
        df[c] = df[c].astype("string")
    df["date"] = pd.to_datetime(df["date"], errors="coerce")
    return df
