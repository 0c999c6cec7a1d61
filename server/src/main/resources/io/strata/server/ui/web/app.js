// The web UI's frame: the two pages (Volume and Backup) behind the top navigation, messages,
// and polling. A page shows what the API says; while a job runs it asks again every second, and
// otherwise every ten, so work started elsewhere (CSI, the CLI) shows up too.

import { get, forgetToken, whenSignInNeeded } from './api.js';
import { askForToken } from './login.js';
import { h } from './dom.js';
import * as volumePage from './volume-page.js';
import * as backupPage from './backup-page.js';

const PAGES = { volume: volumePage, backup: backupPage };
const POLL_BUSY_MS = 1000;
const POLL_IDLE_MS = 10000;
const NOTICE_MS = 8000;
const MAX_MESSAGES = 3; // more would cover a phone's screen

const pageRegion = document.getElementById('page');
const messages = document.getElementById('alerts');

let view = null; // the mounted page: { update(model) }
let route = null;
let lastModel = null;
let lastFingerprint = null;
let loads = 0; // the newest load wins: an older one that answers late is dropped
let timer = null;
const pending = new Set(); // keys of the buttons whose action is under way

/** What pages use: messages, actions, navigation. */
const ctx = {
  pending,

  /** A message that something worked; it goes away by itself. An optional link: [text, href]. */
  notify(text, link) {
    const notice = h('div', { class: 'alert notice', role: 'status' },
      h('span', { class: 'detail', text }),
      link && [' ', h('a', { href: link[1], text: link[0] })],
      dismissButton());
    add(notice);
    setTimeout(() => notice.remove(), NOTICE_MS);
  },

  /** Shows a failure: the server's problem title and detail, until dismissed. */
  error(e, source = 'action') {
    if (e?.status === 401) {
      return; // the sign-in dialog is the answer
    }
    const title = e?.title || 'Something went wrong';
    const detail = e?.detail || e?.message || String(e);
    const id = `${title}\n${detail}`;
    if ([...messages.children].some((m) => m.dataset.id === id)) {
      return; // already shown: a poll that fails each second must not stack up copies
    }
    const alert = h('div', { class: 'alert error', role: 'alert', 'data-id': id, 'data-source': source },
      h('strong', { class: 'title', text: title }), ' ', h('span', { class: 'detail', text: detail }), dismissButton());
    add(alert);
  },

  /**
   * Runs an action started by the button with this key: the button shows it is busy, a failure
   * is shown, success is announced with success(result), and the page is loaded again.
   */
  async act(key, work, success) {
    if (pending.has(key)) {
      return;
    }
    pending.add(key);
    redraw();
    try {
      const result = await work();
      if (success) {
        const message = success(result);
        ctx.notify(...(Array.isArray(message) ? message : [message]));
      }
    } catch (e) {
      ctx.error(e);
    } finally {
      pending.delete(key);
      await refresh(true);
    }
  },

  /** A button for an action; while its action runs it stays focusable but does nothing. */
  button(label, key, onClick, { kind = 'secondary', ariaLabel } = {}) {
    const busy = pending.has(key);
    return h('button', {
      type: 'button', key, class: `${kind}${busy ? ' busy' : ''}`, 'aria-label': ariaLabel, 'aria-disabled': busy ? 'true' : null,
      onclick: () => { if (!pending.has(key)) { onClick(); } },
    }, label);
  },

  refresh: () => refresh(true),
};

function dismissButton() {
  return h('button', { type: 'button', class: 'dismiss', 'aria-label': 'Dismiss message', text: '×',
    onclick: (event) => event.currentTarget.closest('.alert').remove() });
}

function add(message) {
  messages.prepend(message);
  while (messages.children.length > MAX_MESSAGES) {
    const notices = messages.querySelectorAll('.alert.notice');
    (notices.length ? notices[notices.length - 1] : messages.lastElementChild).remove();
  }
}

function parseRoute() {
  const [name, ...rest] = location.hash.replace(/^#\/?/, '').split('/');
  const page = Object.hasOwn(PAGES, name) ? name : 'volume';
  const arg = rest.length && rest[0] ? decodeURIComponent(rest.join('/')) : null;
  return { page, arg };
}

function show(next, moveFocus) {
  route = next;
  lastModel = null;
  lastFingerprint = null;
  const page = PAGES[route.page];
  view = page.mount(ctx, route.arg);
  pageRegion.replaceChildren(...view.nodes);
  document.title = `${view.title} · Strata`;
  for (const link of document.querySelectorAll('nav a[data-page]')) {
    if (link.dataset.page === route.page) {
      link.setAttribute('aria-current', 'page');
    } else {
      link.removeAttribute('aria-current');
    }
  }
  if (moveFocus) {
    pageRegion.querySelector('h1')?.focus();
  }
  refresh(true);
}

/** Loads the page's data and shows it, unless it did not change (then the page is left alone). */
async function refresh(force = false) {
  clearTimeout(timer);
  const load = ++loads;
  const at = route;
  let model;
  try {
    model = await PAGES[at.page].load(at.arg);
  } catch (e) {
    if (load === loads) {
      ctx.error(e, 'load');
      if (e?.status !== 401) {
        view.failed?.(e);
      }
      schedule(POLL_IDLE_MS / 2);
    }
    return;
  }
  if (load !== loads || at !== route) {
    return;
  }
  for (const stale of messages.querySelectorAll('.alert[data-source="load"]')) {
    stale.remove(); // loading works again
  }
  const fingerprint = JSON.stringify(model);
  if (force || fingerprint !== lastFingerprint) {
    lastModel = model;
    lastFingerprint = fingerprint;
    view.update(model);
  }
  schedule(model.busy ? POLL_BUSY_MS : POLL_IDLE_MS);
}

function redraw() {
  if (lastModel) {
    view.update(lastModel);
  }
}

function schedule(ms) {
  clearTimeout(timer);
  timer = setTimeout(() => refresh(), ms);
}

async function showServer() {
  try {
    const info = await get('info');
    document.getElementById('server-info').textContent =
      `Strata ${info.version} · node ${info.nodeId} · data in ${info.dataDir}`;
  } catch (e) {
    ctx.error(e, 'load');
  }
}

window.addEventListener('hashchange', () => {
  if (location.hash.startsWith('#/') || location.hash === '') {
    show(parseRoute(), true);
  }
});
document.getElementById('skip-link').addEventListener('click', (event) => {
  event.preventDefault(); // the address keeps naming the page
  document.getElementById('main').focus();
});

document.getElementById('sign-out').addEventListener('click', () => {
  forgetToken();
  location.reload();
});
whenSignInNeeded(() => askForToken(() => {
  showServer();
  refresh(true);
}));

show(parseRoute(), false);
showServer();
