// Signature drawn on the phone: a canvas the beneficiary or guardian signs with a finger; on submit its PNG goes into
// the hidden field signature_drawn (the server re-encodes it like a photo). A file, no inline script (CSP).
(function () {
  var form = document.getElementById("record-form");
  var canvas = document.getElementById("signature-pad");
  if (!form || !canvas || !canvas.getContext) { return; }
  var field = form.querySelector("[name='signature_drawn']");
  var clear = document.getElementById("signature-clear");
  var ctx = canvas.getContext("2d");
  var drawing = false, inked = false;
  function fit() {
    var ratio = window.devicePixelRatio || 1, w = canvas.clientWidth || 300;
    canvas.width = Math.round(w * ratio);
    canvas.height = Math.round(w * 0.45 * ratio);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.lineWidth = 2.5;
    ctx.lineCap = "round";
    ctx.strokeStyle = "#111";
    inked = false;
  }
  function at(e) {
    var r = canvas.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }
  canvas.addEventListener("pointerdown", function (e) {
    drawing = true;
    canvas.setPointerCapture(e.pointerId);
    var p = at(e);
    ctx.beginPath();
    ctx.moveTo(p[0], p[1]);
    e.preventDefault();
  });
  canvas.addEventListener("pointermove", function (e) {
    if (!drawing) { return; }
    var p = at(e);
    ctx.lineTo(p[0], p[1]);
    ctx.stroke();
    inked = true;
    e.preventDefault();
  });
  function stop() { drawing = false; }
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);
  if (clear) { clear.addEventListener("click", function () { fit(); if (field) { field.value = ""; } }); }
  form.addEventListener("submit", function () {
    if (field) { field.value = inked ? canvas.toDataURL("image/png") : ""; }
  });
  fit();
})();
