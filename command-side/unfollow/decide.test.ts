import { describe, it } from 'vitest';
import type { Unfollow } from '../../shared/commands/index.js';
import type { UserEvent, UserId } from '../../shared/events/index.js';
import { alice, bob, registered, spec } from '../user-stream/fixtures.js';

const carol = '00000000-0000-4000-8000-0000000000cc' as UserId;
const unfollow = (followeeId: UserId = bob): Unfollow => ({ type: 'Unfollow', data: { followeeId } });
const followed = (followeeId: UserId = bob): UserEvent => ({ type: 'Followed', data: { userId: alice, followeeId } });
const unfollowed = (followeeId: UserId = bob): UserEvent => ({ type: 'Unfollowed', data: { userId: alice, followeeId } });

describe('Unfollow', () => {
  it('unfollows a followee', () => {
    spec.given([registered(), followed()]).when(unfollow()).then([unfollowed()]);
  });

  it('unfollows one followee and keeps the others', () => {
    spec.given([registered(), followed(bob), followed(carol)]).when(unfollow(carol)).then([unfollowed(carol)]);
  });

  it('does nothing for someone the user does not follow', () => {
    spec.given([registered()]).when(unfollow()).then('nothing');
    spec.given([registered(), followed(carol)]).when(unfollow(bob)).then('nothing');
    spec.given([registered()]).when(unfollow(alice)).then('nothing');
  });

  it('does nothing when the unfollow is repeated', () => {
    spec.given([registered(), followed(), unfollowed()]).when(unfollow()).then('nothing');
  });

  it('unfollows again after a refollow', () => {
    spec.given([registered(), followed(), unfollowed(), followed()]).when(unfollow()).then([unfollowed()]);
  });

  it('refuses a user who is not registered', () => {
    spec.given([]).when(unfollow()).then('USER_NOT_FOUND');
  });
});
