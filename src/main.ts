#!/usr/bin/env bun
import { main } from './cli/main.ts'

// The only place that decides the process exit code.
const code = await main(process.argv.slice(2))
process.exit(code)
