// The Volume page: every volume with its state, attachment and restore or clone progress, its snapshots,
// and its backups as the backup target holds them (whichever server made them) with those under way
// here; create, expand and delete volumes; take, back up, revert and delete snapshots.

import { get, post, del, path } from './api.js';
import { h, fill } from './dom.js';
import { formatBytes, formatTime, sizeText, timestampName } from './format.js';
import { openForm, confirm } from './dialogs.js';

export async function load() {
  const [volumes, snapshots, jobs] = await Promise.all([
    get('volumes'),
    get('snapshots?type=snapshot'), // never waits on the backup target
    get('jobs'),
  ]);
  const byVolume = (list) => Object.groupBy(list, (item) => item.volume);
  // the volumes' backups as the target holds them (whoever made them), joined with the jobs making them
  // here; asked apart, so that a target that cannot be read leaves the rest of the page be
  let backups = null;
  try {
    backups = byVolume(await get('snapshots?type=backup'));
  } catch {
    // the cards say the target could not be read; the Backup page says why
  }
  return {
    volumes,
    snapshots: byVolume(snapshots),
    backups,
    jobs: Object.fromEntries(jobs.map((j) => [j.id, j])),
    busy: jobs.some((j) => j.state === 'running') || volumes.some((v) => v.state === 'restoring' || v.state === 'cloning')
      || snapshots.some((s) => !s.ready) || Object.values(backups ?? {}).some((list) => list.some((b) => !b.ready && !b.error)),
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
        : model.volumes.map((v) => volumeCard(ctx, v, model.snapshots[v.name] ?? [],
          model.backups === null ? null : model.backups[v.name] ?? [], model.jobs)));
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

function volumeCard(ctx, v, snapshots, backups, jobs) {
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
    v.restore && fillLine('restore', v.restore, jobs[v.restore.job], v.restore.backup, ['Restored from ', 'Restoring from '],
      `Restore of ${v.name} from ${v.restore.backup}`, 'read and written'),
    v.cloning && fillLine('cloning', v.cloning, jobs[v.cloning.job], v.cloning.source, ['Cloned from ', 'Cloning from '],
      `Clone of ${v.cloning.source} into ${v.name}`, 'copied'),
    h('div', { class: 'actions', role: 'group', 'aria-label': `Actions for volume ${v.name}` },
      ctx.button('Take snapshot', key('snapshot'), () => takeSnapshot(ctx, v)),
      ctx.button('Back up now', key('backup'), () => ctx.act(key('backup'), () => post(path('volumes', v.name, 'backups'), {}),
        (job) => `Backing up ${v.name}: backup ${job.backup} of a new snapshot ${job.snapshot} started.`)),
      ctx.button('Expand', key('expand'), () => expand(ctx, v)),
      ctx.button('Delete', key('delete'), () => remove(ctx, v, snapshots), { kind: 'danger' })),
    backupList(ctx, v, backups, jobs),
    h('h4', { text: 'Snapshots' }),
    snapshots.length === 0
      ? h('p', { class: 'empty', text: 'No snapshots.' })
      : snapshotTable(ctx, v, snapshots));
}

function fact(label, value, field) {
  return h('div', { class: 'fact' }, h('dt', { text: label }), h('dd', { 'data-field': field, text: value }));
}

/**
 * The job that filled the volume, a restore or a clone: where from, and its progress while it runs
 * ("starting…" until it knows how much there is to do).
 */
function fillLine(field, fill, job, source, [done, doing], label, what) {
  return h('div', { class: `job job-${fill.state}`, 'data-field': field },
    h('span', { class: 'job-what' }, fill.state === 'complete' ? done : doing, h('code', { text: source })),
    fill.state === 'running' && progress(fill.percent, label),
    h('span', { class: 'job-state', text: fill.state === 'running' ? runningText(job?.progress ?? { percent: fill.percent }, what)
      : fill.state }),
    fill.error && h('p', { class: 'error-text', text: fill.error }));
}

/** How far a running job is: "starting…" until it knows how much there is, never "0% of 0 B". */
function runningText(p, what) {
  return p.bytesTotal ? `${p.percent}% (${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)} ${what})` : 'starting…';
}

/** How many of the volume's ended backups the card shows; the Backup page lists them all. */
const BACKUPS_SHOWN = 5;

/**
 * The volume's backups as the backup target holds them, whichever server made them: those under
 * way, then the newest that ended (how the last one ended matters). null: the target could not be read.
 */
function backupList(ctx, v, backups, jobs) {
  if (backups === null) {
    return h('div', { class: 'jobs' }, h('h4', { text: 'Backups' }),
      h('p', { class: 'empty', text: 'The backup target could not be read; the Backup page says why.' }));
  }
  const state = (b) => (b.ready ? 'complete' : b.error ? 'failed' : 'in-progress');
  const running = backups.filter((b) => state(b) === 'in-progress');
  const ended = backups.filter((b) => state(b) !== 'in-progress').sort((a, b) => (b.created ?? '').localeCompare(a.created ?? ''));
  const shown = [...running, ...ended.slice(0, BACKUPS_SHOWN)];
  if (shown.length === 0) {
    return null;
  }
  return h('div', { class: 'jobs' },
    h('h4', { text: 'Backups' }),
    h('ul', {}, shown.map((b) => {
      const job = b.job ? jobs[b.job] : undefined; // made here: its job knows the snapshot and the progress
      const s = state(b);
      return h('li', { class: `job job-${s}`, 'data-backup': b.name, 'data-job': b.job ?? null },
        h('span', { class: 'job-what' }, 'Backup ', h('code', { text: b.name }), job?.snapshot ? ` of snapshot ${job.snapshot}` : ''),
        s === 'in-progress' && job && progress(job.progress.percent, `Backup ${b.name}`),
        h('span', { class: 'job-state', 'data-field': 'job-state' },
          s === 'in-progress' ? (job ? runningText(job.progress, 'read') : 'in progress elsewhere')
            : s === 'complete' ? `complete ${formatTime(job?.finished ?? b.created)}` : 'failed'),
        s === 'complete' && h('a', { href: `#/backup/${encodeURIComponent(v.name)}`, text: 'See it on the Backup page' }),
        s === 'in-progress' && job && ctx.button('Cancel', `job:${b.job}:cancel`, () => ctx.act(`job:${b.job}:cancel`,
          () => post(path('jobs', b.job, 'cancel')),
          () => `Cancelled backup ${b.name}; delete it on the Backup page to clear what it stored.`),
          { ariaLabel: `Cancel backup ${b.name}` }),
        b.error && h('p', { class: 'error-text', text: b.error }));
    })));
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
