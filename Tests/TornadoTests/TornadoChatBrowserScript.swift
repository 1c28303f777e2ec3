/// A Node.js script that runs the chat demo's real `chat.js` (fetched from the server) against a minimal fake
/// DOM, as one browser, while another client posts: the long poll must deliver the message to the page, and the
/// form's post path must work. Prints `BROWSER OK` on success. Used by TornadoChatTests when `node` exists.
enum TornadoChatBrowserScript {
    static let source = #"""
    import vm from "vm";
    const base = process.argv[2];
    function jar() {
      const c = {};
      return { c, header() { return Object.entries(c).map(([k, v]) => k + "=" + v).join("; "); },
        take(res) { for (const sc of res.headers.getSetCookie()) { const [pair] = sc.split(";"); const i = pair.indexOf("="); c[pair.slice(0, i)] = pair.slice(i + 1); } } };
    }
    async function login(name) {
      const j = jar();
      let r = await fetch(base + "/auth/login"); j.take(r);
      r = await fetch(base + "/auth/login", { method: "POST", redirect: "manual",
        headers: { Cookie: j.header(), "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ name, _xsrf: j.c._xsrf, next: "/" }).toString() });
      j.take(r);
      if (r.status !== 302) throw new Error("login answered " + r.status);
      return j;
    }
    const fail = (m) => { console.log("BROWSER FAIL " + m); process.exit(1); };
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    const bob = await login("Bob");
    const ann = await login("Ann");
    const page = await (await fetch(base + "/", { headers: { Cookie: bob.header() } })).text();
    const jsURL = (page.match(/\/static\/chat\.js\?v=[0-9a-f]+/) || [])[0];
    if (!jsURL) fail("no versioned chat.js in the page");
    const js = await (await fetch(base + jsURL)).text();
    const shown = new Map();
    const inbox = { appendChild(n) { shown.set(n.id, n.html); } };
    const button = { disabled: false };
    const field = { value: "from the form", select() {} };
    const form = { elements: [{ name: "body", value: "from the form" }, { name: "next", value: "/" }],
      querySelector(sel) { return sel === "#message" ? field : button; }, addEventListener() {} };
    let ready;
    const document = {
      get cookie() { return bob.header(); },
      getElementById(id) {
        if (id === "inbox") return inbox;
        if (id === "messageform") return form;
        if (id === "message") return field;
        return shown.has(id) ? {} : null;
      },
      createElement() {
        return { style: {}, set innerHTML(h) { const id = (h.match(/id="([^"]+)"/) || [])[1]; this.firstElementChild = { style: {}, html: h, id }; } };
      },
      addEventListener(ev, cb) { if (ev === "DOMContentLoaded") ready = cb; },
    };
    const bobFetch = (url, opts) => fetch(base + url, { ...opts, headers: { ...opts.headers, Cookie: bob.header() } });
    const ctx = { document, window: { setTimeout }, requestAnimationFrame: (f) => f(), fetch: bobFetch, URLSearchParams,
      console: { log() {} }, setTimeout };
    vm.createContext(ctx);
    vm.runInContext(js + "\n;globalThis.updater = updater; globalThis.newMessage = newMessage;", ctx);
    ready();
    await sleep(300);
    const r = await fetch(base + "/a/message/new", { method: "POST",
      headers: { Cookie: ann.header(), "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ body: "Hello Bob", _xsrf: ann.c._xsrf }).toString() });
    if (r.status !== 200) fail("Ann's post answered " + r.status);
    // Polls bounded at 20 s, not the subject: the test machine may be loaded.
    for (let i = 0; i < 400 && shown.size < 1; i++) await sleep(50);
    if (![...shown.values()].some((h) => h.includes("<b>Ann: </b>Hello Bob"))) fail("the long poll did not show Ann's message");
    ctx.newMessage(form);
    for (let i = 0; i < 400 && (shown.size < 2 || field.value !== ""); i++) await sleep(50);
    if (![...shown.values()].some((h) => h.includes("<b>Bob: </b>from the form"))) fail("the form post did not show Bob's message");
    if (field.value !== "") fail("the input was not cleared");
    console.log("BROWSER OK");
    process.exit(0);
    """#
}
