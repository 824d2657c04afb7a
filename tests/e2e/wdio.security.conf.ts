// The security suite: the hostile-mail corpus (tests/security/) opened in the real app window.
// Run by run.sh after the main suite, with TIDINGS_DATA_DIR pointing at a fresh directory of its
// own (tauri-driver is restarted with it, so the app sees it too). Before the app starts,
// onPrepare starts the canary HTTP server on loopback, writes one .eml per vector with the
// canary's port in it and caches them with `tidings import`; the spec reads security-run.json.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { config as main } from './wdio.conf.ts';
import { startCanary } from '../security/canary.mjs';
import { generate } from '../security/generate.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = process.env.TIDINGS_CLI ?? path.resolve(here, '../../target/debug/tidings');
let canary: { port: number; close: () => Promise<void> } | undefined;

export const config: WebdriverIO.Config = {
  ...main,
  specs: ['./security/**/*.e2e.ts'],
  mochaOpts: { ui: 'bdd', timeout: 600_000 },
  async onPrepare() {
    const dataDir = process.env.TIDINGS_DATA_DIR;
    // A fresh directory only: the corpus is never imported into someone's real cache, nor twice.
    if (!dataDir || (existsSync(dataDir) && readdirSync(dataDir).length > 0)) {
      throw new Error(`security suite: TIDINGS_DATA_DIR must name a new, empty data dir (run.sh makes one), not ${dataDir}`);
    }
    const work = path.dirname(dataDir);
    const log = path.join(work, 'canary.log');
    canary = await startCanary(log);
    const emlDir = path.join(work, 'eml');
    const manifest = generate(emlDir, canary.port);
    const files = readdirSync(emlDir).filter((name) => name.endsWith('.eml')).map((name) => path.join(emlDir, name));
    execFileSync(cli, ['--data-dir', dataDir, 'import', '--folder', 'INBOX', ...files], { stdio: 'inherit' });
    writeFileSync(path.join(work, 'security-run.json'), JSON.stringify({ port: canary.port, log, vectors: manifest }));
  },
  async onComplete() {
    await canary?.close();
  },
};
