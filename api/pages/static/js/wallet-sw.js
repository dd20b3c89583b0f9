/* The wallet's service worker (served at /wallet-sw.js, scope /wallet): keeps the wallet
   page, its modules and /wallet/formats.json, so a worker can open the wallet and show a QR
   with no network. Pages and formats: the network first, the copy when offline. Static
   files: the copy first (their names change with the code only on a new set-up, so each
   is refreshed in the background). The API (/v1) is never cached: wage lines and challenges
   are live, and offline the page makes an offline presentation. */
const CACHE = 'lpl-wallet-v1';
const LANGUAGES = /*LANGUAGES*/[];
const PAGES = ['/wallet', ...LANGUAGES.map(code => `/wallet?lang=${code}`), '/wallet/formats.json'];
const ASSETS = /*ASSETS*/[];  // filled in by api/pages/wallet.py: every module the page imports

self.addEventListener('install', event => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll([...PAGES, ...ASSETS]);
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', event => {
  event.waitUntil((async () => {
    for(const name of await caches.keys()) { if(name !== CACHE) { await caches.delete(name); } }
    await self.clients.claim();
  })());
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if(response.ok) { await cache.put(request, response.clone()); }
    return response;
  } catch {
    return (await cache.match(request)) ?? Response.error();
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  const fresh = fetch(request).then(async response => {
    if(response.ok) { await cache.put(request, response.clone()); }
    return response;
  });
  if(cached) { fresh.catch(() => {}); return cached; }
  return fresh;
}

self.addEventListener('fetch', event => {
  const url = new URL(event.request.url);
  if(event.request.method !== 'GET' || url.origin !== self.location.origin) { return; }
  if(url.pathname === '/wallet' || url.pathname.startsWith('/wallet/') || url.pathname === '/wallet.webmanifest') {
    event.respondWith(networkFirst(event.request));
  } else if(url.pathname.startsWith('/static/')) {
    event.respondWith(cacheFirst(event.request));
  }
});
