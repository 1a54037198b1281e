// The time-zone list on the account page: the browser's own zone joins the likely ones at the
// top, and a search box narrows the long list to the cities that match what is typed. Without
// this script the list still works (likely zones first, then every zone by region).
const select = document.querySelector("select[data-time-zones]");
const likely = select?.querySelector("optgroup[data-likely]");

function addBrowserZone() {
  let zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    return;
  }
  if (!zone || [...likely.children].some((option) => option.value === zone)) return;
  const known = [...select.options].find((option) => option.value === zone);
  if (!known) return;
  const copy = known.cloneNode(true);
  copy.selected = false;
  copy.removeAttribute("selected");
  likely.append(copy);
}

function narrow(query) {
  const wanted = query.trim().toLowerCase();
  for (const option of select.options) {
    const words = `${option.textContent} ${option.value}`.toLowerCase().replaceAll("_", " ");
    option.hidden = Boolean(wanted) && !words.includes(wanted) && !option.selected;
  }
  for (const group of select.querySelectorAll("optgroup")) {
    group.hidden = [...group.children].every((option) => option.hidden);
  }
}

if (select && likely) {
  addBrowserZone();
  const search = document.querySelector("[data-time-zone-search]");
  const input = search?.querySelector("input");
  if (search && input) {
    search.hidden = false;
    input.addEventListener("input", () => narrow(input.value));
    // Enter in the search box picks the first city that matches, instead of sending the form.
    input.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();
      const first = [...select.options].find((option) => !option.hidden && !option.selected);
      if (first && input.value.trim()) first.selected = true;
      select.focus();
    });
  }
}
