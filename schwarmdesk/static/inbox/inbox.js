/* Schwarmdesk agent inbox: keyboard shortcuts, canned replies, "is replying" presence.
   j/k next/previous conversation, Enter or o open it, r reply, n note, e solve, u back. */
(function () {
  "use strict";

  function typing(event) {
    var t = event.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll(".conversation-row"));
  }

  var selected = -1;
  var selectedHref = null;

  function select(index) {
    var all = rows();
    if (!all.length) return;
    selected = Math.max(0, Math.min(all.length - 1, index));
    all.forEach(function (row, i) {
      row.classList.toggle("conversation-row--selected", i === selected);
    });
    selectedHref = all[selected].getAttribute("data-href");
    all[selected].querySelector("a").focus();
  }

  function csrf(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event)) return;
    var key = event.key;
    if (key === "j" || key === "k") {
      if (rows().length) {
        select(selected + (key === "j" ? 1 : -1));
      } else {
        var link = document.querySelector("[data-shortcut-" + (key === "j" ? "next" : "previous") + "]");
        if (link) window.location.href = link.href;
      }
      event.preventDefault();
    } else if ((key === "o" || key === "Enter") && selectedHref) {
      window.location.href = selectedHref;
      event.preventDefault();
    } else if (key === "r" || key === "n") {
      var box = document.getElementById(key === "r" ? "reply-body" : "note-body");
      if (box) {
        box.focus();
        event.preventDefault();
      }
    } else if (key === "e") {
      var solve = document.getElementById("solve-form");
      if (solve) {
        solve.submit();
        event.preventDefault();
      }
    } else if (key === "u") {
      var back = document.querySelector("[data-shortcut-back]");
      if (back) window.location.href = back.href;
    }
  });

  /* The list fragment is refreshed by htmx: keep the selection and the queue counts. */
  document.addEventListener("htmx:afterSwap", function () {
    document.querySelectorAll("[data-count]").forEach(function (span) {
      var target = document.getElementById("count-" + span.getAttribute("data-count"));
      if (target) target.textContent = span.textContent;
    });
    if (selectedHref) {
      var index = rows().findIndex(function (row) {
        return row.getAttribute("data-href") === selectedHref;
      });
      if (index >= 0) {
        selected = index;
        rows()[index].classList.add("conversation-row--selected");
      }
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var canned = document.getElementById("canned");
    if (canned) {
      canned.addEventListener("change", function () {
        var option = canned.options[canned.selectedIndex];
        var box = document.getElementById(canned.getAttribute("data-target"));
        if (box && option && option.getAttribute("data-text")) {
          var text = option.getAttribute("data-text");
          var start = box.selectionStart || box.value.length;
          box.value = box.value.slice(0, start) + text + box.value.slice(box.selectionEnd || start);
          box.focus();
          box.dispatchEvent(new Event("input"));
        }
        canned.selectedIndex = 0;
      });
    }

    var form = document.getElementById("reply-form");
    if (!form) return;
    var body = document.getElementById("reply-body");
    var url = form.getAttribute("data-replying-url");
    var last = 0;
    var active = false;

    function ping(isActive) {
      var data = new FormData();
      data.append("active", isActive ? "1" : "0");
      data.append("csrfmiddlewaretoken", csrf(form));
      active = isActive;
      last = Date.now();
      fetch(url, { method: "POST", body: data, credentials: "same-origin" });
    }

    function refresh() {
      var wanted = document.activeElement === body || body.value.trim() !== "";
      if (wanted && (!active || Date.now() - last > 8000)) ping(true);
      else if (!wanted && active) ping(false);
    }

    body.addEventListener("focus", refresh);
    body.addEventListener("input", refresh);
    body.addEventListener("blur", refresh);
    window.setInterval(refresh, 5000);
  });
})();
