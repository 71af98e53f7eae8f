// Enrollment pages: no inline scripts (Content-Security-Policy), so the small behaviours live here.
(function () {
    "use strict";
    // Forms that ask first (取消报名): data-confirm holds the question.
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
        form.addEventListener("submit", function (event) {
            if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
        });
    });
    // The enrollment form: one submission only, the button says it is working.
    document.querySelectorAll("form.form[data-submit-once]").forEach(function (form) {
        form.addEventListener("submit", function () {
            var button = form.querySelector("[type=submit]");
            if (button) { button.disabled = true; button.textContent = "正在提交…"; }
        });
    });
    var summary = document.querySelector(".error-summary");
    if (summary) summary.focus();
})();
