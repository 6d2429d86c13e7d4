// Drill-down: a link with data-open="team-N" opens that team's <details> before the browser
// scrolls to it; a #team-N address opens it on load and on back/forward; the buttons with
// data-toggle-all open or close every team; printing opens everything.
(function () {
  "use strict";
  function openTeam(id) {
    var panel = document.getElementById(id);
    if (panel && panel.tagName === "DETAILS") {
      panel.open = true;
    }
    return panel;
  }
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) {
      return;
    }
    var link = target.closest("a[data-open]");
    if (link) {
      openTeam(link.getAttribute("data-open"));
      return;
    }
    var button = target.closest("button[data-toggle-all]");
    if (button) {
      var open = button.getAttribute("data-toggle-all") === "open";
      document.querySelectorAll("details.team").forEach(function (panel) {
        panel.open = open;
      });
    }
  });
  function fromAddress() {
    if (location.hash.length > 1) {
      var panel = openTeam(decodeURIComponent(location.hash.slice(1)));
      if (panel) {
        panel.scrollIntoView({ block: "start" });
      }
    }
  }
  window.addEventListener("hashchange", fromAddress);
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (panel) {
      panel.open = true;
    });
  });
  fromAddress();
})();
