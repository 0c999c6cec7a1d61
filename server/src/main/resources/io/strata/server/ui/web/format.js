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

const FACTORS = {
  '': 1,
  k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15,
  ki: 2 ** 10, mi: 2 ** 20, gi: 2 ** 30, ti: 2 ** 40, pi: 2 ** 50,
};

/**
 * Reads a size as Kubernetes writes quantities: 10Gi, 512Mi, 1.5Gi (binary), 10G (decimal), or
 * bytes; a trailing B (GiB, MB) is allowed. Throws an Error that says what to type otherwise.
 */
export function parseSize(text) {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]i?)?b?\s*$/i.exec(text || '');
  const factor = m ? FACTORS[(m[2] || '').toLowerCase()] : undefined;
  if (!m || factor === undefined) {
    throw new Error(`"${text}" is not a size: write it like 10Gi, 512Mi, 1.5Gi or a number of bytes`);
  }
  const bytes = Math.round(Number(m[1]) * factor);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new Error(`"${text}" is not a size above zero: write it like 10Gi, 512Mi or a number of bytes`);
  }
  return bytes;
}

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
