/* 民政外勤 service worker (served at /field/sw.js by minzheng, version and file list filled in there).
   Caches only the app shell — never an API answer: personal data lives in the app's IndexedDB store alone. */
"use strict";
var VERSION = "__VERSION__";
var ASSETS = __ASSETS__;
var CACHE = "mz-field-" + VERSION;
var SHELL = ASSETS[0];

self.addEventListener("install", function (ev) {
  ev.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(ASSETS); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (ev) {
  ev.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("mz-field-") === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (ev) {
  var req = ev.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  // The shell page itself: from the cache (it is the same for everyone), so the app opens with no signal.
  if (req.mode === "navigate" && url.pathname === SHELL) {
    ev.respondWith(caches.open(CACHE).then(function (c) {
      return c.match(SHELL).then(function (hit) { return hit || fetch(req); });
    }));
    return;
  }
  if (ASSETS.indexOf(url.pathname) >= 0) {
    ev.respondWith(caches.open(CACHE).then(function (c) {
      return c.match(url.pathname).then(function (hit) { return hit || fetch(req); });
    }));
  }
  // Everything else (the API above all) goes to the network as if there were no worker.
});
