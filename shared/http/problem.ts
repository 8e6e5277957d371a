import type { FastifyReply } from 'fastify';
import { errorStatus, titleOf, type ErrorCode } from '../errors/codes.js';
import type { FieldError } from '../validation/format.js';

/** RFC 9457 problem details, with our stable `code` and, for validation, field paths. */
export type Problem = {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: ErrorCode;
  readonly detail?: string;
  readonly errors?: readonly FieldError[];
  readonly [extra: string]: unknown;
};

export const problem = (code: ErrorCode, detail?: string, extra: Record<string, unknown> = {}): Problem => ({
  type: `https://sleepsocial.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`,
  title: titleOf(code),
  status: errorStatus[code],
  code,
  ...(detail === undefined ? {} : { detail }),
  ...extra,
});

export const validationProblem = (errors: readonly FieldError[], where = 'body'): Problem =>
  problem('VALIDATION_FAILED', `${errors.length} invalid field(s) in the ${where}`, { errors: errors.map((e) => ({ ...e, in: where })) });

export const sendProblem = (reply: FastifyReply, p: Problem): FastifyReply =>
  reply.code(p.status).type('application/problem+json').send(p);
