// The talk page follows the conversation: it asks for the view, waiting for each change,
// and sends the buttons. Text is set with textContent only: nothing becomes markup.
(function () {
  "use strict";
  var token = document.querySelector('meta[name="screen-token"]').content;
  var version = -1;
  var timer = null;

  function show(element, visible) { element.hidden = !visible; }

  function clock(seconds) {
    var whole = Math.max(0, Math.ceil(seconds));
    var minutes = Math.floor(whole / 60);
    var rest = whole % 60;
    return minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function tick() {
    if (!timer) { return; }
    var left = Math.max(0, timer.left - (performance.now() - timer.received) / 1000);
    document.getElementById("timer-text").textContent = clock(left);
    var share = timer.seconds > 0 ? (100 * left / timer.seconds) : 0;
    document.getElementById("ring-left").setAttribute("stroke-dasharray", share + " 100");
  }

  function link(href, words) {
    var a = document.createElement("a");
    a.className = "contact-link";
    a.href = href;
    a.textContent = words;
    return a;
  }

  function contacts(list) {
    var holder = document.getElementById("contacts");
    holder.textContent = "";
    list.forEach(function (contact) {
      var item = document.createElement("li");
      var name = document.createElement("span");
      name.className = "contact-name";
      name.textContent = contact.name;
      item.appendChild(name);
      if (contact.call) {
        item.appendChild(link("tel:" + contact.call.replace(/[ -]/g, ""), "Call " + contact.call));
      }
      if (contact.text) {
        var body = contact.text_body ? "?body=" + encodeURIComponent(contact.text_body) : "";
        var words = "Text " + (contact.text_body ? contact.text_body + " to " : "") + contact.text;
        item.appendChild(link("sms:" + contact.text.replace(/[ -]/g, "") + body, words));
      }
      holder.appendChild(item);
    });
  }

  function render(view) {
    version = view.version;
    var list = document.getElementById("captions");
    list.textContent = "";
    view.captions.forEach(function (words) {
      var item = document.createElement("li");
      item.textContent = words;
      list.appendChild(item);
    });
    show(document.getElementById("floor"), Boolean(view.speaker));
    document.getElementById("speaker").textContent = view.speaker;
    document.getElementById("listener").textContent = view.listener;
    timer = view.timer ? {seconds: view.timer.seconds, left: view.timer.left,
                          received: performance.now()} : null;
    show(document.getElementById("timer"), Boolean(view.timer));
    tick();
    var safety = document.getElementById("safety");
    if (view.safety && safety.hidden) { contacts(view.contacts); }
    show(safety, view.safety);
    show(document.getElementById("ended"), view.ended);
    document.querySelectorAll("button[data-press]").forEach(function (button) {
      show(button, view.presses.indexOf(button.dataset.press) >= 0);
    });
  }

  function follow() {
    fetch("view?t=" + encodeURIComponent(token) + "&after=" + version + "&wait=15",
          {cache: "no-store"})
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (view) {
        render(view);
        if (!view.ended) { follow(); }
      })
      .catch(function () { window.setTimeout(follow, 2000); });
  }

  document.querySelectorAll("button[data-press]").forEach(function (button) {
    button.addEventListener("click", function () {
      var status = document.getElementById("status");
      fetch("press/" + button.dataset.press, {method: "POST", cache: "no-store",
                                              headers: {"X-Screen-Token": token}})
        .then(function (response) {
          status.textContent = response.ok ? "" : "That button does nothing just now.";
        })
        .catch(function () { status.textContent = "The guide could not be reached."; });
    });
  });

  window.setInterval(tick, 250);
  follow();
})();
