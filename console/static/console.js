// Keyboard shortcuts of the review queue (审核): j/k move, x selects,
// a approves, r rejects. The page works without this script.
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("#queue tr[data-key]"));
  if (!rows.length) { return; }
  var at = -1;
  function select(i) {
    if (at >= 0) { rows[at].classList.remove("selected"); }
    at = Math.max(0, Math.min(rows.length - 1, i));
    rows[at].classList.add("selected");
    rows[at].scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey || (t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA"))) { return; }
    var row = at >= 0 ? rows[at] : null;
    switch (e.key) {
      case "j": select(at + 1); break;
      case "k": select(at - 1); break;
      case "x": if (row) { var cb = row.querySelector("input[type=checkbox]"); if (cb) { cb.checked = !cb.checked; } } break;
      case "a": if (row) { var ok = row.querySelector("[data-do=approve]"); if (ok) { ok.click(); } } break;
      case "r":
        if (row) {
          var c = row.querySelector("[data-comment]");
          if (c && c.value.trim() === "") { c.focus(); e.preventDefault(); return; }
          var no = row.querySelector("[data-do=reject]"); if (no) { no.click(); }
        }
        break;
      default: return;
    }
    e.preventDefault();
  });
})();
