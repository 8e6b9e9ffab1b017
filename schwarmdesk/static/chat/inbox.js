/* Live inbox over the agents' WebSocket (/ws/inbox/): a new chat message refreshes the open
 * conversation and the list at once, the visitor's typing shows under the reply box, and the
 * agent's typing goes to the visitor. Without a socket the inbox's htmx polling still works. */
(function () {
  "use strict";
  if (!window.WebSocket || !window.htmx) { return; }
  var lang = (document.documentElement.lang || "en").slice(0, 2) === "de" ? "de" : "en";
  var TYPING = lang === "de" ? "Der Kunde schreibt …" : "The customer is typing …";
  var page = document.querySelector("[data-conversation]");
  var conversation = page ? parseInt(page.getAttribute("data-conversation"), 10) : null;
  var retry = 1000;
  var socket = null;
  var lastTyping = 0;
  var hideTimer = null;
  var indicator = null;

  function refresh(id) {
    var node = document.getElementById(id);
    var url = node && node.getAttribute("hx-get");
    if (url) { window.htmx.ajax("GET", url, { target: "#" + id, swap: "outerHTML" }); }
  }
  function typingIndicator() {
    if (indicator) { return indicator; }
    var body = document.getElementById("reply-body");
    if (!body) { return null; }
    indicator = document.createElement("p");
    indicator.className = "chat-typing";
    indicator.setAttribute("role", "status");
    indicator.id = "chat-typing";
    body.insertAdjacentElement("afterend", indicator);
    return indicator;
  }
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/inbox/");
    socket.onopen = function () {
      retry = 1000;
      if (conversation) { socket.send(JSON.stringify({ type: "watch", conversation: conversation })); }
    };
    socket.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (data.type === "watching") {
        document.documentElement.setAttribute("data-chat-live", "watching");  // for tests, CSS
      } else if (data.type === "message" && data.conversation === conversation) {
        var shown = typingIndicator();
        if (shown) { shown.textContent = ""; }
        refresh("live");
      } else if (data.type === "changed") {
        refresh("conversation-list");
      } else if (data.type === "typing" && data.conversation === conversation) {
        var node = typingIndicator();
        if (!node) { return; }
        node.textContent = TYPING;
        clearTimeout(hideTimer);
        hideTimer = setTimeout(function () { node.textContent = ""; }, 4000);
      }
    };
    socket.onclose = function (event) {
      document.documentElement.removeAttribute("data-chat-live");
      if (event.code === 4403) { return; }  // not an agent: polling only
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }
  document.addEventListener("input", function (event) {
    if (!conversation || !event.target || event.target.id !== "reply-body") { return; }
    var now = Date.now();
    if (socket && socket.readyState === 1 && now - lastTyping > 2000) {
      lastTyping = now;
      socket.send(JSON.stringify({ type: "typing", conversation: conversation }));
    }
  });
  connect();
})();
