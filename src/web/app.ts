import { Elysia } from 'elysia'
import type { Clock } from '../util/clock.ts'

export interface WebAppDeps {
  version: string
  startedAt: number
  clock: Pick<Clock, 'now'>
}

/** The dashboard and API as an Elysia app, without listening: tests call `app.handle()`. */
export function createWebApp(deps: WebAppDeps) {
  return new Elysia().get('/api/health', () => ({
    status: 'ok' as const,
    version: deps.version,
    uptimeMs: deps.clock.now() - deps.startedAt,
  }))
}

export type WebApp = ReturnType<typeof createWebApp>
