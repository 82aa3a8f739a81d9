// Pass numérique: small progressive enhancements. Every page works without.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Bring the error summary of a refused form into view and to screen
    // readers' attention.
    var errors = document.getElementById("erreurs");
    if (errors) { errors.focus(); }
  });
})();
