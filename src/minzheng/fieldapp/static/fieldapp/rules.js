/* The disaster validation rules, evaluated on the phone from the rule data the server ships (never copied by hand).
   A generic evaluator of minzheng.disaster.rules' language: the same grammar, exact arithmetic (rationals on
   BigInt, where the server uses Decimal), the same "a name with no value: the rule does not apply". */
(function (root) {
  "use strict";
  var NA = { na: true };  // thrown: a name has no value here, or a division by zero

  // --- exact numbers ---
  function gcd(a, b) { if (a < 0n) a = -a; if (b < 0n) b = -b; while (b) { var t = a % b; a = b; b = t; } return a; }
  function rat(n, d) {
    if (d === undefined) d = 1n;
    if (d < 0n) { n = -n; d = -d; }
    var g = gcd(n, d) || 1n;
    return { n: n / g, d: d / g };
  }
  function num(x) { return typeof x === "boolean" ? rat(x ? 1n : 0n) : x; }
  function add(a, b) { a = num(a); b = num(b); return rat(a.n * b.d + b.n * a.d, a.d * b.d); }
  function sub(a, b) { b = num(b); return add(a, rat(-b.n, b.d)); }
  function mul(a, b) { a = num(a); b = num(b); return rat(a.n * b.n, a.d * b.d); }
  function div(a, b) { a = num(a); b = num(b); if (b.n === 0n) throw NA; return rat(a.n * b.d, a.d * b.n); }
  function cmp(a, b) { a = num(a); b = num(b); var l = a.n * b.d, r = b.n * a.d; return l < r ? -1 : l > r ? 1 : 0; }
  function truthy(x) { return typeof x === "boolean" ? x : x.n !== 0n; }

  var DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
  /* Text → exact number, or null (blank) — throws Error with the server's message when it is not a number. */
  function parseNumber(raw) {
    if (raw === null || raw === undefined) return null;
    var text = String(raw).trim().replace(/[,，]/g, "");
    if (text === "") return null;
    if (!DECIMAL.test(text)) throw new Error("“" + raw + "”不是数字");
    var m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
    var digits = (m[2] || "") + (m[3] || ""), exp = (m[4] ? parseInt(m[4], 10) : 0) - (m[3] || "").length;
    var n = BigInt(digits || "0") * (m[1] === "-" ? -1n : 1n);
    return exp >= 0 ? rat(n * 10n ** BigInt(exp)) : rat(n, 10n ** BigInt(-exp));
  }
  /* As Python's str(Decimal(canonical)) for the figures a message shows (a finite decimal). */
  function show(x) {
    if (typeof x === "boolean") return x ? "True" : "False";
    var n = x.n, d = x.d, neg = n < 0n; if (neg) n = -n;
    var scale = 0; while (d !== 1n && scale < 60) { n *= 10n; scale++; if (n % d === 0n) { n /= d; d = 1n; } }
    if (d !== 1n) { n /= d; }
    var s = n.toString(); if (scale) { s = s.padStart(scale + 1, "0"); s = s.slice(0, -scale) + "." + s.slice(-scale); }
    return (neg && s.replace(/[0.]/g, "") !== "" ? "-" : "") + s;
  }

  // --- the language ---
  var TOKEN = /\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_$][\w.$]*)|(<=|>=|==|!=|[<>()+\-*\/,]))/y;
  function tokenize(text) {
    var out = [], pos = 0; text = text.replace(/\s+$/, "");
    while (pos < text.length) {
      TOKEN.lastIndex = pos;
      var m = TOKEN.exec(text);
      if (!m || TOKEN.lastIndex === pos) throw new Error("表达式在第 " + (pos + 1) + " 个字符处无法识别");
      if (m[1] !== undefined) out.push(["num", m[1]]);
      else if (m[2] !== undefined) out.push([["and", "or", "not"].indexOf(m[2]) >= 0 ? "kw" : "name", m[2]]);
      else out.push(["sym", m[3]]);
      pos = TOKEN.lastIndex;
    }
    return out;
  }
  var COMPARE = ["<=", "<", ">=", ">", "==", "!="];
  var FUNCTIONS = {
    is_int: function (x) { return num(x).d === 1n; },
    abs: function (x) { x = num(x); return rat(x.n < 0n ? -x.n : x.n, x.d); },
    min: function () { var a = [].slice.call(arguments); return a.reduce(function (m, x) { return cmp(x, m) < 0 ? x : m; }); },
    max: function () { var a = [].slice.call(arguments); return a.reduce(function (m, x) { return cmp(x, m) > 0 ? x : m; }); },
    sum: function () { return [].slice.call(arguments).reduce(add, rat(0n)); }
  };
  function parse(text) {
    var toks = tokenize(text), i = 0;
    function peek() { return toks[i]; }
    function at(kind, values) { var t = toks[i]; return !!t && t[0] === kind && (!values || values.indexOf(t[1]) >= 0); }
    function take(kind, value) {
      var t = toks[i];
      if (!t || (kind && t[0] !== kind) || (value && t[1] !== value)) throw new Error("表达式“" + text + "”语法错误");
      i++; return t;
    }
    function or_() { var n = and_(); while (at("kw", ["or"])) { take(); n = { op: "or", args: [n, and_()] }; } return n; }
    function and_() { var n = not_(); while (at("kw", ["and"])) { take(); n = { op: "and", args: [n, not_()] }; } return n; }
    function not_() { if (at("kw", ["not"])) { take(); return { op: "not", args: [not_()] }; } return cmp_(); }
    function cmp_() { var n = sum_(); if (at("sym", COMPARE)) { var op = take()[1]; n = { op: op, args: [n, sum_()] }; } return n; }
    function sum_() { var n = term(); while (at("sym", ["+", "-"])) { var op = take()[1]; n = { op: op, args: [n, term()] }; } return n; }
    function term() { var n = unary(); while (at("sym", ["*", "/"])) { var op = take()[1]; n = { op: op, args: [n, unary()] }; } return n; }
    function unary() { if (at("sym", ["-"])) { take(); return { op: "neg", args: [unary()] }; } return atom(); }
    function atom() {
      var t = peek();
      if (!t) throw new Error("表达式“" + text + "”不完整");
      if (t[0] === "num") { take(); return { op: "num", args: [parseNumber(t[1])] }; }
      if (t[0] === "name") {
        take();
        if (at("sym", ["("])) {
          if (!FUNCTIONS[t[1]]) throw new Error("未知函数 " + t[1]);
          take(); var args = [or_()];
          while (at("sym", [","])) { take(); args.push(or_()); }
          take("sym", ")");
          return { op: "call", fn: t[1], args: args };
        }
        return { op: "name", name: t[1], args: [] };
      }
      if (t[0] === "sym" && t[1] === "(") { take(); var n = or_(); take("sym", ")"); return n; }
      throw new Error("表达式“" + text + "”在“" + t[1] + "”处语法错误");
    }
    var node = or_();
    if (i < toks.length) throw new Error("表达式“" + text + "”在“" + toks[i][1] + "”处多余");
    return node;
  }
  function names(node, out) {
    out = out || {};
    if (node.op === "name") out[node.name] = true;
    (node.args || []).forEach(function (a) { if (a && a.op) names(a, out); });
    return out;
  }
  function evaluate(node, env) {
    var a = node.args;
    switch (node.op) {
      case "num": return a[0];
      case "name": if (!(node.name in env) || env[node.name] === null || env[node.name] === undefined) throw NA;
        return env[node.name];
      case "and": return truthy(evaluate(a[0], env)) && truthy(evaluate(a[1], env));
      case "or": return truthy(evaluate(a[0], env)) || truthy(evaluate(a[1], env));
      case "not": return !truthy(evaluate(a[0], env));
      case "neg": var v = num(evaluate(a[0], env)); return rat(-v.n, v.d);
      case "call": return FUNCTIONS[node.fn].apply(null, a.map(function (x) { return evaluate(x, env); }));
    }
    var l = evaluate(a[0], env), r = evaluate(a[1], env);
    switch (node.op) {
      case "+": return add(l, r); case "-": return sub(l, r); case "*": return mul(l, r); case "/": return div(l, r);
      case "<=": return cmp(l, r) <= 0; case "<": return cmp(l, r) < 0; case ">=": return cmp(l, r) >= 0;
      case ">": return cmp(l, r) > 0; case "==": return cmp(l, r) === 0; case "!=": return cmp(l, r) !== 0;
    }
    throw new Error("未知运算 " + node.op);
  }

  /* The names a rule may read, as the server's build_env: every indicator (blank = 0), prev.* when there is a
     previous report, register.*, villages.* and `explained`. Throws {errors: {code: message}} for non-numbers. */
  function buildEnv(book, values, ctx) {
    var env = {}, errors = {}, bad = false;
    book.indicators.forEach(function (ind) {
      try { var v = parseNumber(values[ind.code]); env[ind.code] = v === null ? rat(0n) : v; }
      catch (e) { errors[ind.code] = ind.label + "：" + e.message; bad = true; }
    });
    if (bad) throw { errors: errors };
    ctx = ctx || {};
    if (ctx.prev) book.indicators.forEach(function (ind) {
      var v = parseNumber(ctx.prev[ind.code]); env["prev." + ind.code] = v === null ? rat(0n) : v;
    });
    Object.keys(ctx.register || {}).forEach(function (k) { env["register." + k] = parseNumber(String(ctx.register[k])); });
    Object.keys(ctx.villages || {}).forEach(function (k) { env["villages." + k] = parseNumber(String(ctx.villages[k])); });
    env.explained = !!ctx.explained;
    return env;
  }

  function check(book, env, kind) {
    var labels = {}, findings = [];
    book.indicators.forEach(function (i) { labels[i.code] = i.label; });
    book.rules.forEach(function (r) {
      if (r.kinds.length && r.kinds.indexOf(kind) < 0) return;
      var targets = r.each.length ? r.each : [null];
      targets.forEach(function (target) {
        var text = target ? r.expression.split("$").join(target) : r.expression;
        var node = parse(text), passed;
        try { passed = truthy(evaluate(node, env)); } catch (e) { if (e === NA) return; throw e; }
        if (passed) return;
        var fields = r.fields.length ? r.fields.slice()
          : Object.keys(names(node)).filter(function (n) { return n in labels; }).sort();
        if (!r.fields.length && !fields.length && target) fields = [target];
        if (target) fields = [target];
        var msg = target ? r.message.split("{label}").join(labels[target] || target) : r.message;
        msg = msg.split("{value}").join(target && target in env ? show(env[target]) : "");
        if (target && msg.indexOf("{prev}") >= 0) {
          msg = msg.split("{prev}").join(("prev." + target) in env ? show(env["prev." + target]) : "");
        }
        findings.push({ rule: r.code, severity: r.severity, message: msg, fields: fields });
      });
    });
    return findings;
  }

  root.MZRules = { parseNumber: parseNumber, parse: parse, evaluate: evaluate, buildEnv: buildEnv, check: check,
                   show: show };
  if (typeof module !== "undefined" && module.exports) module.exports = root.MZRules;
})(typeof self !== "undefined" ? self : this);
