// Sign-in form: POST /auth/login sets the session cookie.

import { useState } from 'preact/hooks';
import { get, post } from '../api';
import { Field, fieldError, formError } from '../components/ui';
import { startEvents } from '../events';
import { useTitle } from '../hooks';
import { navigate } from '../router';
import { nextPath } from '../next_path';
import { setUser } from '../session';
import type { User } from '../types';

export function LoginPage() {
  useTitle('Log in');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [err, setErr] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErr(null);
    try {
      await post('/auth/login', { user: name, password });
      setUser(await get<User>('/auth/me'));
      startEvents();
      navigate(nextPath(), true);
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="login">
      <form class="card login-card" onSubmit={submit}>
        <h1>Kraken</h1>
        <p class="muted">Sign in to continue.</p>
        <Field id="login-user" label="User" error={fieldError(err, 'user')}>
          <input id="login-user" name="user" autocomplete="username" required value={name}
            onInput={(e) => setName(e.currentTarget.value)} autoFocus />
        </Field>
        <Field id="login-password" label="Password" error={fieldError(err, 'password')}>
          <input id="login-password" name="password" type="password" autocomplete="current-password" required
            value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </Field>
        {formError(err, 'user', 'password') && (
          <div class="error-box" role="alert">{formError(err, 'user', 'password')}</div>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Log in'}
        </button>
      </form>
    </div>
  );
}
