#!/usr/bin/env node
import { main } from './main.js';

/** Exit codes after a signal, as shells report a process it ended: 128 + the signal's number. */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

// The binary owns the process: SIGINT and SIGTERM abort the running command, which stops,
// removes its staging folder and returns; then the exit code says which signal it was. A
// second signal ends the process at once (its staging folder is removed by the next run).
const controller = new AbortController();
let received: keyof typeof SIGNAL_EXIT | null = null;
for (const name of Object.keys(SIGNAL_EXIT) as (keyof typeof SIGNAL_EXIT)[]) {
  process.on(name, () => {
    if (received !== null) process.exit(SIGNAL_EXIT[name]);
    received = name;
    controller.abort(new Error(`interrupted by ${name}`));
  });
}

// no-color.org: any non-empty NO_COLOR turns colour off.
const colour = process.stdout.isTTY === true && (process.env.NO_COLOR ?? '') === '';
const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, colour, signal: controller.signal });
// A signal that came too late to stop the command (its work was done) leaves its exit code.
process.exitCode = received !== null && code === 2 ? SIGNAL_EXIT[received] : code;
