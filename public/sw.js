// The Lotsenfinder's service worker: keeps the app shell so that the app opens without network,
// deep links included (SPEC §6). `cargo xtask build` writes the build's id, its file list and the
// paths of the staff part (lotsen_domain::routes::STAFF_PATHS) into the constants below; a new
// build therefore installs a new cache and drops the old one.
const BUILD = "__BUILD__";
const SHELL = ["/index.html"];
const CACHE = "lotsenfinder-" + BUILD;
const STAFF_PATHS = [];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((k) => k.startsWith("lotsenfinder-") && k !== CACHE).map((k) => caches.delete(k)),
      ))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  // The API is the sync loop's business: it must see real network failures.
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    // Every screen is one of two shells, and the app reads the URL: the public part, or for the
    // screens of Lotsen and the Projektbüro the staff part. The cached shell answers at once, so a flaky
    // connection never delays opening the app.
    const staff = STAFF_PATHS.some((p) => url.pathname === p || url.pathname.startsWith(p + "/"));
    const shell = staff && SHELL.includes("/staff.html") ? "/staff.html" : "/index.html";
    event.respondWith(
      caches.match(shell).then((hit) => hit || fetch(request)),
    );
    return;
  }
  event.respondWith(
    caches.match(request).then((hit) => hit || fetch(request).then((response) => {
      if (response.ok && response.type === "basic") {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put(request, copy));
      }
      return response;
    })),
  );
});
