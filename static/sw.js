// service worker: see issue 3
