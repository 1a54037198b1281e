// Reminders on this device (the account page): the browser's permission is asked only after the
// person presses the button; then the service worker's push subscription goes to the server. The
// server keeps the address and keys; a reminder holds generic words only (see sw.js). Where it
// fails (no permission, no push service), the page says so plainly, in the reader's language.

const box = document.querySelector("[data-push]");
const unsupported = document.querySelector("[data-push-unsupported]");
const supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
const READY_MS = 10000;
// A browser without a reachable push service may never answer subscribe(): say so after a while.
const SUBSCRIBE_MS = 20000;

function toBytes(text) {
  const base64 = text.replaceAll("-", "+").replaceAll("_", "/");
  const binary = atob(base64 + "===".slice((base64.length + 3) % 4));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

// A short name for this device, so the list of devices can be told apart ("Firefox on Android").
function deviceLabel(fallback) {
  const agent = navigator.userAgent;
  const browser = [
    ["Edg/", "Edge"],
    ["Firefox/", "Firefox"],
    ["Chrome/", "Chrome"],
    ["Safari/", "Safari"],
  ].find(([mark]) => agent.includes(mark))?.[1];
  const system = [
    ["Android", "Android"],
    ["iPhone", "iPhone"],
    ["iPad", "iPad"],
    ["Windows", "Windows"],
    ["Mac OS", "macOS"],
    ["Linux", "Linux"],
  ].find(([mark]) => agent.includes(mark))?.[1];
  return browser && system ? `${browser} · ${system}` : browser || system || fallback;
}

async function send(url, options, csrfToken) {
  const response = await fetch(url, {
    ...options,
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrfToken },
    credentials: "same-origin",
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error(`${url}: ${response.status}`), { problem: answer });
  return answer;
}

function withTimeout(promise, ms) {
  return Promise.race([
    promise,
    new Promise((_resolve, reject) => setTimeout(() => reject(new Error("timeout")), ms)),
  ]);
}

async function turnOn(problem) {
  const csrfToken = document.querySelector('input[name="csrf_token"]')?.value || "";
  problem.textContent = "";
  const permission = await Notification.requestPermission();
  if (permission !== "granted") {
    problem.textContent = box.dataset.errorDenied;
    return;
  }
  try {
    const { application_server_key: key } = await send("/api/v1/me/push-key", { method: "GET" }, csrfToken);
    const registration = await withTimeout(navigator.serviceWorker.ready, READY_MS);
    const subscription =
      (await registration.pushManager.getSubscription()) ||
      (await withTimeout(
        registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: toBytes(key) }),
        SUBSCRIBE_MS
      ));
    const body = { ...subscription.toJSON(), label: deviceLabel(box.dataset.label) };
    await send("/api/v1/me/push-devices", { method: "POST", body: JSON.stringify(body) }, csrfToken);
    window.location.assign("/account?done=push_device_added");
  } catch (error) {
    problem.textContent = error.problem?.errors?.[0]?.message || error.problem?.detail || box.dataset.errorFailed;
  }
}

if (box && supported) {
  box.hidden = false;
  if (unsupported) unsupported.hidden = true;
  const button = box.querySelector("[data-push-on]");
  const problem = box.querySelector("[data-push-problem]");
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await turnOn(problem);
    } finally {
      button.disabled = false;
    }
  });
}
