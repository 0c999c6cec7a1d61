// The Backup page: the backup target (shown and changed), the backup volumes in it, and one
// backup volume's backups with their state and progress; restore into a new volume, verify,
// delete.

import { get, put, post, del, path } from './api.js';
import { h, fill } from './dom.js';
import { formatBytes, formatTime } from './format.js';
import { openForm, confirm } from './dialogs.js';

/** arg: the backup volume shown, or null for the list of backup volumes. */
export async function load(arg) {
  const [target, jobs] = await Promise.all([get('backup-target'), get('jobs')]);
  const model = { target, jobs: [], volumes: null, volume: null, backups: null, listError: null, busy: false };
  model.busy = jobs.some((j) => j.state === 'running');
  try {
    if (arg) {
      [model.volume, model.backups] = await Promise.all([
        get(path('backup-volumes', arg)), get(path('backup-volumes', arg, 'backups'))]);
      model.jobs = jobs.filter((j) => j.kind === 'restore' && j.backupVolume === arg);
      model.busy ||= model.backups.some((b) => b.state === 'in-progress');
    } else {
      model.volumes = await get('backup-volumes');
    }
  } catch (e) {
    // the target may be unreachable: the page still shows it, so it can be changed
    model.listError = { title: e.title ?? 'Error', detail: e.detail ?? e.message, status: e.status };
  }
  return model;
}

export function mount(ctx, arg) {
  const current = h('p', { class: 'target-current' }, 'Loading…');
  const url = h('input', { id: 'backup-target-url', name: 'url', type: 'text', autocomplete: 'off', spellcheck: 'false',
    'aria-describedby': 'backup-target-hint', key: 'target:url' });
  // a missing directory is refused unless asked for: it may be an NFS mount point with nothing mounted
  const create = h('input', { id: 'backup-target-create', name: 'create', type: 'checkbox', key: 'target:create' });
  const reset = h('span', { class: 'target-reset' });
  const form = h('form', { class: 'create-form target-form', id: 'backup-target-form', novalidate: true },
    h('div', { class: 'field wide' }, h('label', { for: 'backup-target-url', text: 'Backup target URL' }), url,
      h('p', { class: 'hint', id: 'backup-target-hint', text: 'file:///path, nfs://server:/export or s3://bucket@region/path' }),
      h('p', { class: 'check' }, create, h('label', { for: 'backup-target-create', text: ' Create a file:// directory that does not exist' }))),
    h('div', { class: 'field submit' }, h('button', { type: 'submit', class: 'primary', key: 'target:save', text: 'Save target' }), reset));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = url.value.trim();
    if (!value) {
      ctx.error({ title: 'A URL is needed', detail: 'Type the backup target\'s URL, e.g. file:///var/lib/strata/backups.' });
      url.focus();
      return;
    }
    const body = create.checked ? { url: value, create: true } : { url: value };
    ctx.act('target:save', () => put('backup-target', body), (t) => `Backups now go to ${t.url}.`);
  });
  let urlShown = null;
  const list = h('div', { class: 'backup-list', 'aria-busy': 'true' }, h('p', { class: 'loading', text: 'Loading…' }));
  const heading = arg ? `Backups of ${arg}` : 'Backup volumes';

  return {
    title: arg ? `Backup ${arg}` : 'Backup',
    nodes: [
      h('h1', { tabindex: '-1', text: 'Backups' }),
      h('section', { class: 'panel', 'aria-labelledby': 'target-title' },
        h('h2', { id: 'target-title', text: 'Backup target' }), current, form),
      h('section', { 'aria-labelledby': 'backups-title' },
        arg && h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' },
          h('a', { href: '#/backup', key: 'crumb:all', text: 'Backup volumes' }), ' › ', h('span', { 'aria-current': 'page', text: arg })),
        h('h2', { id: 'backups-title', text: heading }), list),
    ],
    update(model) {
      const t = model.target;
      fill(current, 'Backups go to ', h('code', { 'data-field': 'target-url', text: t.url }),
        t.source === 'saved' ? ` (saved here ${formatTime(t.savedAt)}; configured: ${t.configured})` : ' (as configured when the server started)');
      if (urlShown !== t.url && document.activeElement !== url) {
        url.value = t.url; // the saved target, unless someone is typing a new one
        urlShown = t.url;
      }
      fill(reset, t.source === 'saved' && ctx.button('Use the configured target', 'target:reset',
        () => ctx.act('target:reset', () => del('backup-target'), (back) => `Backups go to the configured target again: ${back.url}.`)));
      list.removeAttribute('aria-busy');
      if (model.listError) {
        fill(list, h('div', { class: 'alert error inline', role: 'alert' },
          h('strong', { class: 'title', text: model.listError.title }), ' ', h('span', { class: 'detail', text: model.listError.detail })),
        arg && h('p', {}, h('a', { href: '#/backup', text: 'Back to the backup volumes' })));
      } else if (arg) {
        fill(list, volumeDetail(ctx, model));
      } else {
        fill(list, volumeTable(model.volumes));
      }
    },
  };
}

function volumeTable(volumes) {
  if (volumes.length === 0) {
    return h('p', { class: 'empty', text: 'The backup target holds no backups yet. Back a volume up from the Volume page.' });
  }
  return h('table', { class: 'backup-volumes' },
    h('caption', { class: 'visually-hidden', text: 'Backup volumes in the backup target' }),
    h('thead', {}, h('tr', {}, ['Name', 'Size', 'Last backup', 'Last backup at', 'Compression']
      .map((t) => h('th', { scope: 'col', text: t })))),
    h('tbody', {}, volumes.map((v) => h('tr', { 'data-backup-volume': v.name },
      h('th', { scope: 'row', 'data-label': 'Name' },
        h('a', { href: `#/backup/${encodeURIComponent(v.name)}`, key: `backup-volume:${v.name}`, text: v.name })),
      v.state === 'broken'
        ? h('td', { 'data-label': 'Size' }, h('span', { class: 'badge backup-broken', 'data-field': 'state', text: 'broken' }),
          h('p', { class: 'error-text', text: v.error ?? '' }))
        : h('td', { 'data-label': 'Size', text: formatBytes(v.sizeBytes) }),
      h('td', { 'data-label': 'Last backup', text: v.lastBackup ?? '—' }),
      h('td', { 'data-label': 'Last backup at', text: formatTime(v.lastBackupAt) }),
      h('td', { 'data-label': 'Compression', text: v.compression ?? '—' })))));
}

function volumeDetail(ctx, model) {
  const v = model.volume;
  const restores = model.jobs.filter((j) => j.state === 'running')
    .concat(model.jobs.filter((j) => j.state !== 'running').slice(-1));
  return [
    h('dl', { class: 'facts' },
      fact('Volume size', formatBytes(v.sizeBytes)),
      fact('Backups', String(model.backups.length)),
      fact('Last backup', v.lastBackup ? `${v.lastBackup} at ${formatTime(v.lastBackupAt)}` : '—'),
      fact('Compression', v.compression)),
    h('div', { class: 'actions' },
      ctx.button('Delete backup volume', 'backup-volume:delete', () => removeVolume(ctx, v, model.backups.length), { kind: 'danger' })),
    restores.length > 0 && h('div', { class: 'jobs' }, h('h3', { text: 'Restores' }), h('ul', {}, restores.map(restoreJob))),
    model.backups.length === 0
      ? h('p', { class: 'empty', text: 'This backup volume holds no backups.' })
      : backupTable(ctx, v, model.backups),
  ];
}

function fact(label, value) {
  return h('div', { class: 'fact' }, h('dt', { text: label }), h('dd', { text: value }));
}

function restoreJob(j) {
  return h('li', { class: `job job-${j.state}`, 'data-job': j.id },
    h('span', { class: 'job-what' }, 'Restore of ', h('code', { text: j.backup }), ` into volume ${j.volume}`),
    j.state === 'running' && h('progress', { max: '100', value: String(j.progress.percent), 'aria-label': `Restore into ${j.volume}` }),
    h('span', { class: 'job-state', text: j.state === 'running' ? runningText(j.progress, 'read and written')
      : j.state === 'complete' ? 'complete' : 'failed' }),
    h('a', { href: '#/volume', text: 'Volume page' }),
    j.error && h('p', { class: 'error-text', text: j.error }));
}

/** A running job's progress: "starting…" until it knows how much there is, then how far it is. */
function runningText(p, what) {
  return p.bytesTotal ? `${p.percent}% (${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)} ${what})` : 'starting…';
}

const BACKUP_STATE = { complete: 'complete', 'in-progress': 'in progress', failed: 'failed', broken: 'broken' };

function backupTable(ctx, v, backups) {
  return h('table', { class: 'backups' },
    h('caption', { class: 'visually-hidden', text: `Backups of ${v.name}` }),
    h('thead', {}, h('tr', {}, ['Name', 'Snapshot', 'Created', 'Size', 'State', 'Actions'].map((t) => h('th', { scope: 'col', text: t })))),
    h('tbody', {}, backups.map((b) => {
      const key = (what) => `backup:${b.name}:${what}`;
      const percent = b.progress?.percent ?? 0;
      return h('tr', { 'data-backup': b.name },
        h('th', { scope: 'row', 'data-label': 'Name' }, h('span', { class: 'name', text: b.name }), h('code', { class: 'handle', text: b.handle })),
        h('td', { 'data-label': 'Snapshot', text: b.snapshot ?? '—' }),
        h('td', { 'data-label': 'Created', text: formatTime(b.completed ?? b.snapshotCreated) }),
        h('td', { 'data-label': 'Size' }, formatBytes(b.volumeSizeBytes),
          b.state === 'complete' && h('span', { class: 'sub', text: `${formatBytes(b.dataBytes)} data` })),
        h('td', { 'data-label': 'State' },
          h('span', { class: `badge backup-${b.state}`, 'data-field': 'state', text: BACKUP_STATE[b.state] ?? b.state }),
          b.state === 'in-progress' && b.progress && [
            h('progress', { max: '100', value: String(percent), 'aria-label': `Backup ${b.name}` }),
            b.progress.bytesTotal ? ` ${percent}%` : ' starting…'],
          b.error && h('p', { class: 'error-text', text: b.error })),
        h('td', { 'data-label': 'Actions', class: 'row-actions' },
          // only a complete backup can be restored or verified: the server refuses the others
          b.state === 'complete' && ctx.button('Restore', key('restore'), () => restore(ctx, b), { ariaLabel: `Restore backup ${b.name}` }),
          b.state === 'complete' && ctx.button('Verify', key('verify'), () => verify(ctx, b, key('verify')),
            { ariaLabel: `Verify backup ${b.name}` }),
          ctx.button('Delete', key('delete'), () => removeBackup(ctx, b), { kind: 'danger', ariaLabel: `Delete backup ${b.name}` })));
    })));
}

function restore(ctx, b) {
  openForm({
    title: `Restore ${b.name}`,
    message: `Restores ${b.handle} (snapshot ${b.snapshot ?? '—'} of ${b.volume}) into a new volume, which can be used once the restore is complete.`,
    fields: [
      { name: 'volume', label: 'New volume name', placeholder: `${b.volume}-restored`, required: true },
      { name: 'size', label: 'Size (optional)', placeholder: formatBytes(b.volumeSizeBytes),
        hint: `Leave empty for the backup's size (${formatBytes(b.volumeSizeBytes)}); a larger size grows the volume.` },
    ],
    submitLabel: 'Restore',
    submit: async ({ volume, size }) => {
      const body = { volume };
      if (size) {
        body.size = size.trim(); // read by the server, by the CLI's rules
      }
      const job = await post(path('backup-volumes', b.volume, 'backups', b.name, 'restore'), body);
      ctx.notify(`Restoring ${b.name} into the new volume ${job.volume}.`, ['Watch it on the Volume page', '#/volume']);
      await ctx.refresh();
    },
  });
}

function verify(ctx, b, key) {
  ctx.act(key, () => post(path('backup-volumes', b.volume, 'backups', b.name, 'verify')), (result) => {
    if (!result.whole) {
      ctx.error({ title: `Backup ${b.name} is damaged`,
        detail: `${result.problems.length} problem(s): ${result.problems.join('; ')}. Back the volume up again, then delete this backup.` });
      return `Verified ${b.name}: ${result.blocks} blocks read, problems found.`;
    }
    return `Backup ${b.name} is whole: all ${result.blocks} blocks were read and match their checksums.`;
  });
}

function removeBackup(ctx, b) {
  confirm({
    title: `Delete backup ${b.name}?`,
    message: `${b.handle} is deleted from the backup target, with the blocks no other backup uses. It can no longer be restored.`,
    confirmLabel: 'Delete backup',
    submit: async () => {
      const deleted = await del(path('backup-volumes', b.volume, 'backups', b.name));
      ctx.notify(`Deleted backup ${deleted.backup}; ${deleted.removedBlocks} block(s) no other backup used were removed.`);
      await ctx.refresh();
    },
  });
}

function removeVolume(ctx, v, count) {
  confirm({
    title: `Delete backup volume ${v.name}?`,
    message: `All ${count} backup(s) of ${v.name} and their blocks are deleted from the backup target. The volume itself, if it still exists, is not touched.`,
    confirmLabel: 'Delete backup volume',
    submit: async () => {
      await del(path('backup-volumes', v.name));
      ctx.notify(`Deleted backup volume ${v.name}.`);
      location.hash = '#/backup';
    },
  });
}
