// The Management Console: a single page with hash routes, each page drawn from the REST API.
// Pages refresh on a timer while shown; leaving a page stops its timers.
import { api, session, ApiError, followLogs } from './api.js';
import { lineChart } from './charts.js';

const main = document.getElementById('main');
const REFRESH_MS = 3000;
let timers = [];
/** Streams open for the page shown (log follows); aborted when the page changes. */
let streams = [];
let isAdmin = false;

/** Builds an element: h('td', {class: 'x'}, 'text', child...). Text is never parsed as HTML. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function table(headers, rows, attrs = {}) {
  return h('table', attrs, h('thead', {}, h('tr', {}, headers.map((x) => h('th', {}, x)))),
    h('tbody', {}, rows.length ? rows
      : h('tr', {}, h('td', { colspan: headers.length, class: 'muted' }, 'None'))));
}

function badge(text) {
  return h('span', { class: 'badge ' + String(text).toLowerCase() }, text);
}

function bar(used, total, label) {
  const pct = total > 0 ? Math.min(100, Math.round((used / total) * 100)) : 0;
  return h('div', { class: 'bar', title: label },
    h('div', { class: 'fill' + (pct > 85 ? ' high' : ''), style: `width:${pct}%` }),
    h('span', {}, label));
}

function mb(v) {
  if (v === null || v === undefined) return '—';
  return v >= 1024 ? `${(v / 1024).toFixed(1)} GB` : `${Math.round(v)} MB`;
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

function when(unixSeconds) {
  return unixSeconds ? new Date(unixSeconds * 1000).toLocaleString() : '—';
}

function showMessage(text, kind = 'error') {
  const box = document.getElementById('message');
  box.className = kind;
  box.textContent = text;
  box.hidden = !text;
}

function every(ms, fn) {
  const run = async () => {
    try {
      await fn();
    } catch (e) {
      report(e);
    }
  };
  run();
  timers.push(setInterval(run, ms));
}

function report(e) {
  if (e instanceof ApiError && e.status === 403 && !session.token) {
    location.hash = '#/login';
    return;
  }
  showMessage(e.message || String(e));
}

/** Runs a user action, reporting its failure and refreshing the page after it. */
async function act(what, fn) {
  showMessage('');
  try {
    await fn();
    showMessage(what, 'ok');
  } catch (e) {
    report(e);
  }
  await route();
}

function page(title, ...children) {
  main.replaceChildren(h('h1', {}, title), ...children);
}

// ---- login ---------------------------------------------------------------------------------

function loginPage() {
  document.getElementById('top').hidden = true;
  const email = h('input', { id: 'email', type: 'email', autocomplete: 'username', required: true });
  const password = h('input', { id: 'password', type: 'password',
    autocomplete: 'current-password', required: true });
  const form = h('form', { id: 'login', class: 'card login', onsubmit: async (ev) => {
    ev.preventDefault();
    showMessage('');
    try {
      const reply = await api.login(email.value.trim(), password.value);
      session.set(email.value.trim(), reply.token);
      // a page opened while logged out keeps its address: show it now (no hashchange then)
      if (!location.hash || location.hash === '#/login') location.hash = '#/overview';
      else start();
    } catch (e) {
      showMessage(e.status === 403 ? 'Wrong email or password' : e.message);
    }
  } },
  h('h1', {}, 'Updraft'),
  h('p', { class: 'muted' }, 'Management Console'),
  h('label', {}, 'Email', email),
  h('label', {}, 'Password', password),
  h('button', { type: 'submit', id: 'login-submit' }, 'Log in'));
  main.replaceChildren(form);
}

// ---- overview ------------------------------------------------------------------------------

async function overviewPage() {
  const cards = h('div', { class: 'cards' });
  const deaBox = h('section', { class: 'card wide', id: 'deas' });
  const charts = h('div', { class: 'charts' },
    h('div', { class: 'card chart', id: 'chart-capacity' }),
    h('div', { class: 'card chart', id: 'chart-instances' }));
  const eventsBox = h('section', { class: 'card wide', id: 'recent-events' });
  page('Overview', cards, isAdmin ? deaBox : null, isAdmin ? charts : null,
    isAdmin ? eventsBox : null);

  every(REFRESH_MS, async () => {
    const [apps, offerings] = await Promise.all([api.apps(), api.offerings()]);
    const running = apps.filter((a) => a.state === 'STARTED'
      && a.runningInstances >= a.instances).length;
    const short = apps.filter((a) => a.state === 'STARTED'
      && (a.runningInstances ?? 0) < a.instances);
    // only apps short of instances can be flapping: ask the health manager's view for those
    const flappingFlags = await Promise.all(short.map((a) => api.instances(a.name)
      .then((r) => r.instances.some((i) => i.state === 'FLAPPING'), () => false)));
    const flapping = flappingFlags.filter(Boolean).length;
    const degraded = short.length - flapping;
    const stopped = apps.filter((a) => a.state !== 'STARTED').length;
    const types = flattenOfferings(offerings);
    const available = types.filter((t) => t.state === 'available');
    const unavailable = types.filter((t) => t.state !== 'available');
    const tiles = [
      tile('Apps running', running, 'apps-running'),
      tile('Apps down or crashed', degraded, 'apps-degraded', degraded ? 'warn' : ''),
      tile('Apps flapping', flapping, 'apps-flapping', flapping ? 'warn' : ''),
      tile('Apps stopped', stopped, 'apps-stopped'),
      h('div', { class: 'card tile', id: 'service-types' },
        h('div', { class: 'label' }, 'Service types'),
        h('div', {}, available.map((t) => h('span', { class: 'badge available' }, t.id))),
        h('div', {}, unavailable.map((t) => h('span', { class: 'badge unavailable' },
          `${t.id} (unavailable)`)))),
    ];
    if (isAdmin) {
      const [nodes, deas] = await Promise.all([api.nodes(), api.deas()]);
      tiles.unshift(tile('Nodes reporting', `${nodes.filter((n) => n.reporting).length} / ${nodes.length}`,
        'nodes-count'), tile('DEAs', deas.length, 'dea-count'));
      deaBox.replaceChildren(h('h2', {}, 'DEA pool'), table(
        ['DEA', 'Host', 'Memory reserved', 'Instances', 'State'],
        deas.map((d) => h('tr', { class: 'dea' }, h('td', { class: 'mono' }, d.id.slice(0, 12)),
          h('td', {}, d.host), h('td', {},
            bar(d.memory_reserved_mb, d.memory_total_mb,
              `${mb(d.memory_reserved_mb)} used / ${mb(d.memory_free_mb)} free`)),
          h('td', {}, d.instances), h('td', {}, badge(d.state))))));
      const events = await api.events(8);
      eventsBox.replaceChildren(h('h2', {}, 'Recent events'), eventTable(events));
      const history = await api.history();
      const t = history.samples.map((s) => s.at / 1000);
      lineChart(document.getElementById('chart-capacity'), 'DEA pool memory (MB)', t, [
        { label: 'total', values: history.samples.map((s) => s.memory_total_mb) },
        { label: 'free', values: history.samples.map((s) => s.memory_free_mb) }]);
      lineChart(document.getElementById('chart-instances'), 'DEAs and instances', t, [
        { label: 'DEAs', values: history.samples.map((s) => s.deas) },
        { label: 'instances', values: history.samples.map((s) => s.instances) }]);
    }
    cards.replaceChildren(...tiles);
  });
}

function tile(label, value, id, cls = '') {
  return h('div', { class: `card tile ${cls}`, id },
    h('div', { class: 'label' }, label), h('div', { class: 'value' }, value));
}

/** {type: {vendor: {version: offering}}} to a list of offerings. */
function flattenOfferings(offerings) {
  const out = [];
  for (const vendors of Object.values(offerings || {})) {
    for (const versions of Object.values(vendors)) {
      for (const o of Object.values(versions)) out.push(o);
    }
  }
  return out;
}

// ---- apps ----------------------------------------------------------------------------------

async function appsPage() {
  const body = h('div', { class: 'card wide' });
  page('Apps', body);
  every(REFRESH_MS, async () => {
    if (document.activeElement && document.activeElement.classList.contains('scale-input')) {
      return; // do not redraw under someone typing a new instance count
    }
    const apps = await api.apps();
    body.replaceChildren(table(['Name', 'State', 'Instances', 'URLs', 'Memory', ''],
      apps.map((a) => {
        const count = h('input', { type: 'number', min: 1, max: 100, value: a.instances,
          class: 'scale-input', 'aria-label': `instances of ${a.name}` });
        return h('tr', { class: 'app', 'data-app': a.name },
          h('td', {}, h('a', { href: `#/apps/${encodeURIComponent(a.name)}` }, a.name)),
          h('td', {}, badge(a.state)),
          h('td', { class: 'instances' }, `${a.runningInstances ?? 0} / ${a.instances}`),
          h('td', {}, a.uris.map((u) => h('div', {}, h('a', { href: `http://${u}/`,
            target: '_blank', rel: 'noopener' }, u)))),
          h('td', {}, mb(a.resources.memory)),
          h('td', { class: 'actions' },
            a.state === 'STARTED'
              ? h('button', { class: 'stop', onclick: () => act(`Stopped ${a.name}`,
                () => api.updateApp(a.name, { state: 'STOPPED' })) }, 'Stop')
              : h('button', { class: 'start', onclick: () => act(`Started ${a.name}`,
                () => api.updateApp(a.name, { state: 'STARTED' })) }, 'Start'),
            count,
            h('button', { class: 'scale', onclick: () => act(`Scaled ${a.name} to ${count.value}`,
              () => api.updateApp(a.name, { instances: Number(count.value) })) }, 'Scale'),
            h('button', { class: 'delete danger', onclick: () => {
              if (confirm(`Delete ${a.name}? Its bits and bindings go too.`)) {
                act(`Deleted ${a.name}`, () => api.deleteApp(a.name));
              }
            } }, 'Delete')));
      })));
  });
}

// ---- app detail ----------------------------------------------------------------------------

/**
 * CPU and memory over time are sampled by this page from /stats while it is open: the DEAs
 * already measure every instance, and keeping a series per app in the controller would cost
 * memory for every app whether anyone looks or not.
 */
async function appPage(name) {
  const summary = h('section', { class: 'card wide', id: 'app-summary' });
  const instances = h('section', { class: 'card wide', id: 'app-instances' });
  const charts = h('div', { class: 'charts' },
    h('div', { class: 'card chart', id: 'chart-cpu' }),
    h('div', { class: 'card chart', id: 'chart-mem' }));
  const logs = h('pre', { class: 'logs', id: 'app-logs' });
  const crashes = h('section', { class: 'card', id: 'app-crashes' });
  const env = h('section', { class: 'card', id: 'app-env' });
  page(name, summary, instances, charts,
    h('section', { class: 'card wide' }, h('h2', {}, 'Recent log lines'), logs),
    h('div', { class: 'cards two' }, crashes, env));
  const samples = { t: [], cpu: [], mem: [] };
  const SAMPLE_LIMIT = 360;

  every(REFRESH_MS, async () => {
    const [app, stats, crashList] = await Promise.all([api.app(name), api.stats(name),
      api.crashes(name)]);
    summary.replaceChildren(h('h2', {}, 'Summary'), h('dl', {},
      h('dt', {}, 'State'), h('dd', {}, badge(app.state)),
      h('dt', {}, 'Instances'), h('dd', {}, `${app.runningInstances ?? 0} / ${app.instances}`),
      h('dt', {}, 'Memory'), h('dd', {}, mb(app.resources.memory)),
      h('dt', {}, 'URLs'), h('dd', {}, app.uris.join(', ') || '—'),
      h('dt', {}, 'Runtime'), h('dd', {}, app.staging.model ? `${app.staging.model} / ${app.staging.stack}` : 'detected at staging'),
      h('dt', {}, 'Bound services'), h('dd', { id: 'app-services' },
        (app.services || []).join(', ') || 'none')));
    const rows = Object.entries(stats).sort((a, b) => Number(a[0]) - Number(b[0]));
    instances.replaceChildren(h('h2', {}, 'Instances'), table(
      ['#', 'State', 'Host', 'CPU', 'Memory', 'Disk', 'Uptime'],
      rows.map(([index, e]) => {
        const s = e.stats || {};
        const u = s.usage || {};
        return h('tr', { class: 'instance' }, h('td', {}, index), h('td', {}, badge(e.state)),
          h('td', {}, s.host ? `${s.host}:${s.port}` : '—'),
          h('td', {}, u.cpu !== undefined ? `${u.cpu.toFixed(1)} %` : '—'),
          h('td', {}, u.mem !== undefined ? `${mb(u.mem / 1024)} of ${mb((s.mem_quota || 0) / 1048576)}` : '—'),
          h('td', {}, u.disk !== undefined ? mb(u.disk / 1048576) : '—'),
          h('td', {}, duration(s.uptime)));
      })));
    const running = rows.map(([, e]) => e.stats && e.stats.usage).filter(Boolean);
    samples.t.push(Date.now() / 1000);
    samples.cpu.push(running.reduce((sum, u) => sum + (u.cpu || 0), 0));
    samples.mem.push(running.reduce((sum, u) => sum + (u.mem || 0), 0) / 1024);
    if (samples.t.length > SAMPLE_LIMIT) Object.values(samples).forEach((a) => a.shift());
    lineChart(document.getElementById('chart-cpu'), 'CPU, all instances (%)', samples.t,
      [{ label: 'cpu', values: samples.cpu }]);
    lineChart(document.getElementById('chart-mem'), 'Memory, all instances (MB)', samples.t,
      [{ label: 'memory', values: samples.mem }]);
    crashes.replaceChildren(h('h2', {}, 'Crashes'), table(['Instance', 'Since'],
      crashList.crashes.map((c) => h('tr', {}, h('td', { class: 'mono' }, c.instance),
        h('td', {}, when(c.since))))));
    env.replaceChildren(h('h2', {}, 'Environment'), table(['Variable'],
      (app.env || []).map((v) => h('tr', {}, h('td', { class: 'mono' }, v)))));
  });
  followAppLogs(name, logs);
}

/** Live log lines of the app into `pre`, keeping the last few hundred; reconnects when cut. */
function followAppLogs(name, pre) {
  const KEEP = 300;
  const lines = [];
  const abort = new AbortController();
  streams.push(abort);
  pre.textContent = 'No log lines yet.';
  const show = (line) => {
    lines.push(line);
    if (lines.length > KEEP) lines.shift();
    const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    pre.textContent = lines.join('\n');
    if (atBottom) pre.scrollTop = pre.scrollHeight;
  };
  const follow = async (tail) => {
    try {
      await followLogs(name, tail, show, abort.signal);
    } catch (e) {
      if (abort.signal.aborted) return;
      if (!lines.length) pre.textContent = `Logs unavailable: ${e.message}`;
    }
    // the server ends a follow after a while: pick up again with the live lines only
    if (!abort.signal.aborted) setTimeout(() => follow(0), REFRESH_MS);
  };
  follow(100);
}

// ---- services ------------------------------------------------------------------------------

async function servicesPage() {
  const types = h('section', { class: 'card wide', id: 'service-offerings' });
  const mine = h('section', { class: 'card wide', id: 'provisioned' });
  page('Services', types, mine);
  every(REFRESH_MS, async () => {
    const [offerings, services] = await Promise.all([api.offerings(), api.services()]);
    types.replaceChildren(h('h2', {}, 'Service types'), table(
      ['Type', 'Version', 'Plans', 'State', 'Description'],
      flattenOfferings(offerings).map((o) => h('tr', { class: 'offering', 'data-type': o.id },
        h('td', {}, o.id), h('td', {}, o.version), h('td', {}, Object.keys(o.tiers || {}).join(', ') || '—'),
        h('td', { class: 'state' }, badge(o.state)), h('td', {}, o.description || '')))));
    mine.replaceChildren(h('h2', {}, 'Your services'), table(['Name', 'Type', 'Plan', 'Version'],
      services.map((s) => h('tr', {}, h('td', {}, s.name), h('td', {}, s.vendor),
        h('td', {}, s.tier || s.plan || '—'), h('td', {}, s.version)))));
  });
}

// ---- nodes ---------------------------------------------------------------------------------

async function nodesPage() {
  const nodesBox = h('section', { id: 'nodes' });
  page('Nodes and components', nodesBox);
  every(REFRESH_MS * 2, async () => {
    const nodes = await api.nodes();
    if (!nodes.length) {
      nodesBox.replaceChildren(h('p', { class: 'card muted' },
        'No node has reported yet: kato agents publish their status every few seconds.'));
      return;
    }
    nodesBox.replaceChildren(...nodes.map((n) => {
      const host = n.host || {};
      return h('section', { class: 'card wide node', 'data-node': n.node },
        h('h2', {}, n.name || n.node, ' ', n.core ? badge('core') : null, ' ',
          n.reporting ? badge('reporting') : badge('silent')),
        h('p', { class: 'muted' }, `${n.ip || ''} · roles: ${n.roles.join(', ') || 'none'} · last heard ${when(n.last_heard)}`),
        h('div', { class: 'host' },
          h('div', {}, h('span', { class: 'label' }, 'CPU '), host.cpu_percent !== undefined
            ? `${host.cpu_percent.toFixed(1)} % of ${host.cpus || '?'} CPUs` : '—'),
          h('div', {}, h('span', { class: 'label' }, 'Load '), (host.load || []).map((l) => l.toFixed(2)).join(' ') || '—'),
          h('div', {}, h('span', { class: 'label' }, 'Memory '),
            bar(host.mem_used_mb || 0, host.mem_total_mb || 0, `${mb(host.mem_used_mb)} of ${mb(host.mem_total_mb)}`)),
          h('div', {}, h('span', { class: 'label' }, 'Disk '),
            bar(host.disk_used_mb || 0, host.disk_total_mb || 0, `${mb(host.disk_used_mb)} of ${mb(host.disk_total_mb)}`)),
          h('div', {}, h('span', { class: 'label' }, 'Network '),
            `rx ${mb((host.net_rx_bytes || 0) / 1048576)} · tx ${mb((host.net_tx_bytes || 0) / 1048576)}`)),
        table(['Process', 'State', 'PID', 'Uptime', 'Restarts'], n.processes.map((p) =>
          h('tr', {}, h('td', {}, p.name), h('td', {}, badge(p.state)), h('td', {}, p.pid ?? '—'),
            h('td', {}, duration(p.uptime_seconds)), h('td', {}, p.restarts ?? 0)))));
    }));
  });
}

// ---- events --------------------------------------------------------------------------------

function eventTable(events) {
  return table(['When', 'Kind', 'By', 'What'], events.map((e) =>
    h('tr', { class: 'event ' + e.kind.split('.')[0] }, h('td', {}, when(e.at)),
      h('td', {}, badge(e.kind)), h('td', {}, e.actor || '—'), h('td', {}, e.message))));
}

async function eventsPage() {
  const filter = h('input', { type: 'search', placeholder: 'Filter by kind, e.g. scaling',
    id: 'event-filter' });
  const list = h('section', { class: 'card wide' });
  page('Events', filter, list);
  let all = [];
  const draw = () => {
    const f = filter.value.trim().toLowerCase();
    list.replaceChildren(eventTable(all.filter((e) => !f || e.kind.toLowerCase().includes(f)
      || (e.message || '').toLowerCase().includes(f))));
  };
  filter.addEventListener('input', draw);
  every(REFRESH_MS * 2, async () => {
    all = await api.events(200);
    draw();
  });
}

// ---- settings ------------------------------------------------------------------------------

/** Flattens the cluster config to rows of component, dotted key, JSON value. */
function configRows(config) {
  const rows = [];
  const walk = (component, prefix, value) => {
    if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length) {
      for (const [k, v] of Object.entries(value)) walk(component, prefix ? `${prefix}.${k}` : k, v);
    } else {
      rows.push([component, prefix, JSON.stringify(value)]);
    }
  };
  for (const [component, value] of Object.entries(config || {})) walk(component, '', value);
  return rows;
}

async function settingsPage() {
  const current = h('section', { class: 'card wide', id: 'config' }, h('p', { class: 'muted' }, 'Loading…'));
  const component = h('input', { id: 'cfg-component', placeholder: 'dea' });
  const key = h('input', { id: 'cfg-key', placeholder: 'log_level' });
  const value = h('input', { id: 'cfg-value', placeholder: '"DEBUG"' });
  const form = h('form', { class: 'card wide inline', onsubmit: (ev) => {
    ev.preventDefault();
    let parsed;
    try {
      parsed = JSON.parse(value.value);
    } catch (e) {
      parsed = value.value; // a bare word is meant as a string
    }
    act(`Set ${component.value} ${key.value}`, () => api.setConfig(component.value.trim(),
      key.value.trim(), parsed));
  } }, h('h2', {}, 'Change a setting'),
  h('label', {}, 'Component', component), h('label', {}, 'Key', key),
  h('label', {}, 'Value (JSON)', value), h('button', { type: 'submit' }, 'Save'));
  page('Cluster settings', current, form);
  try {
    const config = await api.config();
    current.replaceChildren(h('h2', {}, 'Cluster config'), table(['Component', 'Key', 'Value'],
      configRows(config).map(([c, k, v]) => h('tr', { class: 'setting', onclick: () => {
        component.value = c; key.value = k; value.value = v;
      } }, h('td', {}, c), h('td', { class: 'mono' }, k), h('td', { class: 'mono' }, v)))));
  } catch (e) {
    current.replaceChildren(h('h2', {}, 'Cluster config'), h('p', { class: 'error' }, e.message));
  }
}

// ---- routing -------------------------------------------------------------------------------

const PAGES = {
  overview: overviewPage, apps: appsPage, services: servicesPage, nodes: nodesPage,
  events: eventsPage, settings: settingsPage,
};

async function route() {
  timers.forEach(clearInterval);
  timers = [];
  streams.forEach((s) => s.abort());
  streams = [];
  const [, name, arg] = (location.hash || '#/overview').split('/').map(decodeURIComponent);
  if (!session.token || name === 'login') {
    loginPage();
    return;
  }
  document.getElementById('top').hidden = false;
  document.getElementById('user').textContent = session.user;
  document.body.classList.toggle('admin', isAdmin);
  document.querySelectorAll('#nav a').forEach((a) =>
    a.classList.toggle('active', a.dataset.page === name));
  if (name === 'apps' && arg) {
    await appPage(arg);
  } else {
    await (PAGES[name] || overviewPage)();
  }
}

window.addEventListener('hashchange', () => {
  showMessage('');
  start();
});
document.getElementById('logout').addEventListener('click', () => {
  session.clear();
  location.hash = '#/login';
});

async function start() {
  if (session.token) {
    // /info names the user only for a valid token: an expired one goes back to the login
    const info = await api.info().catch(() => ({}));
    if (info.user) {
      isAdmin = await api.isAdmin();
    } else {
      session.clear();
    }
  }
  await route();
}

start();
