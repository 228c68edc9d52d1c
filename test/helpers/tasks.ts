import type { Task } from '../../src/core/types.ts'

/** An active hourly task (isolated, prompt 'p', chat web:x, created at 0); `over` sets what a test is about. */
export const hourlyTask = (id: string, groupFolder: string, over: Partial<Task> = {}): Task => ({
  id,
  groupFolder,
  chatJid: 'web:x',
  prompt: 'p',
  scheduleType: 'interval',
  scheduleValue: '1h',
  contextMode: 'isolated',
  status: 'active',
  createdAt: 0,
  ...over,
})
