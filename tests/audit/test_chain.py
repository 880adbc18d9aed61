"""The per-site hash chain: an edit made directly in the database (triggers dropped) is named by
`verify-chain`; a rewrite of the whole chain is caught by the digest files (H5, R27)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, text

from tests.handover import helpers as h
from wuye_field.audit import chain
from wuye_field.audit.models import ChainEntry, ChainHead
from wuye_field.audit.services import log_admin_change
from wuye_field.audit.triggers import drop_append_only, make_append_only, record_tables
from wuye_field.extensions import db
from wuye_field.handover.models import HandoverItem

NOW = datetime(2026, 5, 2, 0, 5, tzinfo=timezone.utc)


def _tamper(statement: str, **params) -> None:
    """What an intruder with database access does: drop the triggers, edit, put the triggers back."""
    tables = {t: c for t, c in record_tables().items() if t.startswith(("handover", "audit_"))}
    drop_append_only(tables)
    db.session.execute(text(statement), params)
    make_append_only(tables)
    db.session.commit()


def _rewrite_chain(site_id: int) -> None:
    """Recompute every link from the records' current content (a thorough intruder)."""
    drop_append_only({"audit_chain": "created_at"})
    prev = "0" * 64
    for entry in db.session.scalars(select(ChainEntry).where(ChainEntry.site_id == site_id).order_by(ChainEntry.seq)):
        content = chain._KINDS[entry.kind]([entry.record_id])[entry.record_id]
        new = chain.link_hash(prev, chain.canonical(entry.kind, entry.record_id, site_id, content))
        db.session.execute(text("UPDATE audit_chain SET prev_hash = :p, hash = :h WHERE id = :id"),
                           {"p": prev, "h": new, "id": entry.id})
        prev = new
    db.session.execute(text("UPDATE audit_chain_head SET hash = :h WHERE site_id = :s"), {"h": prev, "s": site_id})
    make_append_only({"audit_chain": "created_at"})
    db.session.commit()


def test_a_fresh_chain_verifies(demo):
    h.hand_over(demo)
    result = chain.verify(demo.id)
    assert result.ok and result.checked == 5 and result.head_seq == 5
    head = db.session.get(ChainHead, demo.id)
    assert (head.seq, head.hash) == (5, result.head_hash)


def test_canonical_json_is_stable_and_covers_kind_and_site():
    a = chain.canonical("k", 1, 2, {"b": 1, "a": datetime(2026, 1, 1, 8, tzinfo=timezone(timedelta(hours=8)))})
    b = chain.canonical("k", 1, 2, {"a": datetime(2026, 1, 1, 0), "b": 1})
    assert a == b == b'{"content":{"a":"2026-01-01T00:00:00+00:00","b":1},"id":1,"kind":"k","site":2}'
    assert chain.canonical("k", 1, 3, {}) != chain.canonical("k", 1, 2, {})


def test_editing_one_record_in_the_database_is_named(demo, runner):
    """R27 — the verifier reports an out-of-band change and names the record."""
    first = h.hand_over(demo)
    h.hand_over(demo, at=h.MADE + timedelta(hours=12))
    radio = next(item for item in first.items if item.name == "对讲机")
    radio_id = radio.id
    _tamper("UPDATE handover_item SET counted = 5 WHERE id = :id", id=radio_id)
    result = chain.verify(demo.id)
    assert not result.ok
    problem = result.problem
    assert (problem.kind, problem.record_id, problem.reason) == ("handover_item", radio_id, "changed")
    assert db.session.get(HandoverItem, radio_id).counted == 5

    outcome = runner.invoke(args=["wuye", "verify-chain", "DEMO"])
    assert outcome.exit_code == 1
    assert f"handover_item #{radio_id}" in outcome.output and "被修改过" in outcome.output


def test_a_deleted_record_is_named(demo):
    handover = h.hand_over(demo)
    matter_free_item = handover.items[-1].id
    _tamper("DELETE FROM handover_item WHERE id = :id", id=matter_free_item)
    result = chain.verify(demo.id)
    assert (result.problem.record_id, result.problem.reason) == (matter_free_item, "missing")


def test_verify_chain_command_passes_on_an_intact_chain(demo, runner):
    h.hand_over(demo)
    outcome = runner.invoke(args=["wuye", "verify-chain", "DEMO"])
    assert outcome.exit_code == 0, outcome.output
    assert "OK DEMO: 5 records" in outcome.output
    assert runner.invoke(args=["wuye", "verify-chain", "NOPE"]).exit_code != 0


def test_rewriting_the_whole_chain_is_caught_by_the_digest_file(demo, runner, app, tmp_path):
    app.config["WUYE_CHAIN_DIGEST_DIR"] = str(tmp_path / "digests")
    first = h.hand_over(demo)
    outcome = runner.invoke(args=["wuye", "chain-digest"])  # the daily job
    assert outcome.exit_code == 0 and "chain heads written" in outcome.output
    [line] = [json.loads(x) for f in (tmp_path / "digests").glob("*.jsonl") for x in f.read_text().splitlines()
              if json.loads(x)["site_id"] == demo.id]
    assert line["site"] == "DEMO" and line["seq"] == 5
    h.hand_over(demo, at=h.MADE + timedelta(hours=12))
    _tamper("UPDATE handover_item SET counted = 0 WHERE id = :id", id=first.items[0].id)
    assert chain.verify(demo.id).problem.reason == "changed"
    _rewrite_chain(demo.id)
    result = chain.verify(demo.id)
    assert not result.ok and result.problem.reason == "digest" and result.problem.seq == 5
    assert "摘要不符" in result.problem.message
    outcome = runner.invoke(args=["wuye", "verify-chain", "DEMO"])
    assert outcome.exit_code == 1 and "摘要不符" in outcome.output


def test_a_shortened_chain_is_caught_by_the_digest_file(demo, tmp_path):
    h.hand_over(demo)
    chain.write_digests(now=NOW, directory=tmp_path)
    drop_append_only({"audit_chain": "created_at"})
    db.session.execute(text("DELETE FROM audit_chain WHERE seq = 5"))
    db.session.execute(text("UPDATE audit_chain_head SET seq = 4, hash = (SELECT hash FROM audit_chain WHERE seq = 4)"))
    make_append_only({"audit_chain": "created_at"})
    db.session.commit()
    result = chain.verify(demo.id, directory=tmp_path)
    assert result.problem.reason == "truncated"


def test_admin_changes_are_logged_chained_and_append_only(demo):
    admin = h.user("admin01")
    change = log_admin_change(admin, demo.id, "巡更间隔 CP05", {"interval": 240}, {"interval": 120}, now=NOW)
    db.session.commit()
    assert (change.actor_name, json.loads(change.after)) == ("赵敏", {"interval": 120})
    assert chain.verify(demo.id).ok
    _tamper("UPDATE audit_admin_change SET after = '{\"interval\": 480}' WHERE id = :id", id=change.id)
    problem = chain.verify(demo.id).problem
    assert (problem.kind, problem.record_id) == ("admin_change", change.id)
