#!/usr/bin/env node
import { main } from './main.js';

// no-color.org: any non-empty NO_COLOR turns colour off.
const colour = process.stdout.isTTY === true && (process.env.NO_COLOR ?? '') === '';
process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, colour });
