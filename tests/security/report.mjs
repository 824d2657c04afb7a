// `make security-report`: one table of everything that proves hostile input does no harm.
// Usage: node tests/security/report.mjs TARGET_DIR (default: target). It reads
// - TARGET_DIR/e2e/security.json: the hostile-mail suite (tests/e2e/security/), remote content
//   off and on, and the sanitiser alone;
// - TARGET_DIR/security/faults.log: the libtest output of crates/imap/tests/faults (one scenario
//   per test);
// - TARGET_DIR/tmp/security-report/*.json: rows the deep-input and kill -9 tests write when they
//   pass (crates/message/tests/deep_input.rs, crates/cli/tests/sync_crash.rs, flag_crash.rs);
// - TARGET_DIR/security/fuzz.json: the last `make fuzz` (fuzz/run.sh).
// Exits 1 when any of them shows a failure, 0 otherwise (a part never run is shown as such).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const target = process.argv[2] ?? new URL('../../target', import.meta.url).pathname;
const read = (file) => (existsSync(file) ? readFileSync(file, 'utf8') : null);
const json = (file) => {
  const text = read(file);
  return text === null ? null : JSON.parse(text);
};
const failures = [];
const rows = [];
const details = [];
const number = (n) => Number(n).toLocaleString('en-US');

// Hostile mail in the real window.
const mail = json(path.join(target, 'e2e/security.json'));
if (!mail) {
  rows.push(['hostile-mail vectors', 'not run (make test-e2e)']);
} else {
  rows.push(['hostile-mail vectors tried', `${mail.tried} (${Object.keys(mail.categories).length} categories)`]);
  rows.push(['remote content off: script runs / canary hits / connections', `${mail.executed} / ${mail.leaked} / ${mail.connections}`]);
  if (mail.executed || mail.leaked || mail.connections) failures.push('hostile mail ran or loaded something (remote content off)');
  const on = mail.remote_on;
  if (on) {
    rows.push(['remote content on: script runs / requests not an allowed image', `${on.executed} / ${on.other}`]);
    rows.push(['remote content on: allowed images loaded', `${on.allowed} (of ${on.images} remote images in ${on.with_images} vectors)`]);
    if (on.executed || on.other) failures.push('hostile mail ran or loaded something beyond allowed images (remote content on)');
  } else {
    rows.push(['remote content on', 'not measured']);
  }
  const clicks = mail.clicks;
  if (clicks) {
    rows.push(['clicked and hovered: script runs / canary hits', `${clicks.executed} / ${clicks.leaked} (${clicks.clicked} clicks, ${clicks.hovered} hovers)`]);
    if (clicks.executed || clicks.leaked) failures.push('a click or hover ran or loaded something');
  } else {
    rows.push(['clicks and hovers', 'not measured']);
  }
  const alone = mail.sanitiser_alone;
  rows.push(['sanitiser alone (no CSP, scripts allowed): runs / loads',
    alone ? `${alone.executed} / ${alone.leaked} of ${alone.tried}` : 'not measured']);
  if (alone && (alone.executed || alone.leaked)) failures.push('the sanitiser alone let something run or load');
  details.push('hostile mail by category (remote off):');
  details.push(`  ${'category'.padEnd(16)} ${'tried'.padStart(5)} ${'executed'.padStart(8)} ${'leaked'.padStart(6)}`);
  for (const [category, counts] of Object.entries(mail.categories)) {
    details.push(`  ${category.padEnd(16)} ${String(counts.tried).padStart(5)} ${String(counts.executed).padStart(8)} ${String(counts.leaked).padStart(6)}`);
  }
  for (const [what, ids] of [['executed', mail.executed_ids], ['leaked', mail.leaked_ids],
    ['remote on, executed', on?.executed_ids], ['remote on, other requests', on?.other_requests],
    ['clicks, executed', clicks?.executed_ids], ['clicks, leaked', clicks?.leaked_ids]]) {
    if (ids?.length) details.push(`  ${what}: ${ids.join(', ')}`);
  }
  details.push(`  suite: ${mail.seconds} s on ${mail.finished}; detectors checked by the control page: ${mail.control ?? 'no'}`);
}

// Fault scenarios against scripted servers.
const faults = read(path.join(target, 'security/faults.log'));
if (faults === null) {
  rows.push(['fault scenarios', 'not run']);
} else {
  const results = [...faults.matchAll(/^test (\S+) \.\.\. (ok|FAILED|ignored)/gm)].map(([, name, result]) => ({ name, result }));
  results.sort((a, b) => a.name.localeCompare(b.name));
  const passed = results.filter((test) => test.result === 'ok').length;
  rows.push(['fault scenarios passed (crates/imap/tests/faults)', `${passed} of ${results.length}`]);
  if (!results.length || passed < results.length) failures.push('a fault scenario failed (or none ran)');
  details.push('fault scenarios:');
  for (const { name, result } of results) details.push(`  ${result === 'ok' ? 'passed' : result.padEnd(6)}  ${name.replaceAll('_', ' ')}`);
}

// Rows the Rust tests wrote when they passed.
const rowsDir = path.join(target, 'tmp/security-report');
const written = existsSync(rowsDir)
  ? Object.fromEntries(readdirSync(rowsDir).filter((file) => file.endsWith('.json')).map((file) => [file.slice(0, -5), json(path.join(rowsDir, file))]))
  : {};
const deep = Object.entries(written).filter(([name]) => name.startsWith('deep-input-')).map(([, row]) => row);
const deepWanted = 4;
rows.push(['deep input rendered (debug build)', deep.length
  ? deep.map((row) => `${row.input} ${row.seconds.toFixed(2)} s`).join('; ')
  : 'not run']);
if (deep.length && deep.length < deepWanted) failures.push(`only ${deep.length} of ${deepWanted} deep inputs passed`);
for (const [name, label] of [['sync-kill', 'kill -9 during a sync'], ['flag-kill', 'kill -9 during a flag update']]) {
  const row = written[name];
  if (!row) {
    rows.push([`${label}: points survived`, 'not run']);
    continue;
  }
  rows.push([`${label}: points survived`, `${row.survived} of ${row.kill_points} (${number(row.messages)} messages${row.seed !== undefined ? `, seed ${row.seed}` : ''})`]);
  if (row.survived < row.kill_points) failures.push(`${label}: a kill point lost or duplicated data`);
}

// The last `make fuzz`.
const fuzz = json(path.join(target, 'security/fuzz.json'));
if (!fuzz) {
  rows.push(['fuzz', 'not run (make fuzz)']);
} else {
  const runs = fuzz.targets.reduce((sum, row) => sum + row.runs, 0);
  const findings = fuzz.targets.reduce((sum, row) => sum + row.findings, 0);
  rows.push(['fuzz: targets / executions / findings', `${fuzz.targets.length} / ${number(runs)} / ${findings}`]);
  if (findings || fuzz.targets.some((row) => row.exit !== 0)) failures.push('fuzzing found something (kept in fuzz/regressions/)');
  details.push(`fuzz (${fuzz.finished}, commit ${fuzz.commit}):`);
  for (const row of fuzz.targets) {
    details.push(`  ${row.target.padEnd(14)} ${number(row.runs).padStart(12)} runs in ${row.seconds} s, ${row.findings} findings`);
  }
}

const width = Math.max(...rows.map(([what]) => what.length));
console.log('Security report\n');
console.log(`  ${'what'.padEnd(width)}  result`);
console.log(`  ${'-'.repeat(width)}  ------`);
for (const [what, result] of rows) console.log(`  ${what.padEnd(width)}  ${result}`);
console.log(`\n${details.join('\n')}`);
if (failures.length) {
  console.log(`\nFAILED:\n${failures.map((failure) => `  - ${failure}`).join('\n')}`);
  process.exit(1);
}
const missing = rows.filter(([, result]) => result.startsWith('not ')).map(([what]) => what);
console.log(missing.length
  ? `\nNo failure in what ran; not measured: ${missing.join(', ')}.`
  : '\nNothing ran, nothing leaked, nothing was lost.');
