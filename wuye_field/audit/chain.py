"""The per-site hash chain: every record is linked when it is stored; `verify` re-reads them all.

    hash = sha256(prev_hash || canonical JSON of {"kind", "id", "site", "content"})

`content` is what the record's kind loader returns for it *now* (domains register loaders with
`register_kind`; audit imports no domain). An edit of a record made directly in the database changes
its content, so `verify` names the first record whose hash no longer matches. Someone who rewrites
the whole chain after such an edit is caught by the head digests: `write_digests` appends each chain's
head (seq, hash) to a dated file outside the database (WUYE_CHAIN_DIGEST_DIR, default
<WUYE_DATA_DIR>/chain-digests/), daily by cron/systemd and on demand, and `verify` checks the chain
against every digest ever written.

Daily trigger (documented for operators)::

    # /etc/cron.d/wuye-chain-digest — 00:05 every day, as the app user
    5 0 * * * wuye cd /srv/wuye && .venv/bin/flask --app app wuye chain-digest

Copy the digest directory off the database host (backup, WORM bucket, or mail it): a digest is only
as trustworthy as the place it is kept.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import ARRAY, Integer, any_, bindparam, event, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from wuye_field.audit.models import GENESIS, ChainEntry, ChainHead
from wuye_field.core.database import Deferral, register_deferral
from wuye_field.core.time import as_utc
from wuye_field.extensions import db

Loader = Callable[[Sequence[int]], Mapping[int, dict]]
PAGE = 5000

_KINDS: dict[str, Loader] = {}


# ---------------------------------------------------------------- kinds and their content


def register_kind(kind: str, loader: Loader) -> None:
    """Register how to read the current content of records of `kind`: `loader(ids) → {id: dict}`.

    A loader returns nothing for an id whose record is gone. Registering the same kind again replaces it.
    """
    _KINDS[kind] = loader


def register_tables(columns_by_table: Mapping[str, Sequence[str]]) -> None:
    """Register each table as a kind of the same name, its content the listed columns (see table_loader)."""
    for table_name, columns in columns_by_table.items():
        register_kind(table_name, table_loader(table_name, tuple(columns)))


def registered_kinds() -> list[str]:
    return sorted(_KINDS)


def table_loader(table_name: str, columns: Sequence[str]) -> Loader:
    """A loader reading `columns` of the rows of `table_name` (by name, so audit imports no model).

    List the columns explicitly: a column added later must not change the content of old records.
    """

    def load(ids: Sequence[int]) -> dict[int, dict]:
        table = db.metadata.tables[table_name]
        query = select(table.c.id, *(table.c[name] for name in columns)).where(_id_in(table.c.id, ids))
        return {row[0]: dict(zip(columns, row[1:], strict=True)) for row in db.session.execute(query)}

    return load


def _id_in(column, ids: Sequence[int]):
    """`column IN ids`; on PostgreSQL one array parameter (`= ANY(:ids)`) instead of thousands of binds."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("ids", list(ids), type_=ARRAY(Integer)))
    return column.in_(list(ids))


def _jsonable(value):
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"cannot chain a {type(value).__name__}")


def canonical(kind: str, record_id: int, site_id: int, content: Mapping) -> bytes:
    """The canonical JSON (sorted keys, no spaces, UTF-8, times in UTC) that a link hashes."""
    envelope = {"kind": kind, "id": record_id, "site": site_id, "content": content}
    return json.dumps(envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_jsonable).encode("utf-8")


def link_hash(prev_hash: str, payload: bytes) -> str:
    """sha256(prev_hash || payload) as hex."""
    return hashlib.sha256(prev_hash.encode("ascii") + payload).hexdigest()


# ---------------------------------------------------------------- appending


_HEADS = "wuye_chain_heads"  # session.info key: {site id: its head row, locked by this transaction}
_PENDING = "wuye_chain_pending"  # session.info key while links are deferred: [(site, kind, id, time), …]


def _locked_head(site_id: int) -> ChainHead:
    """The site's head row, created if missing, locked FOR UPDATE (PostgreSQL) until the commit.

    Locked and read once per transaction: later appends of the same transaction reuse the row (nobody
    else can move a head this transaction holds), so a request or a day of demo history that links many
    records pays for the lock once. Forgotten when any transaction or savepoint ends. The row exists after
    a site's first record: read (and lock) it first, and insert it only when missing (ON CONFLICT DO
    NOTHING, so a racing first record only loses its insert).
    """
    held = db.session.info.setdefault(_HEADS, {})
    head = held.get(site_id)
    if head is not None:
        return head

    def locked() -> ChainHead | None:
        return db.session.scalars(select(ChainHead).where(ChainHead.site_id == site_id)
                                  .with_for_update().execution_options(populate_existing=True)).one_or_none()

    head = locked()
    if head is None:
        dialect = db.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        db.session.execute(insert(ChainHead).values(site_id=site_id, seq=0, hash=GENESIS).on_conflict_do_nothing())
        head = locked()
    held[site_id] = head
    return head


@event.listens_for(Session, "after_transaction_end")
def _forget_heads(session, transaction) -> None:
    if transaction.parent is None or transaction.nested:  # not the inner transaction of each flush
        session.info.pop(_HEADS, None)
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def defer_links() -> None:
    """From here on `append_records` only notes the records; `write_links()` links them all just before
    the commit, in the order they were noted.

    For a transaction that stores many records in savepoints (a batch replay, issue 13): the site's head
    is locked only around the final inserts (not while the records are made), read and written once per
    site, and each kind's content read back in one query. Records are append-only (R27), so the content
    read at the end is the content they were stored with. Wrap each savepoint in `mark()` / `restore()`."""
    db.session.info[_PENDING] = []


def mark() -> int:
    """How many records wait to be linked (to `restore()` when a savepoint is rolled back)."""
    return len(db.session.info.get(_PENDING) or ())


def restore(marked: int) -> None:
    """After rolling back a savepoint: forget the records noted inside it (they are gone)."""
    pending = db.session.info.get(_PENDING)
    if pending is not None:
        del pending[marked:]


def write_links() -> int:
    """Link every record noted since `defer_links()` and stop deferring: heads locked in site order,
    content read per kind in one query, the entries inserted in one statement, each head updated once.
    Returns how many were linked."""
    pending = db.session.info.pop(_PENDING, None) or []
    if not pending:
        return 0
    db.session.flush()
    ids_by_kind: dict[str, list[int]] = defaultdict(list)
    for _site, kind, record_id, _at in pending:
        ids_by_kind[kind].append(record_id)
    contents = {kind: _KINDS[kind](ids) for kind, ids in ids_by_kind.items()}
    heads = {site_id: _locked_head(site_id) for site_id in sorted({site for site, *_rest in pending})}
    rows = []
    for site_id, kind, record_id, at in pending:
        head = heads[site_id]
        link = link_hash(head.hash, canonical(kind, record_id, site_id, contents[kind][record_id]))
        rows.append({"site_id": site_id, "seq": head.seq + 1, "kind": kind, "record_id": record_id,
                     "prev_hash": head.hash, "hash": link, "created_at": at})
        head.seq, head.hash, head.updated_at = head.seq + 1, link, at
    db.session.execute(insert(ChainEntry), rows)  # one executemany; the heads go with the next flush
    return len(rows)


def lock(site_id: int) -> None:
    """Hold the site's chain head until the commit, for a rule that reads the chain's records before adding
    one (a month both have signed takes no more entries): a racing request waits for this one."""
    _locked_head(site_id)


def append(site_id: int, kind: str, record_id: int, content: Mapping, *, now: datetime,
           flush: bool = True) -> ChainEntry:
    """Link one record into its site's chain (flushed unless `flush` is False; the caller commits with it).

    Pass `content` exactly as the kind's loader will read it back (`append_records` does that for you).
    """
    head = _locked_head(site_id)
    entry = ChainEntry(site_id=site_id, seq=head.seq + 1, kind=kind, record_id=record_id, prev_hash=head.hash,
                       hash=link_hash(head.hash, canonical(kind, record_id, site_id, content)), created_at=now)
    db.session.add(entry)
    head.seq, head.hash, head.updated_at = entry.seq, entry.hash, now
    if flush:
        db.session.flush()
    return entry


register_deferral("chain_links", Deferral(start=defer_links, mark=mark, restore=restore, finish=write_links))


def append_records(site_id: int, kind: str, record_ids: Iterable[int], *, now: datetime) -> list[ChainEntry]:
    """Link flushed records of a registered kind, reading their content through its loader (so what
    is hashed is exactly what `verify` will read back from the database). While links are deferred
    (`defer_links`) the records are only noted and nothing is returned."""
    ids = list(record_ids)
    db.session.flush()
    pending = db.session.info.get(_PENDING)
    if pending is not None:
        pending.extend((site_id, kind, record_id, now) for record_id in ids)
        return []
    contents = _KINDS[kind](ids)
    entries = [append(site_id, kind, record_id, contents[record_id], now=now, flush=False) for record_id in ids]
    db.session.flush()  # the entries in one go, the head updated once
    return entries


# ---------------------------------------------------------------- digests outside the database


def digest_dir() -> Path:
    """Where head digests are written: WUYE_CHAIN_DIGEST_DIR, else <WUYE_DATA_DIR>/chain-digests."""
    configured = current_app.config.get("WUYE_CHAIN_DIGEST_DIR") or os.environ.get("WUYE_CHAIN_DIGEST_DIR")
    return Path(configured) if configured else Path(current_app.config["WUYE_DATA_DIR"]) / "chain-digests"


@dataclass(frozen=True)
class Digest:
    """A chain head as written to a digest file."""

    site_id: int
    seq: int
    hash: str
    written_at: str
    label: str = ""
    file: str = ""


def write_digests(*, now: datetime, directory: Path | None = None, site_ids: Iterable[int] | None = None,
                  labels: Mapping[int, str] | None = None) -> tuple[Path, list[Digest]]:
    """Append every (or the given) site's chain head to `<directory>/<UTC date>.jsonl`, fsync'd.

    Returns the file and the digests written. `labels` (site id → site code) make the file readable.
    """
    directory = directory or digest_dir()
    directory.mkdir(parents=True, exist_ok=True)
    query = select(ChainHead).order_by(ChainHead.site_id)
    if site_ids is not None:
        query = query.where(ChainHead.site_id.in_(list(site_ids)))
    written_at = as_utc(now).isoformat()
    digests = [Digest(h.site_id, h.seq, h.hash, written_at, (labels or {}).get(h.site_id, ""))
               for h in db.session.scalars(query)]
    path = directory / f"{as_utc(now):%Y-%m-%d}.jsonl"
    with path.open("a", encoding="utf-8") as out:
        for d in digests:
            out.write(json.dumps({"site_id": d.site_id, "site": d.label, "seq": d.seq, "hash": d.hash,
                                  "written_at": d.written_at}, ensure_ascii=False) + "\n")
        out.flush()
        os.fsync(out.fileno())
    return path, digests


def read_digests(site_id: int, directory: Path | None = None) -> list[Digest]:
    """Every digest of a site found in the digest files, oldest first (unreadable lines are skipped)."""
    directory = directory or digest_dir()
    found = []
    for path in sorted(directory.glob("*.jsonl")) if directory.is_dir() else []:
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
                if int(row["site_id"]) == site_id:
                    found.append(Digest(site_id, int(row["seq"]), str(row["hash"]), str(row.get("written_at", "")),
                                        str(row.get("site", "")), path.name))
            except (ValueError, KeyError, TypeError):
                continue
    return sorted(found, key=lambda d: (d.written_at, d.seq))


# ---------------------------------------------------------------- verifying


@dataclass(frozen=True)
class Problem:
    """The first thing in a chain that does not match: which entry, which record, why."""

    seq: int
    kind: str
    record_id: int
    reason: str  # changed | missing | broken | unknown_kind | digest | truncated | head
    message: str


@dataclass
class VerifyResult:
    """What `verify` found: records checked, the head, and the first problem (None when all match)."""

    site_id: int
    checked: int = 0
    first_seq: int | None = None
    head_seq: int = 0
    head_hash: str = GENESIS
    digests_checked: int = 0
    problem: Problem | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem is None


def _describe(entry_kind: str, record_id: int) -> str:
    return f"{entry_kind} #{record_id}"


def verify(site_id: int, *, directory: Path | None = None, page: int = PAGE) -> VerifyResult:
    """Walk the site's chain in order, re-hash every record's current content, compare with the links,
    the head row and every digest file; stop at the first problem.

    Reads only; the caller's session is expired first so that nothing cached hides an edit.
    """
    db.session.expire_all()
    result = VerifyResult(site_id)
    digests: dict[int, list[Digest]] = defaultdict(list)
    for d in read_digests(site_id, directory):
        digests[d.seq].append(d)
    last_good_digest = 0
    prev_hash: str | None = None
    expected_seq: int | None = None
    last_seq = 0
    while True:
        entries = list(db.session.execute(
            select(ChainEntry.seq, ChainEntry.kind, ChainEntry.record_id, ChainEntry.prev_hash, ChainEntry.hash)
            .where(ChainEntry.site_id == site_id, ChainEntry.seq > last_seq).order_by(ChainEntry.seq).limit(page)))
        if not entries:
            break
        contents: dict[str, Mapping[int, dict]] = {}
        by_kind: dict[str, list[int]] = defaultdict(list)
        for e in entries:
            by_kind[e.kind].append(e.record_id)
        for kind, ids in by_kind.items():
            if kind in _KINDS:
                contents[kind] = _KINDS[kind](ids)
        for e in entries:
            if prev_hash is None:  # the first entry left (older ones may have been purged by retention)
                prev_hash, expected_seq, result.first_seq = e.prev_hash, e.seq, e.seq
                if e.seq != 1:
                    result.notes.append(_("链从第 %(seq)d 条开始（更早的记录已按保存期限清除）。", seq=e.seq))
            problem = _check(site_id, e, prev_hash, expected_seq, contents)
            if problem is None:
                for d in digests.get(e.seq, ()):
                    result.digests_checked += 1
                    if d.hash != e.hash:
                        problem = Problem(e.seq, e.kind, e.record_id, "digest", _(
                            "链在第 %(seq)d 条（%(record)s）与 %(when)s 写下的摘要不符："
                            "第 %(after)d 条之后的记录连同哈希链被改写过。",
                            seq=e.seq, record=_describe(e.kind, e.record_id), when=d.written_at[:16],
                            after=last_good_digest))
                        break
                else:
                    if e.seq in digests:
                        last_good_digest = e.seq
            if problem is not None:
                result.problem = problem
                return result
            result.checked += 1
            prev_hash, expected_seq, last_seq = e.hash, e.seq + 1, e.seq
            result.head_seq, result.head_hash = e.seq, e.hash
    longest = max(digests, default=0)
    if longest > result.head_seq:
        result.problem = Problem(longest, "", 0, "truncated", _(
            "摘要记录链已有 %(n)d 条，数据库中只剩 %(m)d 条：链尾的记录被删除过。", n=longest, m=result.head_seq))
        return result
    head = db.session.get(ChainHead, site_id)
    if head is not None and (head.seq, head.hash) != (result.head_seq, result.head_hash):
        result.problem = Problem(head.seq, "", 0, "head", _(
            "链头（第 %(seq)d 条）与链中最后一条（第 %(last)d 条）不符。", seq=head.seq, last=result.head_seq))
    return result


def _check(site_id: int, e, prev_hash: str, expected_seq: int, contents) -> Problem | None:
    record = _describe(e.kind, e.record_id)
    if e.seq != expected_seq:
        return Problem(expected_seq, e.kind, e.record_id, "broken",
                       _("链在第 %(seq)d 条处缺失条目（下一条是第 %(next)d 条，%(record)s）。",
                         seq=expected_seq, next=e.seq, record=record))
    if e.prev_hash != prev_hash:
        return Problem(e.seq, e.kind, e.record_id, "broken",
                       _("第 %(seq)d 条（%(record)s）没有接在上一条之后：链被改动过。", seq=e.seq, record=record))
    if e.kind not in contents:
        return Problem(e.seq, e.kind, e.record_id, "unknown_kind",
                       _("第 %(seq)d 条的记录类型 %(kind)s 未登记，无法核对。", seq=e.seq, kind=e.kind))
    content = contents[e.kind].get(e.record_id)
    if content is None:
        return Problem(e.seq, e.kind, e.record_id, "missing",
                       _("第 %(seq)d 条记录（%(record)s）已不存在：被删除过。", seq=e.seq, record=record))
    if link_hash(prev_hash, canonical(e.kind, e.record_id, site_id, content)) != e.hash:
        return Problem(e.seq, e.kind, e.record_id, "changed",
                       _("第 %(seq)d 条记录（%(record)s）的内容与链中的哈希不符：记录被修改过。",
                         seq=e.seq, record=record))
    return None
