// Before the first paint (loaded blocking in <head>), so a dark page never flashes light. A
// file rather than an inline script: the page's Content-Security-Policy allows no inline script.
"use strict";
document.documentElement.dataset.theme =
  localStorage.getItem("chatlake-theme") ||
  (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
