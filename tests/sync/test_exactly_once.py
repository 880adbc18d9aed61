"""Exactly once, under a randomised network: drops, lost answers, duplicates and reordering (Hypothesis)."""
from __future__ import annotations

import uuid

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from sqlalchemy import func, select

from tests.sync import helpers
from wuye_field.photos.models import Photo
from wuye_field.photos.links import pending_photo_counts
from wuye_field.extensions import db
from wuye_field.patrol.models import Scan

PHOTOS = [helpers.jpeg(64 + 8 * i, 48) for i in range(3)]
NETWORK = st.sampled_from(["ok", "ok", "request_lost", "answer_lost"])


def test_randomised_replays_store_every_action_exactly_once(client, auth, demo):
    """R1, R3, R6: a phone makes N actions (some with photos) and sends them over a bad network —
    requests dropped, answers lost, items re-sent and sent out of order. At the end every action is on
    the server exactly once (rows ÷ unique UUIDs = 1.000, 0 lost) and no photo is still pending."""
    auth.login("guard01")
    tokens = [helpers.place(demo, code).tag_token for code in ("CP01", "CP05", "CP08")]
    totals = {"created": 0, "rows": 0, "photos": 0, "photo_rows": 0, "requests": 0}

    class Phone(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.created: list[dict] = []
            self.outbox: list[dict] = []
            self.acked: list[dict] = []

        def _post(self, send, network):
            """One request over the network: it may never arrive, or arrive and lose its answer."""
            if network == "request_lost":
                return None
            totals["requests"] += 1
            response = send()
            assert response.status_code in (200, 201), response.get_json()
            return None if network == "answer_lost" else response

        def _send_item(self, item, network_for):
            for photo in item["photos"]:  # photos first, as the outbox does
                if not photo["acked"]:
                    answer = self._post(lambda p=photo: helpers.post_photo(client, p["data"], p["uuid"]), network_for())
                    photo["acked"] = answer is not None
                    if not photo["acked"]:
                        return None  # the outbox stops this item here and retries it later
            photo_ids = ",".join(p["uuid"] for p in item["photos"])
            answer = self._post(lambda: helpers.post_scan(client, item["token"], item["key"], note=item["note"],
                                                          photo_ids=photo_ids, device_time=item["made"]), network_for())
            return answer

        @rule(token=st.sampled_from(tokens), note=st.text(max_size=12), n_photos=st.integers(0, 2))
        def create(self, token, note, n_photos):
            photos = [{"uuid": str(uuid.uuid4()), "data": PHOTOS[i % len(PHOTOS)], "acked": False}
                      for i in range(n_photos)]
            item = {"key": str(uuid.uuid4()), "token": token, "note": note, "photos": photos,
                    "made": helpers.datetime.now(helpers.SHANGHAI)}
            self.created.append(item)
            self.outbox.append(item)

        @precondition(lambda self: self.outbox)
        @rule(data=st.data())
        def send_one(self, data):
            """Any waiting item (not necessarily the oldest: reordering), over an unreliable network."""
            item = data.draw(st.sampled_from(self.outbox))
            if self._send_item(item, lambda: data.draw(NETWORK)) is not None:
                self.outbox.remove(item)
                self.acked.append(item)

        @precondition(lambda self: self.created)
        @rule(data=st.data())
        def record_without_its_photos(self, data):
            """The record goes out before its photos (another phone build, or a photo stuck): R6."""
            item = data.draw(st.sampled_from(self.created))
            photo_ids = ",".join(p["uuid"] for p in item["photos"])
            self._post(lambda: helpers.post_scan(client, item["token"], item["key"], note=item["note"],
                                                 photo_ids=photo_ids, device_time=item["made"]), "answer_lost")

        @precondition(lambda self: self.acked)
        @rule(data=st.data())
        def duplicate(self, data):
            """An acknowledged item sent again (a second tab, a restored backup): a 200 replay."""
            item = data.draw(st.sampled_from(self.acked))
            response = self._send_item(item, lambda: "ok")
            assert response.status_code == 200 and response.headers["Idempotent-Replayed"] == "true"

        @invariant()
        def never_stored_twice(self):
            keys = [i["key"] for i in self.created]
            if keys:
                doubled = db.session.scalars(select(Scan.client_uuid).where(Scan.client_uuid.in_(keys))
                                             .group_by(Scan.client_uuid).having(func.count() > 1)).all()
                assert doubled == []

        def teardown(self):
            # The network comes back for good: the outbox drains in creation order.
            for item in [i for i in self.created if i in self.outbox]:
                assert self._send_item(item, lambda: "ok") is not None
            keys = [i["key"] for i in self.created]
            photo_keys = [p["uuid"] for i in self.created for p in i["photos"]]
            rows = (db.session.scalar(select(func.count()).select_from(Scan).where(Scan.client_uuid.in_(keys)))
                    if keys else 0)
            photo_rows = (db.session.scalar(
                select(func.count()).select_from(Photo).where(Photo.client_uuid.in_(photo_keys))) if photo_keys else 0)
            assert rows == len(keys) and photo_rows == len(photo_keys)
            ids = db.session.scalars(select(Scan.id).where(Scan.client_uuid.in_(keys))).all() if keys else []
            assert pending_photo_counts("scan", ids) == {}
            totals["created"] += len(keys)
            totals["rows"] += rows
            totals["photos"] += len(photo_keys)
            totals["photo_rows"] += photo_rows

    run_state_machine_as_test(Phone, settings=settings(
        max_examples=25, stateful_step_count=25, deadline=None, database=None, derandomize=False,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    ))
    assert totals["created"] > 0
    assert totals["rows"] / totals["created"] == 1.0
    assert totals["photo_rows"] == totals["photos"]
    print(f"\nexactly-once: {totals['rows']} rows / {totals['created']} unique UUIDs = "
          f"{totals['rows'] / totals['created']:.3f}, lost 0; photos {totals['photo_rows']}/{totals['photos']}; "
          f"{totals['requests']} requests")
