// Settings: General (the server URL agents use) and Cloud (AWS keys with Test Access).

import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, messageOf, post, put } from '../api';
import { Check, ErrorBox, Field, fieldError, formError, Loading } from '../components/ui';
import { useTitle } from '../hooks';
import { forgetServerUrl } from '../server_url';

export function SettingsPage() {
  useTitle('Settings');
  return (
    <div class="page">
      <div class="page-head">
        <h1>Settings</h1>
      </div>
      <General />
      <Cloud />
    </div>
  );
}

function missing(e: unknown, what: string): string | null {
  return e instanceof ApiError && e.notFound && !e.field
    ? `This server does not have ${what} settings yet (${e.status}); they will appear here once it does.`
    : null;
}

function General() {
  const [url, setUrl] = useState('');
  const [state, setState] = useState<'loading' | 'ready' | 'missing'>('loading');
  const [loadErr, setLoadErr] = useState<string>('');
  const [err, setErr] = useState<unknown>(null);
  const [note, setNote] = useState('');
  useEffect(() => {
    get<{ server_url?: string }>('/settings/general')
      .then((s) => {
        setUrl(s?.server_url ?? '');
        setState('ready');
      })
      .catch((e) => {
        const m = missing(e, 'general');
        setLoadErr(m ?? messageOf(e));
        setState(m ? 'missing' : 'ready');
      });
  }, []);
  const save = async (e: Event) => {
    e.preventDefault();
    setErr(null);
    setNote('');
    try {
      await put('/settings/general', { server_url: url.trim() });
      forgetServerUrl();
      setNote('Saved.');
    } catch (x) {
      setErr(missing(x, 'general') ?? x);
    }
  };
  return (
    <section class="card" aria-labelledby="general-title">
      <h2 id="general-title">General</h2>
      {state === 'loading' && <Loading />}
      {loadErr && <ErrorBox error={loadErr} />}
      {state !== 'loading' && (
        <form onSubmit={save}>
          <Field id="server-url" label="Server URL" error={fieldError(err, 'server_url')}
            hint="The address agents and autoscaled machines use to reach this server, e.g. http://ci.example.com:8080.">
            <input id="server-url" type="url" value={url} placeholder={location.origin} disabled={state === 'missing'}
              onInput={(e) => setUrl(e.currentTarget.value)} />
          </Field>
          {note && <div class="note" role="status">{note}</div>}
          <ErrorBox error={formError(err, 'server_url')} />
          <div class="actions">
            <button type="submit" class="primary" disabled={state === 'missing'}>Save</button>
          </div>
        </form>
      )}
    </section>
  );
}

interface AwsSettings {
  access_key?: string;
  secret_set?: boolean;
  session_token_set?: boolean;
  endpoint?: string;
  region?: string;
}

// What the server stores is never sent back for the two secrets: the form shows whether
// one is set, and sends a secret only when one is typed (or the session token is cleared).
function Cloud() {
  const [accessKey, setAccessKey] = useState('');
  const [secret, setSecret] = useState('');
  const [secretSet, setSecretSet] = useState(false);
  const [token, setToken] = useState('');
  const [tokenSet, setTokenSet] = useState(false);
  const [clearToken, setClearToken] = useState(false);
  const [endpoint, setEndpoint] = useState('');
  const [region, setRegion] = useState('');
  const [state, setState] = useState<'loading' | 'ready' | 'missing'>('loading');
  const [loadErr, setLoadErr] = useState('');
  const [err, setErr] = useState<unknown>(null);
  const [note, setNote] = useState('');
  const [test, setTest] = useState<{ ok: boolean; message: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const show = (s: AwsSettings | null) => {
    setAccessKey(s?.access_key ?? '');
    setSecretSet(Boolean(s?.secret_set));
    setTokenSet(Boolean(s?.session_token_set));
    setEndpoint(s?.endpoint ?? '');
    setRegion(s?.region ?? '');
    setSecret('');
    setToken('');
    setClearToken(false);
  };

  useEffect(() => {
    get<AwsSettings>('/settings/cloud/aws')
      .then((s) => {
        show(s);
        setState('ready');
      })
      .catch((e) => {
        const m = missing(e, 'cloud');
        setLoadErr(m ?? messageOf(e));
        setState(m ? 'missing' : 'ready');
      });
  }, []);

  const body = () => {
    const b: Record<string, string> = { access_key: accessKey.trim(), endpoint: endpoint.trim(), region: region.trim() };
    if (secret) b.secret_access_key = secret;
    if (token) b.session_token = token;
    else if (clearToken) b.session_token = '';
    return b;
  };

  const store = async () => show(await put<AwsSettings>('/settings/cloud/aws', body()));

  const save = async (e: Event) => {
    e.preventDefault();
    setErr(null);
    setNote('');
    setTest(null);
    try {
      await store();
      setNote('Saved.');
    } catch (x) {
      setErr(missing(x, 'cloud') ?? x);
    }
  };

  const testAccess = async () => {
    setErr(null);
    setNote('');
    setTest(null);
    setBusy(true);
    try {
      if (accessKey.trim()) await store();
      const r = await post<{ ok?: boolean; message?: string; error?: string } | null>('/settings/cloud/aws/test');
      if (r && r.ok === false) setTest({ ok: false, message: r.error || r.message || 'AWS refused the keys' });
      else setTest({ ok: true, message: r?.message || 'AWS accepted the keys.' });
    } catch (x) {
      const m = missing(x, 'cloud');
      if (m) setErr(m);
      else if (x instanceof ApiError && x.field) setErr(x);
      else setTest({ ok: false, message: messageOf(x) });
    } finally {
      setBusy(false);
    }
  };

  const disabled = state === 'missing';
  const fields = ['access_key', 'secret_access_key', 'session_token', 'endpoint', 'region'];
  return (
    <section class="card" aria-labelledby="cloud-title">
      <h2 id="cloud-title">Cloud</h2>
      <h3>AWS</h3>
      <p class="muted">Keys of an IAM user that may start and stop EC2 instances, used by groups deployed on AWS EC2.
        The secrets are stored encrypted and never shown again.</p>
      {state === 'loading' && <Loading />}
      {loadErr && <ErrorBox error={loadErr} />}
      {state !== 'loading' && (
        <form onSubmit={save}>
          <div class="form-grid">
            <Field id="aws-access-key" label="Access key" error={fieldError(err, 'access_key')}>
              <input id="aws-access-key" value={accessKey} autocomplete="off" spellcheck={false} disabled={disabled}
                placeholder="AKIA…" onInput={(e) => setAccessKey(e.currentTarget.value)} />
            </Field>
            <Field id="aws-secret" label="Secret access key" error={fieldError(err, 'secret_access_key')}
              hint={secretSet ? 'Set. Leave empty to keep it; a new access key needs its secret.' : 'Not set.'}>
              <input id="aws-secret" type="password" value={secret} autocomplete="new-password" disabled={disabled}
                placeholder={secretSet ? '•••••••• (set)' : ''} onInput={(e) => setSecret(e.currentTarget.value)} />
            </Field>
            <Field id="aws-session-token" label="Session token (optional)" error={fieldError(err, 'session_token')}
              hint={tokenSet ? 'Set. Leave empty to keep it.' : 'For temporary credentials only.'}>
              <input id="aws-session-token" type="password" value={token} autocomplete="new-password"
                disabled={disabled || clearToken} placeholder={tokenSet ? '•••••••• (set)' : ''}
                onInput={(e) => setToken(e.currentTarget.value)} />
            </Field>
            {tokenSet && (
              <Check id="aws-clear-token" label="Remove the stored session token" checked={clearToken}
                disabled={disabled} onChange={(v) => { setClearToken(v); if (v) setToken(''); }} />
            )}
            <Field id="aws-endpoint" label="EC2 endpoint (optional)" error={fieldError(err, 'endpoint')}
              hint="Empty for AWS itself. For the Kraken EC2 emulator or an AWS-compatible cloud, e.g. http://127.0.0.1:8788.">
              <input id="aws-endpoint" type="url" value={endpoint} spellcheck={false} disabled={disabled}
                placeholder="https://ec2.<region>.amazonaws.com" onInput={(e) => setEndpoint(e.currentTarget.value)} />
            </Field>
            <Field id="aws-region" label="Default region (optional)" error={fieldError(err, 'region')}
              hint="Where Test Access and the region list ask; us-east-1 when empty.">
              <input id="aws-region" value={region} spellcheck={false} disabled={disabled} placeholder="us-east-1"
                onInput={(e) => setRegion(e.currentTarget.value)} />
            </Field>
          </div>
          {note && <div class="note" role="status">{note}</div>}
          {test && (
            <div class={test.ok ? 'note' : 'error-box'} role="status">
              {test.ok ? 'Access works: ' : 'Access failed: '}
              {test.message}
            </div>
          )}
          <ErrorBox error={formError(err, ...fields)} />
          <div class="actions">
            <button type="button" onClick={testAccess} disabled={disabled || busy}>
              {busy ? 'Testing…' : 'Test Access'}
            </button>
            <button type="submit" class="primary" disabled={disabled}>Save</button>
          </div>
        </form>
      )}
    </section>
  );
}
