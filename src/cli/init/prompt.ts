import { createInterface, type Interface } from 'node:readline'

/** Questions on a terminal; `ngb init` uses flags instead when stdin is not a TTY. */
export interface Prompter {
  text(question: string, fallback?: string): Promise<string>
  /** Typed without echo (passwords, tokens). */
  secret(question: string): Promise<string>
  confirm(question: string, fallback: boolean): Promise<boolean>
  close(): void
}

export function createPrompter(
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stdout,
): Prompter {
  const rl: Interface = createInterface({ input, output, terminal: true })
  let muted = false
  // readline echoes every key through this method; while a secret is typed, it echoes nothing.
  const writable = rl as unknown as { _writeToOutput(s: string): void }
  const original = writable._writeToOutput.bind(rl)
  writable._writeToOutput = (s: string) => {
    if (!muted || s.includes('\n') || s.includes('\r')) original(muted ? '\n' : s)
  }
  const ask = (q: string) => new Promise<string>((resolve) => rl.question(q, (a) => resolve(a.trim())))
  return {
    async text(question, fallback) {
      const answer = await ask(fallback ? `${question} [${fallback}]: ` : `${question}: `)
      return answer || fallback || ''
    },
    async secret(question) {
      // readline draws the prompt synchronously inside question(); mute only what is typed after it.
      const answer = ask(`${question}: `)
      muted = true
      try {
        return await answer
      } finally {
        muted = false
      }
    },
    async confirm(question, fallback) {
      const answer = (await ask(`${question} [${fallback ? 'Y/n' : 'y/N'}]: `)).toLowerCase()
      if (!answer) return fallback
      return answer === 'y' || answer === 'yes'
    },
    close: () => rl.close(),
  }
}
