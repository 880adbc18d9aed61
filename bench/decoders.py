"""Which QR decoder for the scanner: jsQR (vendored) against a zxing-cpp WebAssembly build, on the app's own tags.

    npm install --prefix /tmp/lh zxing-wasm                      # once, outside the repository (optional)
    .venv/bin/python bench/decoders.py [--zxing /tmp/lh/node_modules/zxing-wasm] [--seed 1]

The tags are the demo site's printed sheet (wuye_field.places.tags.render_pages, the same code as
`wuye tags`); each tag is cut out and "photographed" the way a phone camera in a stairwell sees it: scaled
to a 640-px frame (the scanner's decode width), turned a few degrees, then one condition each — clean, blur,
sensor noise, low contrast, dim and uneven light, all of them together. Each image is decoded in the
system Chromium by both decoders from the same ImageData, as static/js/scanner.js does. Prints, per decoder,
its size (raw, gzip, Brotli 5 as served and Brotli 11) and the share of images it read correctly, per
condition and overall. Conclusion rule of issue 19: switch only to a decoder that is smaller and reads at
least as well.
"""
from __future__ import annotations

import argparse
import base64
import gzip
import io
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import brotli  # noqa: E402
from PIL import Image, ImageEnhance, ImageFilter  # noqa: E402

JSQR = ROOT / "static" / "vendor" / "jsQR-1.4.0.js"
FRAME = 640
CONDITIONS = ("clean", "blur", "noise", "low-contrast", "dim-uneven", "all")


def tag_images() -> list[tuple[str, Image.Image]]:
    """(expected URL, greyscale image of one printed tag) for every place of the demo site."""
    from wuye_field import create_app
    from wuye_field.config import TestConfig
    from wuye_field.demo import load_demo
    from wuye_field.extensions import db
    from wuye_field.places import tags

    tmp = Path(tempfile.mkdtemp())
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    app = create_app(config | {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/d.db", "WUYE_DATA_DIR": str(tmp)})
    with app.app_context():
        db.create_all()
        load_demo(app.config["PUBLIC_BASE_URL"], app.config["PASSWORD_HASH_METHOD"])
        db.session.commit()
        site = tags.site_by_code("DEMO")
        places = tags.sheet_places(site)
        pages = tags.render_pages(site, places, tags.find_cjk_font(app.config.get("WUYE_CJK_FONT")))
        urls = [p.tag_url for p in places]
    result = []
    for index, url in enumerate(urls):
        page = pages[index // tags.TAGS_PER_PAGE]
        cell = tags._cell(index % tags.TAGS_PER_PAGE)
        box = (cell.left, cell.top, cell.left + cell.width, cell.top + cell.height)
        result.append((url, page.crop(box).convert("L")))
    return result


def photograph(tag: Image.Image, condition: str, rng: random.Random) -> Image.Image:
    """The tag as a phone camera frame: fills ~60 % of a 640×480 frame, slightly turned, then `condition`."""
    scale = FRAME * 0.6 / tag.width
    image = tag.resize((int(tag.width * scale), int(tag.height * scale)), Image.Resampling.BILINEAR)
    image = image.rotate(rng.uniform(-8, 8), resample=Image.Resampling.BILINEAR, expand=True, fillcolor=200)
    frame = Image.new("L", (FRAME, int(FRAME * 0.75)), 190)
    width, height = min(image.width, frame.width), min(image.height, frame.height)
    frame.paste(image.crop((0, 0, width, height)), ((frame.width - width) // 2, (frame.height - height) // 2))
    steps = {
        "clean": [],
        "blur": ["blur"], "noise": ["noise"], "low-contrast": ["contrast"], "dim-uneven": ["dim"],
        "all": ["contrast", "dim", "blur", "noise"],
    }[condition]
    for step in steps:
        if step == "blur":
            frame = frame.filter(ImageFilter.GaussianBlur(rng.uniform(1.2, 1.8)))
        elif step == "noise":
            noise = Image.effect_noise(frame.size, rng.uniform(28, 40))
            frame = Image.blend(frame, noise, 0.3)
        elif step == "contrast":
            frame = ImageEnhance.Contrast(frame).enhance(rng.uniform(0.3, 0.4))
        elif step == "dim":
            light = Image.linear_gradient("L").resize(frame.size).rotate(rng.choice((0, 90, 180, 270)))
            frame = Image.composite(frame, ImageEnhance.Brightness(frame).enhance(0.35), light)
    return frame


def png_data_url(image: Image.Image) -> str:
    out = io.BytesIO()
    image.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


HARNESS = """
<!doctype html><canvas id=c></canvas>
<script src="/jsqr.js"></script>
<script src="/zxing/index.js" onerror="window.noZxing = true"></script>
<script>
  window.decodeAll = async function (urls) {
    const canvas = document.getElementById('c'), ctx = canvas.getContext('2d', {willReadFrequently: true});
    const zxing = window.ZXingWASM && !window.noZxing;
    if (zxing) ZXingWASM.prepareZXingModule({overrides: {locateFile: (p) => '/zxing/' + p}, fireImmediately: true});
    const out = [];
    for (const url of urls) {
      const img = new Image(); img.src = url; await img.decode();
      canvas.width = img.width; canvas.height = img.height; ctx.drawImage(img, 0, 0);
      const data = ctx.getImageData(0, 0, img.width, img.height);
      const j = jsQR(data.data, data.width, data.height, {inversionAttempts: 'attemptBoth'});
      let z = null;
      if (zxing) {
        const found = await ZXingWASM.readBarcodes(data, {formats: ['QRCode'], tryHarder: true});
        z = found.length ? found[0].text : null;
      }
      out.push({jsqr: j ? j.data : null, zxing: z});
    }
    return out;
  };
</script>
"""


def sizes(paths: list[Path]) -> dict[str, int]:
    data = b"".join(p.read_bytes() for p in paths)
    return {"raw": len(data), "gzip": len(gzip.compress(data, 9)), "br5": len(brotli.compress(data, quality=5)),
            "br11": len(brotli.compress(data, quality=11))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zxing", type=Path, default=Path("/tmp/lh/node_modules/zxing-wasm"),
                        help="the zxing-wasm npm package (reader build used); skipped when missing")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    rng = random.Random(args.seed)
    zxing_js = args.zxing / "dist" / "iife" / "reader" / "index.js"
    zxing_wasm = args.zxing / "dist" / "reader" / "zxing_reader.wasm"
    have_zxing = zxing_js.exists() and zxing_wasm.exists()
    tags = tag_images()
    cases = [(condition, url, photograph(tag, condition, rng)) for condition in CONDITIONS for url, tag in tags]
    files = {"/": (HARNESS.encode(), "text/html"), "/jsqr.js": (JSQR.read_bytes(), "text/javascript")}
    if have_zxing:
        files["/zxing/index.js"] = (zxing_js.read_bytes(), "text/javascript")
        files["/zxing/zxing_reader.wasm"] = (zxing_wasm.read_bytes(), "application/wasm")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
        page = browser.new_page()

        def serve(route):
            path = "/" + route.request.url.split("/", 3)[3]
            body, ctype = files.get(path, (b"", "text/plain"))
            route.fulfill(status=200 if path in files else 404, body=body, content_type=ctype)

        page.route("http://bench.local/**", serve)
        page.goto("http://bench.local/")
        results = []
        for start in range(0, len(cases), 20):
            batch = cases[start:start + 20]
            results += page.evaluate("urls => decodeAll(urls)", [png_data_url(img) for _c, _u, img in batch])
        browser.close()

    decoders = {"jsQR 1.4.0": ("jsqr", [JSQR])}
    if have_zxing:
        decoders["zxing-wasm reader"] = ("zxing", [zxing_js, zxing_wasm])
    print(f"{len(tags)} demo tags × {len(CONDITIONS)} conditions = {len(cases)} frames of {FRAME}×{FRAME * 3 // 4}\n")
    for name, (key, paths) in decoders.items():
        size = sizes(paths)
        per = {}
        for (condition, url, _img), result in zip(cases, results, strict=True):
            ok, total = per.get(condition, (0, 0))
            per[condition] = (ok + (result[key] == url), total + 1)
        read = sum(ok for ok, _t in per.values())
        print(f"{name:18} size raw {size['raw'] / 1024:6.1f} KB  gzip {size['gzip'] / 1024:6.1f}  "
              f"br5 {size['br5'] / 1024:6.1f}  br11 {size['br11'] / 1024:6.1f}   "
              f"read {read}/{len(cases)} = {100 * read / len(cases):5.1f} %")
        print("    " + "  ".join(f"{c} {ok}/{t}" for c, (ok, t) in per.items()))
    if not have_zxing:
        print("\n(zxing-wasm not found: npm install --prefix /tmp/lh zxing-wasm)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
