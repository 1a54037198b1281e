// The outbox: saves that could not reach the server (no connection, or a server error) wait
// here, in IndexedDB on this device, until they can be sent. After the Workbox background-sync
// queue: one store, oldest first, put back on failure, expired after some days — but a refused
// or expired save is never dropped silently: its words become a draft again and the participant
// is told why.
//
// Records: { id (the entry's UUID), kind: "create" | "edit", url, method, headers, body,
// version, queuedAt, fields (the form's fields, to make a draft again), draftKey, preview }.
// The CSRF token is never stored: it is read from the page when the record is sent.
//
// Words shown to the participant come from the page ([data-outbox] data attributes).
//
// What the server refused is kept too (in localStorage, per person) and listed on every page
// with an outbox list until the participant puts it away: the outbox is often sent from a page
// that cannot show it (the home page, where the installed app starts), and the words must stay
// readable even when another draft has taken the form.

import { OWNER } from "./owner.js";

const DB_NAME = `stem-outbox-${OWNER}`;
const STORE = "requests";
const MAX_AGE_MS = 14 * 24 * 60 * 60 * 1000;
const DRAFT_PREFIX = `stem:draft:${OWNER}:`;
const PROBLEMS_KEY = `stem:outbox-problems:${OWNER}`;
const PROBLEM_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000; // as long as draft.js keeps a draft
export const SYNC_TAG = "stem-outbox";

let opening = null;

function request(idbRequest) {
  return new Promise((resolve, reject) => {
    idbRequest.onsuccess = () => resolve(idbRequest.result);
    idbRequest.onerror = () => reject(idbRequest.error);
  });
}

function open() {
  if (!OWNER || !window.indexedDB) return Promise.reject(new Error("no outbox"));
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = window.indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => {
        const store = req.result.createObjectStore(STORE, { keyPath: "id" });
        store.createIndex("queuedAt", "queuedAt");
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new Error("outbox blocked"));
    });
    opening.catch(() => {
      opening = null;
    });
  }
  return opening;
}

async function transaction(mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    let result;
    Promise.resolve(work(tx.objectStore(STORE))).then((value) => {
      result = value;
    }, reject);
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

export function available() {
  return Boolean(OWNER && window.indexedDB);
}

// Oldest first.
export async function all() {
  try {
    return await transaction("readonly", (store) => request(store.index("queuedAt").getAll()));
  } catch {
    return [];
  }
}

export async function count() {
  try {
    return await transaction("readonly", (store) => request(store.count()));
  } catch {
    return 0;
  }
}

async function remove(id) {
  await transaction("readwrite", (store) => request(store.delete(id)));
}

// A later record for the same entry replaces the earlier one (the newest words win), but keeps
// its place in the queue.
export async function enqueue(record) {
  const existing = await transaction("readonly", (store) => request(store.get(record.id)));
  const full = { queuedAt: existing?.queuedAt || Date.now(), ...record };
  if (existing?.kind === "create" && record.kind === "edit") {
    // Never sent yet: the create carries the new words.
    full.kind = "create";
    full.url = existing.url;
    full.method = existing.method;
    full.body = { ...existing.body, ...record.body, version: undefined };
  }
  await transaction("readwrite", (store) => request(store.put(full)));
  changed();
  registerSync();
  return full;
}

export async function discard(id) {
  await remove(id);
  changed();
}

function registerSync() {
  navigator.serviceWorker?.ready
    .then((registration) => registration.sync?.register(SYNC_TAG))
    .catch(() => {
      /* No Background Sync (only Chromium has it): replayed on the next start or `online`. */
    });
}

// The session's token, from this page: journal pages carry it in a meta tag, every signed-in
// page in the logout form.
function csrfToken() {
  return (
    document.querySelector('meta[name="csrf-token"]')?.content ||
    document.querySelector('form[action="/logout"] input[name="csrf_token"]')?.value ||
    ""
  );
}

// The words back as a draft: in the write form's draft slot when it is free, else in a slot of
// their own (draft.js keeps it for 30 days) — never lost.
function keepAsDraft(record, draftKey = record.draftKey) {
  if (!record.fields) return;
  try {
    const storage = window.localStorage;
    let key = DRAFT_PREFIX + (draftKey || "write");
    const taken = JSON.parse(storage.getItem(key) || "null");
    if (taken?.fields?.body && taken.fields.body !== record.fields.body) key = `${key}:${record.id}`;
    storage.setItem(key, JSON.stringify({ fields: record.fields, savedAt: Date.now() }));
  } catch {
    // storage full or switched off: the message below still shows the words
  }
}

function forgetWriteDraft(record) {
  try {
    if (record.kind === "edit") {
      // Every draft of this entry, whatever version it was written on.
      const prefix = `${DRAFT_PREFIX}edit:${record.id}:`;
      for (let index = window.localStorage.length - 1; index >= 0; index -= 1) {
        const key = window.localStorage.key(index);
        if (key && key.startsWith(prefix)) window.localStorage.removeItem(key);
      }
      return;
    }
    const key = `${DRAFT_PREFIX}write`;
    const draft = JSON.parse(window.localStorage.getItem(key) || "null");
    if (draft?.fields?.id === record.id) window.localStorage.removeItem(key);
  } catch {
    // nothing to do
  }
}

// Other tabs of this person's app hear of every change, so their "waiting to sync" list never
// shows a record that another tab has already sent (or misses one it queued).
const channel = OWNER && "BroadcastChannel" in window ? new BroadcastChannel(DB_NAME) : null;

function changed({ broadcast = true, sent = false } = {}) {
  if (sent) arrived = true;
  document.dispatchEvent(new CustomEvent("stem:outbox-changed"));
  render();
  if (broadcast) channel?.postMessage({ sent });
  if (sent) showArrivals();
}

channel?.addEventListener("message", (event) => changed({ broadcast: false, sent: Boolean(event.data?.sent) }));

// A page that lists entries (home, journal) loads itself again once what waited has arrived, so
// the new entries are there without a manual reload, and says "Sent" after it. Not while the
// person is typing in it.
const SENT_KEY = `stem:just-sent:${OWNER}`;

function showArrivals() {
  const holder = document.querySelector("[data-outbox][data-outbox-refresh]");
  if (!holder) return;
  count().then((left) => {
    const typing = document.activeElement?.matches?.("input, textarea, select");
    if (left || typing) return;
    try {
      window.sessionStorage.setItem(SENT_KEY, "1");
    } catch {
      return; // cannot say "Sent" after the reload: the list stays as it is
    }
    window.location.reload();
  });
}

// Refused saves, oldest first: { key, id, kind, words, reason ("changedElsewhere" | "expired",
// worded by the page that shows it) or message (the server's, already in the person's
// language), current (the server's newer text, for an edit that met one), at }.
let problemsInMemory = []; // where localStorage is switched off

function recent(problem) {
  return problem && typeof problem.key === "string" && Date.now() - problem.at < PROBLEM_MAX_AGE_MS;
}

function problems() {
  try {
    const stored = JSON.parse(window.localStorage.getItem(PROBLEMS_KEY) || "[]");
    return Array.isArray(stored) ? stored.filter(recent) : [];
  } catch {
    return problemsInMemory.filter(recent);
  }
}

function keepProblems(list) {
  problemsInMemory = list;
  try {
    if (list.length) window.localStorage.setItem(PROBLEMS_KEY, JSON.stringify(list));
    else window.localStorage.removeItem(PROBLEMS_KEY);
  } catch {
    // storage full or switched off: shown from memory on this page
  }
}

function tell(record, { reason = null, message = "", current = null } = {}) {
  document.dispatchEvent(new CustomEvent("stem:outbox-refused", { detail: { record, message } }));
  const words = record.fields?.body ?? record.body?.body ?? "";
  const at = Date.now();
  keepProblems([
    ...problems(),
    { key: `${record.id}:${at}`, id: record.id, kind: record.kind, words, reason, message, current, at },
  ]);
  render();
}

export function dismissProblem(key) {
  keepProblems(problems().filter((problem) => problem.key !== key));
  render();
}

// Something waiting was sent (from this tab or another, or just before this page loaded itself
// again): once nothing waits, every page says "Sent" instead of "kept on this device".
let arrived = (() => {
  try {
    const flagged = window.sessionStorage.getItem(SENT_KEY) === "1";
    window.sessionStorage.removeItem(SENT_KEY);
    return flagged;
  } catch {
    return false;
  }
})();

// The page is about to load itself again (the offline page going back to the real one once the
// server answers): what arrived is still to be said on the page that comes, as showArrivals does.
export function carryArrival() {
  if (!arrived) return;
  try {
    window.sessionStorage.setItem(SENT_KEY, "1");
  } catch {
    // said on this page only
  }
}

async function problemText(response) {
  const problem = await response.json().catch(() => ({}));
  const messages = (problem.errors || []).map((error) => error.message).filter(Boolean);
  return [problem.detail || problem.title || response.statusText, ...messages.filter((m) => m !== problem.detail)]
    .filter(Boolean)
    .join(" ");
}

async function send(record) {
  const headers = { ...(record.headers || {}), "X-CSRF-Token": csrfToken() };
  if (record.kind === "edit" && record.version) headers["If-Match"] = `"${record.version}"`;
  return fetch(record.url, {
    method: record.method,
    credentials: "same-origin",
    headers,
    body: JSON.stringify(record.body),
  });
}

let replaying = null;

// Sends what waits, oldest first. Stops at the first network error or server error: that one
// and everything after it stay for the next try.
export function replay() {
  if (!available()) return Promise.resolve(0);
  if (!replaying) {
    // One tab at a time (where the browser has Web Locks): two tabs sending the same edit at
    // once would each see the other's save as a change made somewhere else.
    const sending = navigator.locks?.request ? navigator.locks.request(DB_NAME, () => run()) : run();
    replaying = sending.finally(() => {
      replaying = null;
    });
  }
  return replaying;
}

// The server already holds exactly this edit: saved by an earlier try whose answer was lost on
// the way, or by another tab. Nothing was changed elsewhere.
function alreadySaved(record, current) {
  if (!current || !record.body) return false;
  return Object.entries(record.body).every(([name, value]) => (value ?? null) === (current[name] ?? null));
}

async function delivered(record) {
  await remove(record.id);
  forgetWriteDraft(record);
  arrived = true;
  document.dispatchEvent(new CustomEvent("stem:outbox-sent", { detail: { record } }));
}

async function run() {
  let sent = 0;
  if (!csrfToken()) return sent; // not signed in on this page: later
  for (const record of await all()) {
    if (Date.now() - record.queuedAt > MAX_AGE_MS) {
      keepAsDraft(record);
      await remove(record.id);
      tell(record, { reason: "expired" });
      continue;
    }
    let response;
    try {
      response = await send(record);
    } catch {
      break; // still no connection
    }
    // A server error, or signed out / an old token: try again later, after signing in.
    if (response.status >= 500 || response.status === 401 || response.status === 403) break;
    if (response.ok) {
      await delivered(record);
      sent += 1;
    } else if (record.kind === "edit" && (response.status === 409 || response.status === 412)) {
      const problem = await response.json().catch(() => ({}));
      if (alreadySaved(record, problem.current)) {
        await delivered(record);
        sent += 1;
        continue;
      }
      const version = problem.current?.version;
      keepAsDraft(record, version ? `edit:${record.id}:${version}` : record.draftKey);
      await remove(record.id);
      tell(record, { reason: "changedElsewhere", current: problem.current?.body ?? null });
    } else {
      // Refused (4xx): the words come back as a draft and the reason is shown.
      const message = await problemText(response);
      keepAsDraft(record);
      await remove(record.id);
      tell(record, { message });
    }
  }
  if (sent) changed({ sent: true });
  else render(); // another tab may have sent what this one still listed
  return sent;
}

function preview(record) {
  const words = (record.preview || record.fields?.body || record.body?.body || "").trim().split(/\s+/);
  const first = words.slice(0, 8).join(" ");
  return words.length > 8 ? `${first}…` : first;
}

// The "waiting to sync" list, where the page has one.
export async function render() {
  const holder = document.querySelector("[data-outbox]");
  if (!holder) return;
  const list = holder.querySelector("[data-outbox-list]");
  const issues = holder.querySelector("[data-outbox-problems]");
  const records = await all();
  const t = holder.dataset;
  list?.replaceChildren(
    ...records.map((record) => {
      const item = document.createElement("li");
      item.className = "outbox__item";
      item.dataset.outboxId = record.id;
      const words = document.createElement("span");
      words.className = "outbox__words";
      words.textContent = preview(record);
      const state = document.createElement("span");
      state.className = "outbox__state";
      state.textContent = record.kind === "edit" ? t.waitingEdit || t.waiting || "" : t.waiting || "";
      item.append(words, " ", state);
      return item;
    })
  );
  const refused = problems();
  issues?.replaceChildren(...refused.map((problem) => problemItem(problem, t)));
  const allSent = arrived && records.length === 0;
  const sentLine = holder.querySelector("[data-outbox-sent]");
  if (sentLine) {
    sentLine.hidden = !allSent;
    sentLine.textContent = allSent ? t.sent || "" : "";
  }
  if (allSent) {
    // "Kept on this device" is no longer true: say where the words are now.
    for (const line of document.querySelectorAll(".capture-result--waiting")) {
      line.className = "capture-result capture-result--done";
      line.textContent = t.sent || "";
    }
  }
  holder.classList.toggle("outbox--sent", allSent && refused.length === 0);
  holder.hidden = records.length === 0 && refused.length === 0 && !allSent;
  const heading = holder.querySelector("[data-outbox-heading]");
  if (heading) heading.hidden = records.length === 0;
}

// One text with what it is: the saved version, or the participant's own (never markup).
function version(label, words, className) {
  const block = document.createElement("div");
  block.className = "outbox__version";
  const title = document.createElement("p");
  title.className = "outbox__label";
  title.textContent = label || "";
  const text = document.createElement("div");
  text.className = `entry-text ${className}`;
  text.textContent = words;
  block.append(title, text);
  return block;
}

// A refused save: why, the words in full (both versions for an edit that met a newer one), a
// way to the entry, and a button to put the notice away once read.
function problemItem(problem, t) {
  const item = document.createElement("li");
  item.className = "outbox__problem";
  item.dataset.problem = problem.key;
  const reason = document.createElement("strong");
  const why = problem.reason ? t[problem.reason] : problem.message;
  reason.textContent = `${t.refused || ""} ${why || ""}`.trim();
  const kept = document.createElement("span");
  kept.textContent = t.keptAsDraft || "";
  item.append(reason, " ", kept);
  if (problem.current !== null && problem.current !== undefined) {
    item.append(
      version(t.savedVersion, problem.current, "entry-text--saved outbox__version--saved"),
      version(t.yourVersion, problem.words, "outbox__version--mine")
    );
  } else {
    item.append(version(t.yourWords, problem.words, "outbox__version--mine"));
  }
  const actions = document.createElement("p");
  actions.className = "outbox__actions";
  if (problem.kind === "edit") {
    const link = document.createElement("a");
    link.className = "button button--small";
    link.href = `/entries/${encodeURIComponent(problem.id)}/edit`;
    link.textContent = t.edit || "";
    actions.append(link, " ");
  }
  const done = document.createElement("button");
  done.type = "button";
  done.className = "button button--small";
  done.textContent = t.done || "";
  done.addEventListener("click", () => {
    dismissProblem(problem.key);
    // The button is gone: the focus goes to the next notice, or back to the page.
    const next = document.querySelector("[data-outbox-problems] .outbox__problem button");
    (next || document.getElementById("main"))?.focus();
  });
  actions.append(done);
  item.append(actions);
  return item;
}

// Any page with a "waiting to sync" list shows it at once, and follows other tabs.
if (available() && document.querySelector("[data-outbox]")) {
  render();
  window.addEventListener("storage", (event) => {
    if (event.key === PROBLEMS_KEY || event.key === null) render();
  });
}
