export type ErrorCode =
  | 'config_invalid'
  | 'not_found'
  | 'conflict'
  | 'invalid_input'
  | 'unauthorized'
  | 'forbidden'
  | 'container_failed'
  | 'channel_failed'
  | 'plugin_failed'
  | 'db_failed'
  | 'verification_failed'
  /** Another process (ngb serve, a proxy in front of it) failed without saying why in ngb's terms. */
  | 'unavailable'
  | 'rate_limited'

/** Every error we raise on purpose carries a code and a message a user can act on. */
export class NgbError extends Error {
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string, opts?: { cause?: unknown }) {
    super(message, opts)
    this.name = 'NgbError'
    this.code = code
  }
}

export type ConfigSource = 'default' | 'env' | 'dotenv' | 'toml' | 'flag'

export class ConfigError extends NgbError {
  readonly key: string
  readonly source: ConfigSource | 'file'
  constructor(key: string, source: ConfigSource | 'file', message: string, opts?: { cause?: unknown }) {
    super('config_invalid', message, opts)
    this.name = 'ConfigError'
    this.key = key
    this.source = source
  }
}

export class NotFoundError extends NgbError {
  constructor(message: string) {
    super('not_found', message)
    this.name = 'NotFoundError'
  }
}

export class ConflictError extends NgbError {
  constructor(message: string) {
    super('conflict', message)
    this.name = 'ConflictError'
  }
}

export class InvalidInputError extends NgbError {
  readonly field?: string
  constructor(message: string, field?: string) {
    super('invalid_input', message)
    this.name = 'InvalidInputError'
    this.field = field
  }
}

export class ForbiddenError extends NgbError {
  constructor(message: string) {
    super('forbidden', message)
    this.name = 'ForbiddenError'
  }
}

export type ContainerFailure = 'spawn' | 'timeout' | 'exit' | 'output_too_large' | 'agent'

/** A download whose checksum or smoke run failed: nothing was installed. */
export class VerificationError extends NgbError {
  constructor(message: string) {
    super('verification_failed', message)
    this.name = 'VerificationError'
  }
}

export class ContainerError extends NgbError {
  readonly failure: ContainerFailure
  constructor(failure: ContainerFailure, message: string, opts?: { cause?: unknown }) {
    super('container_failed', message, opts)
    this.name = 'ContainerError'
    this.failure = failure
  }
}

export class ChannelError extends NgbError {
  readonly retryAfterMs?: number
  readonly retryable: boolean
  constructor(message: string, opts: { retryAfterMs?: number; retryable: boolean; cause?: unknown }) {
    super('channel_failed', message, { cause: opts.cause })
    this.name = 'ChannelError'
    this.retryAfterMs = opts.retryAfterMs
    this.retryable = opts.retryable
  }
}

export class DbError extends NgbError {
  constructor(message: string, opts?: { cause?: unknown }) {
    super('db_failed', message, opts)
    this.name = 'DbError'
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
