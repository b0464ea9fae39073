/**
 * `npx tsx examples/embedding/main.ts [seed] [diskSeed]`: run the disk host, print when the disk
 * completed each request and the I/O trace fltsim logged, then show that saving half-way and
 * restoring finishes with the same log.
 */
import { formatTrace } from '../../src/index.js';
import { DiskHost } from './diskHost.js';

const seed = Number(process.argv[2] ?? 1);
const diskSeed = Number(process.argv[3] ?? 42);

const host = DiskHost.start({ seed, diskSeed });
host.run();
console.log(`# disk host: fltsim seed ${seed}, disk seed ${diskSeed}; ${host.turns} host turns, fltsim clock at ${host.sim.now}`);
console.log('# requests as the disk served them (submitted → completed, in ticks)');
for (const r of host.disk.save().completed) console.log(`${r.label.padEnd(4)} ${String(r.submittedAt).padStart(3)} → ${String(r.completesAt).padStart(3)}`);
console.log('# the file system stage of the trace');
const fsStage = new Set(['FsPending', 'FsComplete', 'ClockAdvance']);
const lines = formatTrace(host.sim.log);
host.sim.log.forEach((fact, i) => fsStage.has(fact.type) && console.log(lines[i]));

// Save the whole host half-way (fltsim + disk, plain JSON), restore it, and finish both ways.
const again = DiskHost.start({ seed, diskSeed });
for (let i = 0; i < host.turns / 2; i++) again.turn();
const saved = JSON.stringify(again.save());
again.run();
const restored = DiskHost.restore(JSON.parse(saved));
restored.run();
const same = JSON.stringify(restored.sim.log) === JSON.stringify(again.sim.log) && JSON.stringify(again.sim.log) === JSON.stringify(host.sim.log);
console.log(`# saved half-way (${saved.length} bytes of JSON), restored, finished: ${same ? 'the same log' : 'A DIFFERENT LOG'}`);
process.exitCode = same ? 0 : 1;
