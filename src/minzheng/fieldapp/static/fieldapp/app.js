/* 民政外勤: the offline-first field app. Opens from the service worker's cache with no signal, shows the assigned
   work as of the last sync, captures records into IndexedDB, and sends them when a connection returns — each record
   once (client-generated ids; the server keeps the first answer), photos in resumable pieces. */
(function () {
  "use strict";
  var cfg = document.getElementById("app-script").dataset, API = cfg.api;
  var BATCH = 20, CHUNK = 64 * 1024, PBKDF2_ROUNDS = 150000, RETRY_MS = 15000;
  var KIND_LABEL = { need: "民情上报", investigation: "入户调查", service: "服务记录", disaster: "灾情报告" };
  var STATUS_LABEL = { pending: "待同步", rejected: "被退回，请修改", conflict: "冲突，请确认" };
  var st = { key: null, work: null, locked: false, syncing: false, progress: null, view: "home", note: "",
             lastTry: 0, unlockFails: 0, reauth: "" };
  var app = document.getElementById("app"), net = document.getElementById("net");

  // --- small helpers ---
  function h(tag, attrs) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") el.textContent = v;
      else if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), v);
      else if (k === "value") el.value = v;
      else if (k === "checked") el.checked = !!v;
      else el.setAttribute(k, v === true ? "" : v);
    });
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      (Array.isArray(c) ? c : [c]).forEach(function (x) {
        if (x === null || x === undefined || x === false) return;
        el.appendChild(typeof x === "string" ? document.createTextNode(x) : x);
      });
    }
    return el;
  }
  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(b, function (x) { return x.toString(16).padStart(2, "0"); }).join("");
  }
  function hex(buf) { return Array.from(new Uint8Array(buf), function (x) { return x.toString(16).padStart(2, "0"); }).join(""); }
  function b64(buf) { return btoa(String.fromCharCode.apply(null, new Uint8Array(buf))); }
  function unb64(s) { return Uint8Array.from(atob(s), function (c) { return c.charCodeAt(0); }); }
  function nowIso() { return new Date().toISOString(); }
  function localDay() { var d = new Date(Date.now() + 8 * 3600e3); return d.toISOString().slice(0, 10); }
  function online() { return navigator.onLine; }

  function api(path, opts) {
    opts = opts || {};
    var headers = { "Content-Type": opts.type || "application/json" };
    if (st.key) headers.Authorization = "Bearer " + st.key;
    var body = opts.raw !== undefined ? opts.raw : opts.body !== undefined ? JSON.stringify(opts.body) : undefined;
    return fetch(API + path, { method: opts.method || "GET", headers: headers, body: body, credentials: "omit",
                               cache: "no-store" })
      .catch(function () { throw { network: true }; })
      .then(function (r) {
        if (r.status === 410) throw { revoked: true };
        return r.json().catch(function () { return {}; }).then(function (j) {
          // 423: the account was locked out; the phone keeps its work and asks for the password again
          if (r.status === 423) throw { reauth: true, status: 423, detail: j.detail || "请重新输入密码" };
          if (!r.ok) throw { status: r.status, detail: j.detail || ("服务器错误 " + r.status) };
          return j;
        });
      });
  }

  // --- sign-in, the idle lock, wiping ---
  function derive(password, salt, rounds) {
    var enc = new TextEncoder();
    return crypto.subtle.importKey("raw", enc.encode(password), "PBKDF2", false, ["deriveBits"]).then(function (k) {
      return crypto.subtle.deriveBits({ name: "PBKDF2", salt: salt, iterations: rounds, hash: "SHA-256" }, k, 256);
    });
  }
  function makeVerifier(password) {
    var salt = crypto.getRandomValues(new Uint8Array(16));
    return derive(password, salt, PBKDF2_ROUNDS).then(function (bits) {
      return { salt: b64(salt), rounds: PBKDF2_ROUNDS, hash: b64(bits) };
    });
  }
  function checkOffline(password) {
    return MZStore.get("verifier").then(function (v) {
      if (!v) return false;
      return derive(password, unb64(v.salt), v.rounds).then(function (bits) { return b64(bits) === v.hash; });
    });
  }
  function idleMs() { return ((st.work && st.work.idle_minutes) || 10) * 60000; }
  function touch() { localStorage.setItem("mzf_active", String(Date.now())); }
  function idleCheck() {
    var last = +localStorage.getItem("mzf_active") || 0;
    if (st.key && !st.locked && Date.now() - last > idleMs()) { st.locked = true; render(); }
  }
  function wipe(reason) {
    st.key = null; st.work = null; st.locked = false; st.view = "home";
    localStorage.removeItem("mzf_active");
    return MZStore.wipe().then(function () { st.note = reason || ""; render(); });
  }

  // --- sync ---
  function sha256(blob) { return blob.arrayBuffer().then(function (b) { return crypto.subtle.digest("SHA-256", b); }).then(hex); }
  function uploadPhotos(rec) {
    var ids = Object.keys(rec.photos || {}).map(function (k) { return rec.photos[k]; });
    return ids.reduce(function (p, id) {
      return p.then(function () {
        return MZStore.photo(id).then(function (ph) {
          if (!ph || ph.done) return;
          return api("uploads", { method: "POST", body: { client_id: id, size: ph.size, sha256: ph.sha256, record: rec.client_id } })
            .then(function (s) { return s.complete ? s : sendFrom(ph, s.received); })
            .then(function () { ph.done = true; return MZStore.putPhoto(ph); });
        });
      });
    }, Promise.resolve());
  }
  function sendFrom(ph, offset, refusals) {
    if (offset >= ph.size) return Promise.resolve();
    refusals = refusals || 0;
    return api("uploads/" + ph.client_id + "/chunk?offset=" + offset,
               { method: "POST", raw: ph.blob.slice(offset, offset + CHUNK), type: "application/octet-stream" })
      .catch(function (e) {
        // Refused (a piece out of order, a damaged whole): resume where the server says, a few times at most.
        if (e.status === 422 && refusals < 3) { refusals++; return api("uploads/" + ph.client_id); }
        throw e;
      })
      .then(function (s) { return sendFrom(ph, s.received, refusals); });
  }
  function wire(r) {
    return { client_id: r.client_id, kind: r.kind, data: r.data, base_version: r.base_version || "", photos: r.photos || {} };
  }
  function apply(res) {
    return MZStore.record(res.client_id).then(function (rec) {
      if (!rec) return;
      if (res.status === "accepted") {
        return MZStore.get("sent").then(function (sent) {
          sent = (sent || []).slice(-49);
          sent.push({ kind: rec.kind, title: rec.title, ref: res.ref, message: res.message, at: nowIso() });
          return MZStore.set("sent", sent);
        }).then(function () { return MZStore.dropRecord(rec); });
      }
      rec.status = res.status === "conflict" ? "conflict" : "rejected";
      rec.message = res.message; rec.errors = res.errors || {}; rec.server = res.server || null;
      rec.server_version = res.server_version || "";
      return MZStore.putRecord(rec);
    });
  }
  function syncNow() {
    if (st.syncing || !st.key || !online()) return Promise.resolve();
    st.syncing = true; st.lastTry = Date.now();
    return MZStore.records().then(function (all) {
      var pending = all.filter(function (r) { return r.status === "pending"; });
      st.progress = { done: 0, total: pending.length }; status();
      var chain = Promise.resolve();
      for (var i = 0; i < pending.length; i += BATCH) {
        (function (batch) {
          chain = chain.then(function () {
            var ready = [];
            return batch.reduce(function (p, rec) {
              return p.then(function () { return uploadPhotos(rec); }).then(function () { ready.push(rec); }, function (e) {
                if (e.status !== 422) throw e;
                return apply({ client_id: rec.client_id, status: "rejected", message: "照片：" + e.detail });
              });
            }, Promise.resolve()).then(function () {
              return ready.length ? api("sync", { method: "POST", body: { records: ready.map(wire) } }) : { results: [] };
            }).then(function (res) {
              return res.results.reduce(function (p, r) { return p.then(function () { return apply(r); }); }, Promise.resolve());
            }).then(function () { st.progress.done += batch.length; status(); });
          });
        })(pending.slice(i, i + BATCH));
      }
      return chain;
    }).then(function () { return api("work"); }).then(function (work) {
      st.work = work; st.note = "";
      return MZStore.set("work", work);
    }).catch(function (e) {
      if (e.revoked) return wipe("此设备的离线权限已被乡镇收回（或账号已停用），本机保存的数据已清除。");
      if (e.reauth) { st.reauth = e.detail; st.locked = true; return; }
      if (e.status === 401) { st.note = "登录已失效，请退出后重新登录"; return; }
      st.note = e.network ? "网络中断，联网后自动继续同步" : (e.detail || "同步失败");
    }).then(function () { st.syncing = false; st.progress = null; render(); });
  }

  // --- records ---
  function counts() {
    return MZStore.records().then(function (rows) {
      return { pending: rows.filter(function (r) { return r.status === "pending"; }).length, rows: rows };
    });
  }
  function saveRecord(kind, data, opts) {
    opts = opts || {};
    var rec = opts.record || { client_id: uuid(), kind: kind, created_at: nowIso(), photos: {} };
    rec.data = data; rec.status = "pending"; rec.message = ""; rec.errors = {}; rec.title = opts.title || kindLabel(kind);
    if (opts.base_version !== undefined) rec.base_version = opts.base_version;
    var photos = [];
    return (opts.photo ? shrink(opts.photo) : Promise.resolve(null)).then(function (blob) {
      if (!blob) return;
      return sha256(blob).then(function (digest) {
        var id = uuid();
        rec.photos = { photo: id };
        photos.push({ client_id: id, blob: blob, size: blob.size, sha256: digest, done: false });
      });
    }).then(function () { return MZStore.saveRecord(rec, photos); }).then(function () {
      st.view = "home"; render();
      if (online()) syncNow();
    });
  }
  function shrink(file) {
    // Phones take 4 MB photos; 1600 px JPEG is what the server keeps anyway, and far less to send on a weak signal.
    if (!window.createImageBitmap) return Promise.resolve(file);
    return createImageBitmap(file).then(function (bmp) {
      var s = Math.min(1, 1600 / Math.max(bmp.width, bmp.height));
      var c = h("canvas", { width: Math.round(bmp.width * s), height: Math.round(bmp.height * s) });
      c.getContext("2d").drawImage(bmp, 0, 0, c.width, c.height);
      return new Promise(function (ok) { c.toBlob(function (b) { ok(b || file); }, "image/jpeg", 0.85); });
    }).catch(function () { return file; });
  }

  // --- screens ---
  function status() {
    var text = online() ? "在线" : "离线";
    if (st.progress) text = "同步中 " + st.progress.done + "/" + st.progress.total;
    net.textContent = text; net.className = "net " + (online() ? "on" : "off");
    var bar = document.getElementById("progress");
    if (bar) { bar.hidden = !st.progress; if (st.progress) { bar.max = st.progress.total || 1; bar.value = st.progress.done; } }
  }
  function render() {
    status();
    if (!st.key) return loginScreen();
    if (st.locked) return lockScreen();
    if (st.view !== "home") return;
    counts().then(function (c) { return MZStore.get("sent").then(function (sent) { home(c, sent || []); }); });
  }
  function field(label, input, error) {
    return h("label", { class: "field" }, h("span", { text: label }), input, error ? h("em", { class: "err", text: error }) : null);
  }
  function loginScreen() {
    var msg = h("p", { class: "err", text: st.note });
    var user = h("input", { name: "username", autocomplete: "username", required: true });
    var pass = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
    var form = h("form", { class: "card", onsubmit: function (ev) {
      ev.preventDefault();
      if (!online()) { msg.textContent = "首次登录需要联网"; return; }
      msg.textContent = "正在登录…";
      api("login", { method: "POST", body: { username: user.value, password: pass.value, label: navigator.userAgent.slice(0, 100) } })
        .then(function (r) {
          st.key = r.key;
          return makeVerifier(pass.value).then(function (v) {
            return Promise.all([MZStore.set("key", r.key), MZStore.set("verifier", v), MZStore.set("user", user.value)]);
          });
        }).then(function () { touch(); st.note = ""; return syncNow(); })
        .catch(function (e) { msg.textContent = e.network ? "无法连接服务器" : (e.detail || "登录失败"); st.key = null; });
    } }, h("h2", { text: "登录外勤App" }), field("用户名", user), field("密码", pass),
      h("button", { class: "btn primary", type: "submit", text: "登录" }), msg);
    app.replaceChildren(form);
  }
  function lockScreen() {
    var msg = h("p", { class: "err" });
    var pass = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
    var form = h("form", { class: "card", onsubmit: function (ev) {
      ev.preventDefault();
      msg.textContent = "正在验证…";
      var refusal = "";
      var viaServer = online() && st.unlockFails < 5
        ? api("unlock", { method: "POST", body: { password: pass.value } }).then(function () { st.reauth = ""; return true; }, function (e) {
          if (e.revoked) throw e;
          if (e.network) return checkOffline(pass.value);
          refusal = e.detail || "";
          return false;
        })
        : checkOffline(pass.value);
      viaServer.then(function (ok) {
        if (!ok) { st.unlockFails++; msg.textContent = refusal || "密码不正确"; return; }
        st.unlockFails = 0; st.locked = false; touch(); render();
      }, function (e) { if (e.revoked) wipe("此设备的离线权限已被收回，本机保存的数据已清除。"); });
    } }, h("h2", { text: "已锁定" }), h("p", { class: "muted", text: st.reauth || "长时间未操作，请重新输入密码" }),
      field("密码", pass), h("button", { class: "btn primary", type: "submit", text: "解锁" }), msg);
    app.replaceChildren(form);
  }
  function section(title, rows, empty) {
    return h("section", { class: "card" }, h("h3", { text: title + "（" + rows.length + "）" }),
      rows.length ? h("ul", { class: "list" }, rows) : h("p", { class: "muted", text: empty }));
  }
  function pendingFor(rows, kind, key, value) {
    return rows.some(function (r) { return r.kind === kind && r.status !== "synced" && String(r.data[key]) === String(value); });
  }
  function home(c, sent) {
    var w = st.work || {}, me = w.me || {}, kinds = (w.kinds || []).map(function (k) { return k.code; });
    var top = h("section", { class: "card head" },
      h("div", { text: (me.full_name || me.username || "") + " · " + (me.role_label || "") + " · " + (me.division || "") }),
      h("div", { class: "muted", id: "synced-at", text: "上次同步：" + (w.synced_at ? w.synced_at.replace("T", " ").slice(0, 16) : "尚未同步") }),
      h("div", { id: "pending-count", text: "待同步 " + c.pending + " 条" }),
      h("progress", { id: "progress", hidden: !st.progress }),
      st.note ? h("p", { class: "err", id: "note", text: st.note }) : null,
      h("div", { class: "row" },
        h("button", { class: "btn primary", id: "sync-now", disabled: st.syncing || !online(), text: st.syncing ? "同步中…" : "立即同步",
                      onclick: function () { syncNow(); } }),
        kinds.indexOf("need") >= 0 ? h("button", { class: "btn", id: "new-need", text: "上报民情", onclick: function () { needForm(); } }) : null));
    var problems = c.rows.filter(function (r) { return r.status !== "pending"; });
    var parts = [top];
    if (problems.length) parts.push(section("需要处理", problems.map(problemRow), ""));
    var pend = c.rows.filter(function (r) { return r.status === "pending"; });
    if (pend.length) parts.push(section("待同步", pend.map(function (r) {
      return h("li", { class: "pending" }, h("b", { text: kindLabel(r.kind) }), " ", r.title || "");
    }), ""));
    if (kinds.indexOf("disaster") >= 0) parts.push(section("灾情报告", (w.disaster || []).map(function (d) {
      var queued = pendingFor(c.rows, "disaster", "round", d.round);
      return h("li", {}, h("b", { text: d.event + " " + d.label }), h("span", { class: "muted", text: " " + d.status + "，时限 " + d.due_at.replace("T", " ") }),
        h("button", { class: "btn small", disabled: queued, "data-round": d.round, text: queued ? "已填待同步" : "填报",
                      onclick: function () { disasterForm(d); } }));
    }), "没有待报的灾情报告"));
    if (kinds.indexOf("investigation") >= 0) parts.push(section("待入户调查", (w.cases || []).map(function (a) {
      var queued = pendingFor(c.rows, "investigation", "application", a.id);
      return h("li", {}, h("b", { text: a.number + " " + a.programme }), h("div", { text: a.applicant + " · " + a.address }),
        h("button", { class: "btn small", disabled: queued, "data-case": a.id, text: queued ? "已填待同步" : "填写入户调查",
                      onclick: function () { investigationForm(a); } }));
    }), "没有待入户调查的案件"));
    if (kinds.indexOf("service") >= 0) parts.push(section("服务对象", (w.orders || []).map(function (o) {
      return h("li", {}, h("b", { text: o.person }), h("span", { class: "muted", text: " " + o.id_number + " · " + o.village + " · " + o.contract }),
        h("button", { class: "btn small", "data-order": o.id, text: "记录服务", onclick: function () { serviceForm(o); } }));
    }), "没有派给您的服务对象"));
    if (kinds.indexOf("need") >= 0) parts.push(section("未办结民情", (w.needs || []).map(function (n) {
      return h("li", {}, h("b", { text: n.ref + " " + n.category }), h("div", { text: n.description }),
        h("span", { class: "muted", text: n.village + " · " + n.status + " · 期限 " + n.deadline }));
    }), "没有未办结的民情事项"));
    if ((w.households || []).length) parts.push(section("走访家庭", w.households.map(function (x) {
      return h("li", {}, h("b", { text: x.head }), h("span", { class: "muted", text: " " + x.id_number + " " + x.phone }), h("div", { text: x.village + " " + x.address }));
    }), ""));
    (w.extra || []).forEach(function (x) {
      parts.push(section(x.label, x.items.map(function (it) {
        return h("li", {}, h("b", { text: it.title }), h("div", { class: "muted", text: it.detail || "" }),
          h("button", { class: "btn small", "data-extra": x.code + ":" + it.id, text: "填写" + x.label,
                        onclick: function () { extraForm(x, it); } }));
      }), "没有待办"));
    });
    if (sent.length) parts.push(section("最近已同步", sent.slice(-10).reverse().map(function (s) {
      return h("li", { class: "sent" }, h("b", { text: kindLabel(s.kind) }), " " + (s.message || s.ref));
    }), ""));
    parts.push(h("button", { class: "btn danger", id: "logout", text: "退出登录", onclick: function () { logout(c.pending + problems.length); } }));
    app.replaceChildren.apply(app, parts);
  }
  function problemRow(r) {
    var errs = Object.keys(r.errors || {}).map(function (k) { return (r.errors[k] || []).join("；"); }).join("；");
    var li = h("li", { class: r.status, "data-client": r.client_id },
      h("b", { text: kindLabel(r.kind) + "：" + STATUS_LABEL[r.status] }), h("div", { text: r.title || "" }),
      h("p", { class: "err", text: r.message + (errs && r.message.indexOf(errs) < 0 ? "（" + errs + "）" : "") }));
    if (r.status === "conflict" && r.server && r.server.values) {
      li.appendChild(h("p", { class: "muted", text: "服务器上的数字：" + Object.keys(r.server.values).map(function (k) {
        return label(k) + " " + r.server.values[k]; }).join("，") }));
    }
    var edit = r.status === "conflict"
      ? h("button", { class: "btn small", text: "保留我的修改，重新提交", onclick: function () {
        r.base_version = r.server_version; r.status = "pending"; r.message = "";
        MZStore.putRecord(r).then(function () { render(); syncNow(); });
      } })
      : h("button", { class: "btn small", text: "修改", onclick: function () { reopen(r); } });
    li.appendChild(h("div", { class: "row" }, edit, h("button", { class: "btn small danger", text: r.status === "conflict" ? "放弃我的修改" : "放弃",
      onclick: function () {
        if (!window.confirm("放弃后这条记录将从本机删除，不会上报，且无法恢复。确定放弃？")) return;
        MZStore.dropRecord(r).then(render);
      } })));
    return li;
  }
  function label(code) {
    var ind = ((st.work && st.work.disaster_rules && st.work.disaster_rules.indicators) || []).filter(function (i) { return i.code === code; })[0];
    return ind ? ind.label : code;
  }
  function reopen(r) {
    var w = st.work || {};
    if (r.kind === "need") return needForm(r);
    if (r.kind === "investigation") return investigationForm((w.cases || []).filter(function (a) { return a.id === r.data.application; })[0] || { id: r.data.application, number: r.title }, r);
    if (r.kind === "service") return serviceForm((w.orders || []).filter(function (o) { return o.id === r.data.order; })[0] || { id: r.data.order, person: r.title }, r);
    if (r.kind === "disaster") return disasterForm((w.disaster || []).filter(function (d) { return d.round === r.data.round; })[0], r);
    var x = (w.extra || []).filter(function (k) { return k.code === r.kind; })[0];
    if (x) extraForm(x, x.items.filter(function (it) { return it.id === r.data.item; })[0] || { id: r.data.item, title: r.title }, r);
  }
  /* A kind another app registered (e.g. the 探访 visit record): its form comes with it from the server. */
  function extraForm(x, it, rec) {
    var d = (rec && rec.data) || {};
    var fields = it.form || x.form;   // an item may carry its own form (a visit: its group's form in force)
    formScreen(x.label + "：" + (it.title || ""), fields.map(function (f) {
      if (f.type === "checkbox") return h("label", { class: "check" }, h("input", { type: "checkbox", name: f.name, checked: d[f.name] }), f.label);
      if (f.type === "select") return field(f.label, h("select", { name: f.name }, [""].concat(f.choices || []).map(function (c) {
        return h("option", { value: c, text: c || "（请选择）", selected: d[f.name] === c });
      })));
      var input = f.type === "textarea" ? h("textarea", { name: f.name, rows: 3, value: d[f.name] || "" })
        : f.type === "photo" ? h("input", { name: f.name, type: "file", accept: "image/*", capture: "environment" })
        : h("input", { name: f.name, type: f.type, value: d[f.name] || "" });
      return field(f.label, input);
    }), function (form) {
      var data = { item: it.id }, photo = null, missing = null;
      fields.forEach(function (f) {
        if (f.type === "photo") { photo = form.elements[f.name].files[0] || null; return; }
        data[f.name] = val(form, f.name);
        if (f.required && !data[f.name] && !missing) missing = "请填写" + f.label;
      });
      if (missing) return missing;
      saveRecord(x.code, data, { record: rec, photo: photo, title: x.label + " " + (it.title || "") });
    });
  }
  function kindLabel(code) {
    var k = ((st.work && st.work.kinds) || []).filter(function (x) { return x.code === code; })[0];
    return KIND_LABEL[code] || (k ? k.label : code);
  }
  function logout(unsent) {
    var go = function () {
      var done = online() ? api("logout", { method: "POST", body: {} }).catch(function () {}) : Promise.resolve();
      return done.then(function () { return wipe("已退出，本机数据已清除。"); });
    };
    if (unsent && !window.confirm("还有 " + unsent + " 条记录没有同步到服务器。退出将清除本机全部数据，这些记录会丢失且无法恢复。确定丢弃并退出？")) return;
    go();
  }

  // --- forms ---
  function formScreen(title, fields, onsave, extra) {
    st.view = "form";
    var msg = h("p", { class: "err", id: "form-error" });
    var form = h("form", { class: "card", id: "record-form", onsubmit: function (ev) {
      ev.preventDefault();
      var problem = onsave(form, msg);
      if (problem) msg.textContent = problem;
    } }, h("h2", { text: title }), fields, extra || null,
      h("div", { class: "row" }, h("button", { class: "btn primary", type: "submit", id: "save", text: "保存（联网后自动上报）" }),
        h("button", { class: "btn", type: "button", text: "返回", onclick: function () { st.view = "home"; render(); } })), msg);
    app.replaceChildren(form);
    window.scrollTo(0, 0);
    return form;
  }
  function select(name, options, value) {
    return h("select", { name: name }, h("option", { value: "", text: "请选择" }), options.map(function (o) {
      return h("option", { value: o.code, text: o.name || o.label, selected: String(o.code) === String(value) });
    }));
  }
  function val(form, name) { var el = form.elements[name]; return el ? (el.type === "checkbox" ? el.checked : el.value.trim()) : ""; }
  function needForm(rec) {
    var w = st.work || {}, d = (rec && rec.data) || {};
    var villages = w.villages || [];
    formScreen("上报民情", [
      field("村(社区)", select("village", villages, d.village || (villages.length === 1 ? villages[0].code : ""))),
      field("类别", select("category", w.categories || [], d.category)),
      field("情况描述", h("textarea", { name: "description", rows: 4, value: d.description || "" })),
      field("照片（可选）", h("input", { name: "photo", type: "file", accept: "image/*", capture: "environment" })),
      rec && rec.photos && rec.photos.photo ? h("p", { class: "muted", text: "已附照片；重新选择将替换" }) : null
    ], function (form) {
      var data = { village: val(form, "village"), category: val(form, "category"), description: val(form, "description") };
      if (!data.village) return "请选择村(社区)";
      if (!data.category) return "请选择类别";
      if (data.description.length < 5) return "请写清楚情况（至少 5 个字）";
      var cat = (w.categories || []).filter(function (c) { return c.code === data.category; })[0];
      saveRecord("need", data, { record: rec, photo: form.elements.photo.files[0], title: (cat ? cat.label : "") + "：" + data.description.slice(0, 20) });
    });
  }
  function investigationForm(a, rec) {
    var d = (rec && rec.data) || {}, me = (st.work && st.work.me) || {};
    formScreen("入户调查 " + (a.number || ""), [
      h("p", { class: "muted", text: (a.applicant || "") + " · " + (a.address || "") }),
      field("调查日期", h("input", { name: "visited_on", type: "date", value: d.visited_on || localDay() })),
      field("调查人一", h("input", { name: "investigator_1", value: d.investigator_1 || me.full_name || "" })),
      field("调查人二", h("input", { name: "investigator_2", value: d.investigator_2 || "" })),
      h("label", { class: "check" }, h("input", { type: "checkbox", name: "investigator_1_signed", checked: d.investigator_1_signed }), "调查人一已签字"),
      h("label", { class: "check" }, h("input", { type: "checkbox", name: "investigator_2_signed", checked: d.investigator_2_signed }), "调查人二已签字"),
      h("label", { class: "check" }, h("input", { type: "checkbox", name: "applicant_signed", checked: d.applicant_signed }), "申请人已签字确认"),
      field("居住状况", h("textarea", { name: "living_conditions", rows: 2, value: d.living_conditions || "" })),
      field("调查结论", h("textarea", { name: "findings", rows: 3, value: d.findings || "" }))
    ], function (form) {
      var data = { application: a.id };
      ["visited_on", "investigator_1", "investigator_2", "investigator_1_signed", "investigator_2_signed",
       "applicant_signed", "living_conditions", "findings"].forEach(function (k) { data[k] = val(form, k); });
      if (!data.investigator_1 || !data.investigator_2) return "请填写两名调查人姓名";
      saveRecord("investigation", data, { record: rec, base_version: rec ? rec.base_version : a.version,
                                          title: (a.number || "") + " " + (a.applicant || "") });
    });
  }
  function serviceForm(o, rec) {
    var d = (rec && rec.data) || {};
    var now = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 16);
    formScreen("服务记录：" + (o.person || ""), [
      field("开始时间", h("input", { name: "started_at", type: "datetime-local", value: d.started_at || "" })),
      field("结束时间", h("input", { name: "ended_at", type: "datetime-local", value: d.ended_at || now })),
      field("服务内容", h("textarea", { name: "content", rows: 3, value: d.content || "" })),
      field("确认方式", select("confirmation", [{ code: "signature", label: "本人或监护人签名" }, { code: "code", label: "一次性确认码" },
                                               { code: "none", label: "未确认" }], d.confirmation || "signature")),
      field("确认人姓名", h("input", { name: "confirmed_by", value: d.confirmed_by || "" })),
      field("确认码", h("input", { name: "code", value: d.code || "", inputmode: "numeric" })),
      field("照片（可选）", h("input", { name: "photo", type: "file", accept: "image/*", capture: "environment" }))
    ], function (form) {
      var data = { order: o.id };
      ["started_at", "ended_at", "content", "confirmation", "confirmed_by", "code"].forEach(function (k) { data[k] = val(form, k); });
      if (!data.started_at || !data.ended_at) return "请填写服务起止时间";
      if (data.ended_at <= data.started_at) return "结束时间应晚于开始时间";
      if (data.content.length < 2) return "请填写服务内容";
      saveRecord("service", data, { record: rec, photo: form.elements.photo.files[0], title: (o.person || "") + " " + data.started_at.replace("T", " ") });
    });
  }
  function disasterForm(dr, rec) {
    if (!dr) return;
    // The rule evaluator loads only when a report is filled in (the first screen stays light on a slow line);
    // offline it comes from the service worker's cache like the rest of the shell.
    if (!window.MZRules) {
      var s = h("script", { src: cfg.rules });
      s.onload = function () { disasterForm(dr, rec); };
      document.head.appendChild(s);
      return;
    }
    var book = st.work.disaster_rules, values = rec ? rec.data.values : Object.assign({}, dr.values);
    var explanation = rec ? rec.data.explanation : dr.explanation;
    var inputs = {}, groups = {}, notes = {};
    book.indicators.forEach(function (ind) {
      inputs[ind.code] = h("input", { name: ind.code, inputmode: "decimal", value: values[ind.code] || "" });
      notes[ind.code] = h("em", { class: "err" });
      (groups[ind.group] = groups[ind.group] || []).push(h("label", { class: "field" }, h("span", { text: ind.label + "（" + ind.unit + "）" }), inputs[ind.code], notes[ind.code]));
    });
    var expl = h("textarea", { name: "explanation", rows: 2, value: explanation || "" });
    var summary = h("div", { id: "rule-findings" });
    var errorsNow = [];
    function collect() { var v = {}; Object.keys(inputs).forEach(function (k) { if (inputs[k].value.trim() !== "") v[k] = inputs[k].value.trim(); }); return v; }
    function recheck() {
      Object.keys(notes).forEach(function (k) { notes[k].textContent = ""; notes[k].className = "err"; });
      var found;
      try {
        var env = MZRules.buildEnv(book, collect(), { prev: dr.env.prev, register: dr.env.register, villages: dr.env.villages, explained: !!expl.value.trim() });
        found = MZRules.check(book, env, dr.kind);
      } catch (e) {
        if (!e.errors) throw e;
        found = Object.keys(e.errors).map(function (k) { return { rule: "", severity: "error", message: e.errors[k], fields: [k] }; });
      }
      errorsNow = found.filter(function (f) { return f.severity === "error"; });
      found.forEach(function (f) {
        var k = f.fields[0]; if (notes[k]) { notes[k].textContent += f.message + " "; if (f.severity === "warning" && !notes[k].textContent.trim().length) notes[k].className = "warn"; }
      });
      summary.replaceChildren.apply(summary, found.map(function (f) {
        return h("p", { class: f.severity === "error" ? "err" : "warn", "data-rule": f.rule, text: (f.severity === "error" ? "错误：" : "提示：") + f.message });
      }));
    }
    var form = formScreen(dr.event + " " + dr.label, Object.keys(groups).map(function (g) {
      return h("fieldset", {}, h("legend", { text: g }), groups[g]);
    }).concat([field("数据变动说明", expl), summary]), function () {
      recheck();
      if (errorsNow.length) return "请先改正标红的数字（与服务器同一套校验规则）";
      saveRecord("disaster", { round: dr.round, values: collect(), explanation: expl.value.trim() },
                 { record: rec, base_version: rec ? rec.base_version : dr.version, title: dr.event + " " + dr.label });
    });
    form.addEventListener("input", recheck);
    recheck();
  }

  // --- start ---
  function start() {
    if ("serviceWorker" in navigator) navigator.serviceWorker.register(cfg.sw, { scope: cfg.scope }).catch(function () {});
    window.addEventListener("online", function () { status(); render(); syncNow(); });
    window.addEventListener("offline", function () { status(); render(); });
    ["pointerdown", "keydown"].forEach(function (t) { document.addEventListener(t, function () { if (!st.locked) touch(); }, { passive: true }); });
    document.addEventListener("visibilitychange", idleCheck);
    setInterval(function () {
      idleCheck();
      if (online() && st.key && !st.syncing && Date.now() - st.lastTry > RETRY_MS) {
        counts().then(function (c) { if (c.pending) syncNow(); });
      }
    }, 3000);
    return MZStore.get("key").then(function (key) {
      st.key = key || null;
      return key ? MZStore.get("work") : null;
    }).then(function (work) {
      st.work = work || null;
      if (st.key) idleCheck();
      render();
      if (st.key) syncNow();
    });
  }
  window.MZField = { sync: syncNow, state: st, counts: counts };
  start();
})();
