// Pass numérique: scan a pass's QR code with the phone's camera on the
// "Encaisser un pass" page. The page works without it: the code can always
// be typed. The button is shown only when a camera can be asked for.
// Decoding uses the browser's BarcodeDetector when it reads QR codes, else
// the vendored jsQR, loaded only then.
(function () {
  "use strict";

  function init() {
    var start = document.getElementById("scan-start");
    var form = document.getElementById("redeem-check");
    var input = document.getElementById("f-code");
    var panel = document.getElementById("scan-panel");
    var video = document.getElementById("scan-video");
    var stopButton = document.getElementById("scan-stop");
    var status = document.getElementById("scan-status");
    if (!start || !form || !input || !panel || !video || !stopButton || !status) { return; }
    if (!navigator.mediaDevices || typeof navigator.mediaDevices.getUserMedia !== "function") { return; }
    start.hidden = false;

    var stream = null;
    var detector = null;
    var canvas = null;
    var context = null;
    var running = false;
    var timer = 0;

    function say(message) { status.textContent = message; }

    function stop() {
      running = false;
      if (timer) { clearTimeout(timer); timer = 0; }
      if (stream) {
        stream.getTracks().forEach(function (t) { t.stop(); });
        stream = null;
      }
      video.pause();
      video.srcObject = null;
      panel.hidden = true;
      start.hidden = false;
    }

    // What a QR code holds: the code itself, or an address ending with it
    // (or carrying it as ?code=).
    function codeFrom(text) {
      text = String(text || "").trim();
      if (/^https?:\/\//i.test(text)) {
        try {
          var u = new URL(text);
          var c = u.searchParams.get("code");
          if (c) { return c; }
          var parts = u.pathname.split("/").filter(function (p) { return p !== ""; });
          if (parts.length) { return decodeURIComponent(parts[parts.length - 1]); }
        } catch (e) { /* not an address after all */ }
      }
      return text;
    }

    function found(text) {
      var code = codeFrom(text);
      if (!code) { next(); return; }
      stop();
      input.value = code.toUpperCase();
      say("QR code lu : vérification du pass…");
      if (typeof form.requestSubmit === "function") { form.requestSubmit(); } else { form.submit(); }
    }

    function next() {
      if (!running) { return; }
      timer = setTimeout(function () { timer = 0; window.requestAnimationFrame(frame); }, 150);
    }

    function frame() {
      if (!running) { return; }
      if (video.readyState < 2 || !video.videoWidth) { next(); return; }
      if (detector) {
        detector.detect(video).then(function (codes) {
          if (codes && codes.length && codes[0].rawValue) { found(codes[0].rawValue); } else { next(); }
        }, function () {
          // The detector failed on this browser: fall back to jsQR.
          detector = null;
          withJsQR(next);
        });
        return;
      }
      if (typeof window.jsQR !== "function") { next(); return; }
      var scale = Math.min(1, 640 / Math.max(video.videoWidth, video.videoHeight));
      var w = Math.round(video.videoWidth * scale);
      var h = Math.round(video.videoHeight * scale);
      if (!canvas) {
        canvas = document.createElement("canvas");
        context = canvas.getContext("2d", { willReadFrequently: true });
      }
      canvas.width = w;
      canvas.height = h;
      context.drawImage(video, 0, 0, w, h);
      var image = context.getImageData(0, 0, w, h);
      var result = window.jsQR(image.data, w, h, { inversionAttempts: "dontInvert" });
      if (result && result.data) { found(result.data); } else { next(); }
    }

    var jsQRLoading = null;
    function withJsQR(done) {
      if (typeof window.jsQR === "function") { done(); return; }
      if (!jsQRLoading) {
        jsQRLoading = [];
        var s = document.createElement("script");
        s.src = "/static/vendor/jsQR.js";
        s.onload = function () { var w = jsQRLoading; jsQRLoading = null; w.forEach(function (f) { f(); }); };
        s.onerror = function () {
          jsQRLoading = null;
          stop();
          say("Le lecteur de QR code n'a pas pu être chargé : saisissez le code à la main.");
        };
        document.head.appendChild(s);
      }
      jsQRLoading.push(done);
    }

    function makeDetector() {
      var BD = window.BarcodeDetector;
      if (typeof BD !== "function") { return Promise.resolve(null); }
      var formats = typeof BD.getSupportedFormats === "function" ? BD.getSupportedFormats() : Promise.resolve(["qr_code"]);
      return formats.then(function (list) {
        return list.indexOf("qr_code") >= 0 ? new BD({ formats: ["qr_code"] }) : null;
      }).catch(function () { return null; });
    }

    start.addEventListener("click", function () {
      say("Ouverture de la caméra…");
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (s) {
        stream = s;
        video.srcObject = s;
        video.muted = true;
        video.setAttribute("playsinline", "");
        panel.hidden = false;
        start.hidden = true;
        return video.play();
      }).then(makeDetector).then(function (d) {
        detector = d;
        running = true;
        say("Placez le QR code du pass face à la caméra.");
        stopButton.focus();
        if (d) { frame(); } else { withJsQR(frame); }
      }).catch(function (e) {
        stop();
        if (e && (e.name === "NotAllowedError" || e.name === "SecurityError")) {
          say("L'accès à la caméra a été refusé : autorisez-le dans votre navigateur, ou saisissez le code à la main.");
        } else if (e && e.name === "NotFoundError") {
          say("Aucune caméra n'a été trouvée : saisissez le code à la main.");
        } else {
          say("La caméra n'a pas pu être ouverte : saisissez le code à la main.");
        }
      });
    });

    stopButton.addEventListener("click", function () {
      stop();
      say("Caméra arrêtée.");
      start.focus();
    });
    document.addEventListener("keydown", function (e) {
      if (running && e.key === "Escape") { stop(); say("Caméra arrêtée."); start.focus(); }
    });
    window.addEventListener("pagehide", stop);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
