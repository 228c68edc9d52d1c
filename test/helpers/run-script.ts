/**
 * Runs `script` in a fresh Bun process and resolves with its exit code and output once it exits:
 * for checks that something lets the process end (a left-over timer or watcher would keep it
 * alive). Killed after 10 s so such a failure ends the test instead of hanging it.
 */
export async function runBunScript(script: string): Promise<{ code: number; stdout: string }> {
  const proc = Bun.spawn([process.execPath, '-e', script], { stdout: 'pipe', stderr: 'pipe' })
  const killer = setTimeout(() => proc.kill('SIGKILL'), 10_000)
  const code = await proc.exited
  clearTimeout(killer)
  return { code, stdout: await new Response(proc.stdout).text() }
}
