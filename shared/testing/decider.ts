import * as E from 'fp-ts/lib/Either.js';
import { expect } from 'vitest';

export type Decider<C, S, Ev, Err, Ctx> = {
  readonly decide: (command: C, state: S, ctx: Ctx) => E.Either<Err, Ev[]>;
  readonly evolve: (state: S, event: Ev) => S;
  readonly initialState: S;
};

/**
 * Given/when/then for pure deciders:
 * `spec.given(events).when(command).then(events | 'ERROR_CODE' | 'nothing')`.
 * 'nothing' asserts the idempotent case: no error and no event.
 */
export const deciderSpec = <C, S, Ev, Err, Ctx>(decider: Decider<C, S, Ev, Err, Ctx>, ctx: Ctx) => ({
  given: (history: readonly Ev[]) => ({
    when: (command: C) => {
      const state = history.reduce(decider.evolve, decider.initialState);
      const result = decider.decide(command, state, ctx);
      return {
        then: (expected: readonly Ev[] | Err | 'nothing'): void => {
          if (expected === 'nothing') {
            expect(result).toEqual(E.right([]));
          } else if (Array.isArray(expected)) {
            expect(result).toEqual(E.right(expected));
          } else {
            expect(result).toEqual(E.left(expected));
          }
        },
        result,
      };
    },
  }),
});
