/* Stem's service worker. Caches the app shell only (static files, the offline page and "Help now"):
 * journal pages and API answers are never stored on the device. The server prepends
 * STEM_VERSION and STEM_PRECACHE, so the cache name changes whenever a static file does. */
/* global STEM_VERSION, STEM_PRECACHE */
const CACHE = `stem-shell-${STEM_VERSION}`;
const OFFLINE_URL = "/offline";
// Who to call when it is urgent must open without a connection too. Fetched without cookies,
// so the cached copy is the public page: nothing personal is stored on the device.
const HELP_URL = "/help";

// The offline page and "Help now" in one language: fetched without cookies (so the copies are
// public pages, nothing personal is stored on the device) and asked for in the language of the
// pages the person reads (`Content-Language` of the copy says which it is).
// The language the pages asked for last. A copy fetched for an earlier wish that arrives after
// a later one (Dutch still on its way when the person switched to English) is not kept: the
// latest wish decides, whatever order the answers come in.
let wantedLanguage = null;

function cacheShell(cache, language) {
  const headers = language ? { "Accept-Language": language } : {};
  return Promise.all(
    [OFFLINE_URL, HELP_URL].map((url) =>
      fetch(url, { credentials: "omit", headers }).then((response) => {
        if (!response.ok) throw new Error(`${url}: ${response.status}`);
        if (language && language !== wantedLanguage) return undefined;
        return cache.put(url, response);
      })
    )
  );
}

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(STEM_PRECACHE).then(() => cacheShell(cache))));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names.filter((name) => name.startsWith("stem-") && name !== CACHE).map((name) => caches.delete(name))
        )
      )
      .then(() => self.clients.claim())
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
  // A page says which language it is in: the shell follows when it is in another one.
  if (event.data?.type === "stem-language" && /^[a-z]{2}(-[A-Za-z]{2})?$/.test(event.data.language)) {
    const language = event.data.language;
    wantedLanguage = language;
    event.waitUntil(
      caches.open(CACHE).then((cache) =>
        cache.match(OFFLINE_URL).then((cached) => {
          if (cached && cached.headers.get("Content-Language") === language) return undefined;
          return cacheShell(cache, language).catch(() => undefined); // offline: keep what is there
        })
      )
    );
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // Pages always come from the network; offline, "Help now" from the cache, and for any
    // other page a calm page instead of a browser error.
    const fallback = url.pathname === HELP_URL ? HELP_URL : OFFLINE_URL;
    event.respondWith(
      fetch(request).catch(() => caches.match(fallback).then((cached) => cached || caches.match(OFFLINE_URL)))
    );
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request).then((cached) => cached || fetch(request)));
  }
});

// Background Sync (Chromium): the worker holds no session token, so it asks the open pages to
// send the outbox. Without an open page the outbox is sent on the next start.
self.addEventListener("sync", (event) => {
  if (event.tag !== "stem-outbox") return;
  event.waitUntil(
    self.clients
      .matchAll({ type: "window" })
      .then((clients) => clients.forEach((client) => client.postMessage({ type: "stem-replay" })))
  );
});

// Web Push: a reminder carries generic words and a page of this site only ({title, body, url});
// what it is about is fetched after sign-in, when that page opens. Pushes without a payload, or
// with one that is not ours, still show a plain notification (browsers require one).
const PUSH_FALLBACK = { title: "Stem", body: "", url: "/" };

function pushMessage(event) {
  try {
    const data = event.data ? event.data.json() : {};
    const url = typeof data.url === "string" && data.url.startsWith("/") && !data.url.startsWith("//") ? data.url : "/";
    return {
      title: typeof data.title === "string" ? data.title : PUSH_FALLBACK.title,
      body: typeof data.body === "string" ? data.body : PUSH_FALLBACK.body,
      url,
      tag: typeof data.kind === "string" ? data.kind : "stem",
    };
  } catch {
    return { ...PUSH_FALLBACK, tag: "stem" };
  }
}

self.addEventListener("push", (event) => {
  const message = pushMessage(event);
  event.waitUntil(
    self.registration.showNotification(message.title, {
      body: message.body,
      tag: message.tag,
      icon: "/static/icons/icon-192.png",
      data: { url: message.url },
    })
  );
});

// The page a reminder names (a path on this site only): a window already on it is focused; else
// a Stem window already open goes there (no second copy of the app); else a new one opens.
function openPage(path) {
  const url = new URL(path || "/", self.location.origin).href;
  return self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(async (clients) => {
    const same = clients.find((client) => client.url === url);
    if (same) return same.focus();
    const ours = clients.find((client) => client.frameType === "top-level");
    if (ours) {
      try {
        const moved = await ours.navigate(url); // only a window this worker controls
        if (moved) return moved.focus().catch(() => moved);
      } catch {
        // not this worker's window to move: a new one instead
      }
    }
    return self.clients.openWindow(url);
  });
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(openPage(event.notification.data?.url));
});
