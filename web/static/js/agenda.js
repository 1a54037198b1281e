// Ordering an appointment's agenda with "move up" / "move down" buttons. Without this script the
// participant types the order in the number fields; with it the numbers follow the list.

import { texts } from "./draft.js";

function renumber(list) {
  list.querySelectorAll("[data-agenda-item]").forEach((item, index) => {
    const position = item.querySelector("[data-agenda-position]");
    if (position) position.value = String(index + 1);
  });
}

function button(label, direction) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = "button button--small agenda-move";
  element.dataset.move = direction;
  element.textContent = label;
  return element;
}

function enhance(form) {
  const list = form.querySelector("[data-agenda-items]");
  // A single item has no order to change: no move buttons.
  if (!list || list.querySelectorAll("[data-agenda-item]").length < 2) return;
  const words = texts();
  for (const item of list.querySelectorAll("[data-agenda-item]")) {
    const controls = item.querySelector(".agenda-item__controls");
    const name = item.querySelector("label")?.textContent.trim().replace(/\s+/g, " ") || "";
    const up = button(words.moveUp || "↑", "up");
    const down = button(words.moveDown || "↓", "down");
    up.setAttribute("aria-label", `${words.moveUp || ""}: ${name}`);
    down.setAttribute("aria-label", `${words.moveDown || ""}: ${name}`);
    const moves = document.createElement("span");
    moves.className = "agenda-item__moves";
    moves.append(up, down);
    controls?.append(moves);
  }
  list.addEventListener("click", (event) => {
    const target = event.target.closest("[data-move]");
    if (!target) return;
    const item = target.closest("[data-agenda-item]");
    if (target.dataset.move === "up" && item.previousElementSibling) {
      item.previousElementSibling.before(item);
    } else if (target.dataset.move === "down" && item.nextElementSibling) {
      item.nextElementSibling.after(item);
    }
    renumber(list);
    target.focus();
  });
}

document.querySelectorAll("form[data-agenda]").forEach(enhance);
