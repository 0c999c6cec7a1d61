// Signing in: the API takes a bearer token (docs/rest-api.md). The page asks for it once per tab,
// checks it with the server before keeping it, and asks again whenever the server refuses it.

import { ApiError, get, setToken, forgetToken } from './api.js';
import { openForm } from './dialogs.js';

let asking = false;

/** Opens the sign-in dialog, unless it is open; onSignedIn runs once a token is taken. */
export function askForToken(onSignedIn) {
  if (asking) {
    return;
  }
  asking = true;
  openForm({
    title: 'Sign in to Strata',
    message: 'Paste an API token of this server: the admin token to make changes, the read-only token to look. '
      + 'strata server keeps them in api-tokens/ in its data directory (admin.token, read-only.token); in Kubernetes, '
      + 'read them from the Secret strata-api-tokens (see deploy/README.md). This tab keeps the token until it is closed.',
    fields: [{ name: 'token', label: 'API token', type: 'password', required: true }],
    submitLabel: 'Sign in',
    cancellable: false,
    submit: async ({ token }) => {
      setToken(token);
      try {
        await get('info');
      } catch (e) {
        forgetToken();
        if (e.status === 401) {
          throw new ApiError(401, 'Not accepted',
            'This is not a token of this server: copy the whole of admin.token or read-only.token, and check that it is this server\'s.');
        }
        throw e;
      }
      asking = false;
      onSignedIn();
    },
  });
}
