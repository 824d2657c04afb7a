// Writes the corpus as .eml files: node tests/security/generate.mjs --port PORT --out DIR
// (one <id>.eml per vector and manifest.json: [{ id, category, source }]).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadCorpus, toEml } from './corpus.mjs';

/** Writes every vector into `dir` and returns the manifest. */
export function generate(dir, port) {
  mkdirSync(dir, { recursive: true });
  const vectors = loadCorpus();
  const manifest = vectors.map((vector, index) => {
    writeFileSync(path.join(dir, `${vector.id}.eml`), toEml(vector, port, index));
    return { id: vector.id, category: vector.category, source: vector.source };
  });
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ port, vectors: manifest }, null, 1));
  return manifest;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { port: { type: 'string' }, out: { type: 'string' } } });
  if (!values.port || !values.out) {
    console.error('usage: node generate.mjs --port PORT --out DIR');
    process.exit(2);
  }
  const manifest = generate(values.out, Number(values.port));
  console.log(`generate: ${manifest.length} messages in ${values.out}`);
}
