// Building the page: elements made with h() and text nodes only (never HTML parsed from
// strings, so a name is always shown as text), and fill(), which swaps a region's content while
// keeping the keyboard focus where it was.

/**
 * An element. Props: class, text, key (data-key: the stable identity fill() refocuses by),
 * on<event> handlers, value, and attributes (true for a bare attribute; null, undefined and false
 * leave it out). Children: nodes, strings, arrays of them; null and false are skipped.
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (name === 'class') {
      el.className = value;
    } else if (name === 'text') {
      el.textContent = value;
    } else if (name === 'key') {
      el.dataset.key = value;
    } else if (name === 'value') {
      el.value = value;
    } else if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    if (Array.isArray(child)) {
      append(el, child);
    } else {
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
}

/**
 * Replaces a region's content. If the focus was inside it on an element with a key, the new
 * element with that key gets it back: a refresh while someone tabs through the page must not
 * throw them back to the top.
 */
export function fill(region, ...nodes) {
  const active = document.activeElement;
  const key = active && region.contains(active) ? active.dataset.key : undefined;
  region.replaceChildren();
  append(region, nodes);
  if (key) {
    const again = region.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (again) {
      again.focus({ preventScroll: true });
    }
  }
}

/** Focuses the element with this key anywhere in the document, if it is there; returns whether it was. */
export function focusKey(key) {
  const el = key ? document.querySelector(`[data-key="${CSS.escape(key)}"]`) : null;
  if (el) {
    el.focus();
  }
  return Boolean(el);
}
