/* In-app tag scanner: camera → QR → /t/<token> on this origin (tags printed with another base URL still open here). */
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

  function Scanner(root, strings) {
    this.video = root.querySelector('[data-scanner-video]');
    this.status = root.querySelector('[data-scanner-status]');
    this.strings = strings;
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
    this.video.srcObject = this.stream;
    await this.video.play().catch(function () {});
    // Only a phone with a camera and without a usable BarcodeDetector downloads the decoder.
    var kind = await loadDecoder(global);
    root().dataset.decoder = kind || 'none';
    // Offline before the scanner was ever opened online: no decoder yet, the typed code still works.
    if (!kind) { this.say('decoder_missing', 'error'); return; }
    this.say('scanner_ready');
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

  function init() {
    var node = root();
    if (!node) return;
    var strings = JSON.parse((document.getElementById('js-strings') || {}).textContent || '{}');
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

  global.WuyeScanner = { chooseDecoder: chooseDecoder, loadDecoder: loadDecoder, tagPath: tagPath };
  init();
})(self);
