/* Photos are shrunk on the phone before they are stored: long edge ≤ 1600 px, JPEG quality 0.7. */
(function (global) {
  'use strict';

  var MAX_EDGE = 1600;
  var QUALITY = 0.7;

  function PhotoUnreadable(cause) {
    this.name = 'PhotoUnreadable';
    this.cause = cause;
  }

  function targetSize(width, height) {
    var scale = Math.min(1, MAX_EDGE / Math.max(width, height));
    return { width: Math.round(width * scale), height: Math.round(height * scale) };
  }

  function canvasToJpeg(canvas) {
    if (canvas.convertToBlob) return canvas.convertToBlob({ type: 'image/jpeg', quality: QUALITY });
    return new Promise(function (resolve, reject) {
      canvas.toBlob(function (blob) { return blob ? resolve(blob) : reject(new Error('toBlob')); }, 'image/jpeg', QUALITY);
    });
  }

  /* File → JPEG Blob, upright (EXIF orientation applied) and small; throws PhotoUnreadable (e.g. HEIC on Chrome). */
  async function shrinkPhoto(file) {
    var bitmap;
    try {
      bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
    } catch (error) {
      throw new PhotoUnreadable(error);
    }
    var size = targetSize(bitmap.width, bitmap.height);
    var canvas = document.createElement('canvas');
    canvas.width = size.width;
    canvas.height = size.height;
    canvas.getContext('2d').drawImage(bitmap, 0, 0, size.width, size.height);
    if (bitmap.close) bitmap.close();
    return canvasToJpeg(canvas);
  }

  global.WuyePhotos = { shrinkPhoto: shrinkPhoto, targetSize: targetSize, PhotoUnreadable: PhotoUnreadable };
})(self);
