import { chmodSync, copyFileSync, existsSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { NotFoundError, VerificationError } from '../../core/errors.ts'

/** The previous binary, kept beside the installed one for `ngb upgrade --rollback`. */
export function previousPath(installed: string): string {
  return `${installed}.previous`
}

/** Runs `<binary> --version` and returns its version word (`ngb 1.2.3 (commit) bun …` → `1.2.3`). */
export async function smokeVersion(binary: string): Promise<string> {
  let proc: ReturnType<typeof Bun.spawn>
  try {
    proc = Bun.spawn([binary, '--version'], {
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      cwd: dirname(binary),
    })
  } catch (error) {
    throw new VerificationError(`the new binary does not start: ${(error as Error).message}`)
  }
  const timer = setTimeout(() => proc.kill(), 15_000)
  const [out, code] = await Promise.all([new Response(proc.stdout as ReadableStream).text(), proc.exited])
  clearTimeout(timer)
  const m = /^ngb (\S+) /.exec(out)
  if (code !== 0 || !m?.[1])
    throw new VerificationError(
      `the new binary failed its smoke run (--version exited ${code}); nothing was changed`,
    )
  return m[1]
}

/** A private file beside `installed`, so the final rename stays on one file system (atomic). */
function stagePath(installed: string, what: string): string {
  return join(dirname(installed), `.${basename(installed)}.${what}.${process.pid}`)
}

/** The version of a downloaded binary, smoke-run beside `installed` and removed again (`--check`). */
export async function probeVersion(installed: string, bytes: Uint8Array): Promise<string> {
  const staged = stagePath(installed, 'check')
  try {
    writeFileSync(staged, bytes, { mode: 0o755 })
    chmodSync(staged, 0o755)
    return await smokeVersion(staged)
  } finally {
    rmSync(staged, { force: true })
  }
}

/**
 * Writes `bytes` beside `installed`, smoke-runs it, keeps the current binary as `.previous` and
 * renames the new one over it. Any failure before the rename leaves `installed` untouched.
 */
export async function installVerified(
  installed: string,
  bytes: Uint8Array,
  expectVersion?: string,
): Promise<{ version: string }> {
  const staged = stagePath(installed, 'new')
  try {
    writeFileSync(staged, bytes, { mode: 0o755 })
    chmodSync(staged, 0o755)
    const version = await smokeVersion(staged)
    if (expectVersion && version !== expectVersion)
      throw new VerificationError(
        `asked for ${expectVersion} but the release holds ${version}; nothing was changed`,
      )
    copyFileSync(installed, previousPath(installed))
    renameSync(staged, installed)
    return { version }
  } finally {
    rmSync(staged, { force: true })
  }
}

/** Swaps the installed binary with the kept previous one (so a second rollback rolls forward). */
export async function rollback(installed: string): Promise<{ version: string }> {
  const previous = previousPath(installed)
  if (!existsSync(previous))
    throw new NotFoundError(`no previous binary to roll back to (${previous} does not exist)`)
  const version = await smokeVersion(previous)
  const current = stagePath(installed, 'current')
  copyFileSync(installed, current)
  renameSync(previous, installed)
  renameSync(current, previous)
  return { version }
}
