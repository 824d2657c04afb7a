// The hostile-mail corpus: loads tests/security/corpus/*.toml (one file per category), checks
// it, and turns each vector into one .eml whose subject is the vector's id.
// Used by the security suite (tests/e2e/wdio.security.conf.ts) and by `node generate.mjs`.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';

// smol-toml is a dev dependency of the end-to-end suite.
const require = createRequire(new URL('../e2e/package.json', import.meta.url));
const { parse } = require('smol-toml');

const CORPUS = new URL('./corpus/', import.meta.url);

/** Placeholders that make a vector report itself: a script run or a remote load. */
const REPORTING = /\{\{(JS|JS_URL|JS_B64|JS_ENT|JS_HEX_ENT|JS_CHARCODES|SCRIPT_SRC|SCRIPT_B64|SVG_SCRIPT_B64|LEAK|LEAK_NOSCHEME|CANARY)\}\}|\/leak\/\{\{ID\}\}/;

/** Every vector, in file and then id order: { id, category, source, html | raw, … }. */
export function loadCorpus() {
  const vectors = [];
  const seen = new Set();
  for (const file of readdirSync(CORPUS).filter((name) => name.endsWith('.toml')).sort()) {
    const category = file.replace(/\.toml$/, '');
    const { vector: list } = parse(readFileSync(new URL(file, CORPUS), 'utf8'));
    if (!Array.isArray(list) || list.length === 0) throw new Error(`${file}: no [[vector]] tables`);
    const prefix = list[0].id.replace(/-\d+$/, '');
    for (const vector of list) {
      const where = `${file}: ${vector.id ?? '(no id)'}`;
      if (!/^[a-z]+-\d{3}$/.test(vector.id ?? '')) throw new Error(`${where}: an id is a word, a dash and three digits`);
      if (!vector.id.startsWith(`${prefix}-`)) throw new Error(`${where}: every id in a file shares its prefix (${prefix})`);
      if (seen.has(vector.id)) throw new Error(`${where}: duplicate id`);
      seen.add(vector.id);
      if (!vector.source) throw new Error(`${where}: no source`);
      if ((vector.html === undefined) === (vector.raw === undefined)) throw new Error(`${where}: give html or raw, not both`);
      if (!REPORTING.test(vector.html ?? vector.raw)) {
        throw new Error(`${where}: neither reports a script run ({{JS}}, {{SCRIPT_SRC}}…) nor loads {{LEAK}}`);
      }
      vectors.push({ ...vector, category });
    }
  }
  return vectors;
}

/** The text of a vector with its placeholders filled in for a canary on `port`. */
export function expand(text, id, port) {
  const base = `http://127.0.0.1:${port}`;
  // No spaces, quotes or angle brackets, so it fits an unquoted attribute; backticks for strings.
  const js = `top.postMessage(\`xss:${id}\`,\`*\`);fetch(\`${base}/script/${id}\`)`;
  const values = {
    ID: id,
    PORT: String(port),
    CANARY: base,
    LEAK: `${base}/leak/${id}`,
    LEAK_NOSCHEME: `//127.0.0.1:${port}/leak/${id}`,
    SCRIPT_SRC: `${base}/script/${id}`,
    JS: js,
    JS_URL: encodeURIComponent(js),
    JS_B64: base64(js),
    JS_ENT: [...js].map((c) => `&#${c.codePointAt(0)};`).join(''),
    JS_HEX_ENT: [...js].map((c) => `&#x${c.codePointAt(0).toString(16)};`).join(''),
    JS_CHARCODES: [...js].map((c) => c.charCodeAt(0)).join(','),
    SCRIPT_B64: base64(`<script>${js}</script><img src=x onerror="${js}">`),
    SVG_SCRIPT_B64: base64(`<svg xmlns="http://www.w3.org/2000/svg" onload="${js}"><script>${js}</script></svg>`),
    NEST_DIV_600: '<div>'.repeat(600),
    NEST_TABLE_200: '<table><tr><td>'.repeat(200),
  };
  return text
    .replace(/\{\{([A-Z0-9_]+)\}\}/g, (whole, name) => {
      if (!(name in values)) throw new Error(`${id}: unknown placeholder ${whole}`);
      return values[name];
    })
    .replace(/\{\{REPEAT_(\d+):(.*?)\}\}/gs, (_, count, inner) => inner.repeat(Number(count)))
    .replace(/\{\{B64:(.*?)\}\}/gs, (_, inner) => wrap76(base64(inner)));
}

/** The whole message of one vector, as bytes. `index` spreads the dates (newest first). */
export function toEml(vector, port, index) {
  const defaults = [
    ['From', 'Hostile Corpus <corpus@security.invalid>'],
    ['To', 'You <you@tidings.invalid>'],
    ['Subject', vector.id],
    ['Date', new Date(Date.UTC(2026, 0, 1) - index * 60_000).toUTCString().replace('GMT', '+0000')],
    ['Message-ID', `<${vector.id}@security.invalid>`],
    ['MIME-Version', '1.0'],
  ];
  if (vector.raw !== undefined) {
    const raw = expand(vector.raw, vector.id, port);
    const split = raw.startsWith('\n') ? 0 : raw.indexOf('\n\n');
    const head = split < 0 ? raw : raw.slice(0, split);
    const present = new Set(head.split('\n').filter((line) => /^[!-9;-~]+:/.test(line)).map((line) => line.split(':')[0].toLowerCase()));
    const added = defaults.filter(([name]) => !present.has(name.toLowerCase())).map(([name, value]) => `${name}: ${value}\n`);
    return withBytes(crlf(`${added.join('')}${raw}\n`));
  }
  const html = expand(vector.html, vector.id, port);
  const charset = vector.charset ?? 'utf-8';
  const transfer = vector.transfer ?? 'base64';
  const type = `${vector.content_type ?? 'text/html'}${charset ? `; charset=${charset}` : ''}`;
  const head = defaults.map(([name, value]) => `${name}: ${value}\n`).join('')
    + `Content-Type: ${type}\nContent-Transfer-Encoding: ${transfer}\n\n`;
  const bytes = encode(html, vector.encode_as ?? 'utf8');
  // Any other transfer encoding: the vector is written in it already.
  const body = transfer === 'base64' ? Buffer.from(wrap76(bytes.toString('base64'))) : withBytes(crlf(bytes.toString('latin1')), 'latin1');
  return Buffer.concat([Buffer.from(crlf(head)), transfer === 'base64' ? Buffer.from(crlf(`${body}\n`)) : body, Buffer.from('\r\n')]);
}

function encode(text, as) {
  switch (as) {
    case 'utf8': return Buffer.from(text, 'utf8');
    case 'latin1': return Buffer.from(text, 'latin1');
    case 'utf16le': return Buffer.from(text, 'utf16le');
    case 'utf16le-bom': return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    case 'utf16be': return Buffer.from(text, 'utf16le').swap16();
    default: throw new Error(`unknown encode_as ${as}`);
  }
}

/** `{{BYTE:XX}}` becomes that byte; the rest is written as UTF-8 (or `latin1`, byte for char). */
function withBytes(text, encoding = 'utf8') {
  const parts = text.split(/\{\{BYTE:([0-9A-Fa-f]{2})\}\}/);
  return Buffer.concat(parts.map((part, i) => (i % 2 ? Buffer.from([parseInt(part, 16)]) : Buffer.from(part, encoding))));
}

function crlf(text) {
  return text.replace(/\r?\n/g, '\r\n');
}

function base64(text) {
  return Buffer.from(text, 'utf8').toString('base64');
}

function wrap76(text) {
  return text.replace(/.{1,76}/g, (line) => `${line}\n`).trimEnd();
}
