"""The in-app scanner reads a real tag through the fake camera (jsQR); BarcodeDetector is used where it exists."""
from __future__ import annotations

import pytest
import qrcode
from PIL import Image

pytestmark = pytest.mark.e2e

WIDTH, HEIGHT = 640, 480


def tag_video(url: str, path, frames: int = 10):
    """A 640×480 YUV4MPEG2 (C420jpeg) file of identical frames showing the tag's QR, black on white, centred."""
    qr = qrcode.make(url, border=4).get_image().convert("L")
    qr = qr.resize((400, 400), Image.NEAREST)
    frame = Image.new("L", (WIDTH, HEIGHT), 255)
    frame.paste(qr, ((WIDTH - 400) // 2, (HEIGHT - 400) // 2))
    y, cb, cr = frame.convert("RGB").convert("YCbCr").split()
    chroma = [plane.resize((WIDTH // 2, HEIGHT // 2)).tobytes() for plane in (cb, cr)]
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + y.tobytes() + chroma[0] + chroma[1])
    return path


def camera_args(video=None) -> list[str]:
    args = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
    return args + ([f"--use-file-for-fake-video-capture={video}"] if video else [])


def test_camera_reads_a_printed_tag_and_opens_its_place(phone_factory, tmp_path):
    """Issue 3 proof: the fake camera shows a tag printed for another base URL (http://wuye.test/t/…);
    the scanner (jsQR here: desktop Chromium has no BarcodeDetector) opens that place on this server."""
    probe = phone_factory("probe")
    name, token, printed_url = probe.server.place("CP05")
    assert printed_url.startswith("http://wuye.test/t/")
    probe.close()
    phone = phone_factory("camera", args=camera_args(tag_video(printed_url, tmp_path / "tag.y4m")))
    phone.login("guard01", remember=False)
    phone.page.goto(phone.server.url + "/scan")
    phone.page.wait_for_url(f"**/t/{token}")
    assert phone.page.locator("h1.place-name").inner_text() == name


def test_scanner_uses_barcode_detector_when_the_browser_has_one(phone_factory):
    """The BarcodeDetector branch: a fake detector (injected before the page loads) is chosen over jsQR."""
    phone = phone_factory("detector", args=camera_args())
    name, token, printed_url = phone.server.place("CP06")
    calls = []
    phone.context.expose_function("reportDetector", lambda what: calls.append(what))
    phone.context.add_init_script(f"""
      window.BarcodeDetector = class {{
        constructor(options) {{ window.reportDetector('formats=' + options.formats.join(',')); }}
        detect(source) {{
          window.reportDetector('detect ' + source.tagName);
          return Promise.resolve([{{rawValue: {printed_url!r}}}]);
        }}
      }};
      window.jsQR = () => {{ window.reportDetector('jsQR'); return null; }};
    """)
    phone.login("guard01", remember=False)
    phone.page.goto(phone.server.url + "/scan")
    phone.page.wait_for_url(f"**/t/{token}")
    assert phone.page.locator("h1.place-name").inner_text() == name
    assert calls[0] == "formats=qr_code"
    assert "detect VIDEO" in calls and "jsQR" not in calls


def test_scanner_rejects_other_codes_and_accepts_manual_entry(phone_factory):
    """A QR that is not our tag gets a Chinese message; the manual field opens a tag by URL or token."""
    phone = phone_factory("manual", args=camera_args())
    name, token, printed_url = phone.server.place("CP01")
    phone.context.add_init_script("""
      window.BarcodeDetector = class {
        detect() { return Promise.resolve([{rawValue: 'https://example.com/hello'}]); }
      };
    """)
    phone.login("guard01", remember=False)
    phone.page.goto(phone.server.url + "/scan")
    status = phone.page.locator("[data-scanner-status]")
    phone.page.wait_for_function(
        "() => document.querySelector('[data-scanner-status]').dataset.message === 'not_our_tag'")
    assert status.inner_text() == "这不是物业外勤的标签"
    assert phone.page.evaluate("() => WuyeScanner.tagPath('http://other.example/t/' + 'a'.repeat(22))") == \
        "/t/" + "a" * 22
    phone.page.fill("[data-scanner-manual] input[name=code]", printed_url)
    phone.page.click("[data-scanner-manual] button[type=submit]")
    phone.page.wait_for_url(f"**/t/{token}")
    assert phone.page.locator("h1.place-name").inner_text() == name


def test_camera_denied_says_so_in_chinese(phone_factory):
    """No camera permission → a clear Chinese message and the manual field stays usable."""
    phone = phone_factory("denied")
    phone.context.add_init_script("""
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
    """)
    phone.login("guard01", remember=False)
    phone.page.goto(phone.server.url + "/scan")
    phone.page.wait_for_function(
        "() => document.querySelector('[data-scanner-status]').dataset.message === 'camera_denied'")
    assert "允许本网站使用相机" in phone.page.locator("[data-scanner-status]").inner_text()
    assert phone.page.locator("[data-scanner-manual] input[name=code]").is_visible()
