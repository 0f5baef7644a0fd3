/* The anonymous chat and the counsellor's conversation: server-sent events in, fetch out.
   Messages are put on the page as text (textContent), never as HTML. */
(function () {
  "use strict";

  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(url, data) {
    var body = new URLSearchParams(data || {});
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "Accept": "application/json" },
      body: body,
      keepalive: true
    });
  }

  function quickExit() {
    var button = document.getElementById("quick-exit");
    if (!button) { return; }
    function leave() {
      var target = document.body.getAttribute("data-exit-url");
      post(button.getAttribute("data-exit"));
      document.body.textContent = "";
      window.location.replace(target);
    }
    button.addEventListener("click", leave);
    document.addEventListener("keydown", function (e) { if (e.key === "Escape") { leave(); } });
  }

  function chat(root, who) {
    var log = document.getElementById("chat-log");
    var form = document.getElementById("chat-form");
    var box = form.querySelector("textarea");
    var error = document.getElementById("chat-error");
    var names = {
      person: root.getAttribute("data-you") || "",
      counsellor: root.getAttribute("data-counsellor") || "",
      system: root.getAttribute("data-system") || ""
    };
    var seen = {};

    function add(m) {
      if (seen[m.id]) { return; }
      seen[m.id] = true;
      var li = document.createElement("li");
      li.className = m.sender;
      li.setAttribute("data-testid", "message");
      var name = document.createElement("strong");
      name.textContent = names[m.sender] + ": ";
      var text = document.createElement("span");
      text.textContent = m.body;
      li.appendChild(name);
      li.appendChild(text);
      log.appendChild(li);
      log.scrollTop = log.scrollHeight;
    }

    var source = new EventSource(root.getAttribute("data-stream"));
    source.addEventListener("message", function (e) { add(JSON.parse(e.data)); });
    source.addEventListener("state", function (e) {
      var state = JSON.parse(e.data);
      var status = document.getElementById("chat-status");
      if (status && status.getAttribute("data-" + state.status)) {
        status.textContent = status.getAttribute("data-" + state.status);
      }
      if (who === "person") {
        var consent = document.getElementById("chat-consent");
        var lines = document.getElementById("chat-consent-lines");
        lines.textContent = "";
        (state.handover || []).forEach(function (line) {
          var li = document.createElement("li");
          li.textContent = line;
          lines.appendChild(li);
        });
        consent.hidden = !state.handover;
        // The consent names the draft shown, so a "yes" never sends a changed proposal.
        consent.setAttribute("data-draft", state.draft || "");
      } else {
        root.setAttribute("data-handover", state.handover);
      }
      if (state.status === "closed") { source.close(); form.hidden = true; }
    });

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var text = box.value;
      if (!text.trim()) { return; }
      error.textContent = "";
      post(root.getAttribute("data-send"), { body: text }).then(function (r) {
        if (r.ok) { box.value = ""; return; }
        return r.json().then(function (j) {
          var errs = j.errors || {};
          error.textContent = (errs.body || errs.chat || [""])[0];
        });
      });
    });

    document.querySelectorAll("[data-canned]").forEach(function (b) {
      b.addEventListener("click", function () { box.value = b.getAttribute("data-canned"); box.focus(); });
    });
    document.querySelectorAll("#chat-consent button").forEach(function (b) {
      b.addEventListener("click", function () {
        var shown = document.getElementById("chat-consent").getAttribute("data-draft") || "";
        post(root.getAttribute("data-consent"), { answer: b.getAttribute("data-answer"), draft: shown })
          .then(function (r) {
            if (r.ok) { return; }
            return r.json().then(function (j) { error.textContent = ((j.errors || {}).chat || [""])[0]; });
          });
      });
    });
  }

  function queue(root) {
    var source = new EventSource(root.getAttribute("data-queue-stream"));
    var leaving = false;
    // A form being sent (taking a chat, going on duty) navigates itself: a reload must not
    // cancel it.
    document.addEventListener("submit", function () { leaving = true; source.close(); });
    source.addEventListener("changed", function () {
      source.close();
      if (!leaving) { window.location.reload(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    quickExit();
    var person = document.getElementById("chat");
    if (person) { chat(person, "person"); }
    var counsel = document.getElementById("counsel");
    if (counsel) { chat(counsel, "counsellor"); }
    var q = document.querySelector("[data-queue-stream]");
    if (q) { queue(q); }
  });
})();
