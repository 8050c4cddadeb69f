// The review page's own script (served by the app; no CDN): draws Mermaid diagrams and shows a
// new revision without a manual reload.
/* global window, document, fetch, setTimeout, mermaid */ // runs in the browser
(function () {
  if (window.mermaid && document.querySelector('pre.mermaid')) {
    mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
    mermaid.run({ querySelector: 'pre.mermaid' }).catch(function (err) {
      console.error('mermaid', err);
    });
  }
  var body = document.body;
  var stateUrl = body.getAttribute('data-state-url');
  if (!stateUrl) return;
  var shown = body.getAttribute('data-state');
  var interval = Number(body.getAttribute('data-poll-ms') || '3000');
  function poll() {
    fetch(stateUrl, { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .then(function (state) {
        if (!state || state.key === shown) return;
        var comment = document.querySelector('textarea[name=comment]');
        if (comment && comment.value.trim()) {
          var banner = document.getElementById('stale-banner');
          if (banner) banner.hidden = false;
          return;
        }
        window.location.reload();
      })
      .catch(function () {})
      .then(function () {
        setTimeout(poll, interval);
      });
  }
  setTimeout(poll, interval);
})();
