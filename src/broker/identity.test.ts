import { describe, expect, it } from 'vitest';
import { callerFromEnv, IdentityError, isListed } from './identity.js';

describe('caller identity', () => {
  it('comes from sudo', () => {
    expect(callerFromEnv({ SUDO_UID: '1001', SUDO_USER: 'cida-dev1' }, 0)).toEqual({
      user: 'cida-dev1',
      uid: 1001,
      viaSudo: true,
    });
  });
  it('is root for a direct call by root', () => {
    expect(callerFromEnv({}, 0)).toEqual({ user: 'root', uid: 0, viaSudo: false });
  });
  it('refuses to run as anyone but root, or with half an identity', () => {
    expect(() => callerFromEnv({ SUDO_UID: '1001', SUDO_USER: 'x' }, 1001)).toThrow(IdentityError);
    expect(() => callerFromEnv({ SUDO_UID: '1001' }, 0)).toThrow(IdentityError);
    expect(() => callerFromEnv({ SUDO_UID: 'x', SUDO_USER: 'a' }, 0)).toThrow(IdentityError);
    expect(() => callerFromEnv({ SUDO_UID: '1', SUDO_USER: 'a b' }, 0)).toThrow(IdentityError);
  });
  it('matches users and %groups of a policy list', () => {
    const dev = { user: 'dev1', uid: 1001 };
    expect(isListed(dev, ['dev1'], () => [])).toBe(true);
    expect(isListed(dev, ['%ops'], () => ['dev1', 'ops'])).toBe(true);
    expect(isListed(dev, ['%ops', 'dev2'], () => ['dev1'])).toBe(false);
    expect(isListed(dev, [], () => ['ops'])).toBe(false);
    expect(isListed({ user: 'root', uid: 0 }, [], () => [])).toBe(true);
  });
});
