/* In-app tag scanner: camera → QR → /t/<token> on this origin (tags printed with another base URL still open here). */
(function (global) {
  'use strict';

  var FRAME_INTERVAL_MS = 200;
  var MAX_DECODE_WIDTH = 640;
  var TAG_PATH = /^\/t\/([A-Za-z0-9_-]{8,})\/?$/;

  /* Which decoder this browser gets: the built-in BarcodeDetector, the vendored jsQR, or none. */
  function chooseDecoder(win) {
    if (typeof win.BarcodeDetector === 'function') return 'barcode-detector';
    if (typeof win.jsQR === 'function') return 'jsqr';
    return null;
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
    var kind = chooseDecoder(global);
    root().dataset.decoder = kind || 'none';
    this.say('scanner_starting');
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    } catch (error) {
      this.say(cameraMessage(error), 'error');
      return;
    }
    this.video.srcObject = this.stream;
    await this.video.play().catch(function () {});
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

  global.WuyeScanner = { chooseDecoder: chooseDecoder, tagPath: tagPath };
  init();
})(self);
