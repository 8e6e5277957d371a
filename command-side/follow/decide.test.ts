import { describe, it } from 'vitest';
import type { Follow } from '../../shared/commands/index.js';
import type { UserEvent, UserId } from '../../shared/events/index.js';
import { alice, bob, registered, spec } from '../user-stream/fixtures.js';

const carol = '00000000-0000-4000-8000-0000000000cc' as UserId;
const follow = (followeeId: UserId = bob): Follow => ({ type: 'Follow', data: { followeeId } });
const followed = (followeeId: UserId = bob): UserEvent => ({ type: 'Followed', data: { userId: alice, followeeId } });
const unfollowed = (followeeId: UserId = bob): UserEvent => ({ type: 'Unfollowed', data: { userId: alice, followeeId } });

describe('Follow', () => {
  it('follows another user', () => {
    spec.given([registered()]).when(follow()).then([followed()]);
  });

  it('follows several users, one at a time', () => {
    spec.given([registered(), followed(bob)]).when(follow(carol)).then([followed(carol)]);
  });

  it('does nothing when the user already follows them', () => {
    spec.given([registered(), followed()]).when(follow()).then('nothing');
  });

  it('follows again after an unfollow', () => {
    spec.given([registered(), followed(), unfollowed()]).when(follow()).then([followed()]);
  });

  it('refuses to follow oneself', () => {
    spec.given([registered()]).when(follow(alice)).then('CANNOT_FOLLOW_SELF');
  });

  it('refuses a user who is not registered', () => {
    spec.given([]).when(follow()).then('USER_NOT_FOUND');
    spec.given([]).when(follow(alice)).then('USER_NOT_FOUND');
  });
});
