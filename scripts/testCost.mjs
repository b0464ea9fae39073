#!/usr/bin/env node
// Sums what FLTSIM_TEST_CPU wrote (test/support/cpuPerFile.ts): the CPU-seconds of all test files,
// per fork, and the most expensive files. usage: node scripts/testCost.mjs out/cpu.jsonl [top=20]
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const [path, top = '20'] = process.argv.slice(2);
if (path === undefined) {
  process.stderr.write('usage: node scripts/testCost.mjs <file written by FLTSIM_TEST_CPU> [how many files to list]\n');
  process.exit(2);
}
const rows = readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
const total = rows.reduce((sum, row) => sum + row.cpu, 0);
const forks = new Map();
for (const row of rows) forks.set(row.pid, (forks.get(row.pid) ?? 0) + row.cpu);
console.log(`${rows.length} files, ${total.toFixed(1)} CPU-s; per fork: ${[...forks.values()].map((cpu) => cpu.toFixed(1)).join(', ')}`);
for (const row of [...rows].sort((a, b) => b.cpu - a.cpu).slice(0, Number(top))) console.log(`${row.cpu.toFixed(2).padStart(7)}  ${relative(process.cwd(), row.file)}`);
