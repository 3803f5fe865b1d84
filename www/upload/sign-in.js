// The upload page's sign-in form, shown when the proxy answers 401 with a sign-in code (it runs
// beyond loopback with page users). One form for every call waiting on it; resolves when signed in.

const SESSION_URL = 'api/v1/session';
export const SIGN_IN_CODES = new Set(['widget_token_required', 'session_invalid']);

let signingIn = null;

export function signIn({ before, statusLine }) {
  signingIn ??= new Promise((resolve) => {
    const form = document.createElement('form');
    form.className = 'sign-in';
    form.setAttribute('aria-label', 'Sign in');
    form.innerHTML =
      '<label>Name <input name="name" autocomplete="username" required></label>' +
      '<label>Password <input name="password" type="password" autocomplete="current-password" required></label>' +
      '<button type="submit">Sign in</button>';
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const { name, password } = Object.fromEntries(new FormData(form));
      try {
        const response = await fetch(SESSION_URL, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name, password }),
        });
        if (!response.ok) {
          const body = await response.json().catch(() => null);
          statusLine.textContent = body?.message ?? `Sign-in failed (${response.status}).`;
          form.elements.password.select();
          return;
        }
      } catch {
        statusLine.textContent = 'The tagging server cannot be reached.';
        return;
      }
      form.remove();
      statusLine.textContent = 'Signed in.';
      signingIn = null;
      resolve();
    });
    before.before(form);
    statusLine.textContent = 'Sign in to tag images.';
    form.elements.name.focus();
  });
  return signingIn;
}
