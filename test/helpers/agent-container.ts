import { chownSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as v from 'valibot'
import {
  CLOSE_SENTINEL,
  type ContainerInput,
  OUTPUT_END,
  OUTPUT_START,
  type OutputFrame,
  OutputFrameSchema,
} from '../../src/protocol/container.ts'

/** Label on every container these tests start, so leftovers can be found and removed. */
export const TEST_LABEL = 'ngb.test=agent-container'
/** Unprivileged uid inside the container (Claude Code refuses to bypass permissions as root). */
const AGENT_UID = 1000

export interface AgentWorkspace {
  root: string
  group: string
  ipc: string
  home: string
}

/** Host directories mounted like production (DESIGN §5), owned by the container's uid. */
export function agentWorkspace(root: string): AgentWorkspace {
  const ws = { root, group: join(root, 'group'), ipc: join(root, 'ipc'), home: join(root, 'home') }
  for (const dir of [
    ws.group,
    join(ws.ipc, 'input'),
    join(ws.ipc, 'messages'),
    join(ws.ipc, 'tasks'),
    ws.home,
  ]) {
    mkdirSync(dir, { recursive: true })
  }
  if (process.getuid?.() === 0) {
    for (const dir of [
      root,
      ws.group,
      ws.ipc,
      ...['input', 'messages', 'tasks'].map((d) => join(ws.ipc, d)),
      ws.home,
    ]) {
      chownSync(dir, AGENT_UID, AGENT_UID)
    }
  }
  return ws
}

/** Splits stdout into protocol frames; text outside the markers is ignored, as on the host. */
export function parseFrames(stdout: string): OutputFrame[] {
  const frames: OutputFrame[] = []
  let rest = stdout
  for (;;) {
    const start = rest.indexOf(OUTPUT_START)
    if (start < 0) break
    const end = rest.indexOf(OUTPUT_END, start)
    if (end < 0) break
    frames.push(v.parse(OutputFrameSchema, JSON.parse(rest.slice(start + OUTPUT_START.length, end).trim())))
    rest = rest.slice(end + OUTPUT_END.length)
  }
  return frames
}

export interface AgentRun {
  name: string
  code: number
  frames: OutputFrame[]
  stdout: string
  stderr: string
}

export interface RunAgentOptions {
  image: string
  ws: AgentWorkspace
  input: ContainerInput
  /** Keep the container after exit (for `docker inspect`); the caller removes it. */
  keep?: boolean
  /** Called with each frame as it streams (e.g. to write a follow-up after the first result). */
  onFrame?: (frame: OutputFrame) => void
  /** Write `_close` before starting, so the session ends after the first turn. Default true. */
  closeAfterFirst?: boolean
}

/**
 * One `docker run -i` of the agent image with the stdin JSON of the protocol, flags as in production
 * (non-root, no capabilities) and `--network host` so the container reaches a fake on 127.0.0.1.
 */
export async function runAgentContainer(opts: RunAgentOptions): Promise<AgentRun> {
  const { ws } = opts
  if (opts.closeAfterFirst !== false) writeIpcFile(ws, join('input', CLOSE_SENTINEL), '')
  const name = `ngb-test-claude-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`
  const args = [
    'run',
    '-i',
    ...(opts.keep ? [] : ['--rm']),
    '--name',
    name,
    '--label',
    TEST_LABEL,
    '--user',
    `${AGENT_UID}:${AGENT_UID}`,
    '--cap-drop',
    'ALL',
    '--security-opt',
    'no-new-privileges',
    '--network',
    'host',
    '-v',
    `${ws.group}:/workspace/group`,
    '-v',
    `${ws.ipc}:/workspace/ipc`,
    '-v',
    `${ws.home}:/home/agent`,
    opts.image,
  ]
  const proc = Bun.spawn(['docker', ...args], { stdin: 'pipe', stdout: 'pipe', stderr: 'pipe' })
  proc.stdin.write(JSON.stringify(opts.input))
  await proc.stdin.end()
  let stdout = ''
  let seen = 0
  const decoder = new TextDecoder()
  const reading = (async () => {
    for await (const chunk of proc.stdout) {
      stdout += decoder.decode(chunk, { stream: true })
      const frames = parseFrames(stdout)
      for (const frame of frames.slice(seen)) opts.onFrame?.(frame)
      seen = frames.length
    }
  })()
  const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text(), reading])
  return { name, code, frames: parseFrames(stdout), stdout, stderr }
}

/** Writes a file into the IPC dir as the host would (readable and removable by the container's uid). */
export function writeIpcFile(ws: AgentWorkspace, rel: string, content: string): void {
  const path = join(ws.ipc, rel)
  writeFileSync(path, content)
  if (process.getuid?.() === 0) chownSync(path, AGENT_UID, AGENT_UID)
}

/** JSON files the agent wrote into ipc/<dir>, oldest first. */
export function ipcFiles(ws: AgentWorkspace, dir: 'messages' | 'tasks'): string[] {
  const full = join(ws.ipc, dir)
  return readdirSync(full)
    .filter((n) => n.endsWith('.json') && statSync(join(full, n)).isFile())
    .sort()
    .map((n) => join(full, n))
}
