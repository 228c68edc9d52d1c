import { createInterface } from 'node:readline'
import type { AgentRunner, TurnHandle, TurnOutcome } from '../../core/runner/types.ts'
import type { Group, RunUsage } from '../../core/types.ts'
import { addUsage, describeUsage, ZERO_USAGE } from '../../core/usage/sum.ts'
import type { OutputFrame } from '../../protocol/container.ts'
import { createScreen } from './screen.ts'

export interface SessionReplDeps {
  group: Group
  runner: AgentRunner
  /** Resume this agent session; otherwise a new one starts with the first message. */
  resume?: string
  input: NodeJS.ReadableStream
  output: NodeJS.WritableStream
  tty: boolean
  color: boolean
  /** Earlier input lines, newest first (readline's order); the REPL adds to the front. */
  history?: string[]
  /** The agent reported its session id (new or resumed): remember it for `ngb session resume`. */
  onSession?(sessionId: string): void
  /** False when the turn runs elsewhere (ngb serve) and Ctrl+C cannot stop it. Default true. */
  canInterrupt?: boolean
  /** How long `/exit` waits for the agent to finish before stopping the container. */
  closeTimeoutMs?: number
}

export interface SessionResult {
  code: number
  sessionId?: string
  history: string[]
}

const HELP = [
  'Type a message and press Enter; while the agent works, more lines go in as follow-ups.',
  '  /status   container, session and state',
  '  /usage    tokens and cost of the last turn and of this session',
  '  /exit     end the session (also Ctrl+D); Ctrl+C interrupts the agent, twice quits',
].join('\n')

/**
 * The interactive chat of `ngb session`: ONE live container per conversation. The first line starts
 * a turn; later lines are follow-ups into the same container (TurnHandle.sendFollowUp). When the
 * container ends (interrupt, idle timeout) the next line starts a new one that resumes the session.
 */
export function runSessionRepl(deps: SessionReplDeps): Promise<SessionResult> {
  const rl = createInterface({
    input: deps.input,
    output: deps.output,
    terminal: deps.tty,
    history: deps.history ?? [],
    historySize: 500,
    prompt: '> ',
  })
  const screen = createScreen({ rl, output: deps.output, tty: deps.tty, color: deps.color })
  const folder = deps.group.folder
  let sessionId = deps.resume
  let handle: TurnHandle | undefined
  let working = false
  let interruptedRun: string | undefined
  let armedExit = false
  let exiting = false
  let exitCode = 0
  /** What the turns of this `ngb session` cost, as the agent reported them. */
  let lastTurn: RunUsage | undefined
  let total: RunUsage = ZERO_USAGE
  let finish: (r: SessionResult) => void = () => {}
  const result = new Promise<SessionResult>((resolve) => {
    finish = resolve
  })

  function setWorking(on: boolean): void {
    working = on
    screen.busy(on)
  }

  function onFrame(frame: OutputFrame): void {
    if (frame.type !== 'session' && frame.usage) {
      lastTurn = frame.usage
      total = addUsage(total, frame.usage)
    }
    if (frame.type === 'session') {
      sessionId = frame.sessionId
      deps.onSession?.(frame.sessionId)
    } else if (frame.type === 'result') {
      setWorking(false)
      screen.print(frame.text, 'agent')
    } else if (frame.type === 'activity' && frame.kind === 'usage') {
      // Accounting only (counted above for /usage): nothing to show.
    } else if (frame.type === 'activity') {
      screen.print(`  · ${frame.kind}: ${frame.summary}`, 'activity')
    } else {
      screen.print(`error (${frame.kind}): ${frame.message}`, 'error')
    }
  }

  function onDone(h: TurnHandle, outcome: TurnOutcome): void {
    if (outcome.sessionId) sessionId = outcome.sessionId
    if (handle !== h) return
    handle = undefined
    setWorking(false)
    if (exiting) return
    if (interruptedRun === h.runId)
      screen.print('(interrupted; the next message resumes the session)', 'note')
    else if (outcome.status !== 'ok')
      screen.print(`the agent stopped (${outcome.status}): ${outcome.error ?? 'no reason given'}`, 'error')
  }

  function send(text: string): void {
    setWorking(true)
    if (handle?.sendFollowUp(text)) return
    let h: TurnHandle
    try {
      h = deps.runner.start({
        group: deps.group,
        prompt: text,
        chatJid: `cli:${folder}`,
        trigger: 'cli',
        sessionId,
        onFrame,
      })
    } catch (error) {
      // The runner refuses before any container exists (bad mounts, settings): say so, stay usable.
      setWorking(false)
      screen.print(
        `could not start the agent: ${error instanceof Error ? error.message : String(error)}`,
        'error',
      )
      return
    }
    handle = h
    h.done.then(
      (outcome) => onDone(h, outcome),
      (error: unknown) => {
        onDone(h, { runId: h.runId, status: 'error', results: [], error: String(error) })
      },
    )
  }

  /**
   * Stops the current turn. Where the runner can, the container stays (`_interrupt`) and the next
   * line is a follow-up in the same session; otherwise the container is stopped and the next line
   * resumes the session in a new one.
   */
  async function interrupt(): Promise<void> {
    const h = handle
    if (!h) return
    setWorking(false)
    if (h.interrupt?.()) {
      screen.print('(interrupted; the agent is waiting for your next message)', 'note')
      return
    }
    interruptedRun = h.runId
    screen.print('interrupting…', 'note')
    await h.kill()
  }

  /**
   * `/exit` or a second Ctrl+C stops a turn in progress; an idle agent, or the end of piped input
   * (`graceful`), is asked to finish (`_close`: it answers what it has first) and given a moment.
   */
  async function exit(code: number, graceful = false): Promise<void> {
    if (exiting) return
    exiting = true
    exitCode = code
    screen.stop()
    const h = handle
    if (h) {
      if (working && !graceful) await h.kill()
      else {
        h.close()
        let timer: ReturnType<typeof setTimeout> | undefined
        const timeout = new Promise<'timeout'>((r) => {
          timer = setTimeout(() => r('timeout'), graceful ? 3_600_000 : (deps.closeTimeoutMs ?? 10_000))
        })
        const first = await Promise.race([h.done.then(() => 'done' as const), timeout])
        clearTimeout(timer)
        if (first === 'timeout') await h.kill()
      }
      await h.done.catch(() => undefined)
    }
    rl.close()
  }

  rl.on('line', (raw) => {
    const line = raw.trim()
    armedExit = false
    if (exiting) return
    if (line === '') return screen.prompt()
    if (line === '/exit' || line === '/quit') return void exit(0)
    if (line === '/help') return screen.print(HELP)
    if (line === '/usage') {
      if (!lastTurn) return screen.print('(no usage reported yet in this session)', 'note')
      return screen.print(
        [`last turn: ${describeUsage(lastTurn)}`, `session:   ${describeUsage(total)}`].join('\n'),
      )
    }
    if (line === '/status') {
      return screen.print(
        [
          `group:     ${folder}${deps.group.isMain ? ' (main)' : ''}`,
          `container: ${handle ? handle.containerName : '(none yet; the next message starts one)'}`,
          `session:   ${sessionId ?? '(new)'}`,
          `agent:     ${working ? 'working' : 'waiting for you'}`,
        ].join('\n'),
      )
    }
    send(line)
  })

  rl.on('SIGINT', () => {
    if (armedExit || exiting) return void exit(0)
    armedExit = true
    if (working && handle && deps.canInterrupt === false)
      screen.print('(the agent runs in ngb serve and cannot be interrupted from here)', 'note')
    else if (working && handle) void interrupt()
    screen.print('(press Ctrl+C again or type /exit to quit)', 'note')
  })

  rl.on('close', () => {
    // Ctrl+D / end of piped input: let the agent answer what it was given, then end.
    if (!exiting) {
      void exit(0, true).then(() => done())
      return
    }
    done()
  })

  let finished = false
  function done(): void {
    if (finished) return
    finished = true
    screen.stop()
    // The shell's prompt starts on a line of its own, not after ours.
    if (deps.tty) deps.output.write('\n')
    const history = (rl as unknown as { history?: string[] }).history ?? []
    finish({ code: exitCode, sessionId, history })
  }

  screen.print(
    `ngb session with ${folder}${deps.group.isMain ? ' (main)' : ''}: /help for commands, /exit to leave`,
    'note',
  )
  if (deps.resume) screen.print(`resuming session ${deps.resume}`, 'note')
  screen.prompt()
  return result
}
