/**
 * Every error code the API answers with, and the one HTTP status each maps to. Codes are stable:
 * clients switch on them. `satisfies` makes adding a code without a status a compile error.
 */
export const errorStatus = {
  // Refusals of a decision over a user stream.
  USER_NOT_FOUND: 404,
  USER_ALREADY_REGISTERED: 409,
  HANDLE_TAKEN: 409,
  SLEEP_ENDS_BEFORE_START: 422,
  SLEEP_TOO_LONG: 422,
  SLEEP_IN_FUTURE: 422,
  SLEEP_OVERLAPS: 409,
  LOG_ID_TAKEN: 409,
  LOG_NOT_FOUND: 404,
  LOG_RETRACTED: 410,
  CANNOT_FOLLOW_SELF: 422,
  FOLLOWEE_NOT_FOUND: 404,
  // Protocol-level answers.
  VALIDATION_FAILED: 422,
  MALFORMED_REQUEST: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONCURRENCY_CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  IDEMPOTENCY_KEY_IN_USE: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  OVERLOADED: 503,
  DEPENDENCY_UNAVAILABLE: 503,
  INTERNAL: 500,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof errorStatus;

/** The subset a user-stream decider can return. */
export type DomainError = Extract<
  ErrorCode,
  | 'USER_NOT_FOUND'
  | 'USER_ALREADY_REGISTERED'
  | 'HANDLE_TAKEN'
  | 'SLEEP_ENDS_BEFORE_START'
  | 'SLEEP_TOO_LONG'
  | 'SLEEP_IN_FUTURE'
  | 'SLEEP_OVERLAPS'
  | 'LOG_ID_TAKEN'
  | 'LOG_NOT_FOUND'
  | 'LOG_RETRACTED'
  | 'CANNOT_FOLLOW_SELF'
  | 'FOLLOWEE_NOT_FOUND'
>;

const titles: Partial<Record<ErrorCode, string>> = {
  VALIDATION_FAILED: 'The request has invalid fields',
  UNAUTHENTICATED: 'A valid bearer token is required',
  FORBIDDEN: 'Not allowed',
  PRECONDITION_FAILED: 'The stream is not at the revision given in If-Match',
  CONCURRENCY_CONFLICT: 'The stream kept changing; try again',
};

export const titleOf = (code: ErrorCode): string =>
  titles[code] ?? code.toLowerCase().replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
