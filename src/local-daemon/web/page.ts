// The web page of the local daemon, embedded as strings so the bundled CLI needs no asset files.
// Everything a document says is untrusted: the script builds the DOM with textContent and
// createElement only (never innerHTML), and the server's Content-Security-Policy forbids inline
// script as a second wall. Keep it dependency-free, ES2017 and free of backticks (this is a
// template literal).

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
  </nav>
  <section id="waterfall" aria-label="Trace waterfall">
    <p class="hint">Choose a trace to see its waterfall.</p>
  </section>
</main>
<script src="/app.js" defer></script>
</body>
</html>
`;

export const PAGE_CSS = String.raw`
:root { --fg: #1d2330; --muted: #667085; --line: #e4e7ec; --bg: #ffffff; --panel: #f8f9fb;
  --bar: #4f7cff; --seg: #7a5af8; --fault: #d92d20; --error: #dc6803; --sel: #eef3ff; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; align-items: baseline; gap: 16px; padding: 10px 16px; border-bottom: 1px solid var(--line); }
h1 { font-size: 17px; margin: 0; }
h2 { font-size: 15px; margin: 0 0 8px; }
.sub, .hint, #stats { color: var(--muted); font-weight: normal; font-size: 13px; }
main { display: grid; grid-template-columns: minmax(260px, 340px) 1fr; min-height: calc(100vh - 46px); }
nav { border-right: 1px solid var(--line); background: var(--panel); padding: 12px; overflow: auto; }
#traces { list-style: none; margin: 0; padding: 0; }
#traces li { margin: 0 0 6px; }
#traces button { width: 100%; text-align: left; border: 1px solid var(--line); background: var(--bg); border-radius: 6px; padding: 7px 9px; cursor: pointer; font: inherit; color: inherit; }
#traces button:hover { border-color: var(--bar); }
#traces button[aria-pressed="true"] { background: var(--sel); border-color: var(--bar); }
.trace-name { font-weight: 600; overflow-wrap: anywhere; }
.trace-meta, .trace-id { color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
.badge { display: inline-block; font-size: 11px; padding: 0 6px; border-radius: 8px; margin-left: 4px; color: #fff; background: var(--muted); vertical-align: 1px; }
.badge.fault, .badge.rejected { background: var(--fault); }
.badge.error { background: var(--error); }
#waterfall { padding: 12px 16px; overflow: auto; }
#waterfall h2 { font-size: 16px; overflow-wrap: anywhere; }
.note { color: var(--error); }
.axis, .entity > details > summary { display: grid; grid-template-columns: minmax(200px, 36%) 1fr 80px; gap: 8px; align-items: center; }
.axis { color: var(--muted); font-size: 11px; border-bottom: 1px solid var(--line); padding: 4px 0; }
.axis .ticks { display: flex; justify-content: space-between; }
.rows { list-style: none; margin: 0; padding: 0; }
.entity { border-bottom: 1px solid var(--line); }
.entity > details > summary { cursor: pointer; padding: 4px 0; list-style: none; }
.entity > details > summary::-webkit-details-marker { display: none; }
.entity > details[open] > summary { background: var(--sel); }
.label { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.name { font-weight: 500; }
.kind { color: var(--muted); font-size: 11px; margin-left: 6px; }
.segment > details > summary .name { font-weight: 700; }
.track { position: relative; height: 14px; background: var(--panel); border-radius: 3px; }
.bar { position: absolute; top: 2px; bottom: 2px; min-width: 2px; border-radius: 2px; background: var(--bar); }
.segment .bar { background: var(--seg); }
.error > details > summary .bar { background: var(--error); }
.fault > details > summary .bar, .rejected > details > summary .bar { background: var(--fault); }
.bar.open { background-image: repeating-linear-gradient(45deg, transparent 0 4px, rgba(255,255,255,.5) 4px 8px); }
.dur { text-align: right; font-variant-numeric: tabular-nums; color: var(--muted); font-size: 12px; }
.info { padding: 6px 8px 10px 24px; font-size: 13px; }
.info h3 { font-size: 12px; color: var(--muted); margin: 8px 0 2px; }
.info dl { display: grid; grid-template-columns: max-content 1fr; gap: 1px 12px; margin: 0; }
.info dt { color: var(--muted); }
.info dd { margin: 0; overflow-wrap: anywhere; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
.info pre { margin: 0; background: var(--panel); padding: 6px; border-radius: 4px; overflow: auto; font-size: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
.reasons { color: var(--fault); margin: 4px 0; padding-left: 18px; }
.exception { margin: 4px 0; }
.exception .what { color: var(--fault); font-weight: 600; overflow-wrap: anywhere; }
.stack { margin: 2px 0 0; padding-left: 18px; color: var(--muted); font-family: ui-monospace, monospace; font-size: 12px; }
#rejections-panel { margin-top: 14px; }
#rejections { list-style: none; padding: 0; margin: 6px 0 0; font-size: 12px; }
#rejections > li { border-left: 3px solid var(--fault); padding: 2px 6px; margin-bottom: 6px; background: var(--bg); overflow-wrap: anywhere; }
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

  function fmtMs(ms) {
    if (typeof ms !== 'number' || !isFinite(ms)) return 'in progress';
    if (ms < 1) return ms.toFixed(2) + ' ms';
    if (ms < 1000) return ms.toFixed(1) + ' ms';
    return (ms / 1000).toFixed(2) + ' s';
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
    byId('stats').textContent = s.datagrams + ' datagrams · ' + s.accepted + ' accepted · ' + s.rejected + ' rejected';
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
      var name = el('div', 'trace-name', str(t.name) || '(unnamed)');
      if (t.fault) name.appendChild(badge('fault', 'fault'));
      else if (t.error) name.appendChild(badge('error', 'error'));
      if (t.rejected > 0) name.appendChild(badge(t.rejected + ' rejected', 'rejected'));
      if (!t.complete) name.appendChild(badge('incomplete', 'incomplete'));
      b.appendChild(name);
      b.appendChild(el('div', 'trace-meta', fmtMs(t.durationMs) + ' · ' + t.entities + ' entities · ' + fmtTime(t.receivedAt)));
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

  function flatten(nodes, depth, out) {
    nodes.forEach(function (n) {
      out.push({ node: n, depth: depth });
      flatten(Array.isArray(n.children) ? n.children : [], depth + 1, out);
    });
    return out;
  }

  function renderWaterfall(t) {
    shownRevision = t.revision;
    var wf = byId('waterfall');
    var parts = [];
    parts.push(el('h2', '', str(t.name) || '(unnamed)'));
    parts.push(el('p', 'trace-id', str(t.traceId)));
    parts.push(el('p', 'trace-meta', fmtMs(t.durationMs) + ' · ' + t.entities + ' entities in ' + t.documents + ' documents'));
    if (Array.isArray(t.missingParents) && t.missingParents.length > 0) {
      parts.push(el('p', 'note', 'Parents never received: ' + t.missingParents.map(str).join(', ')));
    }
    var axis = el('div', 'axis');
    axis.appendChild(el('span', '', 'entity'));
    var ticks = el('span', 'ticks');
    var total = typeof t.durationMs === 'number' ? t.durationMs : 0;
    [0, 0.25, 0.5, 0.75, 1].forEach(function (f) { ticks.appendChild(el('span', '', fmtMs(total * f))); });
    axis.appendChild(ticks);
    axis.appendChild(el('span', 'dur', 'duration'));
    parts.push(axis);

    var start = t.start;
    var end = typeof t.end === 'number' ? t.end : start;
    var span = Math.max(end - start, 1e-6);
    var rows = el('ol', 'rows');
    flatten(Array.isArray(t.roots) ? t.roots : [], 0, []).forEach(function (item) {
      rows.appendChild(renderRow(item.node, item.depth, start, span));
    });
    parts.push(rows);
    wf.replaceChildren.apply(wf, parts);
  }

  function renderRow(n, depth, start, span) {
    var e = isObj(n.entity) ? n.entity : {};
    var li = el('li', 'entity ' + (n.kind === 'segment' ? 'segment' : 'subsegment'));
    if (e.fault === true) li.classList.add('fault');
    if (e.error === true || e.throttle === true) li.classList.add('error');
    if (Array.isArray(n.rejected)) li.classList.add('rejected');
    li.dataset.entityId = str(n.id);
    var details = el('details');
    details.open = openIds.has(n.id);
    details.addEventListener('toggle', function () {
      if (details.open) openIds.add(n.id); else openIds.delete(n.id);
    });
    var summary = el('summary');
    var label = el('span', 'label');
    label.style.paddingLeft = (depth * 16) + 'px';
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
    summary.appendChild(el('span', 'dur', typeof n.end === 'number' ? fmtMs((n.end - n.start) * 1000) : 'in progress'));
    details.appendChild(summary);
    details.appendChild(renderInfo(n, e, start));
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

  function renderInfo(n, e, start) {
    var info = el('div', 'info');
    if (Array.isArray(n.rejected)) {
      var reasons = el('ul', 'reasons');
      n.rejected.forEach(function (r) { reasons.appendChild(el('li', '', str(r))); });
      section(info, 'X-Ray would reject this document', reasons);
    }
    var basics = { id: n.id, kind: n.kind };
    if (n.parentId) basics.parent = n.parentId + (n.missingParent ? ' (not received)' : '');
    basics.start = '+' + fmtMs((n.start - start) * 1000);
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
          ol.appendChild(el('li', '', str(fr.label) + ' (' + str(fr.path) + ':' + str(fr.line) + ')'));
        });
        ex.appendChild(ol);
      }
      box.appendChild(ex);
    });
    return box;
  }

  function refresh() {
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
