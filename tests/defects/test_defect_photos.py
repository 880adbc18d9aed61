"""Issue 4 "Photos on the server", seen through a defect: the photo a guard takes is re-encoded (orientation
applied, EXIF and GPS gone), kept as display + thumbnail, and served only to signed-in users of the defect's site.
The pipeline's own rules are tested in tests/photos (test_processing.py, test_upload.py); this checks the defect
path end to end."""
from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from tests.defects.test_defects import post_defect
from tests.sync import helpers
from tests.sync.helpers import new_key, post_photo
from wuye_field.photos.models import Photo
from wuye_field.extensions import db


def test_defect_photo_is_cleaned_and_served_to_the_site_only(client, auth, demo, factories):
    other = factories.site(code="FAR")
    factories.user(role="supervisor", site=other, staff_no="farsup")
    db.session.commit()
    auth.login("guard01")
    rotated, gps = new_key(), new_key()
    assert post_photo(client, helpers.rotated_jpeg(), rotated, filename="IMG_1.jpg").status_code == 201
    assert post_photo(client, helpers.jpeg_with_gps_and_comment(), gps).status_code == 201
    response = post_defect(client, place_id=str(helpers.place(demo).id), photo_ids=f"{rotated},{gps}")
    assert response.status_code == 201
    defect_id = response.get_json()["defect"]["id"]
    auth.logout()

    auth.login("supervisor01")
    page = client.get(f"/defects/{defect_id}").get_data(as_text=True)
    assert page.index(f"/photos/{rotated}/display.jpg") < page.index(f"/photos/{gps}/display.jpg")
    with client.get(f"/photos/{rotated}/display.jpg") as shown:
        image = Image.open(io.BytesIO(shown.data))
        assert shown.status_code == 200 and image.size == (200, 400)  # EXIF orientation applied
        assert image.getpixel((100, 50))[0] > 200  # red on top, as the phone showed it
    with client.get(f"/photos/{gps}/display.jpg") as shown:
        image = Image.open(io.BytesIO(shown.data))
        assert not image.getexif() and b"secret-home-address" not in shown.data  # EXIF, GPS, comment stripped
    with client.get(f"/photos/{gps}/thumb.jpg") as thumb:
        assert max(Image.open(io.BytesIO(thumb.data)).size) <= 320
    list_html = client.get("/defects").get_data(as_text=True)
    assert f"/photos/{rotated}/thumb.jpg" in list_html
    auth.logout()

    auth.login("farsup", "password-123")
    assert client.get(f"/photos/{rotated}/display.jpg").status_code == 404
    assert client.get(f"/defects/{defect_id}").status_code == 404
    auth.logout()
    assert client.get(f"/photos/{rotated}/display.jpg").status_code in (302, 401)


def test_png_named_jpg_is_taken_as_png_and_a_fake_jpg_is_refused_in_chinese(client, auth, demo):
    """Only what Pillow opens counts: a PNG named .jpg is stored (as JPEG); HTML named .jpg → 415 Chinese."""
    auth.login("cleaner01")
    key = new_key()
    assert post_photo(client, helpers.png(), key, filename="x.jpg").status_code == 201
    assert db.session.scalar(select(Photo.format_in).where(Photo.client_uuid == key)) == "PNG"
    refused = post_photo(client, helpers.HTML_AS_JPG, filename="x.jpg")
    assert refused.status_code == 415 and "照片" in refused.get_json()["message"]


def test_identical_photos_share_one_stored_file(client, auth, demo, app):
    """Content-addressed storage: the same picture sent under two UUIDs is kept once on disk."""
    from pathlib import Path

    auth.login("guard01")
    data = helpers.jpeg(800, 600)
    first, second = new_key(), new_key()
    post_photo(client, data, first)
    post_photo(client, data, second)
    keys = db.session.execute(select(Photo.display_key, Photo.thumb_key).where(
        Photo.client_uuid.in_([first, second]))).all()
    assert len(keys) == 2 and keys[0] == keys[1]
    files = {p.name for p in (Path(app.config["WUYE_DATA_DIR"]) / "photos").rglob("*.jpg")}
    assert {Path(k).name for k in keys[0]} <= files and len(set(keys[0])) == 2
