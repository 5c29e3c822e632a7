// Quick exit: the page goes blank at once and leaves no entry to go back to.
(function () {
  "use strict";
  function leave(event) {
    if (event) { event.preventDefault(); }
    document.title = "";
    document.documentElement.innerHTML = "";
    window.location.replace("about:blank");
  }
  var button = document.getElementById("quick-exit");
  if (button) { button.addEventListener("click", leave); }
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { leave(event); }
  });
  window.quickExit = leave;
})();
