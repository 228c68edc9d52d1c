import { existsSync } from 'node:fs'
import { defineCommand } from 'citty'
import { dataPaths } from '../../config/paths.ts'
import { InvalidInputError, NotFoundError } from '../../core/errors.ts'
import { isLogLevel } from '../../util/log.ts'
import { globalArgs, loadFromFlags } from '../context.ts'
import { withExamples } from '../help.ts'
import { onInterrupt } from '../interrupt.ts'
import { followLog } from '../logs/follow.ts'
import type { LogFilter } from '../logs/format.ts'
import { matchesFilter, parseLogLine, renderLine } from '../logs/format.ts'
import { tailLog } from '../logs/tail.ts'
import { useColor } from '../output.ts'

function parseCount(raw: string): number {
  const n = Number(raw)
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n))
    throw new InvalidInputError(`-n expects a whole number of lines, got "${raw}"`, 'lines')
  return n
}

export default withExamples(
  defineCommand({
    meta: { name: 'logs', description: 'Show the log (<data dir>/logs/ngb.log); -f follows it' },
    args: {
      ...globalArgs,
      lines: { type: 'string', alias: 'n', description: 'How many lines to show first', default: '50' },
      follow: { type: 'boolean', alias: 'f', description: 'Keep printing new lines (across rotation)' },
      group: { type: 'string', description: 'Only lines about this group folder', valueHint: 'folder' },
      level: { type: 'string', description: 'Minimum level: debug, info, warn, error', valueHint: 'level' },
      json: { type: 'boolean', description: 'Print the raw JSON lines' },
    },
    async run({ args }) {
      const count = parseCount(args.lines)
      const filter: LogFilter = {}
      if (args.level !== undefined) {
        if (!isLogLevel(args.level))
          throw new InvalidInputError(`--level must be debug, info, warn or error, not "${args.level}"`)
        filter.level = args.level
      }
      if (args.group) filter.group = args.group
      const { config } = loadFromFlags(args)
      const path = dataPaths(config.dataDir).logFile
      if (!args.follow && !existsSync(path) && !existsSync(`${path}.1`)) {
        throw new NotFoundError(
          `no log yet at ${path} (it is written by \`ngb serve\` and the other commands; check --data-dir)`,
        )
      }
      const color = useColor()
      const keep = (line: string) => matchesFilter(parseLogLine(line), filter)
      const print = (line: string) =>
        process.stdout.write(`${renderLine(line, parseLogLine(line), Boolean(args.json), color)}\n`)

      const tail = tailLog(path, count, keep, config.logMaxFiles)
      for (const line of tail.lines) print(line)
      if (!args.follow) return

      const abort = new AbortController()
      const dispose = onInterrupt(() => abort.abort())
      try {
        await followLog({
          path,
          start: { offset: tail.endOffset, ino: tail.ino },
          signal: abort.signal,
          onLine: (line) => {
            if (keep(line)) print(line)
          },
        })
      } finally {
        dispose()
      }
    },
  }),
  [
    'ngb logs                      # the last 50 lines, pretty',
    'ngb logs -n 200 --level warn  # warnings and errors only',
    'ngb logs -f --group main      # follow one group',
    'ngb logs --json | jq .msg     # raw JSON lines',
  ],
)
