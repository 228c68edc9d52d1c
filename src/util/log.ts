import { appendFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Masker } from './mask.ts'
import { createMasker } from './mask.ts'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export type LogFields = Record<string, unknown>

export interface Logger {
  debug(msg: string, fields?: LogFields): void
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
  child(fields: LogFields): Logger
}

export interface LogRecord {
  ts: number
  level: LogLevel
  msg: string
  [field: string]: unknown
}

export interface LogSink {
  write(record: LogRecord): void
}

export interface RotatingFileOptions {
  path: string
  maxBytes: number
  maxFiles: number
}

/**
 * JSON lines with size-based rotation: ngb.log → ngb.log.1 → … → ngb.log.<maxFiles>.
 * Writes are synchronous so a crash never loses the line that explains it.
 */
export function createRotatingFileSink(opts: RotatingFileOptions): LogSink {
  mkdirSync(dirname(opts.path), { recursive: true })
  let size = existsSync(opts.path) ? statSync(opts.path).size : 0
  function rotate() {
    rmSync(`${opts.path}.${opts.maxFiles}`, { force: true })
    for (let i = opts.maxFiles - 1; i >= 1; i--) {
      if (existsSync(`${opts.path}.${i}`)) renameSync(`${opts.path}.${i}`, `${opts.path}.${i + 1}`)
    }
    if (existsSync(opts.path)) renameSync(opts.path, `${opts.path}.1`)
    size = 0
  }
  let failing = false
  return {
    write(record) {
      const line = `${JSON.stringify(record)}\n`
      const bytes = Buffer.byteLength(line)
      try {
        if (size > 0 && size + bytes > opts.maxBytes) rotate()
        // The directory may have been removed under us (a cleaned data dir); recreate it.
        if (!existsSync(dirname(opts.path))) mkdirSync(dirname(opts.path), { recursive: true })
        appendFileSync(opts.path, line)
        size += bytes
        failing = false
      } catch (error) {
        // Logging must never take the process down (a throwing sink would break shutdown);
        // say so once on stderr and keep going.
        if (!failing) process.stderr.write(`ngb: cannot write ${opts.path}: ${(error as Error).message}\n`)
        failing = true
      }
    },
  }
}

export interface ConsoleSinkOptions {
  level: LogLevel
  stream?: { write(s: string): unknown }
  color?: boolean
}

const COLORS: Record<LogLevel, string> = {
  debug: '\x1b[90m',
  info: '\x1b[36m',
  warn: '\x1b[33m',
  error: '\x1b[31m',
}

/** Human-readable lines on stderr; stdout stays free for command output. */
export function createConsoleSink(opts: ConsoleSinkOptions): LogSink {
  const stream = opts.stream ?? process.stderr
  return {
    write(record) {
      if (LEVELS[record.level] < LEVELS[opts.level]) return
      const { ts, level, msg, component, ...rest } = record
      const time = new Date(ts).toISOString().slice(11, 23)
      const tag = typeof component === 'string' ? ` [${component}]` : ''
      const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : ''
      const label = opts.color ? `${COLORS[level]}${level.padEnd(5)}\x1b[0m` : level.padEnd(5)
      stream.write(`${time} ${label}${tag} ${msg}${extra}\n`)
    },
  }
}

export interface LoggerOptions {
  level: LogLevel
  sinks: LogSink[]
  masker?: Masker
  /** The file keeps debug lines even when the console shows only info. */
  fileLevel?: LogLevel
}

function serialise(value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message }
  return value
}

export function createLogger(opts: LoggerOptions, base: LogFields = {}): Logger {
  const masker = opts.masker ?? createMasker()
  const threshold = Math.min(LEVELS[opts.level], LEVELS[opts.fileLevel ?? opts.level])
  function emit(level: LogLevel, msg: string, fields?: LogFields) {
    if (LEVELS[level] < threshold) return
    const merged: LogFields = { ...base, ...fields }
    for (const [k, v] of Object.entries(merged)) merged[k] = serialise(v)
    // Masking the serialised record catches secrets nested anywhere in the fields.
    const record = JSON.parse(
      masker.mask(JSON.stringify({ ts: Date.now(), level, msg, ...merged })),
    ) as LogRecord
    for (const sink of opts.sinks) sink.write(record)
  }
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(opts, { ...base, ...fields }),
  }
}

export function isLogLevel(s: string): s is LogLevel {
  return s in LEVELS
}

/** A logger that records to memory; for tests and for commands that must stay quiet. */
export function createMemoryLogger(): Logger & { records: LogRecord[] } {
  const records: LogRecord[] = []
  const logger = createLogger({ level: 'debug', sinks: [{ write: (r) => records.push(r) }] })
  return Object.assign(logger, { records })
}
