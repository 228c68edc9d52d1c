import { createMemoryLogger } from '../../src/util/log.ts'

export const silentLog = () => createMemoryLogger()
