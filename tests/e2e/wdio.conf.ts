// WebdriverIO against tauri-driver (which proxies to WebKitWebDriver) driving the real app window.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const application = process.env.TIDINGS_APP ?? path.resolve(here, '../../target/debug/tidings-app');

export const config: WebdriverIO.Config = {
  runner: 'local',
  hostname: '127.0.0.1',
  port: Number(process.env.TAURI_DRIVER_PORT ?? 4444),
  path: '/',
  specs: ['./specs/**/*.e2e.ts'],
  maxInstances: 1,
  capabilities: [{
    'wdio:enforceWebDriverClassic': true, // tauri-driver and WebKitWebDriver speak classic WebDriver only
    'tauri:options': { application },
  } as WebdriverIO.Capabilities],
  logLevel: 'warn',
  waitforTimeout: 15_000,
  connectionRetryTimeout: 90_000,
  connectionRetryCount: 2,
  framework: 'mocha',
  reporters: ['spec'],
  mochaOpts: { ui: 'bdd', timeout: 90_000 },
};
