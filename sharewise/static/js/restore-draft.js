// Puts back what someone had typed when their session ran out. The server kept it
// (never the browser) and sends it once, in the page, after they sign in again.
(function () {
  const data = document.getElementById("sw-restored-draft");
  if (!data) return;
  const fields = JSON.parse(data.textContent);
  const names = Object.keys(fields);
  // The form in the page that has most of the kept fields.
  let form = null;
  let best = 0;
  for (const candidate of document.querySelectorAll("main form")) {
    const found = names.filter((name) => candidate.elements.namedItem(name)).length;
    if (found > best) {
      form = candidate;
      best = found;
    }
  }
  if (!form) return;
  for (const name of names) {
    const values = fields[name];
    const elements = Array.from(form.querySelectorAll("[name]")).filter((el) => el.name === name);
    let next = 0;
    for (const el of elements) {
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.includes(el.value);
      } else if (el.tagName === "SELECT" && el.multiple) {
        for (const option of el.options) option.selected = values.includes(option.value);
      } else if (el.type !== "file" && el.type !== "hidden" && next < values.length) {
        el.value = values[next++];
      } else {
        continue;
      }
      el.dispatchEvent(new Event("input", { bubbles: true }));
      el.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }
})();
