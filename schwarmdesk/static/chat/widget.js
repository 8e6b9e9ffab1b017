/* Schwarmdesk web chat widget: one script tag, no build step, no dependencies.
 *
 *   <script src="https://help.example.com/static/chat/widget.js" data-channel="3" async></script>
 *
 * Speaks German or English by the page's <html lang>. The visitor is known by a signed id the
 * server issues, kept in a first-party cookie (schwarmdesk_chat) of the embedding page; a
 * cookie the server did not sign is refused and replaced by a fresh one. Messages are shown
 * once each (history on connect, live pushes and the periodic catch-up overlap by design).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.getAttribute("data-channel")) { return; }
  var channelId = script.getAttribute("data-channel");
  var base = new URL(script.src, document.baseURI);
  var socketUrl = (base.protocol === "https:" ? "wss://" : "ws://") + base.host + "/ws/chat/" +
    encodeURIComponent(channelId) + "/";
  var lang = (document.documentElement.lang || navigator.language || "en").slice(0, 2).toLowerCase();
  lang = lang === "de" ? "de" : "en";
  var COOKIE = "schwarmdesk_chat";
  var TEXT = {
    de: {
      open: "Chat", title: "Chat mit dem Support", close: "Chat schließen", send: "Senden",
      message: "Ihre Nachricht", email: "Ihre E-Mail-Adresse (optional)",
      emailRequired: "Ihre E-Mail-Adresse", typing: "Der Support schreibt …", you: "Sie",
      support: "Support", offline: "Gerade ist niemand im Chat. Schreiben Sie uns, wir antworten per E-Mail.",
      offlineSend: "Nachricht senden", offlineThanks: "Danke! Wir antworten Ihnen per E-Mail.",
      transcript: "Verlauf per E-Mail", transcriptSent: "Der Verlauf ist unterwegs zu Ihnen.",
      transcriptEmpty: "Noch kein Verlauf zum Senden.", connecting: "Verbinde …",
      reconnecting: "Verbindung unterbrochen, verbinde neu …", welcome: "Wie können wir helfen?"
    },
    en: {
      open: "Chat", title: "Chat with support", close: "Close chat", send: "Send",
      message: "Your message", email: "Your e-mail address (optional)",
      emailRequired: "Your e-mail address", typing: "Support is typing …", you: "You",
      support: "Support", offline: "Nobody is in the chat right now. Write to us and we will answer by e-mail.",
      offlineSend: "Send message", offlineThanks: "Thank you! We will answer by e-mail.",
      transcript: "Transcript by e-mail", transcriptSent: "The transcript is on its way to you.",
      transcriptEmpty: "No chat to send yet.", connecting: "Connecting …",
      reconnecting: "Connection lost, reconnecting …", welcome: "How can we help?"
    }
  }[lang];

  function readCookie() {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === COOKIE) { return decodeURIComponent(parts[i].slice(eq + 1)); }
    }
    return "";
  }
  function writeCookie(value) {
    var secure = location.protocol === "https:" ? "; Secure" : "";
    var age = value ? 60 * 60 * 24 * 365 : 0;
    document.cookie = COOKIE + "=" + encodeURIComponent(value) + "; Max-Age=" + age +
      "; Path=/; SameSite=Lax" + secure;
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) { node.textContent = text; }
    return node;
  }
  function newId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  var style = el("style");
  style.textContent = [
    ".sdchat{position:fixed;right:1rem;bottom:1rem;z-index:2147483000;font:15px/1.4 system-ui,sans-serif;color:#1a1a1a}",
    ".sdchat button{font:inherit;cursor:pointer}",
    ".sdchat__launcher{background:#1d4ed8;color:#fff;border:0;border-radius:2rem;padding:.7rem 1.2rem;box-shadow:0 2px 8px rgba(0,0,0,.25)}",
    ".sdchat__panel{width:min(22rem,calc(100vw - 2rem));height:min(32rem,calc(100vh - 5rem));background:#fff;border:1px solid #ccd;border-radius:.6rem;box-shadow:0 4px 18px rgba(0,0,0,.25);display:flex;flex-direction:column;overflow:hidden}",
    ".sdchat__panel[hidden]{display:none}",
    ".sdchat__head{display:flex;justify-content:space-between;align-items:center;background:#1d4ed8;color:#fff;padding:.5rem .8rem}",
    ".sdchat__head h2{font-size:1rem;margin:0}",
    ".sdchat__close{background:none;border:0;color:#fff;font-size:1.3rem;line-height:1}",
    ".sdchat__log{flex:1;overflow-y:auto;margin:0;padding:.6rem;list-style:none}",
    ".sdchat__line{margin:.3rem 0;padding:.4rem .6rem;border-radius:.5rem;max-width:85%;white-space:pre-wrap;word-wrap:break-word}",
    ".sdchat__line--in{background:#e8eefc;margin-left:auto}",
    ".sdchat__line--out{background:#f1f1f1}",
    ".sdchat__who{display:block;font-size:.75rem;color:#555}",
    ".sdchat__status{min-height:1.2rem;font-size:.8rem;color:#555;padding:0 .6rem}",
    ".sdchat__form{display:flex;flex-direction:column;gap:.3rem;padding:.5rem;border-top:1px solid #dde}",
    ".sdchat__form label{font-size:.8rem}",
    ".sdchat__form textarea,.sdchat__form input{font:inherit;padding:.35rem;border:1px solid #99a;border-radius:.3rem;width:100%;box-sizing:border-box}",
    ".sdchat__row{display:flex;gap:.4rem;justify-content:space-between}",
    ".sdchat__send{background:#1d4ed8;color:#fff;border:0;border-radius:.3rem;padding:.4rem .9rem}",
    ".sdchat__quiet{background:none;border:0;color:#1d4ed8;text-decoration:underline;padding:.4rem 0}",
    ".sdchat :focus-visible{outline:3px solid #f59e0b;outline-offset:1px}"
  ].join("\n");

  var root = el("div", { "class": "sdchat", "lang": lang });
  var launcher = el("button", { "class": "sdchat__launcher", type: "button", "aria-expanded": "false",
    "aria-controls": "sdchat-panel" }, TEXT.open);
  var panel = el("section", { "class": "sdchat__panel", id: "sdchat-panel", "aria-labelledby": "sdchat-title" });
  panel.hidden = true;
  var head = el("div", { "class": "sdchat__head" });
  head.appendChild(el("h2", { id: "sdchat-title" }, TEXT.title));
  var closer = el("button", { "class": "sdchat__close", type: "button", "aria-label": TEXT.close }, "×");
  head.appendChild(closer);
  var log = el("ol", { "class": "sdchat__log", role: "log", "aria-live": "polite", "aria-label": TEXT.title });
  var status = el("p", { "class": "sdchat__status", role: "status" }, TEXT.connecting);
  var form = el("form", { "class": "sdchat__form", novalidate: "" });
  var messageLabel = el("label", { "for": "sdchat-message" }, TEXT.message);
  var message = el("textarea", { id: "sdchat-message", name: "message", rows: "2", maxlength: "5000", required: "" });
  var emailLabel = el("label", { "for": "sdchat-email" }, TEXT.email);
  var email = el("input", { id: "sdchat-email", name: "email", type: "email", autocomplete: "email" });
  var row = el("div", { "class": "sdchat__row" });
  var transcript = el("button", { "class": "sdchat__quiet", type: "button" }, TEXT.transcript);
  var send = el("button", { "class": "sdchat__send", type: "submit" }, TEXT.send);
  row.appendChild(transcript);
  row.appendChild(send);
  [messageLabel, message, emailLabel, email, row].forEach(function (node) { form.appendChild(node); });
  [head, log, status, form].forEach(function (node) { panel.appendChild(node); });
  root.appendChild(panel);
  root.appendChild(launcher);

  var socket = null;
  var seen = {};
  var pending = [];  // lines typed while the socket was down; resent with the same id
  var online = true;
  var retry = 1000;
  var lastTyping = 0;
  var typingTimer = null;
  var opened = false;

  function show(line) {
    if (seen[line.key]) { return; }
    seen[line.key] = true;
    var item = el("li", { "class": "sdchat__line sdchat__line--" + line.direction });
    var who = line.direction === "in" ? TEXT.you : (line.author || TEXT.support);
    item.appendChild(el("span", { "class": "sdchat__who" }, who));
    item.appendChild(document.createTextNode(line.text));
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
    if (line.direction === "out") { status.textContent = ""; }
  }
  function setOffline(isOffline) {
    online = !isOffline;
    emailLabel.textContent = isOffline ? TEXT.emailRequired : TEXT.email;
    send.textContent = isOffline ? TEXT.offlineSend : TEXT.send;
    if (isOffline) { email.setAttribute("required", ""); } else { email.removeAttribute("required"); }
    status.textContent = isOffline ? TEXT.offline : "";
  }
  function transmit(data) {
    if (socket && socket.readyState === 1) { socket.send(JSON.stringify(data)); return true; }
    return false;
  }
  function connect() {
    var token = readCookie();
    var url = socketUrl + "?lang=" + lang + (token ? "&visitor=" + encodeURIComponent(token) : "");
    socket = new WebSocket(url);
    socket.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (data.type === "welcome") {
        retry = 1000;
        writeCookie(data.visitor);
        (data.lines || []).forEach(show);
        setOffline(!data.online);
        if (!log.children.length && data.online) { status.textContent = TEXT.welcome; }
        pending.forEach(transmit);
      } else if (data.type === "message") {
        show(data.line);
      } else if (data.type === "ack") {
        pending = pending.filter(function (item) { return item.id !== data.id; });
        show(data.line);
        if (!online) { status.textContent = TEXT.offlineThanks; }
      } else if (data.type === "typing") {
        status.textContent = TEXT.typing;
        clearTimeout(typingTimer);
        typingTimer = setTimeout(function () {
          if (status.textContent === TEXT.typing) { status.textContent = ""; }
        }, 4000);
      } else if (data.type === "transcript") {
        status.textContent = data.queued ? TEXT.transcriptSent : TEXT.transcriptEmpty;
      } else if (data.type === "error") {
        pending = pending.filter(function (item) { return item.id !== data.id; });
        status.textContent = data.error;
      }
    };
    socket.onclose = function (event) {
      if (event.code === 4403 && readCookie()) { writeCookie(""); retry = 0; }
      status.textContent = TEXT.reconnecting;
      setTimeout(connect, retry);
      retry = Math.min((retry || 500) * 2, 30000);
    };
  }
  function toggle(open) {
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    launcher.hidden = open;
    if (open) {
      if (!opened) { opened = true; connect(); }
      message.focus();
    } else {
      launcher.focus();
    }
  }

  launcher.addEventListener("click", function () { toggle(true); });
  closer.addEventListener("click", function () { toggle(false); });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { toggle(false); }
  });
  message.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
  message.addEventListener("input", function () {
    var now = Date.now();
    if (online && now - lastTyping > 2000) { lastTyping = now; transmit({ type: "typing" }); }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = message.value.trim();
    if (!text) { message.focus(); return; }
    if (!online && !email.value.trim()) { email.focus(); status.textContent = TEXT.emailRequired; return; }
    var data = { type: online ? "message" : "offline", id: newId(), text: text, language: lang };
    if (email.value.trim()) { data.email = email.value.trim(); }
    pending.push(data);
    transmit(data);
    message.value = "";
    lastTyping = 0;
  });
  transcript.addEventListener("click", function () {
    if (!email.value.trim()) {
      emailLabel.textContent = TEXT.emailRequired;
      email.focus();
      return;
    }
    transmit({ type: "transcript", email: email.value.trim(), language: lang });
  });

  function mount() {
    document.head.appendChild(style);
    document.body.appendChild(root);
  }
  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
})();
