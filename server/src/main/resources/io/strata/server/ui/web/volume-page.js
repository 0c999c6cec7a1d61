// The Volume page: every volume with its state, attachment and restore or clone progress, its snapshots,
// and its backups in progress; create, expand and delete volumes; take, back up, revert and
// delete snapshots.

import { get, post, del, path } from './api.js';
import { h, fill } from './dom.js';
import { formatBytes, formatTime, sizeText, timestampName } from './format.js';
import { openForm, confirm } from './dialogs.js';

export async function load() {
  const [volumes, snapshots, jobs] = await Promise.all([
    get('volumes'),
    get('snapshots?type=snapshot'), // never waits on the backup target
    get('jobs?kind=backup'),
  ]);
  const byVolume = (list) => Object.groupBy(list, (item) => item.volume);
  return {
    volumes,
    snapshots: byVolume(snapshots),
    jobs: byVolume(jobs),
    busy: jobs.some((j) => j.state === 'running') || volumes.some((v) => v.state === 'restoring' || v.state === 'cloning')
      || snapshots.some((s) => !s.ready),
  };
}

export function mount(ctx) {
  const list = h('div', { class: 'volume-list', 'aria-busy': 'true' }, h('p', { class: 'loading', text: 'Loading volumes…' }));
  const count = h('span', { class: 'count' });
  const name = h('input', { id: 'new-volume-name', name: 'name', type: 'text', autocomplete: 'off', spellcheck: 'false',
    'aria-describedby': 'new-volume-name-hint', key: 'create:name' });
  const size = h('input', { id: 'new-volume-size', name: 'size', type: 'text', value: '1Gi', autocomplete: 'off',
    spellcheck: 'false', 'aria-describedby': 'new-volume-size-hint', key: 'create:size' });
  const create = h('form', { class: 'create-form', id: 'create-volume', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'new-volume-name', text: 'Name' }), name,
      h('p', { class: 'hint', id: 'new-volume-name-hint', text: "Letters, digits, '-', '_' and '.'" })),
    h('div', { class: 'field' }, h('label', { for: 'new-volume-size', text: 'Size' }), size,
      h('p', { class: 'hint', id: 'new-volume-size-hint', text: 'Like 10Gi, 512Mi or bytes' })),
    h('div', { class: 'field submit' }, h('button', { type: 'submit', class: 'primary', key: 'create:submit', text: 'Create volume' })));
  create.addEventListener('submit', (event) => {
    event.preventDefault();
    const volume = name.value.trim();
    if (!volume) {
      ctx.error({ title: 'A name is needed', detail: 'Type a name for the new volume.' });
      name.focus();
      return;
    }
    // the server reads the size as typed, by the same rules as the CLI: one parser, one answer
    const typed = size.value.trim();
    const body = typed ? { name: volume, size: typed } : { name: volume };
    ctx.act('create:submit', () => post('volumes', body), (created) => {
      name.value = '';
      return `Created volume ${created.name} (${formatBytes(created.sizeBytes)}).`;
    });
  });

  return {
    title: 'Volume',
    nodes: [
      h('h1', { tabindex: '-1', text: 'Volumes' }),
      h('section', { class: 'panel', 'aria-labelledby': 'create-volume-title' },
        h('h2', { id: 'create-volume-title', text: 'Create a volume' }), create),
      h('section', { 'aria-labelledby': 'volumes-title' }, h('h2', { id: 'volumes-title' }, 'Volumes ', count), list),
    ],
    update(model) {
      list.removeAttribute('aria-busy');
      count.textContent = `(${model.volumes.length})`;
      fill(list, model.volumes.length === 0
        ? h('p', { class: 'empty', text: 'No volumes yet. Create one above, or through CSI with a PersistentVolumeClaim.' })
        : model.volumes.map((v) => volumeCard(ctx, v, model.snapshots[v.name] ?? [], model.jobs[v.name] ?? [])));
    },
    failed() {
      list.removeAttribute('aria-busy');
      if (list.querySelector('.loading')) {
        fill(list, h('p', { class: 'empty', text: 'The volumes could not be loaded; the message above says why.' }));
      }
    },
  };
}

const STATE_TEXT = {
  ready: 'ready', restoring: 'restoring', 'restore-failed': 'restore failed', cloning: 'cloning', 'clone-failed': 'clone failed',
};

function volumeCard(ctx, v, snapshots, jobs) {
  const id = `volume-${v.name}`;
  const key = (what) => `volume:${v.name}:${what}`;
  return h('article', { class: 'card volume', 'data-volume': v.name, 'aria-labelledby': id },
    h('div', { class: 'card-head' },
      h('h3', { id, text: v.name }),
      h('span', { class: `badge state-${v.state}`, 'data-field': 'state', text: STATE_TEXT[v.state] ?? v.state })),
    h('dl', { class: 'facts' },
      fact('Size', formatBytes(v.sizeBytes), 'size'),
      fact('Data', formatBytes(v.allocatedBytes), 'allocated'),
      fact('Attached', v.attachment ? `to ${v.attachment.node}${v.attachment.readOnly ? ' (read-only)' : ''}` : 'no', 'attachment'),
      fact('Created', formatTime(v.created), 'created'),
      v.source && fact('Source', v.source, 'source')),
    v.restore && fillLine('restore', v.restore, v.restore.backup, ['Restored from ', 'Restoring from '],
      `Restore of ${v.name} from ${v.restore.backup}`),
    v.cloning && fillLine('cloning', v.cloning, v.cloning.source, ['Cloned from ', 'Cloning from '],
      `Clone of ${v.cloning.source} into ${v.name}`),
    h('div', { class: 'actions', role: 'group', 'aria-label': `Actions for volume ${v.name}` },
      ctx.button('Take snapshot', key('snapshot'), () => takeSnapshot(ctx, v)),
      ctx.button('Back up now', key('backup'), () => ctx.act(key('backup'), () => post(path('volumes', v.name, 'backups'), {}),
        (job) => `Backing up ${v.name}: backup ${job.backup} of a new snapshot ${job.snapshot} started.`)),
      ctx.button('Expand', key('expand'), () => expand(ctx, v)),
      ctx.button('Delete', key('delete'), () => remove(ctx, v, snapshots), { kind: 'danger' })),
    backupJobs(ctx, v, jobs),
    h('h4', { text: 'Snapshots' }),
    snapshots.length === 0
      ? h('p', { class: 'empty', text: 'No snapshots.' })
      : snapshotTable(ctx, v, snapshots));
}

function fact(label, value, field) {
  return h('div', { class: 'fact' }, h('dt', { text: label }), h('dd', { 'data-field': field, text: value }));
}

/** The job that filled the volume, a restore or a clone: where from, and its progress while it runs. */
function fillLine(field, job, source, [done, doing], label) {
  return h('div', { class: `job job-${job.state}`, 'data-field': field },
    h('span', { class: 'job-what' }, job.state === 'complete' ? done : doing, h('code', { text: source })),
    job.state === 'running' && progress(job.percent, label),
    h('span', { class: 'job-state', text: job.state === 'running' ? `${job.percent}%` : job.state }),
    job.error && h('p', { class: 'error-text', text: job.error }));
}

/** The volume's backups under way, and the last one that ended (how it ended matters). */
function backupJobs(ctx, v, jobs) {
  const running = jobs.filter((j) => j.state === 'running');
  const ended = jobs.filter((j) => j.state !== 'running').sort((a, b) => (a.finished ?? '').localeCompare(b.finished ?? ''));
  const shown = [...running, ...ended.slice(-1)];
  if (shown.length === 0) {
    return null;
  }
  return h('div', { class: 'jobs' },
    h('h4', { text: 'Backups' }),
    h('ul', {}, shown.map((j) => h('li', { class: `job job-${j.state}`, 'data-job': j.id },
      h('span', { class: 'job-what' }, 'Backup ', h('code', { text: j.backup }), ` of snapshot ${j.snapshot}`),
      j.state === 'running' && progress(j.progress.percent, `Backup ${j.backup}`),
      h('span', { class: 'job-state', 'data-field': 'job-state' },
        j.state === 'running' ? `${j.progress.percent}%` + (j.progress.bytesTotal ? ` of ${formatBytes(j.progress.bytesTotal)}` : '')
          : j.state === 'complete' ? `complete ${formatTime(j.finished)}` : 'failed'),
      j.state === 'complete' && h('a', { href: `#/backup/${encodeURIComponent(j.backupVolume)}`, text: 'See it on the Backup page' }),
      j.state === 'running' && ctx.button('Cancel', `job:${j.id}:cancel`, () => ctx.act(`job:${j.id}:cancel`,
        () => post(path('jobs', j.id, 'cancel')),
        () => `Cancelled backup ${j.backup}; delete it on the Backup page to clear what it stored.`),
        { ariaLabel: `Cancel backup ${j.backup}` }),
      j.error && h('p', { class: 'error-text', text: j.error })))));
}

function progress(percent, label) {
  return h('progress', { max: '100', value: String(percent), 'aria-label': label, text: `${percent}%` });
}

function snapshotTable(ctx, v, snapshots) {
  return h('table', { class: 'snapshots' },
    h('caption', { class: 'visually-hidden', text: `Snapshots of ${v.name}` }),
    h('thead', {}, h('tr', {}, ['Name', 'Created', 'Size', 'Taken after', 'Actions'].map((t) => h('th', { scope: 'col', text: t })))),
    h('tbody', {}, snapshots.map((s) => {
      const key = (what) => `snapshot:${v.name}:${s.name}:${what}`;
      return h('tr', { 'data-snapshot': s.name },
        h('th', { scope: 'row', 'data-label': 'Name', text: s.name }),
        h('td', { 'data-label': 'Created', text: formatTime(s.created) }),
        h('td', { 'data-label': 'Size', text: formatBytes(s.sizeBytes) }),
        h('td', { 'data-label': 'Taken after', text: s.parent ?? '—' }),
        h('td', { 'data-label': 'Actions', class: 'row-actions' },
          ctx.button('Back up', key('backup'), () => ctx.act(key('backup'),
            () => post(path('volumes', v.name, 'backups'), { snapshot: s.name }),
            (job) => `Backing up snapshot ${s.name} of ${v.name} as backup ${job.backup}.`), { ariaLabel: `Back up snapshot ${s.name}` }),
          ctx.button('Revert', key('revert'), () => revert(ctx, v, s), { ariaLabel: `Revert ${v.name} to snapshot ${s.name}` }),
          ctx.button('Delete', key('delete'), () => removeSnapshot(ctx, v, s),
            { kind: 'danger', ariaLabel: `Delete snapshot ${s.name}` })));
    })));
}

function takeSnapshot(ctx, v) {
  openForm({
    title: `Take a snapshot of ${v.name}`,
    message: 'A snapshot keeps the volume\'s content as it is now, inside the volume. Its name must be unique among all snapshots.',
    fields: [{ name: 'name', label: 'Snapshot name', value: timestampName(v.name.slice(0, 40)), required: true }],
    submitLabel: 'Take snapshot',
    submit: async ({ name }) => {
      const s = await post(path('volumes', v.name, 'snapshots'), { name });
      ctx.notify(`Took snapshot ${s.name} of ${v.name}.`);
      await ctx.refresh();
    },
  });
}

function expand(ctx, v) {
  openForm({
    title: `Expand ${v.name}`,
    message: `${v.name} is ${formatBytes(v.sizeBytes)}. A volume only grows; the file system on it must be grown as well.`,
    fields: [{ name: 'size', label: 'New size', value: sizeText(v.sizeBytes), hint: 'Like 10Gi, 512Mi or bytes', required: true }],
    submitLabel: 'Expand',
    submit: async ({ size }) => {
      const grown = await post(path('volumes', v.name, 'expand'), { size: size.trim() });
      ctx.notify(`${grown.name} is now ${formatBytes(grown.sizeBytes)}.`);
      await ctx.refresh();
    },
  });
}

function remove(ctx, v, snapshots) {
  const kept = snapshots.length === 0 ? '' : ` and its ${snapshots.length} snapshot${snapshots.length === 1 ? '' : 's'}`;
  confirm({
    title: `Delete volume ${v.name}?`,
    message: `The data of ${v.name}${kept} is deleted for good. Backups in the backup target are kept.`,
    confirmLabel: 'Delete volume',
    submit: async () => {
      await del(`${path('volumes', v.name)}?withSnapshots=true`);
      ctx.notify(`Deleted volume ${v.name}.`);
      await ctx.refresh();
    },
  });
}

function revert(ctx, v, s) {
  confirm({
    title: `Revert ${v.name} to ${s.name}?`,
    message: `Everything written to ${v.name} since snapshot ${s.name} was taken (${formatTime(s.created)}) is lost. `
      + 'The volume must not be attached; the snapshot stays.',
    confirmLabel: 'Revert',
    submit: async () => {
      await post(path('volumes', v.name, 'snapshots', s.name, 'revert'));
      ctx.notify(`Reverted ${v.name} to snapshot ${s.name}.`);
      await ctx.refresh();
    },
  });
}

function removeSnapshot(ctx, v, s) {
  confirm({
    title: `Delete snapshot ${s.name}?`,
    message: `The volume's current content does not change; only the way back to ${s.name} goes. Backups made from it are kept.`,
    confirmLabel: 'Delete snapshot',
    submit: async () => {
      await del(path('volumes', v.name, 'snapshots', s.name));
      ctx.notify(`Deleted snapshot ${s.name} of ${v.name}.`);
      await ctx.refresh();
    },
  });
}
