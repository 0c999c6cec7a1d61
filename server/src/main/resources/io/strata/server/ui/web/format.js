// Sizes and times as people read and type them.

const BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 16777216 → "16 MiB", 1610612736 → "1.5 GiB". */
export function formatBytes(bytes) {
  if (bytes === null || bytes === undefined) {
    return '—';
  }
  let value = Number(bytes);
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BINARY.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = unit === 0 ? String(value) : value.toFixed(value < 10 ? 2 : 1).replace(/\.?0+$/, '');
  return `${text} ${BINARY[unit]}`;
}

/** A size as the API's own CLI takes it, e.g. "16Mi" for 16 MiB: the shortest exact form. */
export function sizeText(bytes) {
  const units = [['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]];
  for (const [suffix, factor] of units) {
    if (bytes >= factor && bytes % factor === 0) {
      return `${bytes / factor}${suffix}`;
    }
  }
  return String(bytes);
}

// Sizes typed into forms are sent as typed ("size": "10Gi"): the server reads them by the one set of
// rules the CLI uses too, so the page has no parser of its own that could disagree.

const pad = (n) => String(n).padStart(2, '0');

/** An ISO-8601 time in this browser's time zone: "2026-11-22 09:42:16". */
export function formatTime(iso) {
  if (!iso) {
    return '—';
  }
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) {
    return iso;
  }
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A name that sorts by time and is valid for volumes, snapshots and backups: PREFIX-20261122-094216. */
export function timestampName(prefix) {
  const d = new Date();
  return `${prefix}-${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}
