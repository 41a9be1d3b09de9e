// The web page's sampling panel: the rules the daemon serves and what samplers reported for each.
// Self-contained (its own script, styles and endpoint) and, like page.ts, DOM built with
// textContent only, ES2017, no backticks.

export const SAMPLING_PANEL_CSS = String.raw`
#sampling-panel { margin-top: 14px; }
#sampling-rules { width: 100%; border-collapse: collapse; font-size: 12px; margin-top: 6px; }
#sampling-rules th, #sampling-rules td { text-align: left; padding: 2px 4px; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
#sampling-rules td.n { text-align: right; font-variant-numeric: tabular-nums; }
`;

export const SAMPLING_PANEL_JS = String.raw`'use strict';
(function () {
  var POLL_MS = 2000;
  var panel = document.getElementById('sampling-panel');
  if (!panel) return;
  var note = document.getElementById('sampling-source');
  var body = document.getElementById('sampling-rules-body');

  function cell(text, numeric) {
    var td = document.createElement('td');
    if (numeric) td.className = 'n';
    td.textContent = text === undefined || text === null ? '' : String(text);
    return td;
  }

  function pattern(r) {
    var parts = [];
    if (r.ServiceName !== '*') parts.push('service ' + r.ServiceName);
    if (r.Host !== '*') parts.push('host ' + r.Host);
    if (r.HTTPMethod !== '*') parts.push(r.HTTPMethod);
    if (r.URLPath !== '*') parts.push(r.URLPath);
    return parts.length ? parts.join(' ') : 'everything';
  }

  function render(data) {
    var rules = Array.isArray(data.rules) ? data.rules : [];
    note.textContent = (data.rulesFile ? 'from ' + data.rulesFile : 'built-in default') + ', loaded ' +
      new Date(data.loadedAt * 1000).toLocaleTimeString() + '; fetched by samplers ' + data.rulesFetches + ' times' +
      (data.lastRulesFetchAt ? ', last at ' + new Date(data.lastRulesFetchAt * 1000).toLocaleTimeString() : '');
    body.replaceChildren.apply(body, rules.map(function (r) {
      var tr = document.createElement('tr');
      var c = r.counts || {};
      [cell(r.RuleName), cell(pattern(r)), cell(r.ReservoirSize + '/s + ' + Math.round(r.FixedRate * 1000) / 10 + '%'),
        cell(c.requests, true), cell(c.sampled, true), cell(c.borrowed, true), cell(r.clients, true)].forEach(function (td) { tr.appendChild(td); });
      return tr;
    }));
  }

  function refresh() {
    fetch('/api/sampling', { headers: { Accept: 'application/json' } })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(render)
      .catch(function (err) { note.textContent = 'cannot load the rules: ' + err.message; });
  }
  refresh();
  setInterval(refresh, POLL_MS);
})();
`;

/** The panel's markup, placed in the page's side bar. */
export const SAMPLING_PANEL_HTML = String.raw`<details id="sampling-panel">
      <summary>Sampling rules</summary>
      <p id="sampling-source" class="hint"></p>
      <table id="sampling-rules">
        <thead><tr><th>Rule</th><th>Matches</th><th>Keeps</th><th>Requests</th><th>Sampled</th><th>Borrowed</th><th>Clients</th></tr></thead>
        <tbody id="sampling-rules-body"></tbody>
      </table>
    </details>`;
