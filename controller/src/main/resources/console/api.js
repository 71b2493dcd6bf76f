// The controller's REST API with the user's token, exactly as the updraft client uses it.
const TOKEN_KEY = 'updraft.console.token';
const USER_KEY = 'updraft.console.user';

export class ApiError extends Error {
  constructor(status, description) {
    super(description);
    this.status = status;
  }
}

export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  get user() { return sessionStorage.getItem(USER_KEY); },
  set(user, token) {
    sessionStorage.setItem(USER_KEY, user);
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  clear() {
    sessionStorage.removeItem(USER_KEY);
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

async function send(method, path, body, { text = false } = {}) {
  const headers = {};
  if (session.token) headers['Authorization'] = 'Bearer ' + session.token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const raw = await response.text();
  if (!response.ok) {
    let description = response.statusText;
    try { description = JSON.parse(raw).description || description; } catch (e) { /* not JSON */ }
    if (response.status === 403 && session.token && path !== '/users') {
      // an expired token shows as 403 everywhere: say so instead of an empty page
      description = description + ' (log in again if your session has expired)';
    }
    throw new ApiError(response.status, description);
  }
  if (text) return raw;
  return raw ? JSON.parse(raw) : null;
}

const enc = encodeURIComponent;

/**
 * Follows an app's log lines (recent ones first, then live) and calls `onLine` with each; the
 * stream ends when `signal` aborts. Resolves when the server ends the stream.
 */
export async function followLogs(name, tail, onLine, signal) {
  const response = await fetch(`/updraft/apps/${enc(name)}/logs?tail=${tail}&follow=true`, {
    headers: { Authorization: 'Bearer ' + session.token }, signal,
  });
  if (!response.ok) {
    let description = response.statusText;
    try { description = (await response.json()).description || description; } catch (e) { /* */ }
    throw new ApiError(response.status, description);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let partial = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    const lines = (partial + value).split('\n');
    partial = lines.pop();
    // empty lines are the server's keep-alives
    lines.filter((l) => l.length).forEach(onLine);
  }
}

export const api = {
  login: (email, password) => send('POST', `/users/${enc(email)}/tokens`, { password }),
  // only admins may list users: the cheapest way to learn the role
  isAdmin: () => send('GET', '/users').then(() => true, () => false),
  info: () => send('GET', '/info'),
  apps: () => send('GET', '/apps'),
  app: (name) => send('GET', `/apps/${enc(name)}`),
  updateApp: (name, change) => send('PUT', `/apps/${enc(name)}`, change),
  deleteApp: (name) => send('DELETE', `/apps/${enc(name)}`),
  instances: (name) => send('GET', `/apps/${enc(name)}/instances`),
  stats: (name) => send('GET', `/apps/${enc(name)}/stats`),
  crashes: (name) => send('GET', `/apps/${enc(name)}/crashes`),
  offerings: () => send('GET', '/info/services'),
  services: () => send('GET', '/services'),
  nodes: () => send('GET', '/updraft/nodes'),
  deas: () => send('GET', '/updraft/deas'),
  history: () => send('GET', '/updraft/history'),
  events: (limit) => send('GET', `/events?limit=${limit}`),
  config: () => send('GET', '/updraft/config'),
  setConfig: (component, key, value) => send('PUT', '/updraft/config', { component, key, value }),
};
