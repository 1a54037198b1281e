// The offline shell: for the participant last signed in on this device, a form to write with
// (capture.js queues each save in their outbox) and the list of what waits; for nobody, nothing
// to write. When the connection is back the page reloads: the real page then sends the outbox
// with a fresh token.
import { OWNER } from "./owner.js";
import { available, carryArrival } from "./outbox.js";

const writer = document.querySelector("[data-offline-writer]");
const nobody = document.querySelector("[data-offline-nobody]");
const canWrite = Boolean(OWNER) && available();
if (writer) writer.hidden = !canWrite;
if (nobody) nobody.hidden = canWrite;
if (canWrite) await import("./capture.js");

// Back to the real page as soon as the server answers: at the `online` event, and every few
// seconds while the shell is shown (the event can come before the network is really there).
let leaving = false;
async function backOnline() {
  if (leaving || navigator.onLine === false) return;
  try {
    const response = await fetch("/healthz", { cache: "no-store", credentials: "omit" });
    if (!response.ok) return;
  } catch {
    return;
  }
  leaving = true;
  carryArrival(); // "Sent" is said on the real page, if the shell met a flicker just after a send
  window.location.reload();
}
window.addEventListener("online", backOnline);
setInterval(backOnline, 3000);
