// The web page of the local daemon, embedded as strings so the bundled CLI needs no asset files.
// Everything a document says is untrusted: the script builds the DOM with textContent and
// createElement only (never innerHTML), and the server's Content-Security-Policy forbids inline
// script as a second wall. Keep it dependency-free, ES2017 and free of backticks (this is a
// template literal).

import { SAMPLING_PANEL_CSS, SAMPLING_PANEL_HTML } from './sampling-panel.js';

export const PAGE_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>X-Ray daemon stand-in</title>
<link rel="stylesheet" href="/app.css">
<link rel="icon" href="data:,">
</head>
<body>
<header>
  <h1>X-Ray daemon stand-in</h1>
  <p id="stats" aria-live="polite">connecting…</p>
</header>
<main>
  <nav aria-label="Traces">
    <h2>Traces <span class="sub">newest first</span></h2>
    <p id="empty" class="hint">No traces yet. Point a sender's AWS_XRAY_DAEMON_ADDRESS at this daemon.</p>
    <ul id="traces"></ul>
    <details id="rejections-panel">
      <summary>Rejected datagrams (<span id="rejected-count">0</span>)</summary>
      <ul id="rejections"></ul>
    </details>
    ${SAMPLING_PANEL_HTML}
  </nav>
  <div id="view">
    <details id="map-panel" open>
      <summary>Service map <span class="sub" id="map-summary"></span></summary>
      <div id="map" role="img" aria-label="Service map"></div>
    </details>
    <section id="waterfall" aria-label="Trace waterfall">
      <p class="hint">Choose a trace to see its waterfall.</p>
    </section>
  </div>
</main>
<script src="/app.js" defer></script>
<script src="/sampling.js" defer></script>
</body>
</html>
`;

export const PAGE_CSS = String.raw`
/* Status colours follow X-Ray's console: ok green, error (4xx) orange, fault (5xx) red, throttle (429) purple. */
:root { --fg: #1d2330; --muted: #5f6b7a; --line: #e4e7ec; --bg: #ffffff; --panel: #f8f9fb; --sel: #eef3ff; --focus: #2f6fed;
  --ok: #1d8102; --ok-strong: #0f5c00; --error: #e07700; --fault: #d13212; --throttle: #8d4bd6; --loss: #b35c00; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px; padding: 10px 16px; border-bottom: 1px solid var(--line); }
h1 { font-size: 17px; margin: 0; }
h2 { font-size: 15px; margin: 0 0 8px; }
.sub, .hint, #stats { color: var(--muted); font-weight: normal; font-size: 13px; }
main { display: grid; grid-template-columns: minmax(240px, 340px) minmax(0, 1fr); min-height: calc(100vh - 46px); }
nav { border-right: 1px solid var(--line); background: var(--panel); padding: 12px; overflow: auto; min-width: 0; }
#traces { list-style: none; margin: 0; padding: 0; }
#traces li { margin: 0 0 6px; }
#traces button { width: 100%; text-align: left; border: 1px solid var(--line); border-left: 4px solid var(--ok); background: var(--bg); border-radius: 6px; padding: 7px 9px; cursor: pointer; font: inherit; color: inherit; }
#traces button.status-error { border-left-color: var(--error); }
#traces button.status-fault { border-left-color: var(--fault); }
#traces button.status-throttle { border-left-color: var(--throttle); }
#traces button:hover { border-color: var(--focus); }
#traces button[aria-pressed="true"] { background: var(--sel); border-color: var(--focus); }
.trace-name { font-weight: 600; overflow-wrap: anywhere; }
.trace-request { display: flex; gap: 6px; align-items: baseline; font-size: 12px; margin: 2px 0; min-width: 0; }
.trace-request .method { font-weight: 600; }
.trace-request .url { color: var(--muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; min-width: 0; }
.status { font-weight: 600; font-variant-numeric: tabular-nums; color: var(--ok); }
.status.status-error { color: var(--error); }
.status.status-fault { color: var(--fault); }
.status.status-throttle { color: var(--throttle); }
.trace-meta, .trace-id { color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
.badge { display: inline-block; font-size: 11px; padding: 0 6px; border-radius: 8px; margin-left: 4px; color: #fff; background: var(--muted); vertical-align: 1px; }
.badge.fault, .badge.rejected { background: var(--fault); }
.badge.error { background: var(--error); }
.badge.throttle { background: var(--throttle); }
.badge.loss { background: var(--loss); }
#view { min-width: 0; }
#map-panel { padding: 10px 16px 0; border-bottom: 1px solid var(--line); }
#map-panel > summary { cursor: pointer; font-weight: 600; padding-bottom: 6px; }
#map svg { display: block; width: 100%; height: auto; max-height: 420px; }
#map .edge { stroke: #98a2b3; stroke-width: 1.5; fill: none; }
#map .edge-label { font-size: 11px; fill: var(--muted); }
#map .node-ring { fill: none; stroke-width: 7; }
#map .node-ring.ok { stroke: var(--ok); }
#map .node-ring.client { stroke: #98a2b3; }
#map .node-ring.error { stroke: var(--error); }
#map .node-ring.fault { stroke: var(--fault); }
#map .node-ring.throttle { stroke: var(--throttle); }
#map .node-core { fill: var(--bg); stroke: var(--line); }
#map .node-name { font-size: 12px; font-weight: 600; fill: var(--fg); }
#map .node-meta { font-size: 11px; fill: var(--muted); }
#map .node-kind { font-size: 10px; fill: var(--muted); }
#waterfall { padding: 12px 16px; overflow: auto; min-width: 0; }
#waterfall h2 { font-size: 16px; overflow-wrap: anywhere; }
.note { color: var(--error); }
.explain { color: var(--muted); font-style: italic; }
.axis, .entity > details > summary { display: grid; grid-template-columns: minmax(120px, 36%) minmax(0, 1fr) 72px; gap: 8px; align-items: center; }
.axis { color: var(--muted); font-size: 11px; border-bottom: 1px solid var(--line); padding: 4px 0; }
.axis .ticks { display: flex; justify-content: space-between; gap: 4px; min-width: 0; }
.axis .tick { white-space: nowrap; font-variant-numeric: tabular-nums; }
.rows { list-style: none; margin: 0; padding: 0; }
.entity { border-bottom: 1px solid var(--line); }
.entity > details > summary { cursor: pointer; padding: 4px 0; list-style: none; }
.entity > details > summary::-webkit-details-marker { display: none; }
.entity > details[open] > summary { background: var(--sel); }
.label { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; min-width: 0; }
.name { font-weight: 500; }
.kind { color: var(--muted); font-size: 11px; margin-left: 6px; }
.segment > details > summary .name { font-weight: 700; }
.track { position: relative; height: 14px; background: var(--panel); border-radius: 3px; min-width: 0; }
.bar { position: absolute; top: 2px; bottom: 2px; min-width: 2px; border-radius: 2px; background: var(--ok); }
.segment .bar { background: var(--ok-strong); }
.status-error > details > summary .bar { background: var(--error); }
.status-throttle > details > summary .bar { background: var(--throttle); }
.status-fault > details > summary .bar { background: var(--fault); }
.rejected > details > summary .bar { background: repeating-linear-gradient(45deg, var(--fault) 0 4px, #f4b6a9 4px 8px); }
.loss > details > summary .name::after { content: " ⚠"; color: var(--loss); }
.bar.open { background-image: repeating-linear-gradient(45deg, transparent 0 4px, rgba(255,255,255,.5) 4px 8px); }
.dur { text-align: right; font-variant-numeric: tabular-nums; color: var(--muted); font-size: 12px; white-space: nowrap; }
.info { padding: 6px 8px 10px 24px; font-size: 13px; }
.info h3 { font-size: 12px; color: var(--muted); margin: 8px 0 2px; }
.info dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 1px 12px; margin: 0; }
.info dt { color: var(--muted); }
.info dd { margin: 0; overflow-wrap: anywhere; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
.info pre { margin: 0; background: var(--panel); padding: 6px; border-radius: 4px; overflow: auto; font-size: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
.reasons { color: var(--fault); margin: 4px 0; padding-left: 18px; }
.losses { color: var(--loss); margin: 4px 0; padding-left: 18px; }
.exception { margin: 4px 0; }
.exception .what { color: var(--fault); font-weight: 600; overflow-wrap: anywhere; }
.stack { margin: 2px 0 0; padding-left: 18px; color: var(--muted); font-family: ui-monospace, monospace; font-size: 12px; overflow-wrap: anywhere; }
#rejections-panel { margin-top: 14px; }
${SAMPLING_PANEL_CSS}
#rejections { list-style: none; padding: 0; margin: 6px 0 0; font-size: 12px; }
#rejections > li { border-left: 3px solid var(--fault); padding: 2px 6px; margin-bottom: 6px; background: var(--bg); overflow-wrap: anywhere; }

/* Narrow windows: the list goes above the waterfall, and the axis keeps three labels. */
@media (max-width: 900px) {
  main { grid-template-columns: minmax(0, 1fr); align-content: start; }
  nav { border-right: 0; border-bottom: 1px solid var(--line); max-height: 45vh; }
  .axis .tick:nth-child(2), .axis .tick:nth-child(4) { display: none; }
}
/* Phones: each row puts name and duration on one line and the bar under them, full width. */
@media (max-width: 560px) {
  header { padding: 8px 10px; }
  #waterfall { padding: 10px; }
  .axis, .entity > details > summary { grid-template-columns: minmax(0, 1fr) auto; gap: 2px 8px; }
  .axis > :first-child, .axis > .dur { display: none; }
  .axis .ticks { grid-column: 1 / -1; }
  .entity > details > summary .track { grid-column: 1 / -1; grid-row: 2; }
  .info { padding-left: 8px; }
}
`;

export const PAGE_JS = String.raw`'use strict';
(function () {
  var POLL_MS = 2000;
  var selected = null;
  var shownRevision = null;
  var openIds = new Set();
  var listSignature = '';

  var byId = function (id) { return document.getElementById(id); };

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function str(v) {
    if (v === null || v === undefined) return '';
    if (typeof v === 'string') return v;
    try { return JSON.stringify(v); } catch (err) { return String(v); }
  }

  function isObj(v) { return v !== null && typeof v === 'object' && !Array.isArray(v); }

  // precision: decimals of seconds the trace's timestamps carry; never show more than that.
  function fmtMs(ms, precision) {
    if (typeof ms !== 'number' || !isFinite(ms)) return 'in progress';
    var p = typeof precision === 'number' ? precision : 6;
    var msDecimals = Math.max(0, p - 3);
    if (ms < 0.995 && msDecimals > 0) return ms.toFixed(Math.min(2, msDecimals)) + ' ms';
    if (ms < 999.5) return ms.toFixed(Math.min(1, msDecimals)) + ' ms';
    return (ms / 1000).toFixed(Math.min(2, p)) + ' s';
  }

  function plural(n, one, many) { return n + ' ' + (n === 1 ? one : (many || one + 's')); }

  // X-Ray's console: fault (5xx) red, throttle (429) purple, error (4xx) orange, ok green.
  function statusOfCode(code) {
    if (typeof code !== 'number') return 'ok';
    if (code === 429) return 'throttle';
    if (code >= 500) return 'fault';
    if (code >= 400) return 'error';
    return 'ok';
  }

  function statusOf(t) {
    if (t.fault === true) return 'fault';
    if (t.throttle === true) return 'throttle';
    if (t.error === true) return 'error';
    return statusOfCode(t.status);
  }

  function entityStatus(e) {
    var code = isObj(e.http) && isObj(e.http.response) ? e.http.response.status : undefined;
    if (e.fault === true) return 'fault';
    if (e.throttle === true) return 'throttle';
    if (e.error === true) return 'error';
    return statusOfCode(code);
  }

  function fmtTime(epochMs) {
    var d = new Date(epochMs);
    return isNaN(d.getTime()) ? '' : d.toLocaleTimeString();
  }

  function getJson(url) {
    return fetch(url, { headers: { Accept: 'application/json' } }).then(function (r) {
      if (!r.ok) throw new Error(url + ' answered HTTP ' + r.status);
      return r.json();
    });
  }

  function badge(text, kind) { return el('span', 'badge ' + kind, text); }

  function renderList(data) {
    var s = data.stats || { datagrams: 0, accepted: 0, rejected: 0 };
    byId('stats').textContent = plural(s.datagrams, 'datagram') + ' · ' + s.accepted + ' accepted' +
      (s.acceptedWithLoss > 0 ? ' (' + s.acceptedWithLoss + ' with loss)' : '') + ' · ' + s.rejected + ' rejected';
    var traces = Array.isArray(data.traces) ? data.traces : [];
    byId('empty').hidden = traces.length > 0;
    // Rebuilding an unchanged list every poll would take keyboard focus away from the reader.
    var signature = JSON.stringify(traces) + '|' + selected;
    if (signature === listSignature) return;
    listSignature = signature;
    var list = byId('traces');
    var items = traces.map(function (t) {
      var li = el('li');
      var b = el('button', 'trace');
      b.type = 'button';
      b.dataset.traceId = str(t.traceId);
      b.setAttribute('aria-pressed', String(t.traceId === selected));
      b.classList.add('status-' + statusOf(t));
      var name = el('div', 'trace-name', str(t.name) || '(unnamed)');
      var st = statusOf(t);
      if (st !== 'ok') name.appendChild(badge(st, st));
      if (t.rejected > 0) name.appendChild(badge(t.rejected + ' rejected', 'rejected'));
      if (t.warned > 0) name.appendChild(badge(t.warned + ' with loss', 'loss'));
      if (!t.complete && t.lambdaParent === null) name.appendChild(badge('incomplete', 'incomplete'));
      b.appendChild(name);
      if (t.method !== null || t.url !== null || t.status !== null) {
        var req = el('div', 'trace-request');
        if (t.method !== null) req.appendChild(el('span', 'method', str(t.method)));
        if (t.status !== null) req.appendChild(el('span', 'status status-' + statusOfCode(t.status), str(t.status)));
        if (t.url !== null) req.appendChild(el('span', 'url', str(t.url)));
        b.appendChild(req);
      }
      b.appendChild(el('div', 'trace-meta', fmtMs(t.durationMs, t.timePrecision) + ' · ' + plural(t.entities, 'entity', 'entities') + ' · ' + fmtTime(t.receivedAt)));
      b.appendChild(el('div', 'trace-id', str(t.traceId)));
      b.addEventListener('click', function () { select(str(t.traceId)); });
      li.appendChild(b);
      return li;
    });
    list.replaceChildren.apply(list, items);
    if (selected !== null) {
      var current = traces.filter(function (t) { return t.traceId === selected; })[0];
      if (current && current.revision !== shownRevision) loadTrace(selected);
    }
  }

  function renderRejections(data) {
    var rs = Array.isArray(data.rejections) ? data.rejections : [];
    byId('rejected-count').textContent = String(rs.length);
    var list = byId('rejections');
    list.replaceChildren.apply(list, rs.map(function (r) {
      var li = el('li');
      li.appendChild(el('div', 'trace-meta', fmtTime(r.receivedAt) + ' · ' + r.bytes + ' bytes from ' + str(r.from) + (r.name !== null ? ' · ' + str(r.name) : '')));
      var ul = el('ul', 'reasons');
      (Array.isArray(r.errors) ? r.errors : []).forEach(function (e) { ul.appendChild(el('li', '', str(e))); });
      li.appendChild(ul);
      if (Array.isArray(r.warnings) && r.warnings.length > 0) {
        var wl = el('ul', 'losses');
        r.warnings.forEach(function (w) { wl.appendChild(el('li', '', str(w))); });
        li.appendChild(wl);
      }
      return li;
    }));
  }

  function select(id) {
    selected = id;
    openIds = new Set();
    history.replaceState(null, '', '#trace=' + encodeURIComponent(id));
    Array.prototype.forEach.call(document.querySelectorAll('#traces button'), function (b) {
      b.setAttribute('aria-pressed', String(b.dataset.traceId === id));
    });
    listSignature = '';
    loadTrace(id);
  }

  function loadTrace(id) {
    getJson('/api/traces/' + encodeURIComponent(id)).then(function (t) {
      if (id === selected) renderWaterfall(t);
    }).catch(showError);
  }

  function showError(err) {
    byId('stats').textContent = 'cannot reach the daemon: ' + (err && err.message ? err.message : String(err));
  }

  function renderWaterfall(t) {
    shownRevision = t.revision;
    var wf = byId('waterfall');
    var parts = [];
    parts.push(el('h2', '', str(t.name) || '(unnamed)'));
    parts.push(el('p', 'trace-id', str(t.traceId)));
    var precision = t.timePrecision;
    parts.push(el('p', 'trace-meta', fmtMs(t.durationMs, precision) + ' · ' + plural(t.entities, 'entity', 'entities') + ' in ' + plural(t.documents, 'document')));
    if (t.lambdaParent !== null && t.lambdaParent !== undefined) {
      parts.push(el('p', 'explain', 'Parent ' + str(t.lambdaParent) + " is not here: in AWS Lambda it is the function's own segment, which Lambda sends to X-Ray itself, not through a daemon."));
    } else if (Array.isArray(t.missingParents) && t.missingParents.length > 0) {
      parts.push(el('p', 'note', 'Parents never received: ' + t.missingParents.map(str).join(', ')));
    }
    if (t.documentsNotKept > 0) parts.push(el('p', 'note', plural(t.documentsNotKept, 'document') + " of this trace not kept (the stand-in's memory cap)"));
    var axis = el('div', 'axis');
    axis.appendChild(el('span', '', 'entity'));
    var ticks = el('span', 'ticks');
    var total = typeof t.durationMs === 'number' ? t.durationMs : 0;
    [0, 0.25, 0.5, 0.75, 1].forEach(function (f) { ticks.appendChild(el('span', 'tick', fmtMs(total * f, precision))); });
    axis.appendChild(ticks);
    axis.appendChild(el('span', 'dur', 'duration'));
    parts.push(axis);

    var start = t.start;
    var end = typeof t.end === 'number' ? t.end : start;
    var span = Math.max(end - start, 1e-6);
    var rows = el('ol', 'rows');
    (Array.isArray(t.rows) ? t.rows : []).forEach(function (row) {
      rows.appendChild(renderRow(row, row.depth, start, span, precision, t.lambdaParent));
    });
    parts.push(rows);
    wf.replaceChildren.apply(wf, parts);
  }

  function renderRow(n, depth, start, span, precision, lambdaParent) {
    var e = isObj(n.entity) ? n.entity : {};
    var li = el('li', 'entity ' + (n.kind === 'segment' ? 'segment' : 'subsegment'));
    li.classList.add('status-' + entityStatus(e));
    if (Array.isArray(n.rejected)) li.classList.add('rejected');
    if (Array.isArray(n.warnings)) li.classList.add('loss');
    li.dataset.entityId = str(n.id);
    var details = el('details');
    details.open = openIds.has(n.id);
    details.addEventListener('toggle', function () {
      if (details.open) openIds.add(n.id); else openIds.delete(n.id);
    });
    var summary = el('summary');
    var label = el('span', 'label');
    // Indentation stops growing past 12 levels, so deep trees keep their names readable.
    label.style.paddingLeft = (Math.min(depth, 12) * 14) + 'px';
    label.appendChild(el('span', 'name', str(n.name)));
    label.appendChild(el('span', 'kind', n.kind === 'segment' ? 'segment' : str(e.namespace || '')));
    summary.appendChild(label);
    var track = el('span', 'track');
    var bar = el('span', 'bar');
    var endT = typeof n.end === 'number' ? n.end : start + span;
    bar.style.left = Math.min(100, Math.max(0, (n.start - start) / span * 100)) + '%';
    bar.style.width = Math.min(100, Math.max(0.2, (endT - n.start) / span * 100)) + '%';
    if (typeof n.end !== 'number') bar.classList.add('open');
    track.appendChild(bar);
    summary.appendChild(track);
    summary.appendChild(el('span', 'dur', typeof n.end === 'number' ? fmtMs((n.end - n.start) * 1000, precision) : 'in progress'));
    details.appendChild(summary);
    details.appendChild(renderInfo(n, e, start, precision, lambdaParent));
    li.appendChild(details);
    return li;
  }

  function section(info, title, content) {
    info.appendChild(el('h3', '', title));
    info.appendChild(content);
  }

  // flat: one level of nesting becomes dotted keys (http.request.method), deeper values show as JSON.
  function dl(obj, flat) {
    var out = el('dl');
    var add = function (k, v) {
      out.appendChild(el('dt', '', k));
      out.appendChild(el('dd', '', str(v)));
    };
    Object.keys(obj).forEach(function (k) {
      var v = obj[k];
      if (flat && isObj(v)) Object.keys(v).forEach(function (k2) { add(k + '.' + k2, v[k2]); });
      else add(k, v);
    });
    return out;
  }

  function renderInfo(n, e, start, precision, lambdaParent) {
    var info = el('div', 'info');
    if (Array.isArray(n.rejected)) {
      var reasons = el('ul', 'reasons');
      n.rejected.forEach(function (r) { reasons.appendChild(el('li', '', str(r))); });
      section(info, 'X-Ray would reject this document', reasons);
    }
    if (Array.isArray(n.warnings)) {
      var losses = el('ul', 'losses');
      n.warnings.forEach(function (w) { losses.appendChild(el('li', '', str(w))); });
      section(info, Array.isArray(n.rejected) ? 'Once accepted, X-Ray would drop' : 'X-Ray keeps this document, but', losses);
    }
    var basics = { id: n.id, kind: n.kind };
    if (n.parentId) {
      basics.parent = n.parentId + (n.missingParent === null ? '' : n.missingParent === lambdaParent ? " (the Lambda function's segment, sent by Lambda itself)" : ' (not received)');
    }
    basics.start = '+' + fmtMs((n.start - start) * 1000, precision);
    ['origin', 'namespace', 'user', 'resource_arn', 'fault', 'error', 'throttle', 'in_progress'].forEach(function (k) {
      if (e[k] !== undefined) basics[k] = e[k];
    });
    section(info, 'entity', dl(basics, false));
    if (isObj(e.annotations) && Object.keys(e.annotations).length > 0) section(info, 'annotations', dl(e.annotations, false));
    if (isObj(e.http)) section(info, 'http', dl(e.http, true));
    if (isObj(e.sql)) section(info, 'sql', dl(e.sql, true));
    if (isObj(e.aws)) section(info, 'aws', dl(e.aws, true));
    if (isObj(e.metadata)) {
      Object.keys(e.metadata).forEach(function (ns) {
        section(info, 'metadata · ' + ns, el('pre', '', JSON.stringify(e.metadata[ns], null, 2)));
      });
    }
    if (e.cause !== undefined) section(info, 'cause', renderCause(e.cause));
    return info;
  }

  function renderCause(cause) {
    var box = el('div');
    if (!isObj(cause)) { box.appendChild(el('p', '', 'exception ' + str(cause) + ' (recorded on another entity)')); return box; }
    if (cause.working_directory !== undefined) box.appendChild(el('p', 'trace-meta', 'working directory: ' + str(cause.working_directory)));
    (Array.isArray(cause.exceptions) ? cause.exceptions : []).forEach(function (x) {
      var ex = el('div', 'exception');
      if (!isObj(x)) { ex.appendChild(el('div', 'what', str(x))); box.appendChild(ex); return; }
      var what = [x.type, x.message].filter(function (s) { return s !== undefined && s !== ''; }).map(str).join(': ');
      ex.appendChild(el('div', 'what', (what || 'exception') + (x.remote === true ? ' (remote)' : '')));
      if (Array.isArray(x.stack) && x.stack.length > 0) {
        var ol = el('ol', 'stack');
        x.stack.slice(0, 30).forEach(function (f) {
          var fr = isObj(f) ? f : {};
          var where = str(fr.path) + (typeof fr.line === 'number' ? ':' + fr.line : '');
          ol.appendChild(el('li', '', [str(fr.label), where ? '(' + where + ')' : ''].filter(function (p) { return p !== ''; }).join(' ')));
        });
        ex.appendChild(ol);
      }
      box.appendChild(ex);
    });
    return box;
  }

  // ---- service map: SVG built with createElementNS, columns by distance from the clients.
  var SVG_NS = 'http://www.w3.org/2000/svg';
  var mapSignature = '';

  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    if (text !== undefined) e.textContent = String(text);
    return e;
  }

  function layoutColumns(map) {
    var depth = {};
    var next = {};
    map.edges.forEach(function (e) { (next[e.from] = next[e.from] || []).push(e.to); });
    var incoming = {};
    map.edges.forEach(function (e) { incoming[e.to] = true; });
    var queue = map.nodes.filter(function (n) { return !incoming[n.id]; }).map(function (n) { return n.id; });
    queue.forEach(function (id) { depth[id] = 0; });
    for (var i = 0; i < queue.length; i++) {
      (next[queue[i]] || []).forEach(function (to) {
        if (depth[to] === undefined) { depth[to] = depth[queue[i]] + 1; queue.push(to); }
      });
    }
    map.nodes.forEach(function (n) { if (depth[n.id] === undefined) depth[n.id] = 0; });
    return depth;
  }

  function renderMap(map) {
    var nodes = Array.isArray(map.nodes) ? map.nodes : [];
    var edges = Array.isArray(map.edges) ? map.edges : [];
    byId('map-summary').textContent = nodes.length === 0 ? '' : '· ' + plural(nodes.length, 'node') + ' · ' + plural(map.traces, 'trace');
    var signature = JSON.stringify(map);
    if (signature === mapSignature) return;
    mapSignature = signature;
    var box = byId('map');
    if (nodes.length === 0) { box.replaceChildren(el('p', 'hint', 'The map appears with the first trace.')); return; }
    var depth = layoutColumns({ nodes: nodes, edges: edges });
    var columns = [];
    nodes.forEach(function (n) { (columns[depth[n.id]] = columns[depth[n.id]] || []).push(n); });
    var COL = 190, ROW = 110, R = 26;
    var pos = {};
    var height = 0;
    columns.forEach(function (col, c) {
      (col || []).forEach(function (n, r) { pos[n.id] = { x: 90 + c * COL, y: 50 + r * ROW }; height = Math.max(height, 50 + r * ROW); });
    });
    var root = svg('svg', { viewBox: '0 0 ' + (columns.length * COL) + ' ' + (height + 60), preserveAspectRatio: 'xMinYMin meet' });
    edges.forEach(function (e) {
      var a = pos[e.from], b = pos[e.to];
      if (!a || !b) return;
      var g = svg('g', { 'class': 'map-edge' });
      g.appendChild(svg('line', { 'class': 'edge', x1: a.x + R, y1: a.y, x2: b.x - R, y2: b.y }));
      g.appendChild(svg('text', { 'class': 'edge-label', x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 - 4, 'text-anchor': 'middle' }, e.requests));
      root.appendChild(g);
    });
    var circumference = 2 * Math.PI * R;
    nodes.forEach(function (n) {
      var p = pos[n.id];
      var g = svg('g', { 'class': 'map-node', 'data-node': n.id });
      g.appendChild(svg('circle', { 'class': 'node-core', cx: p.x, cy: p.y, r: R }));
      // The ring: one arc per outcome, its length the outcome's share, as in X-Ray's console.
      var offset = 0;
      var outcomes = isObj(n.outcomes) ? n.outcomes : {};
      // The clients are outside the traced system: a plain ring, as in X-Ray's console.
      (n.kind === 'client' ? ['client'] : ['ok', 'error', 'fault', 'throttle']).forEach(function (o) {
        var share = o === 'client' ? 1 : n.requests > 0 ? (outcomes[o] || 0) / n.requests : (o === 'ok' ? 1 : 0);
        if (share <= 0) return;
        g.appendChild(svg('circle', { 'class': 'node-ring ' + o, 'data-share': share.toFixed(3), cx: p.x, cy: p.y, r: R,
          'stroke-dasharray': (share * circumference) + ' ' + circumference, 'stroke-dashoffset': -offset, transform: 'rotate(-90 ' + p.x + ' ' + p.y + ')' }));
        offset += share * circumference;
      });
      g.appendChild(svg('text', { 'class': 'node-kind', x: p.x, y: p.y + 4, 'text-anchor': 'middle' }, n.kind === 'aws' ? 'AWS' : n.kind));
      var name = str(n.name);
      g.appendChild(svg('text', { 'class': 'node-name', x: p.x, y: p.y + R + 16, 'text-anchor': 'middle' }, name.length > 24 ? name.slice(0, 23) + '…' : name));
      var meta = n.kind === 'client' ? plural(n.requests, 'request') : plural(n.requests, n.kind === 'service' ? 'request' : 'call') + ' · ' + fmtMs(n.averageMs, 3);
      g.appendChild(svg('text', { 'class': 'node-meta', x: p.x, y: p.y + R + 30, 'text-anchor': 'middle' }, meta));
      g.appendChild(svg('title', {}, name + ': ' + ['ok', 'error', 'fault', 'throttle'].map(function (o) {
        return o + ' ' + (n.requests > 0 ? Math.round((outcomes[o] || 0) / n.requests * 100) : 0) + '%';
      }).join(', ')));
      root.appendChild(g);
    });
    box.replaceChildren(root);
  }

  function refresh() {
    getJson('/api/map').then(renderMap).catch(function () { /* the list shows the error */ });
    getJson('/api/traces').then(renderList).catch(showError);
    getJson('/api/rejections').then(renderRejections).catch(function () { /* the list shows the error */ });
  }

  var m = /^#trace=(.+)$/.exec(location.hash);
  if (m) {
    try { selected = decodeURIComponent(m[1]); loadTrace(selected); } catch (err) { selected = null; }
  }
  refresh();
  setInterval(refresh, POLL_MS);
})();
`;
