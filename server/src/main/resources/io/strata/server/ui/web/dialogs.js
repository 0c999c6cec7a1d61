// One modal dialog for every question the pages ask: a form with fields, or a confirmation.
// The browser's <dialog> keeps the focus inside it and closes on Escape; a refusal from the
// server is shown inside the dialog, which stays open so the input can be corrected.

import { h, focusKey } from './dom.js';

const dialog = document.getElementById('dialog');
let returnKey = null;
let locked = false; // a dialog that must be answered: Escape does not close it

// Chromium lets a page veto 'cancel' only after a user gesture: Escape is stopped before it
// becomes one, and a dialog closed anyway is opened again
dialog.addEventListener('keydown', (event) => {
  if (locked && event.key === 'Escape') {
    event.preventDefault();
  }
});
dialog.addEventListener('cancel', (event) => {
  if (locked) {
    event.preventDefault();
  }
});

dialog.addEventListener('close', () => {
  if (dialog.open) {
    return; // opened again (with another form) before this event came
  }
  if (locked) {
    dialog.showModal();
    return;
  }
  dialog.replaceChildren();
  // the element that opened the dialog may have been redrawn since: find it again by its key
  if (!focusKey(returnKey)) {
    document.querySelector('#page h1')?.focus();
  }
  returnKey = null;
});

/**
 * Opens a dialog. fields: [{name, label, value, placeholder, hint, required, type}]; submit(values)
 * does the work and may throw (its message is shown); the dialog closes when it returns. A dialog
 * that is not cancellable has no Cancel button and ignores Escape.
 */
export function openForm({ title, message, fields = [], submitLabel, danger = false, cancellable = true, submit }) {
  locked = false;
  if (dialog.open) {
    dialog.close();
  }
  locked = !cancellable;
  returnKey = document.activeElement?.dataset?.key ?? null;
  const error = h('div', { class: 'dialog-error', role: 'alert' });
  const inputs = fields.map((f) => {
    const id = `dialog-field-${f.name}`;
    const hintId = f.hint ? `${id}-hint` : null;
    const input = h('input', {
      id, name: f.name, type: f.type ?? 'text', value: f.value ?? '', placeholder: f.placeholder,
      autocomplete: 'off', spellcheck: 'false', 'aria-describedby': hintId, 'aria-required': f.required ? 'true' : null,
    });
    return { field: f, input, node: h('div', { class: 'field' },
      h('label', { for: id, text: f.label }), input, f.hint && h('p', { class: 'hint', id: hintId, text: f.hint })) };
  });
  const submitButton = h('button', { type: 'submit', class: danger ? 'danger' : 'primary', text: submitLabel });
  const cancelButton = h('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: () => dialog.close() });
  const form = h('form', { class: 'dialog-form', novalidate: true },
    h('h2', { id: 'dialog-title', text: title }),
    message && h('p', { class: 'dialog-message', text: message }),
    inputs.map((i) => i.node),
    error,
    h('div', { class: 'dialog-buttons' },
      cancellable && cancelButton,
      submitButton));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const values = {};
    for (const { field, input } of inputs) {
      values[field.name] = input.value.trim();
      if (field.required && !values[field.name]) {
        showError(error, `${field.label} is required.`);
        input.focus();
        return;
      }
    }
    submitButton.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      await submit(values);
      locked = false;
      dialog.close();
    } catch (e) {
      showError(error, e.detail ?? e.message, e.title);
      submitButton.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });
  dialog.replaceChildren(form);
  dialog.showModal();
  // a question before a loss starts on Cancel: Enter alone must not destroy anything
  (inputs[0]?.input ?? (danger ? cancelButton : submitButton)).focus();
}

/** A yes-or-no question before something that cannot be undone. */
export function confirm({ title, message, confirmLabel, danger = true, submit }) {
  openForm({ title, message, submitLabel: confirmLabel, danger, submit });
}

function showError(region, detail, title) {
  region.replaceChildren(h('p', { class: 'alert error' }, title && h('strong', { text: `${title}: ` }), detail));
}
