"""PWA plumbing: web app manifest, service worker at the root scope, offline page, health check."""
