// Registers the service worker and offers a quiet reload when a new version is ready.
const banner = document.getElementById("update-ready");

function offerReload(worker) {
  if (!banner || !worker) return;
  banner.hidden = false;
  banner.querySelector("button")?.addEventListener("click", () => worker.postMessage("skip-waiting"), {
    once: true,
  });
}

if ("serviceWorker" in navigator) {
  let reloading = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (reloading || !banner || banner.hidden) return;
    reloading = true;
    window.location.reload();
  });
  navigator.serviceWorker
    .register("/sw.js", { scope: "/", type: "classic" })
    .then((registration) => {
      if (registration.waiting && navigator.serviceWorker.controller) offerReload(registration.waiting);
      registration.addEventListener("updatefound", () => {
        const incoming = registration.installing;
        incoming?.addEventListener("statechange", () => {
          if (incoming.state === "installed" && navigator.serviceWorker.controller) offerReload(incoming);
        });
      });
    })
    .catch(() => {
      /* Without a service worker Stem still works online; nothing to tell the user. */
    });
}
