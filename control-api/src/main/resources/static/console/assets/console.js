// Copy buttons: shown only where the clipboard can be written (a secure context), the page works without them.
document.addEventListener("DOMContentLoaded", () => {
  if (!navigator.clipboard) {
    return;
  }
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", async () => {
      const source = document.querySelector(button.dataset.copy);
      await navigator.clipboard.writeText(source.value ?? source.textContent);
      button.textContent = "Copied";
    });
  });
});

// The new-proxy form shows the field groups the chosen type takes; without script all show, and the server ignores
// the groups the type does not take.
document.addEventListener("DOMContentLoaded", () => {
  const type = document.getElementById("proxy-type");
  if (!type) {
    return;
  }
  const groups = document.querySelectorAll("#proxy-form fieldset[data-types]");
  const show = () => groups.forEach((group) => {
    group.hidden = !group.dataset.types.split(" ").includes(type.value);
  });
  type.addEventListener("change", show);
  show();
});
