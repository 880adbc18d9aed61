/* In-app scanner: camera → QR → /t/<token> on this origin (tags printed with another base URL still open here).
   The same scanner fills a field instead (WuyeScanner.fill): the gate page scans a pass's or a slip's QR into
   its number field. Pages other than /scan load this file only when the guard first taps 「扫码」. */
(function (global) {
  'use strict';

  var FRAME_INTERVAL_MS = 200;
  var MAX_DECODE_WIDTH = 640;
  var TAG_PATH = /^\/t\/([A-Za-z0-9_-]{8,})\/?$/;

  var DECODER_URL = (document.currentScript && document.currentScript.dataset.decoder) || '';

  /* Which decoder this browser gets: the built-in BarcodeDetector, the vendored jsQR, or none. */
  function chooseDecoder(win) {
    if (typeof win.BarcodeDetector === 'function') return 'barcode-detector';
    if (typeof win.jsQR === 'function') return 'jsqr';
    return null;
  }

  /* BarcodeDetector where it reads QR codes; otherwise the vendored decoder, fetched now (first open) and kept
     offline by the service worker. Resolves to the decoder kind, or null when none could be had. */
  function loadDecoder(win) {
    var builtIn = typeof win.BarcodeDetector === 'function'
      ? (win.BarcodeDetector.getSupportedFormats ? win.BarcodeDetector.getSupportedFormats() : Promise.resolve(['qr_code']))
        .then(function (formats) { return formats.indexOf('qr_code') >= 0; }, function () { return false; })
      : Promise.resolve(false);
    return builtIn.then(function (usable) {
      if (usable) return 'barcode-detector';
      if (typeof win.jsQR === 'function' || !DECODER_URL) return chooseDecoder({ jsQR: win.jsQR });
      return new Promise(function (resolve) {
        var script = document.createElement('script');
        script.src = DECODER_URL;
        script.onload = function () { resolve(typeof win.jsQR === 'function' ? 'jsqr' : null); };
        script.onerror = function () { resolve(null); };
        document.head.append(script);
      });
    });
  }

  /* The tag path in a scanned or typed text (full URL, path or bare token), or null when it is not our tag. */
  function tagPath(text) {
    var value = String(text || '').trim();
    if (/^[A-Za-z0-9_-]{16,}$/.test(value)) return '/t/' + value;
    try {
      var match = new URL(value, 'http://tag.invalid').pathname.match(TAG_PATH);
      return match ? '/t/' + match[1] : null;
    } catch (error) {
      return null;
    }
  }

  function makeDecoder(kind, win) {
    if (kind === 'barcode-detector') {
      var detector = new win.BarcodeDetector({ formats: ['qr_code'] });
      return function (video) {
        return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
      };
    }
    var canvas = document.createElement('canvas');
    var context = canvas.getContext('2d', { willReadFrequently: true });
    return function (video) {
      var scale = Math.min(1, MAX_DECODE_WIDTH / (video.videoWidth || MAX_DECODE_WIDTH));
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      if (!canvas.width || !canvas.height) return Promise.resolve(null);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var code = win.jsQR(image.data, image.width, image.height, { inversionAttempts: 'attemptBoth' });
      return Promise.resolve(code ? code.data : null);
    };
  }

  function cameraMessage(error) {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return 'camera_unsupported';
    if (error && (error.name === 'NotAllowedError' || error.name === 'SecurityError')) return 'camera_denied';
    return 'camera_missing';
  }

  function Scanner(root, strings, onText, readyKey) {
    this.root = root;
    this.video = root.querySelector('[data-scanner-video]');
    this.status = root.querySelector('[data-scanner-status]');
    this.strings = strings;
    this.onText = onText || null;  // fill mode: the text goes to the page, not to location
    this.readyKey = readyKey || 'scanner_ready';
    this.stream = null;
    this.done = false;
  }

  Scanner.prototype.say = function (key, state) {
    this.status.textContent = this.strings[key] || key;
    this.status.className = 'result result-' + (state || 'queued');
    this.status.dataset.message = key;
  };

  Scanner.prototype.start = async function () {
    this.say('scanner_starting');
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    } catch (error) {
      this.say(cameraMessage(error), 'error');
      return;
    }
    if (this.done) { this.stop(); return; }  // closed while the camera was opening
    this.video.srcObject = this.stream;
    await this.video.play().catch(function () {});
    // Only a phone with a camera and without a usable BarcodeDetector downloads the decoder.
    var kind = await loadDecoder(global);
    this.root.dataset.decoder = kind || 'none';
    // Offline before the scanner was ever opened online: no decoder yet, the typed code still works.
    if (!kind) { this.say('decoder_missing', 'error'); return; }
    this.say(this.readyKey);
    if (kind) this.loop(makeDecoder(kind, global));
  };

  Scanner.prototype.loop = function (decode) {
    var self = this;
    if (self.done) return;
    var tick = function () { setTimeout(function () { self.loop(decode); }, FRAME_INTERVAL_MS); };
    if (self.video.readyState < 2) return tick();
    decode(self.video).then(function (text) {
      if (text) self.found(text);
      if (!self.done) tick();
    }, tick);
  };

  Scanner.prototype.found = function (text) {
    if (this.onText) { this.onText(text, this); return; }
    var path = tagPath(text);
    if (!path) { this.say('not_our_tag', 'error'); return; }
    this.stop();
    this.say('scanner_opening', 'ok');
    global.location.assign(path);
  };

  Scanner.prototype.stop = function () {
    this.done = true;
    if (this.stream) this.stream.getTracks().forEach(function (track) { track.stop(); });
  };

  function root() { return document.querySelector('[data-scanner]'); }

  function pageStrings() { return JSON.parse((document.getElementById('js-strings') || {}).textContent || '{}'); }

  /* The number the field wants in a scanned text: the bare number or a URL ending in it, matched against the
     field's data-scan-pattern (「P…」 for a pass, 「R…」 for a slip); null for any other code. */
  function scannedNumber(text, pattern) {
    var match = String(text || '').trim().toUpperCase().match(new RegExp('(?:^|/)(' + pattern + ')/?$'));
    return match ? match[1] : null;
  }

  var open = null;

  /* Fill `input` from the camera, in `panel` (holding data-scanner-video and data-scanner-status). A code that
     is not the field's keeps the camera on with a message; a match fills the field and closes the camera. */
  function fill(input, panel) {
    if (open) open.stop();
    panel.hidden = false;
    var scanner = new Scanner(panel, pageStrings(), function (text, self) {
      var number = scannedNumber(text, input.dataset.scanPattern || '.+');
      if (!number) { self.say('not_this_code', 'error'); return; }
      self.stop();
      input.value = number;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
      self.say('scan_filled', 'ok');
      panel.dataset.filled = number;
      panel.hidden = true;
      input.focus();
    }, 'scan_code_ready');
    open = scanner;
    scanner.start();
    return scanner;
  }

  function close() {
    if (open) open.stop();
    open = null;
  }

  function init() {
    global.addEventListener('pagehide', function () { if (open) open.stop(); });
    var node = root();
    if (!node) return;
    var strings = pageStrings();
    var scanner = new Scanner(node, strings);
    node.querySelector('[data-scanner-manual]').addEventListener('submit', function (event) {
      // A URL or token opens here; anything else (the code printed under the QR, 「CP01」) goes to the server.
      if (!tagPath(event.target.elements.code.value)) return;
      event.preventDefault();
      scanner.found(event.target.elements.code.value);
    });
    global.addEventListener('pagehide', function () { scanner.stop(); });
    scanner.start();
  }

  global.WuyeScanner = { chooseDecoder: chooseDecoder, loadDecoder: loadDecoder, tagPath: tagPath, fill: fill, close: close,
                          scannedNumber: scannedNumber };
  init();
})(self);
