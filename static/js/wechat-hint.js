/* WeChat's built-in browser cannot open .ics files: show the hint to open the page in the system browser.
   Decided in the browser (not on the server) so cached pages stay the same for every visitor. */
(function () {
  if (!/MicroMessenger/i.test(navigator.userAgent)) return;
  document.querySelectorAll("[data-wechat-hint]").forEach(function (el) { el.hidden = false; });
})();
