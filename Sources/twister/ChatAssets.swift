/// The chat demo's static files (Tornado's `demos/chat/static`), served from memory by StaticFileHandler.
/// The script is plain JavaScript (no jQuery): `fetch` long-polling, the XSRF token read from the `_xsrf` cookie.
enum ChatAssets {
    static let all: [String: [UInt8]] = ["chat.css": Array(css.utf8), "chat.js": Array(js.utf8)]

    static let css = """
    body {
      background: white;
      margin: 10px;
    }

    body,
    input {
      font-family: sans-serif;
      font-size: 10pt;
      color: black;
    }

    table {
      border-collapse: collapse;
      border: 0;
    }

    td {
      border: 0;
      padding: 0;
    }

    #body {
      position: absolute;
      bottom: 10px;
      left: 10px;
    }

    #nav {
      position: absolute;
      top: 10px;
      right: 10px;
    }

    #input {
      margin-top: 0.5em;
    }

    #message {
      width: 500px;
      max-width: 70vw;
    }

    #inbox .message {
      padding-top: 0.25em;
    }

    .error {
      color: #b00;
    }

    """

    static let js = """
    // Twister chat demo: Tornado's chat.js without jQuery.
    "use strict";

    function getCookie(name) {
      const m = document.cookie.match("\\\\b" + name + "=([^;]*)\\\\b");
      return m ? m[1] : undefined;
    }

    function formData(form) {
      const fields = {};
      for (const el of form.elements) {
        if (el.name) fields[el.name] = el.value;
      }
      return fields;
    }

    function post(url, fields) {
      fields._xsrf = getCookie("_xsrf");
      return fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/x-www-form-urlencoded"},
        body: new URLSearchParams(fields).toString(),
      }).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      });
    }

    const updater = {
      errorSleepTime: 500,
      cursor: null,

      poll: function () {
        const fields = {};
        if (updater.cursor) fields.cursor = updater.cursor;
        post("/a/message/updates", fields).then(updater.onSuccess, updater.onError);
      },

      onSuccess: function (response) {
        try {
          updater.newMessages(response);
        } catch (e) {
          updater.onError(e);
          return;
        }
        updater.errorSleepTime = 500;
        window.setTimeout(updater.poll, 0);
      },

      onError: function (error) {
        updater.errorSleepTime *= 2;
        console.log("Poll error (" + error + "); sleeping for", updater.errorSleepTime, "ms");
        window.setTimeout(updater.poll, updater.errorSleepTime);
      },

      newMessages: function (response) {
        if (!response.messages) return;
        const messages = response.messages;
        updater.cursor = messages[messages.length - 1].id;
        console.log(messages.length, "new messages, cursor:", updater.cursor);
        for (const message of messages) updater.showMessage(message);
      },

      showMessage: function (message) {
        if (document.getElementById("m" + message.id)) return;
        const inbox = document.getElementById("inbox");
        const holder = document.createElement("div");
        holder.innerHTML = message.html;
        const node = holder.firstElementChild;
        node.style.opacity = "0";
        inbox.appendChild(node);
        node.style.transition = "opacity 0.3s";
        requestAnimationFrame(function () { node.style.opacity = "1"; });
      },
    };

    function newMessage(form) {
      const fields = formData(form);
      delete fields.next;
      const input = form.querySelector("input[type=submit]");
      input.disabled = true;
      post("/a/message/new", fields).then(function (message) {
        updater.showMessage(message);
        form.querySelector("#message").value = "";
        form.querySelector("#message").select();
      }).catch(function (e) {
        console.log("Error posting:", e);
      }).finally(function () {
        input.disabled = false;
      });
    }

    document.addEventListener("DOMContentLoaded", function () {
      const form = document.getElementById("messageform");
      if (!form) return;
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        newMessage(form);
      });
      form.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();
          newMessage(form);
        }
      });
      document.getElementById("message").select();
      updater.poll();
    });

    """
}
