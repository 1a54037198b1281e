// Registers the service worker and offers a quiet reload when a new version is ready. For a
// signed-in person it also sends what waits in the outbox: on every start, when the connection
// comes back, and when the service worker's Background Sync asks for it; and it warns before
// logging out while saves are still waiting.
import { available as outboxAvailable, count as outboxCount, replay } from "./outbox.js";

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
  // The offline page on this device follows the language of the pages the person reads.
  if (!document.querySelector('meta[name="stem-offline-shell"]')) {
    navigator.serviceWorker.ready
      .then((registration) =>
        registration.active?.postMessage({ type: "stem-language", language: document.documentElement.lang })
      )
      .catch(() => undefined);
  }
}

if (outboxAvailable()) {
  replay();
  window.addEventListener("online", () => replay());
  navigator.serviceWorker?.addEventListener("message", (event) => {
    if (event.data?.type === "stem-replay") replay();
  });
  warnBeforeLogout();
}

// Logging out clears this device (Clear-Site-Data), outbox included: say so first.
function warnBeforeLogout() {
  const form = document.querySelector('form[action="/logout"]');
  const warning = form?.dataset.outboxWarning;
  if (!form || !warning) return;
  let confirmed = false;
  form.addEventListener("submit", async (event) => {
    if (confirmed) return;
    event.preventDefault();
    const waiting = await outboxCount();
    if (!waiting) {
      confirmed = true;
      form.submit();
      return;
    }
    let note = form.querySelector("[data-outbox-warning-text]");
    if (!note) {
      note = document.createElement("span");
      note.className = "logout-warning";
      note.setAttribute("role", "alert");
      note.setAttribute("data-outbox-warning-text", "");
      form.prepend(note);
    }
    note.textContent = warning;
    const button = form.querySelector("button[type=submit]");
    if (button && form.dataset.outboxConfirm) button.textContent = form.dataset.outboxConfirm;
    confirmed = true; // the second press logs out
  });
}
