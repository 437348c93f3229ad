// Starts a Kraken server for the UI tests: the binary from KRAKEN_BIN, a fresh data dir,
// any free port on 127.0.0.1, the built UI (ui/dist), and a known admin password.
// Tests skip when KRAKEN_BIN is not set.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const UI_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist');
export const ADMIN_PASSWORD = 'kraken-ui-tests';

export const skipReason = process.env.KRAKEN_BIN ? false : 'KRAKEN_BIN is not set';

// Resolves to { url, stop(), api(method, path, body) } once the server listens.
export async function startServer({ extraArgs = [] } = {}) {
  const bin = process.env.KRAKEN_BIN;
  if (!bin) throw new Error('KRAKEN_BIN is not set');
  const dataDir = mkdtempSync(join(tmpdir(), 'kraken-ui-'));
  const child = spawn(
    bin,
    ['server', '--data-dir', dataDir, '--port', '0', '--ui-dir', UI_DIR, ...extraArgs],
    { env: { ...process.env, KRAKEN_ADMIN_PASSWORD: ADMIN_PASSWORD }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start in 15 s:\n${output}`)), 15000);
    const onData = (d) => {
      output += d;
      const m = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`server exited with ${code}:\n${output}`));
    });
  });

  let token = null;
  async function api(method, path, body) {
    if (!token && path !== '/auth/login') {
      const r = await api('POST', '/auth/login', { user: 'admin', password: ADMIN_PASSWORD });
      token = r.token;
    }
    const res = await fetch(`${url}/api/v1${path}`, {
      method,
      headers: {
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : null;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return json;
  }

  async function stop() {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => {
        const t = setTimeout(() => {
          child.kill('SIGKILL');
          r();
        }, 5000);
        child.once('exit', () => {
          clearTimeout(t);
          r();
        });
      });
    }
    rmSync(dataDir, { recursive: true, force: true });
  }

  return { url, api, stop, dataDir };
}

// Starts an agent of `server`. With `authorized`, it presents a one-time registration
// token and is authorized at once; without, it waits under Discovered.
export async function startAgent(server, { name = 'ui-test-agent', authorized = true } = {}) {
  const args = ['agent', '--server', server.url, '--name', name];
  if (authorized) {
    const { token } = await server.api('POST', '/registration-tokens', { lifetime: 600 });
    args.push('--registration-token', token);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'kraken-ui-agent-'));
  const child = spawn(process.env.KRAKEN_BIN, [...args, '--data-dir', dataDir], { stdio: 'ignore' });
  return {
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => {
          const t = setTimeout(() => {
            child.kill('SIGKILL');
            r();
          }, 5000);
          child.once('exit', () => {
            clearTimeout(t);
            r();
          });
        });
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
