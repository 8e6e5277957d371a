export type { DomainError } from '../../shared/errors/codes.js';
