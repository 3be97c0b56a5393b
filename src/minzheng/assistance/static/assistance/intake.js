// Intake form: show only the fields the chosen programme and channel need (no inline script under the CSP).
(function () {
  var form = document.getElementById("intake-form");
  if (!form) { return; }
  var onlyFor = {
    linshi_type: function (p) { return p === "linshi"; },
    months: function (p) { return p === "linshi"; },
    selfcare_failed: function (p) { return p.indexOf("tekun") === 0; },
    single_person: function (p) { return p.indexOf("dibao") === 0; },
    person: function (p) { return p.indexOf("linshi") !== 0; }
  };
  function row(name) {
    // the field's own wrapper: the element whose parent is the form itself
    var el = form.querySelector("[name='" + name + "']");
    while (el && el.parentElement && el.parentElement !== form) { el = el.parentElement; }
    return el && el.parentElement === form ? el : null;
  }
  function update() {
    var prog = (form.querySelector("[name='programme']") || {}).value || "";
    var chan = (form.querySelector("[name='channel']") || {}).value || "";
    Object.keys(onlyFor).forEach(function (name) {
      var r = row(name);
      // never hide a field that carries an error message
      if (r && !r.querySelector(".errorlist")) { r.hidden = !onlyFor[name](prog); }
    });
    var ent = row("entrusted_to");
    if (ent && !ent.querySelector(".errorlist")) { ent.hidden = chan !== "entrusted"; }
  }
  form.addEventListener("change", update);
  update();
})();
