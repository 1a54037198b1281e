// Drafts are never lost on the page: the write and edit forms are kept on this device (in
// localStorage) while the participant types, restored after a reload, a crashed tab or an
// accidental "back", and removed only once the server has confirmed the save.
//
// A form opts in with data-draft-key ("write", or "edit:<entry id>:<version>"). A page shown
// after a confirmed save carries <div data-saved-draft="write" data-saved-id="<id>"> or
// data-saved-draft="edit:<entry id>", which removes that draft. Words shown to the participant
// come from the page (data-texts), in their language.

// Drafts belong to the person who wrote them: someone else signing in on this device never
// sees them in their forms.
import { OWNER as DEVICE_OWNER } from "./owner.js";

const OWNER = DEVICE_OWNER || "signed-out";
const PREFIX = `stem:draft:${OWNER}:`;
const MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;
const SAVE_DELAY_MS = 300;
// Never kept on the device: the session's token and the version the server hands out.
const SKIPPED = new Set(["csrf_token", "version"]);

const forms = new Map(); // form → { key, initial, timer }

function store() {
  try {
    const storage = window.localStorage;
    const probe = PREFIX + "probe";
    storage.setItem(probe, "1");
    storage.removeItem(probe);
    return storage;
  } catch {
    return null; // private mode or storage switched off: the form still works, without drafts
  }
}

const storage = store();

export function texts() {
  const holder = document.querySelector("[data-texts]");
  return holder ? holder.dataset : {};
}

export function fieldsOf(form) {
  const fields = {};
  for (const element of form.elements) {
    const name = element.name;
    if (!name || SKIPPED.has(name) || element.disabled) continue;
    if (element.type === "radio") {
      if (element.checked) fields[name] = element.value;
    } else if (element.type === "checkbox") {
      fields[name] = element.checked;
    } else if (!["submit", "button", "reset", "file"].includes(element.type)) {
      fields[name] = element.value;
    }
  }
  return fields;
}

function apply(form, fields) {
  for (const element of form.elements) {
    const name = element.name;
    if (!name || SKIPPED.has(name) || !(name in fields)) continue;
    if (element.type === "radio") {
      element.checked = element.value === fields[name];
    } else if (element.type === "checkbox") {
      element.checked = Boolean(fields[name]);
    } else if (!["submit", "button", "reset", "file"].includes(element.type)) {
      element.value = fields[name];
    }
  }
  // Let other scripts and styles that follow the form's state catch up.
  form.dispatchEvent(new Event("change", { bubbles: true }));
}

function sameWords(a, b) {
  // The write form's hidden id is not something the participant typed.
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  keys.delete("id");
  for (const key of keys) {
    if ((a[key] ?? "") !== (b[key] ?? "")) return false;
  }
  return true;
}

// Fields a person types words into (not choices, dates or numbers): only these make a draft
// "text" when it is restored.
const WORD_TYPES = new Set(["textarea", "text", "search"]);

function wordsDiffer(form, a, b) {
  for (const element of form.elements) {
    if (!element.name || SKIPPED.has(element.name) || !WORD_TYPES.has(element.type)) continue;
    const mine = (a[element.name] ?? "").trim();
    if (mine && mine !== (b[element.name] ?? "").trim()) return true;
  }
  return false;
}

function read(key) {
  if (!storage) return null;
  try {
    const draft = JSON.parse(storage.getItem(key) || "null");
    if (!draft || typeof draft.fields !== "object" || typeof draft.savedAt !== "number") return null;
    return draft;
  } catch {
    return null;
  }
}

function remove(key) {
  try {
    storage?.removeItem(key);
  } catch {
    // nothing more to do
  }
}

function status(form, message, { discardable = false } = {}) {
  const line = form.querySelector("[data-draft-status]");
  if (line) line.textContent = message || "";
  const discard = form.querySelector("[data-draft-discard]");
  if (discard) discard.hidden = !discardable;
}

export function saveDraftNow(form) {
  const state = forms.get(form);
  if (!state || !storage) return false;
  clearTimeout(state.timer);
  state.timer = undefined;
  const fields = fieldsOf(form);
  if (!state.unsaved && sameWords(fields, state.initial)) {
    remove(state.key); // nothing of theirs to keep
    status(form, "");
    return false;
  }
  try {
    storage.setItem(state.key, JSON.stringify({ fields, savedAt: Date.now() }));
  } catch {
    return false; // storage full: the form still works
  }
  status(form, texts().draftKept, { discardable: !state.unsaved });
  return true;
}

// After a save the page keeps working (capture.js): forget the draft, start afresh.
export function resetDraft(form) {
  const state = forms.get(form);
  if (!state) return;
  clearTimeout(state.timer);
  remove(state.key);
  state.initial = fieldsOf(form);
  state.unsaved = false;
  status(form, "");
}

function schedule(form) {
  const state = forms.get(form);
  clearTimeout(state.timer);
  state.timer = setTimeout(() => saveDraftNow(form), SAVE_DELAY_MS);
}

function watch(form) {
  const key = PREFIX + form.dataset.draftKey;
  // A page that shows what was just sent (a problem or a conflict) shows words the server did
  // not save: they are kept even though nothing has been typed on this page yet.
  const unsaved = form.dataset.draftRestore === "false";
  const state = { key, initial: fieldsOf(form), timer: undefined, unsaved };
  forms.set(form, state);
  const draft = read(key);
  if (draft && Date.now() - draft.savedAt > MAX_AGE_MS) {
    remove(key);
  } else if (draft && form.dataset.draftRestore !== "false" && !sameWords(draft.fields, state.initial)) {
    const words = wordsDiffer(form, draft.fields, state.initial);
    apply(form, draft.fields);
    // Say "text" only when there are words of theirs: otherwise it was a choice they made.
    status(form, words ? texts().draftRestored : texts().draftRestoredChoices, { discardable: true });
  } else if (unsaved) {
    saveDraftNow(form);
  }
  form.addEventListener("input", () => schedule(form));
  form.addEventListener("change", () => schedule(form));
  const discard = form.querySelector("[data-draft-discard]");
  discard?.addEventListener("click", () => {
    apply(form, state.initial);
    state.unsaved = false;
    remove(key);
    status(form, texts().draftDiscarded);
  });
}

function flushAll() {
  for (const [form, state] of forms) {
    if (state.timer !== undefined) saveDraftNow(form);
  }
}

function clearConfirmed() {
  if (!storage) return;
  for (const marker of document.querySelectorAll("[data-saved-draft]")) {
    const name = marker.dataset.savedDraft;
    if (name.startsWith("edit:")) {
      // Every draft of this entry, whatever version it was written on.
      const prefix = `${PREFIX}${name}:`;
      for (let index = storage.length - 1; index >= 0; index -= 1) {
        const key = storage.key(index);
        if (key && key.startsWith(prefix)) remove(key);
      }
    } else {
      const key = PREFIX + name;
      const draft = read(key);
      const savedId = marker.dataset.savedId;
      // A newer draft (another id) was started since: that one stays.
      if (draft && (!savedId || draft.fields.id === savedId)) remove(key);
    }
  }
}

function forgetOld() {
  if (!storage) return;
  for (let index = storage.length - 1; index >= 0; index -= 1) {
    const key = storage.key(index);
    if (!key || !key.startsWith(PREFIX)) continue;
    const draft = read(key);
    if (!draft || Date.now() - draft.savedAt > MAX_AGE_MS) remove(key);
  }
}

clearConfirmed();
forgetOld();
for (const form of document.querySelectorAll("form[data-draft-key]")) watch(form);
// Closing the tab, switching apps, or going back: keep the last words typed.
window.addEventListener("pagehide", flushAll);
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") flushAll();
});
