import { afterAll, beforeAll, expect } from 'bun:test'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { dataPaths } from '../../../src/config/paths.ts'
import { type AgentSandbox, agentSandbox, ensureTestImage } from '../../helpers/agent-image.ts'
import { HAS_DOCKER } from '../../helpers/docker.ts'
import { seedGroups } from '../../helpers/seed-groups.ts'
import { type LiveNgb, startServe, stopNgb } from '../../helpers/spawn-ngb.ts'
import { waitFor } from '../../helpers/wait.ts'

/**
 * What every platform's attachments test shares: a sandbox with a small attachment limit, one DM
 * group (`always`) served by `ngb serve` with the mock agent in containers, and the ways to read
 * what came back (replies at the fake, files in the group's inbox, lines in the log).
 */
export const LIMIT = 64 * 1024

export interface AttachmentsSandbox {
  box: AgentSandbox
  /** The DM group's workspace on the host. */
  workspace: string
  logFile: string
  /** Every file under the workspace's dated inbox folders. */
  inboxFiles(): string[]
}

export function attachmentsSandbox(folder: string): AttachmentsSandbox {
  const box = agentSandbox({ NGB_ATTACHMENT_MAX_BYTES: String(LIMIT) })
  const paths = dataPaths(box.dataDir)
  const workspace = join(paths.groups, folder)
  return {
    box,
    workspace,
    logFile: paths.logFile,
    inboxFiles() {
      const inbox = join(workspace, 'inbox')
      if (!existsSync(inbox)) return []
      return readdirSync(inbox).flatMap((day) =>
        readdirSync(join(inbox, day)).map((f) => join(inbox, day, f)),
      )
    },
  }
}

/** Seeds the admin group and the DM group bound to `jid`, then starts serve with the platform's `env`. */
export async function startAttachmentsServe(
  sandbox: AttachmentsSandbox,
  bind: { jid: string; folder: string },
  env: Record<string, string>,
): Promise<LiveNgb> {
  const image = await ensureTestImage()
  seedGroups(sandbox.box.dataDir, (groups) => {
    groups.createGroup({ folder: 'admin' })
    groups.createGroup({ folder: bind.folder, triggerMode: 'always' })
    groups.bind(bind.jid, bind.folder)
  })
  return startServe({
    ...sandbox.box.env,
    NGB_CONTAINER_IMAGE: image,
    NGB_ADMIN_PASSWORD: 'test-admin-password',
    ...env,
  })
}

/**
 * Serve for the file's tests: before them, `startFakes` starts the platform's fake(s) and returns
 * serve's environment; after them, serve must exit cleanly, the fakes stop and the sandbox goes.
 */
export function serveAttachments(
  sandbox: AttachmentsSandbox,
  bind: { jid: string; folder: string },
  startFakes: () => { env: Record<string, string>; fakes: Array<{ stop(): Promise<void> }> },
): void {
  let serve: LiveNgb | undefined
  let fakes: Array<{ stop(): Promise<void> }> = []
  beforeAll(async () => {
    if (!HAS_DOCKER) return
    const started = startFakes()
    fakes = started.fakes
    serve = await startAttachmentsServe(sandbox, bind, started.env)
  }, 180_000)
  afterAll(async () => {
    if (serve) expect(await stopNgb(serve)).toBe(0)
    for (const fake of fakes) await fake.stop()
    sandbox.box.cleanup()
  }, 30_000)
}

/** Sends through the fake and waits for the bot's next reply(ies) there; `replies` lists them all so far. */
export function replyWaiter(replies: () => string[], platform: string) {
  async function nextReplies(n: number, send: () => void): Promise<string[]> {
    const before = replies().length
    send()
    const what = n === 1 ? `a reply at the ${platform} fake` : `${n} replies at the ${platform} fake`
    await waitFor(() => replies().length >= before + n, what, 30_000)
    return replies().slice(before)
  }
  return {
    nextReplies,
    nextReply: async (send: () => void): Promise<string> => (await nextReplies(1, send))[0] ?? '',
  }
}

/** Waits until serve's log mentions `text` (refusals are logged, not sent to the chat). */
export function waitForLog(logFile: string, text: string, what: string): Promise<true> {
  return waitFor(() => readFileSync(logFile, 'utf8').includes(text), what, 15_000)
}
