import type { LogLevel, LogRecord } from '../../util/log.ts'
import { isLogLevel } from '../../util/log.ts'

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

const COLORS: Record<LogLevel, string> = {
  debug: '\x1b[90m',
  info: '\x1b[36m',
  warn: '\x1b[33m',
  error: '\x1b[31m',
}

/** Fields that name the group a log line is about; components use one of these. */
const GROUP_FIELDS = ['group', 'groupFolder', 'folder'] as const

export interface LogFilter {
  /** Minimum level shown. */
  level?: LogLevel
  group?: string
}

/** A JSON log line as written by util/log.ts, or undefined for anything else (torn or foreign lines). */
export function parseLogLine(line: string): LogRecord | undefined {
  if (!line.startsWith('{')) return undefined
  try {
    const value: unknown = JSON.parse(line)
    if (typeof value !== 'object' || value === null) return undefined
    const r = value as Record<string, unknown>
    if (typeof r.ts !== 'number' || typeof r.msg !== 'string') return undefined
    if (typeof r.level !== 'string' || !isLogLevel(r.level)) return undefined
    return r as LogRecord
  } catch {
    // Not JSON: the caller prints or drops the raw line.
    return undefined
  }
}

export function matchesFilter(record: LogRecord | undefined, filter: LogFilter): boolean {
  if (!filter.level && !filter.group) return true
  if (!record) return false
  if (filter.level && RANK[record.level] < RANK[filter.level]) return false
  if (filter.group && !GROUP_FIELDS.some((f) => record[f] === filter.group)) return false
  return true
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0')
}

/** Local time, to the millisecond: what a person reading a log next to a clock expects. */
export function formatTime(ts: number): string {
  const d = new Date(ts)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(
    d.getMinutes(),
  )}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v
  return JSON.stringify(v) ?? String(v)
}

/** `2026-11-25 20:15:39.123 info  [queue] started run group=main runId=…` */
export function formatRecord(record: LogRecord, color: boolean): string {
  const { ts, level, msg, component, ...rest } = record
  const label = color ? `${COLORS[level]}${level.padEnd(5)}\x1b[0m` : level.padEnd(5)
  const tag = typeof component === 'string' ? ` [${component}]` : ''
  const extra = Object.entries(rest)
    .map(([k, v]) => `${k}=${formatValue(v)}`)
    .join(' ')
  const time = color ? `\x1b[90m${formatTime(ts)}\x1b[0m` : formatTime(ts)
  return `${time} ${label}${tag} ${msg}${extra ? ` ${color ? `\x1b[90m${extra}\x1b[0m` : extra}` : ''}`
}

/** Raw in --json mode; pretty otherwise; foreign lines pass through as they are. */
export function renderLine(
  line: string,
  record: LogRecord | undefined,
  json: boolean,
  color: boolean,
): string {
  if (json || !record) return line
  return formatRecord(record, color)
}
