// Starts `kraken ec2-emulator` (the binary from KRAKEN_BIN) on a free loopback port with a
// known key pair, for tests that autoscale on "AWS EC2". Its instances really boot: they
// download the agent from the Kraken server named in their user data and register.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const EMU_ACCESS_KEY = 'AKIAUITUTORIAL000001';
export const EMU_SECRET = 'ui-tutorial/secret+key=1';

// Resolves to { url, admin(method, path, body), stop() } once the emulator listens.
export async function startEmulator() {
  const workDir = mkdtempSync(join(tmpdir(), 'kraken-ui-ec2-'));
  const child = spawn(
    process.env.KRAKEN_BIN,
    ['ec2-emulator', '--port', '0', '--access-key', EMU_ACCESS_KEY, '--secret-key', EMU_SECRET,
      '--work-dir', join(workDir, 'instances'), '--shutdown-ms', '100'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`the EC2 emulator did not start in 10 s:\n${output}`)), 10000);
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
      fail(new Error(`the EC2 emulator exited with ${code}:\n${output}`));
    });
  });

  // The emulator's own admin API (instances, their consoles, faults); no authentication.
  async function admin(method, path, body) {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: body !== undefined ? { 'Content-Type': 'application/json' } : {},
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }

  async function stop() {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => {
        const t = setTimeout(() => {
          child.kill('SIGKILL');
          r();
        }, 10000);
        child.once('exit', () => {
          clearTimeout(t);
          r();
        });
      });
    }
    rmSync(workDir, { recursive: true, force: true });
  }

  return { url, admin, stop, workDir };
}
