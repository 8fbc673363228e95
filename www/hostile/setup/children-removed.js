// The page's own script empties the widget the moment Shelfwise starts to
// reorder it (its first change of the children), and once more a tick later.
const widget = document.getElementById("w");
new MutationObserver((changes, observer) => {
  if (changes.some((c) => c.type === "childList")) {
    observer.disconnect();
    widget.replaceChildren();
    setTimeout(() => widget.replaceChildren(), 0);
  }
}).observe(widget, { childList: true });
