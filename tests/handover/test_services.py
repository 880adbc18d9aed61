"""Handover rules with a database (H1–H5, P8, P9): prefill, differences, 「重要」, lateness,
the second person's own password on one phone, corrections."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.handover import helpers as h
from wuye_field.audit.chain import verify
from wuye_field.core.errors import NotFound
from wuye_field.core.time import as_utc
from wuye_field.extensions import db
from wuye_field.handover import services
from wuye_field.handover.services import HandoverRefused

SECRET = "test-secret-key-not-for-production"


def test_counts_are_prefilled_from_the_post_then_from_the_last_handover(demo):
    """P9: the first handover starts from the configured counts, the next from what was last counted."""
    post = h.post(demo)
    assert services.prefill(post) == [("对讲机", 2), ("门禁钥匙", 1), ("警棍", 1), ("交接班记录本", 1)]
    handover = h.hand_over(demo, changes={"对讲机": (1, "missing", "一台在维修部")})
    assert dict(services.prefill(post))["对讲机"] == 1
    services.accept_handover(h.user("guard02"), handover.id,
                             h.accept_input(handover, counts={"警棍": 0}, notes={"警棍": "没找到警棍"}),
                             secret=SECRET, **h.field(h.SHIFT))
    db.session.commit()
    assert dict(services.prefill(post)) == {"对讲机": 1, "门禁钥匙": 1, "警棍": 0, "交接班记录本": 1}


def test_a_missing_item_needs_the_missing_state_and_a_note(demo):
    """H2: anything missing or broken is explained and written down."""
    post = h.post(demo)
    with pytest.raises(HandoverRefused, match="「对讲机」比上一班少 1 个"):
        services.submit_handover(h.user("guard01"), post.id, h.handover_input(post, {"对讲机": (1, "ok", "")}),
                                 **h.field())
    with pytest.raises(HandoverRefused, match="「对讲机」缺失，请写明情况"):
        services.submit_handover(h.user("guard01"), post.id, h.handover_input(post, {"对讲机": (1, "missing", "")}),
                                 **h.field())
    with pytest.raises(HandoverRefused, match="数量须为"):
        services.submit_handover(h.user("guard01"), post.id, h.handover_input(post, {"警棍": ("-1", "ok", "")}),
                                 **h.field())


def test_the_shift_is_the_nearest_start_and_early_handovers_are_flagged(demo):
    handover = h.hand_over(demo, at=h.SHIFT - timedelta(minutes=40))
    assert as_utc(handover.shift_start) == h.SHIFT
    entry = services.timeline(h.post(demo), now=h.SHIFT)[0]
    assert entry.early  # before the 10-minute window (H1)


def test_the_incoming_person_records_a_difference_with_a_note(demo):
    handover = h.hand_over(demo)
    with pytest.raises(HandoverRefused, match="请写明差异"):
        services.accept_handover(h.user("guard02"), handover.id, h.accept_input(handover, counts={"对讲机": 1}),
                                 secret=SECRET, **h.field(h.SHIFT))
    acceptance = services.accept_handover(
        h.user("guard02"), handover.id, h.accept_input(handover, counts={"对讲机": 1}, notes={"对讲机": "只有一台"}),
        secret=SECRET, **h.field(h.SHIFT))
    db.session.commit()
    [difference] = acceptance.differences
    assert (difference.name, difference.handed, difference.counted, difference.note) == ("对讲机", 2, 1, "只有一台")


def test_an_important_matter_blocks_acceptance_until_taken_over(demo):
    """H4: 「重要」 may not be handed over silently."""
    handover = h.hand_over(demo, matters=[("3栋电梯困人，已报维修", True), ("快递柜门没关", False)])
    [important] = handover.important_matters
    with pytest.raises(HandoverRefused, match="有「重要」事项未接手：3栋电梯困人"):
        services.accept_handover(h.user("guard02"), handover.id, h.accept_input(handover), secret=SECRET,
                                 **h.field(h.SHIFT))
    acceptance = services.accept_handover(h.user("guard02"), handover.id,
                                          h.accept_input(handover, takeovers=[important.id]), secret=SECRET,
                                          **h.field(h.SHIFT))
    db.session.commit()
    assert [t.matter_id for t in acceptance.takeovers] == [important.id]


def test_late_acceptance_and_no_acceptance_are_flagged(demo):
    post = h.post(demo)
    handover = h.hand_over(demo)
    supervisor = h.user("supervisor01")

    def late_ids(user, minutes):
        return [s.post.id for s in services.late_posts(user, now=h.SHIFT + timedelta(minutes=minutes))]

    assert post.id not in late_ids(supervisor, 29)
    assert post.id in late_ids(supervisor, 31)
    assert late_ids(h.user("guard01"), 31) == []  # flagged to supervisors
    services.accept_handover(h.user("guard02"), handover.id, h.accept_input(handover), secret=SECRET,
                             **h.field(h.SHIFT + timedelta(minutes=45)))
    db.session.commit()
    [entry] = services.timeline(post, now=h.SHIFT + timedelta(hours=1))
    assert entry.acceptance is not None and entry.late
    assert post.id not in late_ids(supervisor, 60)


def test_the_outgoing_person_cannot_accept_their_own_handover(demo):
    handover = h.hand_over(demo)
    with pytest.raises(HandoverRefused, match="交班人不能自己接班"):
        services.accept_handover(h.user("guard01"), handover.id, h.accept_input(handover), secret=SECRET,
                                 **h.field(h.SHIFT))


def test_on_one_phone_the_second_person_enters_their_own_password(demo):
    handover = h.hand_over(demo)
    guard01 = h.user("guard01")
    with pytest.raises(HandoverRefused, match="密码不正确"):
        services.cosign(guard01, handover.id, "guard02", "wrong-password", secret=SECRET, now=h.SHIFT)
    with pytest.raises(HandoverRefused, match="不能是交班人本人"):
        services.cosign(guard01, handover.id, "guard01", "wuye-demo", secret=SECRET, now=h.SHIFT)
    with pytest.raises(HandoverRefused, match="不在本岗位"):
        services.cosign(guard01, handover.id, "cleaner01", "wuye-demo", secret=SECRET, now=h.SHIFT)
    incoming, token = services.cosign(guard01, handover.id, "guard02", "wuye-demo", secret=SECRET, now=h.SHIFT)
    assert incoming.staff_no == "guard02"
    with pytest.raises(HandoverRefused, match="接班人验证无效"):  # a forged or foreign token
        services.accept_handover(guard01, handover.id, h.accept_input(handover, token=token + "x"), secret=SECRET,
                                 **h.field(h.SHIFT))
    acceptance = services.accept_handover(guard01, handover.id, h.accept_input(handover, token=token),
                                          secret=SECRET, **h.field(h.SHIFT))
    db.session.commit()
    assert (acceptance.user.staff_no, acceptance.recorded_by_id, acceptance.cosigned) == ("guard02", guard01.id, True)


def test_a_handover_is_accepted_once(demo):
    handover = h.hand_over(demo)
    services.accept_handover(h.user("guard02"), handover.id, h.accept_input(handover), secret=SECRET,
                             **h.field(h.SHIFT))
    db.session.commit()
    with pytest.raises(HandoverRefused, match="已由李强于 19:00 接班") as refused:
        services.accept_handover(h.user("supervisor01"), handover.id, h.accept_input(handover), secret=SECRET,
                                 **h.field(h.SHIFT))
    assert refused.value.status == 409


def test_a_correction_is_a_new_record_and_the_timeline_shows_both(demo):
    """H5: the original stays as it was; the correction points at it with a reason."""
    post = h.post(demo)
    original = h.hand_over(demo)
    with pytest.raises(HandoverRefused, match="请写明更正原因"):
        services.correct_handover(h.user("guard01"), original.id, h.handover_input(post), "", **h.field())
    correction, _pending = services.correct_handover(
        h.user("guard01"), original.id, h.handover_input(post, {"对讲机": (1, "missing", "一台借给巡逻队")}),
        "点错了对讲机", **h.field(h.MADE + timedelta(minutes=2)))
    db.session.commit()
    assert (correction.corrects_id, correction.root_id, correction.reason) == (original.id, original.id, "点错了对讲机")
    [entry] = services.timeline(post, now=h.SHIFT)
    assert [v.id for v in entry.versions] == [original.id, correction.id]
    assert [i.counted for i in entry.original.items][0] == 2 and [i.counted for i in entry.current.items][0] == 1
    assert entry.current.items[0].expected == 2  # the shift started with two
    assert verify(demo.id).ok


def test_an_accepted_handover_cannot_be_corrected_and_strangers_cannot_correct(demo):
    original = h.hand_over(demo)
    with pytest.raises(NotFound):
        services.correct_handover(h.user("guard02"), original.id, h.handover_input(h.post(demo)), "x", **h.field())
    services.accept_handover(h.user("guard02"), original.id, h.accept_input(original), secret=SECRET,
                             **h.field(h.SHIFT))
    db.session.commit()
    with pytest.raises(HandoverRefused, match="不能再更正"):
        services.correct_handover(h.user("guard01"), original.id, h.handover_input(h.post(demo)), "x", **h.field())


def test_site_scoping_and_post_kinds(demo, factories):
    other = factories.site()
    stranger = factories.user(role="guard", site=other)
    with pytest.raises(NotFound):
        services.get_post(stranger, h.post(demo).id)
    desk = h.post(demo, "DESK")
    assert desk.window_min == 5  # H1: the desk hands over 5 minutes before
    with pytest.raises(NotFound):  # a guard does not hand over the service desk
        services.submit_handover(h.user("guard01"), desk.id, h.handover_input(desk), **h.field())
    handover, _ = services.submit_handover(h.user("desk01"), desk.id, h.handover_input(desk), **h.field())
    assert handover.post.kind == "desk"


def test_every_record_is_chained(demo):
    handover = h.hand_over(demo, matters=[("重要的事", True)])
    services.accept_handover(h.user("guard02"), handover.id,
                             h.accept_input(handover, takeovers=[m.id for m in handover.important_matters]),
                             secret=SECRET, **h.field(h.SHIFT))
    db.session.commit()
    result = verify(demo.id)
    # handover + 4 items + 1 matter, acceptance + 4 items + 1 takeover
    assert result.ok and result.checked == 12
