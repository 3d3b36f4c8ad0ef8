import { describe, expect, it } from 'vitest';
import { Channel } from '../../../services/shared/channel.ts';

describe('Channel', () => {
  it('should hand pushed values over in order', async () => {
    const channel = new Channel<number>();
    channel.push(1);
    channel.push(2);
    expect(await channel.next()).toEqual({ value: 1, done: false });
    expect(await channel.next()).toEqual({ value: 2, done: false });
  });

  it('should keep only the newest of the states a consumer has not taken (pushLatest)', async () => {
    const channel = new Channel<string>();
    channel.pushLatest('a');
    channel.pushLatest('b');
    channel.pushLatest('c');
    expect(await channel.next()).toEqual({ value: 'c', done: false });
    // A consumer already waiting gets the next state at once.
    const waiting = channel.next();
    channel.pushLatest('d');
    channel.pushLatest('e');
    expect(await waiting).toEqual({ value: 'd', done: false });
    expect(await channel.next()).toEqual({ value: 'e', done: false });
    channel.close();
    expect(await channel.next()).toEqual({ value: undefined, done: true });
  });
});
