// `make security-report`: prints the table of target/e2e/security.json, written by the security
// suite (tests/e2e/security/hostile-mail.e2e.ts).
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? new URL('../../target/e2e/security.json', import.meta.url).pathname;
if (!existsSync(file)) {
  console.error(`security-report: no ${file}; run the security suite first (make test-e2e)`);
  process.exit(2);
}
const summary = JSON.parse(readFileSync(file, 'utf8'));
const rows = [
  ['what', 'result'],
  ['hostile-mail vectors tried', String(summary.tried)],
  ['script executions', String(summary.executed)],
  ['canary hits (remote loads)', String(summary.leaked)],
  ['canary connections (any)', String(summary.connections)],
  ['sanitiser alone (no CSP, scripts allowed): executed / leaked',
    summary.sanitiser_alone ? `${summary.sanitiser_alone.executed} / ${summary.sanitiser_alone.leaked} of ${summary.sanitiser_alone.tried}` : 'not measured'],
  ['remote content on (images allowed)', 'not measured yet (this suite keeps it off)'],
  ['fault scenarios', 'not measured yet'],
  ['kill points', 'not measured yet'],
  ['fuzz', 'not measured yet'],
];
const width = Math.max(...rows.map(([what]) => what.length));
console.log(`Security report (${summary.finished}, app ${summary.app}, remote content off)\n`);
for (const [index, [what, result]] of rows.entries()) {
  console.log(`  ${what.padEnd(width)}  ${result}`);
  if (index === 0) console.log(`  ${'-'.repeat(width)}  ${'-'.repeat(6)}`);
}
console.log('\n  by category:');
console.log(`  ${'category'.padEnd(16)} ${'tried'.padStart(5)} ${'executed'.padStart(8)} ${'leaked'.padStart(6)}`);
for (const [category, counts] of Object.entries(summary.categories)) {
  console.log(`  ${category.padEnd(16)} ${String(counts.tried).padStart(5)} ${String(counts.executed).padStart(8)} ${String(counts.leaked).padStart(6)}`);
}
if (summary.executed || summary.leaked) {
  console.log(`\n  executed: ${summary.executed_ids.join(', ') || '-'}\n  leaked: ${summary.leaked_ids.join(', ') || '-'}`);
}
const alone = summary.sanitiser_alone;
if (alone && (alone.executed || alone.leaked)) {
  console.log(`\n  sanitiser alone, executed: ${alone.executed_ids.join(', ') || '-'}\n  sanitiser alone, leaked: ${alone.leaked_ids.join(', ') || '-'}`);
}
console.log(`\n  suite time: ${summary.seconds} s; detectors checked by the control page: ${summary.control ?? 'no'}`);
