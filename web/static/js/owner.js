// Whose device data a page works with. A signed-in page names its owner in a meta tag. The
// offline shell (served by the service worker when there is no connection: the same page for
// everyone, holding no personal data) names nobody; it works for the participant who was last
// signed in on this device, remembered here by id only. Any page for someone else (a signed-out
// page, a clinician, another participant) replaces or forgets that, so nobody ever sees another
// person's waiting entries.
const KEY = "stem:device-participant";
const named = document.querySelector('meta[name="stem-owner"]')?.content || "";
const role = document.querySelector('meta[name="stem-role"]')?.content || "";
export const SHELL = Boolean(document.querySelector('meta[name="stem-offline-shell"]'));

function remembered() {
  try {
    return window.localStorage.getItem(KEY) || "";
  } catch {
    return "";
  }
}

if (!SHELL) {
  try {
    if (named && role === "participant") window.localStorage.setItem(KEY, named);
    else window.localStorage.removeItem(KEY);
  } catch {
    // storage switched off: the offline shell then offers nothing to write
  }
}

export const OWNER = named || (SHELL ? remembered() : "");
